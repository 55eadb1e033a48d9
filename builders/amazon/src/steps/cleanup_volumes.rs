//! Cleanup only, after the instance is gone: delete the volumes it had
//! that survived termination (the source AMI's devices marked "delete on
//! termination: false"), except those `launch_block_device_mappings`
//! declared, which keep their own setting.

use crate::state::State;
use aws_sdk_ec2::types::Filter;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::collections::BTreeMap;

pub struct StepCleanupVolumes {
    pub launch_devices: Vec<String>,
}

impl Step<State> for StepCleanupVolumes {
    fn name(&self) -> &str {
        "StepCleanupVolumes"
    }

    fn run(&mut self, _state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some(instance) = &state.instance else {
            ctx.ui.say("No volumes to clean up, skipping");
            return Ok(());
        };
        ctx.ui.say("Cleaning up any extra volumes...");
        // Volume id → device name, from the instance as it ran.
        let mut volumes: BTreeMap<String, String> = instance
            .block_device_mappings()
            .iter()
            .filter_map(|m| {
                let id = m.ebs()?.volume_id()?;
                Some((
                    id.to_owned(),
                    m.device_name().unwrap_or_default().to_owned(),
                ))
            })
            .collect();
        if volumes.is_empty() {
            ctx.ui.say("No volumes to clean up, skipping");
            return Ok(());
        }
        let ec2 = &state.ec2;
        let out = match ec2.call(
            ctx.cancel,
            "DescribeVolumes",
            ec2.client
                .describe_volumes()
                .filters(
                    Filter::builder()
                        .name("volume-id")
                        .set_values(Some(volumes.keys().cloned().collect()))
                        .build(),
                )
                .send(),
        ) {
            Ok(o) => o,
            Err(e) => {
                ctx.ui.error(&format!("Error describing volumes: {e}"));
                return Ok(());
            }
        };
        let listed: Vec<(String, String)> = out
            .volumes()
            .iter()
            .filter_map(|v| {
                Some((
                    v.volume_id()?.to_owned(),
                    v.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                ))
            })
            .collect();
        if listed.is_empty() {
            ctx.ui.say("No volumes to clean up, skipping");
            return Ok(());
        }
        volumes.retain(|id, dev| {
            listed.iter().any(|(v, s)| v == id && s == "available")
                && !self.launch_devices.contains(dev)
        });
        for id in volumes.keys() {
            ctx.ui.say(&format!("Destroying volume ({id})..."));
            if let Err(e) = ec2.call(
                ctx.cancel,
                "DeleteVolume",
                ec2.client.delete_volume().volume_id(id).send(),
            ) {
                ctx.ui.say(&format!("Error deleting volume: {e}"));
            }
        }
        Ok(())
    }
}
