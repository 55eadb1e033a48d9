//! kiln-core: the seams between kiln's layers: component traits, the
//! step runner, cancellation, and the process runner local commands share.

pub mod artifact;
pub mod attestor;
pub mod build;
pub mod cancel;
pub mod cloud_init;
pub mod communicator;
pub mod component;
pub mod datasource;
pub mod digest_memo;
pub mod duration;
pub mod error;
pub mod go_error;
pub mod mount_ns;
pub mod postprocessor;
pub mod process;
pub mod provisioner;
pub mod size;
pub mod step;
pub mod step_cache;
pub mod tempdir;
pub mod tester;
pub mod ui;

pub use artifact::Artifact;
pub use build::{
    BuildCtx, BuildInfo, Builder, Generated, NoProvisioners, OnError, ProvisionHook, StepTestCtx,
};
pub use cancel::Cancel;
pub use communicator::{CommError, Communicator, NoneComm, Output, UiLines};
pub use datasource::DataSource;
pub use error::BuildError;
pub use postprocessor::{PostProcessCtx, PostProcessed, PostProcessor};
pub use provisioner::{ProvisionCtx, Provisioner};
pub use step::{run_steps, Provisionable, Step, StepProvision};
pub use ui::{Progress, Ui};
