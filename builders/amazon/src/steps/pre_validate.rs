//! Checks before anything is created: the regions exist, a VPC without a
//! subnet is the default one, and the AMI name is free (unless
//! `force_deregister`).

use crate::error::{fail, report, AmazonError};
use crate::state::State;
use aws_sdk_ec2::types::Filter;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepPreValidate {
    pub ami_name: String,
    pub force_deregister: bool,
    pub skip_create_ami: bool,
    /// Regions to check with DescribeRegions; empty skips the check.
    pub validate_regions: Vec<String>,
    pub vpc_id: Option<String>,
    pub has_subnet: bool,
}

impl Step<State> for StepPreValidate {
    fn name(&self) -> &str {
        "StepPreValidate"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let ec2 = &state.ec2;
        if !self.validate_regions.is_empty() {
            let out = ec2
                .call(
                    ctx.cancel,
                    "DescribeRegions",
                    ec2.client.describe_regions().send(),
                )
                .map_err(|e| fail(ctx, "error validating regions", e))?;
            let known: Vec<&str> = out
                .regions()
                .iter()
                .filter_map(|r| r.region_name())
                .collect();
            let invalid: Vec<&str> = self
                .validate_regions
                .iter()
                .map(String::as_str)
                .filter(|r| !known.contains(r))
                .collect();
            if !invalid.is_empty() {
                let invalid = invalid.into_iter().map(str::to_owned).collect();
                let known = known.iter().map(|k| k.to_string()).collect();
                return Err(report(ctx, AmazonError::InvalidRegions { invalid, known }));
            }
        }
        ctx.ui.say("Prevalidating any provided VPC information");
        if let Some(vpc) = self.vpc_id.as_deref().filter(|_| !self.has_subnet) {
            let out = ec2
                .call(
                    ctx.cancel,
                    "DescribeVpcs",
                    ec2.client.describe_vpcs().vpc_ids(vpc).send(),
                )
                .map_err(|e| fail(ctx, "Error retrieving VPC information", e))?;
            let default = out.vpcs().first().and_then(|v| v.is_default()) == Some(true);
            if !default {
                return Err(report(ctx, AmazonError::NonDefaultVpc));
            }
        }
        if self.skip_create_ami {
            return Ok(());
        }
        if self.force_deregister {
            ctx.ui
                .say("Force Deregister flag found, skipping prevalidating AMI Name");
            return Ok(());
        }
        ctx.ui
            .say(&format!("Prevalidating AMI Name: {}", self.ami_name));
        let out = ec2
            .call(
                ctx.cancel,
                "DescribeImages",
                ec2.client
                    .describe_images()
                    .filters(
                        Filter::builder()
                            .name("name")
                            .values(&self.ami_name)
                            .build(),
                    )
                    .send(),
            )
            .map_err(|e| fail(ctx, "Error querying AMI", e))?;
        if let Some(existing) = out.images().first() {
            let taken = AmazonError::AmiNameTaken {
                name: self.ami_name.clone(),
                id: existing.image_id().unwrap_or_default().to_owned(),
            };
            return Err(report(ctx, taken));
        }
        Ok(())
    }
}
