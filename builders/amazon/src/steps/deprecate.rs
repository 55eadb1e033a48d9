//! `deprecate_at` on every AMI, and the marker step that ends a build:
//! once it has run, cleanups keep the AMIs.

use crate::error::fail;
use crate::state::State;
use aws_smithy_types::DateTime;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepDeprecate {
    pub at: jiff::Timestamp,
}

impl Step<State> for StepDeprecate {
    fn name(&self) -> &str {
        "StepEnableDeprecation"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let amis: Vec<(String, String)> = state.amis.clone().into_iter().collect();
        for (region, ami) in amis {
            ctx.ui.say(&format!(
                "Enabling deprecation on AMI ({ami}) in region {region:?} ..."
            ));
            let ec2 = state.ec2.session.ec2(&region);
            ec2.call(
                ctx.cancel,
                "EnableImageDeprecation",
                ec2.client
                    .enable_image_deprecation()
                    .image_id(&ami)
                    .deprecate_at(DateTime::from_secs(self.at.as_second()))
                    .send(),
            )
            .map_err(|e| fail(ctx, &format!("Error enable AMI deprecation for {ami}"), e))?;
        }
        Ok(())
    }
}

/// The last step: the build succeeded.
pub struct StepComplete;

impl Step<State> for StepComplete {
    fn name(&self) -> &str {
        "StepComplete"
    }

    fn run(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        state.complete = true;
        Ok(())
    }
}
