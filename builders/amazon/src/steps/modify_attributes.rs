//! `ami_description`, `ami_users`, `ami_groups`, `ami_org_arns`,
//! `ami_ou_arns`, `ami_product_codes`, `imds_support`, `snapshot_users`
//! and `snapshot_groups` on every AMI the build made.

use crate::error::{fail, AmazonError};
use crate::names;
use crate::state::State;
use aws_sdk_ec2::types::{
    AttributeValue, CreateVolumePermission, CreateVolumePermissionModifications, LaunchPermission,
    LaunchPermissionModifications, PermissionGroup,
};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepModifyAmiAttributes {
    pub description: Option<String>,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    pub org_arns: Vec<String>,
    pub ou_arns: Vec<String>,
    /// `imds_support` (`v2.0`).
    pub imds_support: Option<String>,
    pub product_codes: Vec<String>,
    pub snapshot_users: Vec<String>,
    pub snapshot_groups: Vec<String>,
}

impl Step<State> for StepModifyAmiAttributes {
    fn name(&self) -> &str {
        "StepModifyAMIAttributes"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if self.description.is_none()
            && self.users.is_empty()
            && self.groups.is_empty()
            && self.org_arns.is_empty()
            && self.ou_arns.is_empty()
            && self.imds_support.is_none()
            && self.product_codes.is_empty()
            && self.snapshot_users.is_empty()
            && self.snapshot_groups.is_empty()
        {
            return Ok(());
        }
        let tctx = names::context(ctx.info, &state.template_data());
        let description = match &self.description {
            Some(d) => {
                Some(names::render(d, &tctx).map_err(|e| AmazonError::Description(e.to_string()))?)
            }
            None => None,
        };
        let shares = !self.users.is_empty()
            || !self.groups.is_empty()
            || !self.org_arns.is_empty()
            || !self.ou_arns.is_empty();
        let launch = shares.then(|| {
            let mut m = LaunchPermissionModifications::builder();
            for u in &self.users {
                m = m.add(LaunchPermission::builder().user_id(u).build());
            }
            for g in &self.groups {
                m = m.add(
                    LaunchPermission::builder()
                        .group(PermissionGroup::from(g.as_str()))
                        .build(),
                );
            }
            for a in &self.org_arns {
                m = m.add(LaunchPermission::builder().organization_arn(a).build());
            }
            for a in &self.ou_arns {
                m = m.add(
                    LaunchPermission::builder()
                        .organizational_unit_arn(a)
                        .build(),
                );
            }
            m.build()
        });
        let amis: Vec<(String, String)> = state.amis.clone().into_iter().collect();
        for (region, ami) in &amis {
            let ec2 = state.ec2.session.ec2(region);
            ctx.ui
                .say(&format!("Modifying attributes on AMI ({ami})..."));
            if let Some(d) = &description {
                ctx.ui.message("Modifying: description");
                ec2.call(
                    ctx.cancel,
                    "ModifyImageAttribute",
                    ec2.client
                        .modify_image_attribute()
                        .image_id(ami)
                        .description(AttributeValue::builder().value(d).build())
                        .send(),
                )
                .map_err(|e| fail(ctx, "Error modify AMI attributes", e))?;
            }
            if let Some(l) = &launch {
                for (name, on) in [
                    ("groups", !self.groups.is_empty()),
                    ("users", !self.users.is_empty()),
                    ("org_arns", !self.org_arns.is_empty()),
                    ("ou_arns", !self.ou_arns.is_empty()),
                ] {
                    if on {
                        ctx.ui.message(&format!("Modifying: {name}"));
                    }
                }
                ec2.call(
                    ctx.cancel,
                    "ModifyImageAttribute",
                    ec2.client
                        .modify_image_attribute()
                        .image_id(ami)
                        .attribute("launchPermission")
                        .launch_permission(l.clone())
                        .send(),
                )
                .map_err(|e| fail(ctx, "Error modify AMI attributes", e))?;
            }
            if let Some(v) = &self.imds_support {
                ctx.ui.message("Modifying: imds_support");
                ec2.call(
                    ctx.cancel,
                    "ModifyImageAttribute",
                    ec2.client
                        .modify_image_attribute()
                        .image_id(ami)
                        .imds_support(AttributeValue::builder().value(v).build())
                        .send(),
                )
                .map_err(|e| fail(ctx, "Error modify AMI attributes", e))?;
            }
            if !self.product_codes.is_empty() {
                ctx.ui.message("Modifying: product codes");
                ec2.call(
                    ctx.cancel,
                    "ModifyImageAttribute",
                    ec2.client
                        .modify_image_attribute()
                        .image_id(ami)
                        .set_product_codes(Some(self.product_codes.clone()))
                        .send(),
                )
                .map_err(|e| fail(ctx, "Error modify AMI attributes", e))?;
            }
            if self.snapshot_users.is_empty() && self.snapshot_groups.is_empty() {
                continue;
            }
            let mut m = CreateVolumePermissionModifications::builder();
            for u in &self.snapshot_users {
                m = m.add(CreateVolumePermission::builder().user_id(u).build());
            }
            for g in &self.snapshot_groups {
                m = m.add(
                    CreateVolumePermission::builder()
                        .group(PermissionGroup::from(g.as_str()))
                        .build(),
                );
            }
            let perms = m.build();
            for snap in state.snapshots.get(region).cloned().unwrap_or_default() {
                ctx.ui
                    .say(&format!("Modifying attributes on snapshot ({snap})..."));
                ec2.call(
                    ctx.cancel,
                    "ModifySnapshotAttribute",
                    ec2.client
                        .modify_snapshot_attribute()
                        .snapshot_id(&snap)
                        .attribute(
                            aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission,
                        )
                        .create_volume_permission(perms.clone())
                        .send(),
                )
                .map_err(|e| fail(ctx, "Error modify snapshot attributes", e))?;
            }
        }
        Ok(())
    }
}
