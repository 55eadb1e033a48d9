//! `fast_launch { enable_fast_launch = true … }` (Packer's
//! `stepEnableFastLaunch`): EnableFastLaunch on the AMI in every region
//! that has one, with `max_parallel_launches`, `target_resource_count`
//! and the region's launch template (`region_launch_templates`, else the
//! top-level template for the build region), then a wait until
//! DescribeFastLaunchImages says `enabled`. A template given by name is
//! resolved to its id; without `template_version` its default version is
//! used. Nothing to clean up: deregistering the AMI ends fast launch.

use crate::error::{report, AmazonError, AwsError};
use crate::poll::{Poll, Polling};
use crate::session::Ec2;
use crate::state::State;
use aws_sdk_ec2::types::{
    FastLaunchLaunchTemplateSpecificationRequest, FastLaunchSnapshotConfigurationRequest,
    FastLaunchStateCode,
};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::collections::BTreeMap;

/// A launch template by id or name, and maybe a version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateRef {
    pub id: Option<String>,
    pub name: Option<String>,
    pub version: Option<i64>,
}

pub struct StepEnableFastLaunch {
    pub max_parallel_launches: Option<i32>,
    pub target_resource_count: Option<i32>,
    /// Region → its template.
    pub templates: BTreeMap<String, TemplateRef>,
    pub polling: Polling,
}

impl StepEnableFastLaunch {
    /// The templates of `fast_launch {}` by region (`build_region` gets
    /// the top-level one unless a region block names it).
    pub fn templates_of(
        f: &crate::config::FastLaunch,
        build_region: &str,
    ) -> BTreeMap<String, TemplateRef> {
        let set = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let mut out = BTreeMap::new();
        let top = TemplateRef {
            id: set(&f.template_id),
            name: set(&f.template_name),
            version: f.template_version.filter(|v| *v > 0),
        };
        if top.id.is_some() || top.name.is_some() {
            out.insert(build_region.to_owned(), top);
        }
        for r in f.region_launch_templates.iter().flatten() {
            if let Some(region) = set(&r.region) {
                out.insert(
                    region,
                    TemplateRef {
                        id: set(&r.template_id),
                        name: set(&r.template_name),
                        version: r.template_version.filter(|v| *v > 0),
                    },
                );
            }
        }
        out
    }

    /// The template's id and version as EnableFastLaunch takes them.
    fn resolve(
        ec2: &Ec2,
        ctx: &BuildCtx<'_>,
        t: &TemplateRef,
    ) -> Result<(String, String), AwsError> {
        let mut req = ec2.client.describe_launch_templates();
        req = match (&t.id, &t.name) {
            (Some(id), _) => req.launch_template_ids(id),
            (None, Some(name)) => req.launch_template_names(name),
            (None, None) => {
                return Err(AwsError::Missing {
                    op: "DescribeLaunchTemplates",
                    field: "LaunchTemplateId",
                })
            }
        };
        let out = ec2.call(ctx.cancel, "DescribeLaunchTemplates", req.send())?;
        let Some(lt) = out.launch_templates().first() else {
            return Err(AwsError::Missing {
                op: "DescribeLaunchTemplates",
                field: "LaunchTemplates",
            });
        };
        let id = lt.launch_template_id().unwrap_or_default().to_owned();
        let version = t.version.or(lt.default_version_number()).unwrap_or(1);
        Ok((id, version.to_string()))
    }

    fn enable(
        &self,
        ec2: &Ec2,
        ctx: &BuildCtx<'_>,
        region: &str,
        ami: &str,
    ) -> Result<(), AwsError> {
        let mut req = ec2
            .client
            .enable_fast_launch()
            .image_id(ami)
            .resource_type("snapshot")
            .set_max_parallel_launches(self.max_parallel_launches);
        if let Some(n) = self.target_resource_count {
            req = req.snapshot_configuration(
                FastLaunchSnapshotConfigurationRequest::builder()
                    .target_resource_count(n)
                    .build(),
            );
        }
        if let Some(t) = self.templates.get(region) {
            let (id, version) = Self::resolve(ec2, ctx, t)?;
            req = req.launch_template(
                FastLaunchLaunchTemplateSpecificationRequest::builder()
                    .launch_template_id(id)
                    .version(version)
                    .build(),
            );
        }
        ec2.call(ctx.cancel, "EnableFastLaunch", req.send())?;
        ctx.ui.say(&format!(
            "Waiting for fast launch to become ready on AMI \"{ami}\" in region {region}..."
        ));
        self.polling
            .wait(ctx.cancel, &format!("fast launch of {ami}"), || {
                let out = ec2.call(
                    ctx.cancel,
                    "DescribeFastLaunchImages",
                    ec2.client
                        .describe_fast_launch_images()
                        .image_ids(ami)
                        .send(),
                )?;
                let Some(img) = out.fast_launch_images().first() else {
                    return Ok(Poll::Pending);
                };
                Ok(match img.state() {
                    Some(FastLaunchStateCode::Enabled) => Poll::Ready(()),
                    Some(
                        s @ (FastLaunchStateCode::EnablingFailed
                        | FastLaunchStateCode::EnabledFailed),
                    ) => Poll::Failed {
                        state: s.as_str().to_owned(),
                        reason: img
                            .state_transition_reason()
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default(),
                    },
                    _ => Poll::Pending,
                })
            })
    }
}

impl Step<State> for StepEnableFastLaunch {
    fn name(&self) -> &str {
        "stepEnableFastLaunch"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if state.amis.is_empty() {
            ctx.ui
                .say("No AMI found in state, skipping fast-launch setup...");
            return Ok(());
        }
        let mut failed = false;
        for (region, ami) in state.amis.clone() {
            let ec2 = state.ec2.session.ec2(&region);
            ctx.ui.say(&format!(
                "Enabling fast boot for AMI {ami} in region {region}"
            ));
            if let Err(e) = self.enable(&ec2, ctx, &region, &ami) {
                if matches!(e, AwsError::Cancelled) {
                    return Err(BuildError::Cancelled);
                }
                ctx.ui.error(&format!(
                    "Error enabling fast boot for AMI in region {region}: {e}"
                ));
                failed = true;
            }
        }
        if failed {
            return Err(report(ctx, AmazonError::FastLaunch));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FastLaunch, FastLaunchTemplate};

    #[test]
    fn region_templates_override_the_top_level_one() {
        let f = FastLaunch {
            enable_fast_launch: Some(true),
            template_name: Some("win".into()),
            template_version: Some(3),
            region_launch_templates: Some(vec![FastLaunchTemplate {
                region: Some("us-west-2".into()),
                template_id: Some("lt-2".into()),
                ..FastLaunchTemplate::default()
            }]),
            ..FastLaunch::default()
        };
        let t = StepEnableFastLaunch::templates_of(&f, "us-east-1");
        assert_eq!(
            t["us-east-1"],
            TemplateRef {
                id: None,
                name: Some("win".into()),
                version: Some(3)
            }
        );
        assert_eq!(
            t["us-west-2"],
            TemplateRef {
                id: Some("lt-2".into()),
                name: None,
                version: None
            }
        );
        assert!(StepEnableFastLaunch::templates_of(&FastLaunch::default(), "us-east-1").is_empty());
    }
}
