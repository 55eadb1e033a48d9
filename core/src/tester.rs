//! The test stage's seam: a builder that can start a machine afresh from
//! its own artifact, exactly as a consumer would (a VM booted from an
//! overlay of the output disk, a sandbox on the unpacked output image, an
//! instance launched from the new AMI), hands the engine a [`Tester`].
//! The engine runs a `test` block's checks against that machine.

use crate::artifact::Artifact;
use crate::build::{BuildInfo, Generated};
use crate::cancel::Cancel;
use crate::communicator::Communicator;
use crate::error::BuildError;
use crate::ui::Ui;
use std::time::Duration;

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
