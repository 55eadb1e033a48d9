//! The security group: the ones given (checked to exist), or a temporary
//! group open only on the communicator's port to the given CIDRs,
//! deleted in cleanup (retried while the terminating instance still
//! holds it). `security_group_filter` finds the groups instead;
//! `temporary_security_group_source_public_ip` adds this host's public IP
//! to the CIDRs.

use crate::error::{fail, report, AmazonError, AwsError};
use crate::poll::{Poll, Polling};
use crate::state::State;
use crate::steps::filters;
use aws_sdk_ec2::types::{Filter, IpPermission, IpRange};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct StepSecurityGroup {
    pub security_group_ids: Vec<String>,
    /// The communicator's port; 0 for `communicator = "none"`.
    pub port: u16,
    pub cidrs: Vec<String>,
    pub name: String,
    pub polling: Polling,
    /// `security_group_filter` (filters and filter blocks merged).
    pub filter: BTreeMap<String, String>,
    /// The checkip URL when `temporary_security_group_source_public_ip`.
    pub public_ip_from: Option<String>,
    created: Option<String>,
}

impl StepSecurityGroup {
    pub fn new(
        security_group_ids: Vec<String>,
        port: u16,
        cidrs: Vec<String>,
        name: String,
        polling: Polling,
    ) -> StepSecurityGroup {
        StepSecurityGroup {
            security_group_ids,
            port,
            cidrs,
            name,
            polling,
            filter: BTreeMap::new(),
            public_ip_from: None,
            created: None,
        }
    }
}

impl Step<State> for StepSecurityGroup {
    fn name(&self) -> &str {
        "StepSecurityGroup"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let ec2 = state.ec2.clone();
        if !self.security_group_ids.is_empty() {
            ec2.call(
                ctx.cancel,
                "DescribeSecurityGroups",
                ec2.client
                    .describe_security_groups()
                    .set_group_ids(Some(self.security_group_ids.clone()))
                    .send(),
            )
            .map_err(|e| fail(ctx, "Couldn't find specified security group", e))?;
            state.security_group_ids = self.security_group_ids.clone();
            return Ok(());
        }
        if !self.filter.is_empty() {
            let mut f = filters(&self.filter);
            if let Some(vpc) = &state.vpc_id {
                f.push(Filter::builder().name("vpc-id").values(vpc).build());
            }
            let out = ec2
                .call(
                    ctx.cancel,
                    "DescribeSecurityGroups",
                    ec2.client
                        .describe_security_groups()
                        .set_filters(Some(f))
                        .send(),
                )
                .map_err(|e| fail(ctx, "Couldn't find security groups for filter", e))?;
            let ids: Vec<String> = out
                .security_groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_owned))
                .collect();
            if ids.is_empty() {
                return Err(report(
                    ctx,
                    AmazonError::NoSecurityGroups(format!("{:?}", self.filter)),
                ));
            }
            ctx.ui
                .message(&format!("Found Security Group(s): {}", ids.join(", ")));
            state.security_group_ids = ids;
            return Ok(());
        }
        let mut cidrs = self.cidrs.clone();
        if let Some(url) = &self.public_ip_from {
            let cidr = crate::steps::public_ip::public_cidr(url)
                .map_err(|e| report(ctx, AmazonError::PublicIp(e.to_string())))?;
            ctx.ui
                .message(&format!("Found this host's public IP: {cidr}"));
            cidrs.push(cidr);
        }
        ctx.ui.say(&format!(
            "Creating temporary security group for this instance: {}",
            self.name
        ));
        let mut req = ec2
            .client
            .create_security_group()
            .group_name(&self.name)
            .description("Temporary group for Packer");
        if let Some(vpc) = &state.vpc_id {
            req = req.vpc_id(vpc);
        }
        let out = ec2
            .create("CreateSecurityGroup", req.send())
            .map_err(|e| fail(ctx, "Error creating temporary security group", e))?;
        let id = out
            .group_id()
            .ok_or(AwsError::Missing {
                op: "CreateSecurityGroup",
                field: "GroupId",
            })
            .map_err(|e| fail(ctx, "Error creating temporary security group", e))?
            .to_owned();
        self.created = Some(id.clone());
        state.security_group_ids = vec![id.clone()];

        // EC2 is eventually consistent: wait until the group is visible.
        self.polling
            .wait(ctx.cancel, &format!("security group {id}"), || {
                match ec2.call(
                    ctx.cancel,
                    "DescribeSecurityGroups",
                    ec2.client.describe_security_groups().group_ids(&id).send(),
                ) {
                    Ok(o) if !o.security_groups().is_empty() => Ok(Poll::Ready(())),
                    Ok(_) => Ok(Poll::Pending),
                    Err(e) if e.is_not_found() => Ok(Poll::Pending),
                    Err(e) => Err(e),
                }
            })
            .map_err(|e| {
                fail(
                    ctx,
                    &format!("Timed out waiting for security group {id}"),
                    e,
                )
            })?;

        ctx.ui.say(&format!(
            "Authorizing access to port {} from [{}] in the temporary security groups...",
            self.port,
            cidrs.join(" ")
        ));
        let perm = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(i32::from(self.port))
            .to_port(i32::from(self.port))
            .set_ip_ranges(Some(
                cidrs
                    .iter()
                    .map(|c| IpRange::builder().cidr_ip(c).build())
                    .collect(),
            ))
            .build();
        ec2.call(
            ctx.cancel,
            "AuthorizeSecurityGroupIngress",
            ec2.client
                .authorize_security_group_ingress()
                .group_id(&id)
                .ip_permissions(perm)
                .send(),
        )
        .map_err(|e| fail(ctx, "Error authorizing temporary security group", e))?;
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some(id) = self.created.take() else {
            return Ok(());
        };
        ctx.ui.say("Deleting temporary security group...");
        let ec2 = &state.ec2;
        // The group stays in use until the instance's network interface is
        // gone, a little after the instance terminated.
        let delete = Polling {
            delay: Some(Duration::from_secs(2)),
            attempts: 60,
        };
        let r = delete.wait(ctx.cancel, &format!("security group {id}"), || {
            match ec2.call(
                ctx.cancel,
                "DeleteSecurityGroup",
                ec2.client.delete_security_group().group_id(&id).send(),
            ) {
                Ok(_) => Ok(Poll::Ready(())),
                Err(e) if e.code() == Some("DependencyViolation") => Ok(Poll::Pending),
                Err(e) if e.is_not_found() => Ok(Poll::Ready(())),
                Err(e) => Err(e),
            }
        });
        if let Err(e) = r {
            ctx.ui.error(&format!(
                "Error cleaning up security group. Please delete the group manually: {id}: {e}"
            ));
        }
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        self.created
            .iter()
            .map(|g| format!("EC2 security group {g} ({})", state.ec2.region))
            .collect()
    }
}
