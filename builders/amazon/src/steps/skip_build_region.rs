//! `skip_save_build_region`: once the copies exist in `ami_regions`, the
//! AMI in the build region was only a means to them and is removed.

use crate::state::State;
use crate::steps::amis::destroy_ami;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepSkipBuildRegion;

impl Step<State> for StepSkipBuildRegion {
    fn name(&self) -> &str {
        "StepSkipSaveBuildRegion"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let region = state.ec2.region.clone();
        let Some(ami) = state.amis.get(&region).cloned() else {
            return Ok(());
        };
        ctx.ui.say(&format!(
            "Deregistering the intermediary AMI {ami} in the build region ({region}) (skip_save_build_region)"
        ));
        destroy_ami(&state.ec2, ctx.cancel, &ami)
            .map_err(|e| crate::error::fail(ctx, "Error deregistering the intermediary AMI", e))?;
        state.amis.remove(&region);
        state.snapshots.remove(&region);
        Ok(())
    }
}
