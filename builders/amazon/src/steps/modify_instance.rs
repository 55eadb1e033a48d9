//! `ena_support` and `sriov_support` on the stopped instance, so the AMI
//! made from it carries them (Packer's `StepModifyEBSBackedInstance`).

use crate::error::{fail, AmazonError};
use crate::state::State;
use aws_sdk_ec2::types::{AttributeBooleanValue, AttributeValue};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepModifyEbsInstance {
    pub ena_support: Option<bool>,
    pub sriov_support: bool,
}

impl Step<State> for StepModifyEbsInstance {
    fn name(&self) -> &str {
        "StepModifyEBSBackedInstance"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if self.ena_support.is_none() && !self.sriov_support {
            return Ok(());
        }
        let Some(id) = state.instance_id().map(str::to_owned) else {
            return Err(AmazonError::MissingState {
                step: "StepModifyEBSBackedInstance",
                what: "instance",
            }
            .into());
        };
        let ec2 = &state.ec2;
        if self.sriov_support {
            ctx.ui.say("Enabling Enhanced Networking (SR-IOV)...");
            ec2.call(
                ctx.cancel,
                "ModifyInstanceAttribute",
                ec2.client
                    .modify_instance_attribute()
                    .instance_id(&id)
                    .sriov_net_support(AttributeValue::builder().value("simple").build())
                    .send(),
            )
            .map_err(|e| {
                fail(
                    ctx,
                    "Error enabling Enhanced Networking (SR-IOV) on instance",
                    e,
                )
            })?;
        }
        if let Some(ena) = self.ena_support {
            ctx.ui.say(if ena {
                "Enabling Enhanced Networking (ENA)..."
            } else {
                "Disabling Enhanced Networking (ENA)..."
            });
            ec2.call(
                ctx.cancel,
                "ModifyInstanceAttribute",
                ec2.client
                    .modify_instance_attribute()
                    .instance_id(&id)
                    .ena_support(AttributeBooleanValue::builder().value(ena).build())
                    .send(),
            )
            .map_err(|e| {
                fail(
                    ctx,
                    "Error modifying Enhanced Networking (ENA) on instance",
                    e,
                )
            })?;
        }
        Ok(())
    }
}
