//! `deregistration_protection { enabled = true }`: protect every AMI the
//! build made against deregistration. It runs last, so a failing build
//! can still remove its partial AMIs.

use crate::error::fail;
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepDeregistrationProtection {
    pub with_cooldown: bool,
}

impl Step<State> for StepDeregistrationProtection {
    fn name(&self) -> &str {
        "StepEnableDeregistrationProtection"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        for (region, ami) in state.amis.clone() {
            ctx.ui.say(&format!(
                "Enabling deregistration protection on {ami} ({region})"
            ));
            let ec2 = state.ec2.session.ec2(&region);
            ec2.call(
                ctx.cancel,
                "EnableImageDeregistrationProtection",
                ec2.client
                    .enable_image_deregistration_protection()
                    .image_id(&ami)
                    .with_cooldown(self.with_cooldown)
                    .send(),
            )
            .map_err(|e| fail(ctx, "Error enabling deregistration protection", e))?;
        }
        Ok(())
    }
}
