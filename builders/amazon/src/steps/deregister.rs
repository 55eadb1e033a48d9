//! `force_deregister`: remove AMIs of the same name (owned by this
//! account) in every target region, and with `force_delete_snapshot`
//! their snapshots.

use crate::error::fail;
use crate::state::State;
use crate::steps::amis::{delete_snapshot, snapshots_of};
use aws_sdk_ec2::types::Filter;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepDeregisterAmi {
    pub ami_name: String,
    pub force_delete_snapshot: bool,
    /// The build region and `ami_regions`.
    pub regions: Vec<String>,
}

impl Step<State> for StepDeregisterAmi {
    fn name(&self) -> &str {
        "StepDeregisterAMI"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        for region in &self.regions {
            let ec2 = state.ec2.session.ec2(region);
            let out = ec2
                .call(
                    ctx.cancel,
                    "DescribeImages",
                    ec2.client
                        .describe_images()
                        .owners("self")
                        .filters(
                            Filter::builder()
                                .name("name")
                                .values(&self.ami_name)
                                .build(),
                        )
                        .send(),
                )
                .map_err(|e| fail(ctx, "Error describing AMI", e))?;
            for image in out.images() {
                let Some(id) = image.image_id() else { continue };
                ec2.call(
                    ctx.cancel,
                    "DeregisterImage",
                    ec2.client.deregister_image().image_id(id).send(),
                )
                .map_err(|e| fail(ctx, "Error deregistering existing AMI", e))?;
                ctx.ui.say(&format!("Deregistered AMI id: {id}"));
                if self.force_delete_snapshot {
                    for snap in snapshots_of(image) {
                        delete_snapshot(&ec2, ctx.cancel, &snap)
                            .map_err(|e| fail(ctx, "Error deleting existing snapshot", e))?;
                        ctx.ui.say(&format!("Deleted snapshot: {snap}"));
                    }
                }
            }
        }
        Ok(())
    }
}
