//! What a running build knows about itself, and the seams the engine
//! offers builders: the [`Builder`] trait and the [`ProvisionHook`] their
//! provisioning step calls.

use crate::artifact::Artifact;
use crate::cancel::Cancel;
use crate::communicator::Communicator;
use crate::error::BuildError;
use crate::ui::Ui;
use std::collections::BTreeMap;

/// `-on-error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Run every cleanup (Packer's default).
    #[default]
    Cleanup,
    /// Leave everything in place and say what was left.
    Abort,
    /// Ask: clean up, abort or retry the failed step.
    Ask,
    /// Run the `error-cleanup-provisioner`, then abort.
    RunCleanupProvisioner,
}

impl OnError {
    pub fn parse(s: &str) -> Option<OnError> {
        Some(match s {
            "cleanup" => OnError::Cleanup,
            "abort" => OnError::Abort,
            "ask" => OnError::Ask,
            "run-cleanup-provisioner" => OnError::RunCleanupProvisioner,
            _ => return None,
        })
    }
}

/// Values a builder learns while it runs, exposed to provisioners and
/// post-processors as `build.*` (Packer's "generated data": `ID`, `Host`,
/// `Port`, `User`, `Password`, `ConnType`, `SSHPublicKey`, …).
pub type Generated = BTreeMap<String, String>;

/// The [`Generated`] names every build has (Packer's
/// `BuilderDataCommonKeys`): the engine's `PackerRunUUID`, the
/// communicator's connection values, and `PackerHTTP*` for builders that
/// serve files. A value a builder did not set is an empty string. Names
/// only some builders provide are declared by those builders.
pub const COMMON_GENERATED: &[&str] = &[
    "ID",
    "Host",
    "Port",
    "User",
    "Password",
    "ConnType",
    "PackerRunUUID",
    "PackerHTTPAddr",
    "PackerHTTPIP",
    "PackerHTTPPort",
    "SSHPublicKey",
    "SSHPrivateKey",
    "WinRMPassword",
];

/// Facts about one build, fixed before it starts.
#[derive(Debug, Clone, Default)]
pub struct BuildInfo {
    /// `[BUILD.]TYPE.NAME`.
    pub name: String,
    /// The source's name in the build (Packer's `PACKER_BUILD_NAME`, the
    /// manifest's `name`).
    pub source_name: String,
    /// The builder type (`PACKER_BUILDER_TYPE`).
    pub builder_type: String,
    /// One UUID per `kiln build` run (`PACKER_RUN_UUID`).
    pub run_uuid: String,
    pub on_error: OnError,
    /// `-force`: replace existing output.
    pub force: bool,
    /// `-debug`: pause between steps.
    pub debug: bool,
    /// `kiln test -artifact=…`: the artifact to test, instead of the one
    /// the builder finds where its build leaves it (an AMI id, a disk or
    /// output directory, an image layout or archive).
    pub artifact: Option<String>,
}

impl BuildInfo {
    /// Environment every local command of the build gets.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("PACKER_BUILD_NAME".into(), self.source_name.clone()),
            ("PACKER_BUILDER_TYPE".into(), self.builder_type.clone()),
            ("PACKER_RUN_UUID".into(), self.run_uuid.clone()),
        ]
    }
}

/// Runs the build's provisioners. The engine implements it; a builder's
/// provisioning step calls it once its communicator is connected.
pub trait ProvisionHook: Send + Sync {
    /// Run every provisioner in order.
    fn provision(
        &self,
        ctx: &BuildCtx<'_>,
        comm: &dyn Communicator,
        generated: &Generated,
    ) -> Result<(), BuildError>;
    /// Run every provisioner in order, calling `after` with each one's
    /// type name once it succeeded (builders that snapshot per
    /// provisioner, like the OCI builder's `layer_per_provisioner`). An
    /// error from `after` stops the run.
    fn provision_each(
        &self,
        ctx: &BuildCtx<'_>,
        comm: &dyn Communicator,
        generated: &Generated,
        after: &mut dyn FnMut(&str) -> Result<(), BuildError>,
    ) -> Result<(), BuildError> {
        self.provision(ctx, comm, generated)?;
        after("provisioners")
    }
    /// Run the `error-cleanup-provisioner`, if the build has one.
    fn provision_cleanup(
        &self,
        ctx: &BuildCtx<'_>,
        comm: &dyn Communicator,
        generated: &Generated,
    ) -> Result<(), BuildError>;
    /// Run the build's `test` blocks now, from inside the builder, on
    /// machines `tester` starts from `artifact`: for builders whose later
    /// steps publish the artifact (an AMI's region copies and sharing
    /// wait for the verdict). The engine then does not test again after
    /// the builder. On failure the artifact has been deleted already
    /// (or kept: `keep_failed_artifact`), and the builder must leave it
    /// alone.
    /// The build's step cache, for a builder that can snapshot its
    /// machine: keyed by `boot` (the builder's resolved inputs, the
    /// source image by digest) and the provisioners. `None`: no cache
    /// (`-cache=false`, or the engine has none).
    fn step_cache(
        &self,
        _ctx: &BuildCtx<'_>,
        _boot: Vec<crate::step_cache::Input>,
    ) -> Option<Box<dyn crate::step_cache::StepCache>> {
        None
    }
    /// Run the provisioners from number `first` (1-based; the earlier
    /// ones were restored from the step cache), calling `after` as
    /// [`ProvisionHook::provision_each`] does.
    fn provision_from(
        &self,
        ctx: &BuildCtx<'_>,
        comm: &dyn Communicator,
        generated: &Generated,
        first: usize,
        after: &mut dyn FnMut(&str) -> Result<(), BuildError>,
    ) -> Result<(), BuildError> {
        if first <= 1 {
            return self.provision_each(ctx, comm, generated, after);
        }
        Err(BuildError::failed(crate::error::Unsupported(
            "resuming provisioning after cached steps",
        )))
    }
    fn test_artifact(
        &self,
        _ctx: &BuildCtx<'_>,
        _tester: &dyn crate::tester::Tester,
        _artifact: &Artifact,
    ) -> Result<(), BuildError> {
        Ok(())
    }
}

/// A hook with no provisioners: for builder steps run outside the engine
/// (unit tests of a builder's steps).
pub struct NoProvisioners;

impl ProvisionHook for NoProvisioners {
    fn provision(
        &self,
        _: &BuildCtx<'_>,
        _: &dyn Communicator,
        _: &Generated,
    ) -> Result<(), BuildError> {
        Ok(())
    }
    fn provision_cleanup(
        &self,
        _: &BuildCtx<'_>,
        _: &dyn Communicator,
        _: &Generated,
    ) -> Result<(), BuildError> {
        Ok(())
    }
}

/// What a builder step needs to run outside the engine (unit tests of a
/// builder's steps): a recording UI, default build info, a fresh cancel
/// token and no provisioners. `ctx()` lends them as a [`BuildCtx`].
#[derive(Default)]
pub struct StepTestCtx {
    pub ui: crate::ui::RecordingUi,
    pub info: BuildInfo,
    pub cancel: Cancel,
}

impl StepTestCtx {
    pub fn ctx(&self) -> BuildCtx<'_> {
        BuildCtx {
            info: &self.info,
            ui: &self.ui,
            cancel: &self.cancel,
            hook: &NoProvisioners,
        }
    }
}

/// Everything a running builder gets from the engine.
#[derive(Clone, Copy)]
pub struct BuildCtx<'a> {
    pub info: &'a BuildInfo,
    pub ui: &'a dyn Ui,
    pub cancel: &'a Cancel,
    pub hook: &'a dyn ProvisionHook,
}

impl BuildCtx<'_> {
    /// `Err(Cancelled)` once the build has been cancelled.
    pub fn check_cancel(&self) -> Result<(), BuildError> {
        match self.cancel.reason() {
            Some(r) => Err(BuildError::from_reason(r, None)),
            None => Ok(()),
        }
    }
}

/// A builder: creates the machine, provisions it through the hook,
/// captures the artifact. `Ok(None)` means the build produced nothing.
pub trait Builder: Send {
    fn run(&mut self, ctx: &BuildCtx<'_>) -> Result<Option<Artifact>, BuildError>;
    /// How this builder starts fresh machines from its artifacts for
    /// `test` blocks; `None` when it cannot.
    fn tester(&self) -> Option<&dyn crate::tester::Tester> {
        None
    }
    /// For `kiln test`: the artifact an earlier build of this source left
    /// (its output, not built again), with [`Builder::tester`] ready for
    /// it; `None` when the builder cannot find its artifacts.
    fn existing_artifact(&mut self, _info: &BuildInfo) -> Result<Option<Artifact>, BuildError> {
        Ok(None)
    }
}
