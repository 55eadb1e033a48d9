//! Copy the AMI to `ami_regions` (with each region's KMS key when
//! `encrypt_boot` is set). With `encrypt_boot`, the build region gets an
//! encrypted copy too and the unencrypted intermediary image is removed.
//! Copies are recorded as soon as EC2 returns their ids; if the build
//! fails or is cancelled, cleanup removes them (Packer leaves them).

use crate::error::{fail, AwsError};
use crate::poll::Polling;
use crate::state::State;
use crate::steps::amis::{destroy_ami, snapshots_of};
use crate::steps::create_ami::wait_available;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::collections::BTreeMap;

pub struct StepAmiRegionCopy {
    /// Target regions without the build region.
    pub regions: Vec<String>,
    pub ami_name: String,
    pub encrypt_boot: Option<bool>,
    pub kms_key_id: Option<String>,
    pub region_kms_key_ids: BTreeMap<String, String>,
    pub polling: Polling,
    /// `snapshot_copy_duration_minutes`: a time-based copy.
    pub copy_minutes: Option<i64>,
    /// Region → copy, for cleanup.
    copies: Vec<(String, String)>,
    /// The unencrypted image replaced by its encrypted copy.
    intermediary: Option<String>,
}

impl StepAmiRegionCopy {
    pub fn new(
        regions: Vec<String>,
        ami_name: String,
        encrypt_boot: Option<bool>,
        kms_key_id: Option<String>,
        region_kms_key_ids: BTreeMap<String, String>,
        polling: Polling,
    ) -> StepAmiRegionCopy {
        StepAmiRegionCopy {
            regions,
            ami_name,
            encrypt_boot,
            kms_key_id,
            region_kms_key_ids,
            polling,
            copy_minutes: None,
            copies: Vec::new(),
            intermediary: None,
        }
    }
}

impl Step<State> for StepAmiRegionCopy {
    fn name(&self) -> &str {
        "StepAMIRegionCopy"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let build_region = state.ec2.region.clone();
        let Some(source) = state.amis.get(&build_region).cloned() else {
            return Ok(());
        };
        let encrypt = self.encrypt_boot == Some(true);
        let mut targets = self.regions.clone();
        let mut keys = self.region_kms_key_ids.clone();
        if encrypt {
            // The encrypted image in the build region is a copy too.
            targets.insert(0, build_region.clone());
            if let Some(k) = &self.kms_key_id {
                keys.entry(build_region.clone())
                    .or_insert_with(|| k.clone());
            }
        }
        if targets.is_empty() {
            return Ok(());
        }
        ctx.ui.say(&format!(
            "Copying/Encrypting AMI ({source}) to other regions..."
        ));
        // Start every copy first, then wait for them: they run in parallel
        // on EC2's side.
        let mut started = Vec::new();
        for region in &targets {
            ctx.ui.message(&format!("Copying to: {region}"));
            let ec2 = state.ec2.session.ec2(region);
            let mut req = ec2
                .client
                .copy_image()
                .source_region(&build_region)
                .source_image_id(&source)
                .name(&self.ami_name);
            if let Some(e) = self.encrypt_boot {
                req = req.encrypted(e);
            }
            req = req.set_snapshot_copy_completion_duration_minutes(self.copy_minutes);
            if encrypt {
                if let Some(k) = keys.get(region).filter(|k| !k.is_empty()) {
                    req = req.kms_key_id(k);
                }
            }
            let out = ec2.create("CopyImage", req.send()).map_err(|e| {
                fail(
                    ctx,
                    &format!("Error Copying AMI ({source}) to region ({region})"),
                    e,
                )
            })?;
            let Some(id) = out.image_id().map(str::to_owned) else {
                return Err(fail(
                    ctx,
                    "Error Copying AMI",
                    AwsError::Missing {
                        op: "CopyImage",
                        field: "ImageId",
                    },
                ));
            };
            self.copies.push((region.clone(), id.clone()));
            started.push((region.clone(), ec2, id));
        }
        ctx.ui.message("Waiting for all copies to complete...");
        for (region, ec2, id) in started {
            let image = wait_available(&self.polling, &ec2, ctx, &id).map_err(|e| {
                fail(
                    ctx,
                    &format!("Error waiting for AMI ({id}) in region ({region})"),
                    e,
                )
            })?;
            if region == build_region {
                self.intermediary = Some(source.clone());
            }
            state.snapshots.insert(region.clone(), snapshots_of(&image));
            state.amis.insert(region, id);
        }
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(ami) = self.intermediary.take() {
            ctx.ui
                .say("Deregistering the AMI and deleting unencrypted temporary AMIs and snapshots");
            if let Err(e) = destroy_ami(&state.ec2, ctx.cancel, &ami) {
                ctx.ui.error(&e.to_string());
            }
        }
        let copies = std::mem::take(&mut self.copies);
        if state.complete || copies.is_empty() {
            return Ok(());
        }
        ctx.ui
            .say("Deregistering the AMI copies and deleting their snapshots because of cancellation, or error...");
        for (region, ami) in copies {
            let ec2 = state.ec2.session.ec2(&region);
            if let Err(e) = destroy_ami(&ec2, ctx.cancel, &ami) {
                ctx.ui.error(&format!(
                    "Error deregistering AMI {ami} in {region}, may still be around: {e}"
                ));
            }
            state.amis.remove(&region);
        }
        Ok(())
    }

    fn left_behind(&self, _state: &State) -> Vec<String> {
        self.copies
            .iter()
            .map(|(r, a)| format!("AMI {a} and its snapshots ({r})"))
            .collect()
    }
}
