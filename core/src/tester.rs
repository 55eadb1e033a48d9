//! The test stage's seam: a builder that can start a machine afresh from
//! its own artifact, exactly as a consumer would (a VM booted from an
//! overlay of the output disk, a sandbox on the unpacked output image, an
//! instance launched from the new AMI), hands the engine a [`Tester`].
//! The engine runs a `test` block's checks against that machine.

use crate::artifact::Artifact;
use crate::build::{BuildCtx, BuildInfo, Generated, NoProvisioners};
use crate::cancel::Cancel;
use crate::communicator::Communicator;
use crate::error::BuildError;
use crate::step::Step;
use crate::ui::Ui;
use std::time::Duration;

/// The values a container image's tester adds to the test machine's
/// `build.*` values: the image's Entrypoint and Cmd as JSON arrays (what
/// a `check` with `run_image = true` runs).
pub const IMAGE_ENTRYPOINT: &str = "ImageEntrypoint";
pub const IMAGE_CMD: &str = "ImageCmd";

pub struct TestCtx<'a> {
    pub info: &'a BuildInfo,
    pub ui: &'a dyn Ui,
    pub cancel: &'a Cancel,
    /// How long the machine may take to come up (`boot_timeout`).
    pub boot_timeout: Option<Duration>,
}

/// What the checks run with: the fresh machine's communicator and its
/// `build.*` values.
pub type Checks<'c> = dyn FnMut(&dyn Communicator, &Generated) -> Result<(), BuildError> + 'c;

pub trait Tester {
    /// Start a machine from `artifact`, run `checks` against it, then take
    /// down everything that was started, whatever the checks returned and
    /// also when the token fires. The artifact itself is left as it was.
    fn with_machine(
        &self,
        artifact: &Artifact,
        ctx: &TestCtx<'_>,
        checks: &mut Checks<'_>,
    ) -> Result<(), BuildError>;
}

impl TestCtx<'_> {
    /// The context the machine's start-up steps run with: no provisioners.
    pub fn build_ctx(&self) -> BuildCtx<'_> {
        BuildCtx {
            info: self.info,
            ui: self.ui,
            cancel: self.cancel,
            hook: &NoProvisioners,
        }
    }
}

/// The shape every tester has: run `boot` in order, then `then` with the
/// state the steps made, then the cleanup of every step that was entered,
/// in reverse order, whatever happened before (a failure, a cancel).
/// Cleanup errors are reported, not returned: the checks' verdict stands.
pub fn boot_then<S>(
    boot: Vec<Box<dyn Step<S>>>,
    state: &mut S,
    ctx: &BuildCtx<'_>,
    then: impl FnOnce(&mut S) -> Result<(), BuildError>,
) -> Result<(), BuildError> {
    let mut started: Vec<Box<dyn Step<S>>> = Vec::new();
    let mut result = Ok(());
    for mut step in boot {
        let r = step.run(state, ctx);
        started.push(step);
        if let Err(e) = r {
            result = Err(e);
            break;
        }
    }
    if result.is_ok() {
        result = then(state);
    }
    // As in `run_steps`: after a Ctrl-C the cleanups must still be able
    // to wait for what they remove (an instance terminating).
    let quiet = Cancel::new();
    let cctx = BuildCtx {
        cancel: &quiet,
        ..*ctx
    };
    for step in started.iter_mut().rev() {
        if let Err(e) = step.cleanup(state, &cctx) {
            ctx.ui
                .error(&format!("Error cleaning up the test machine: {e}"));
        }
    }
    result
}
