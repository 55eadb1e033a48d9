//! The provisioner seam: a provisioner only sees a communicator. The
//! engine applies the meta-arguments (`only`, `except`, `pause_before`,
//! `max_retries`, `timeout`, `override`) around it.

use crate::build::{BuildInfo, Generated};
use crate::cancel::Cancel;
use crate::communicator::Communicator;
use crate::error::BuildError;
use crate::ui::Ui;

pub struct ProvisionCtx<'a> {
    pub info: &'a BuildInfo,
    pub ui: &'a dyn Ui,
    /// Fires on Ctrl-C and when the provisioner's `timeout` passes.
    pub cancel: &'a Cancel,
    pub generated: &'a Generated,
}

pub trait Provisioner: Send + Sync {
    fn provision(&self, ctx: &ProvisionCtx<'_>, comm: &dyn Communicator) -> Result<(), BuildError>;
    /// For the step cache: the files and directories on this machine the
    /// provisioner reads (its evaluated config is hashed by the engine).
    /// `None`, the default, means its result cannot be cached (it reads
    /// something kiln cannot name: the host, the network): it always
    /// runs, and so does every step after it.
    fn cache_inputs(&self) -> Option<Vec<std::path::PathBuf>> {
        None
    }
}
