//! Stop the EBS-backed instance so its volumes are consistent before the
//! image is made (or let the provisioning shut it down with
//! `disable_stop_instance`), then wait until it has stopped.

use crate::error::{fail, AmazonError};
use crate::poll::{Poll, Polling};
use crate::state::State;
use crate::steps::named;
use crate::steps::run_instance::{describe, state_name};
use aws_sdk_ec2::types::InstanceStateName;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepStopInstance {
    /// A one-time spot instance cannot be stopped: Packer makes the image
    /// of the running instance.
    pub skip: bool,
    pub disable_stop_instance: bool,
    pub polling: Polling,
}

impl Step<State> for StepStopInstance {
    fn name(&self) -> &str {
        "StepStopEBSBackedInstance"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if self.skip {
            return Ok(());
        }
        let Some(id) = state.instance_id().map(str::to_owned) else {
            return Err(AmazonError::MissingState {
                step: "StepStopEBSBackedInstance",
                what: "instance",
            }
            .into());
        };
        let ec2 = state.ec2.clone();
        if self.disable_stop_instance {
            ctx.ui
                .say("Automatic instance stop disabled. Please stop instance manually.");
        } else {
            ctx.ui.say("Stopping the source instance...");
            ec2.call(
                ctx.cancel,
                "StopInstances",
                ec2.client.stop_instances().instance_ids(&id).send(),
            )
            .map_err(|e| fail(ctx, "Error stopping instance", e))?;
            ctx.ui.message("Stopping instance");
        }
        ctx.ui.say("Waiting for the instance to stop...");
        self.polling
            .wait(ctx.cancel, &named("instance", &id), || {
                describe(&ec2, ctx, &id).map(|i| match i.as_ref().and_then(state_name) {
                    Some(InstanceStateName::Stopped) => Poll::Ready(()),
                    Some(s @ InstanceStateName::Terminated) => Poll::Failed {
                        state: s.as_str().to_owned(),
                        reason: String::new(),
                    },
                    _ => Poll::Pending,
                })
            })
            .map_err(|e| fail(ctx, "Error waiting for instance to stop", e))?;
        Ok(())
    }
}
