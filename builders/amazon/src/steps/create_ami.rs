//! Create the AMI from the stopped instance and wait until it is
//! available. The AMI id is recorded as soon as EC2 returns it; if the
//! build then fails or is cancelled, cleanup deregisters it and deletes
//! its snapshots.

use crate::config::BlockDevice;
use crate::error::{fail, AmazonError, AwsError};
use crate::poll::{Poll, Polling};
use crate::state::State;
use crate::steps::amis::{describe_image, destroy_ami, snapshots_of};
use crate::steps::ec2_tags;
use crate::steps::named;
use aws_sdk_ec2::types::{ImageState, ResourceType, TagSpecification};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::collections::BTreeMap;

pub struct StepCreateAmi {
    pub ami_name: String,
    pub ami_mappings: Vec<BlockDevice>,
    pub polling: Polling,
    /// The run tags, copied onto the AMI and its snapshots at creation
    /// (Packer's default); `None` with `skip_ami_run_tags`.
    pub run_tags: Option<BTreeMap<String, String>>,
    created: Option<String>,
}

impl StepCreateAmi {
    pub fn new(
        ami_name: String,
        ami_mappings: Vec<BlockDevice>,
        polling: Polling,
    ) -> StepCreateAmi {
        StepCreateAmi {
            ami_name,
            ami_mappings,
            polling,
            run_tags: None,
            created: None,
        }
    }
}

impl Step<State> for StepCreateAmi {
    fn name(&self) -> &str {
        "stepCreateAMI"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some(instance) = state.instance_id().map(str::to_owned) else {
            return Err(AmazonError::MissingState {
                step: "stepCreateAMI",
                what: "instance",
            }
            .into());
        };
        ctx.ui.say(&format!(
            "Creating AMI {} from instance {instance}",
            self.ami_name
        ));
        let ec2 = state.ec2.clone();
        let mut req = ec2
            .client
            .create_image()
            .instance_id(&instance)
            .name(&self.ami_name);
        if !self.ami_mappings.is_empty() {
            req = req.set_block_device_mappings(Some(
                self.ami_mappings
                    .iter()
                    .map(crate::devices::launch_device)
                    .collect(),
            ));
        }
        // China and GovCloud regions take no tags at CreateImage
        // (Packer's `IsRestricted`).
        let restricted = ec2.region.starts_with("cn-") || ec2.region.starts_with("us-gov-");
        if !restricted {
            match &self.run_tags {
                Some(tags) => {
                    ctx.ui.say("Attaching run tags to AMI...");
                    // The image at CreateImage; its snapshots once they
                    // exist, below (EC2 takes both at CreateImage, as
                    // Packer sends them, but moto only the image).
                    if !tags.is_empty() {
                        req = req.tag_specifications(
                            TagSpecification::builder()
                                .resource_type(ResourceType::Image)
                                .set_tags(Some(ec2_tags(tags)))
                                .build(),
                        );
                    }
                }
                None => ctx.ui.say("Skipping attaching run tags to AMI..."),
            }
        }
        let out = ec2
            .create("CreateImage", req.send())
            .map_err(|e| fail(ctx, "Error creating AMI", e))?;
        let Some(ami) = out.image_id().map(str::to_owned) else {
            return Err(fail(
                ctx,
                "Error creating AMI",
                AwsError::Missing {
                    op: "CreateImage",
                    field: "ImageId",
                },
            ));
        };
        self.created = Some(ami.clone());
        state.amis.insert(ec2.region.clone(), ami.clone());
        ctx.ui.message(&format!("AMI: {ami}"));

        ctx.ui.say("Waiting for AMI to become ready...");
        let image = wait_available(&self.polling, &ec2, ctx, &ami)
            .map_err(|e| fail(ctx, "Error waiting for AMI", e))?;
        let snapshots = snapshots_of(&image);
        state
            .snapshots
            .insert(ec2.region.clone(), snapshots.clone());
        if let Some(tags) = self
            .run_tags
            .as_ref()
            .filter(|t| !t.is_empty() && !restricted)
        {
            if !snapshots.is_empty() {
                let req = ec2
                    .client
                    .create_tags()
                    .set_resources(Some(snapshots))
                    .set_tags(Some(ec2_tags(tags)));
                ec2.call(ctx.cancel, "CreateTags", req.send())
                    .map_err(|e| fail(ctx, "Error tagging AMI", e))?;
            }
        }
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some(ami) = self.created.take() else {
            return Ok(());
        };
        if state.complete || state.amis_settled {
            return Ok(());
        }
        ctx.ui.say(
            "Deregistering the AMI and deleting associated snapshots because of cancellation, or error...",
        );
        if let Err(e) = destroy_ami(&state.ec2, ctx.cancel, &ami) {
            ctx.ui.error(&format!(
                "Error deregistering AMI, may still be around: {e}"
            ));
        }
        state.amis.remove(&state.ec2.region);
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        self.created
            .iter()
            .map(|a| format!("AMI {a} and its snapshots ({})", state.ec2.region))
            .collect()
    }
}

/// Poll DescribeImages until the image is `available`; `failed` ends the
/// wait with EC2's reason.
pub fn wait_available(
    polling: &Polling,
    ec2: &crate::session::Ec2,
    ctx: &BuildCtx<'_>,
    ami: &str,
) -> Result<aws_sdk_ec2::types::Image, AwsError> {
    polling.wait(ctx.cancel, &named("AMI", ami), || {
        Ok(match describe_image(ec2, ctx.cancel, ami)? {
            Some(i) => match i.state() {
                Some(ImageState::Available) => Poll::Ready(i),
                Some(
                    s @ (ImageState::Failed
                    | ImageState::Invalid
                    | ImageState::Error
                    | ImageState::Deregistered),
                ) => Poll::Failed {
                    state: s.as_str().to_owned(),
                    reason: i
                        .state_reason()
                        .and_then(|r| r.message())
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default(),
                },
                _ => Poll::Pending,
            },
            // Eventual consistency: a fresh image may not be listed yet.
            None => Poll::Pending,
        })
    })
}
