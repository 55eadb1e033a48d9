//! The `amazon-ebs` builder: launches an instance from a source AMI,
//! provisions it over SSH, stops it and makes an AMI of it, through the
//! EC2 API (aws-sdk-ec2). Steps, messages and cleanup follow Packer
//! 1.6.6's amazon-ebs; everything the build creates in the account is
//! removed again, whatever happens.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod access;
pub mod ami_lookup;
pub mod artifact;
mod cache;
pub mod config;
pub mod credentials;
pub mod datasource;
mod devices;
pub mod error;
mod launch;
pub mod lookup_ami;
mod names;
pub mod poll;
pub mod session;
mod state;
mod steps;
mod tester;
#[doc(hidden)]
pub mod testing;

pub use artifact::BUILDER_ID;
pub use config::AmazonConfig;

use crate::error::AmazonError;
use crate::poll::Polling;
use crate::session::{CredentialCheck, Session};
use crate::state::State;
use crate::steps::*;
use kiln_core::step::{run_steps, Step, StepProvision};
use kiln_core::{Artifact, BuildCtx, BuildError, Builder};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Packer's message when no credentials resolve.
pub const NO_CREDENTIALS: &str = "No valid credential sources found for AWS Builder. Please see https://www.packer.io/docs/builders/amazon#specifying-amazon-credentials for more information on providing credentials for the AWS Builder.";

pub struct AmazonBuilder {
    config: AmazonConfig,
    /// For `kiln test`: how the AMI given with `-artifact` is tested.
    tester: Option<tester::AmazonTester>,
}

impl AmazonBuilder {
    /// The `build.*` names amazon-ebs adds to the ones every builder has
    /// (Packer's; `State::template_data` fills them in).
    pub const GENERATED: &'static [&'static str] = &[
        "BuildRegion",
        "SourceAMI",
        "SourceAMIName",
        "SourceAMIOwner",
        "SourceAMIOwnerName",
        "SourceAMICreationDate",
        "SourceAMITags",
    ];
}

impl From<AmazonConfig> for AmazonBuilder {
    fn from(config: AmazonConfig) -> AmazonBuilder {
        AmazonBuilder {
            config,
            tester: None,
        }
    }
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.is_empty())
}

/// A `*_tags` map with its singular blocks copied on.
fn tags_of(
    map: &Option<BTreeMap<String, String>>,
    blocks: &Option<Vec<config::KeyValue>>,
) -> BTreeMap<String, String> {
    config::merge_tags(map.as_ref(), blocks.as_deref())
}

/// The spot request, when `spot_price` asks for one.
fn spot_of(c: &AmazonConfig) -> Option<launch_options::Spot> {
    if !c.is_spot() {
        return None;
    }
    Some(launch_options::Spot {
        max_price: non_empty(&c.spot_price).filter(|p| p != "auto"),
        block_duration_minutes: c
            .block_duration_minutes
            .filter(|m| *m > 0)
            .and_then(|m| i32::try_from(m).ok()),
        tags: tags_of(&c.spot_tags, &c.spot_tag),
    })
}

impl Builder for AmazonBuilder {
    fn run(&mut self, ctx: &BuildCtx<'_>) -> Result<Option<Artifact>, BuildError> {
        let c = &self.config;
        let flag = AmazonConfig::flag;
        let ami_name = names::render(
            c.ami_name.as_deref().unwrap_or_default(),
            &names::context(ctx.info, &BTreeMap::new()),
        )
        .map_err(|e| AmazonError::AmiName(e.to_string()))?;

        if non_empty(&c.spot_price_auto_product).is_some() {
            ctx.ui.message(
                "Warning: spot_price_auto_product is deprecated and no longer necessary for Packer builds; it is ignored.",
            );
        }
        let session = Session::open(&c.access()).map_err(BuildError::failed)?;
        let Some(region) = session.region() else {
            return Err(AmazonError::NoRegion.into());
        };
        if !flag(c.skip_credential_validation) {
            match session.check_credentials() {
                Ok(()) => {}
                Err(CredentialCheck::NoneFound) => return Err(AmazonError::NoCredentials.into()),
                Err(CredentialCheck::Failed(e)) => {
                    return Err(AmazonError::LoadCredentials(e).into())
                }
            }
        }
        let ec2 = session.ec2(&region);
        let polling = Polling::from_config(c);
        let launch = launch::Launch {
            config: c,
            session: Arc::clone(&session),
            polling,
        };
        let copy_regions = c.copy_regions(&region);
        let mut all_regions = vec![region.clone()];
        all_regions.extend(copy_regions.iter().cloned());
        let skip_create_ami = flag(c.skip_create_ami);
        let run_tags = launch.run_tags();
        let mut steps: Vec<Box<dyn Step<State>>> = vec![Box::new(pre_validate::StepPreValidate {
            ami_name: ami_name.clone(),
            force_deregister: flag(c.force_deregister) || ctx.info.force,
            skip_create_ami,
            validate_regions: if flag(c.skip_region_validation) {
                Vec::new()
            } else {
                all_regions.clone()
            },
            vpc_id: non_empty(&c.vpc_id),
            // A filter that names the network also skips the
            // default-VPC check.
            has_subnet: non_empty(&c.subnet_id).is_some()
                || c.subnet_filter.as_ref().is_some_and(|f| {
                    !config::merge_filters(f.filters.as_ref(), f.filter.as_deref()).is_empty()
                })
                || c.vpc_filter
                    .as_ref()
                    .is_some_and(|f| !f.merged().is_empty()),
        })];
        let mut launch_steps = launch.steps(ctx.info, &launch::Purpose::Build);
        let cached = flag(c.cache);
        if cached {
            // Right after the source AMI is known, before the launch.
            launch_steps.insert(
                1,
                Box::new(cache::StepResumeFromCache { config: c.clone() }),
            );
        }
        steps.extend(launch_steps);
        let ssh = launch.ssh().is_some();
        if ssh && flag(c.wait_for_cloud_init) {
            steps.push(Box::new(kiln_core::cloud_init::StepWaitCloudInit {
                required: true,
            }));
        }
        if cached {
            steps.push(Box::new(cache::StepProvisionCached::new(polling)));
        } else {
            steps.push(Box::new(StepProvision::default()));
        }
        if ssh && flag(c.cloud_init_clean) {
            steps.push(Box::new(kiln_core::cloud_init::StepCloudInitClean));
        }
        let rest: [Box<dyn Step<State>>; 1] = [Box::new(stop_instance::StepStopInstance {
            skip: c.is_spot(),
            disable_stop_instance: flag(c.disable_stop_instance),
            polling,
        })];
        steps.extend(rest);
        if !skip_create_ami {
            if flag(c.force_deregister) || ctx.info.force {
                steps.push(Box::new(deregister::StepDeregisterAmi {
                    ami_name: ami_name.clone(),
                    force_delete_snapshot: flag(c.force_delete_snapshot),
                    regions: all_regions.clone(),
                }));
            }
            // Like the stop, skipped for spot instances (they keep running).
            if !c.is_spot() {
                steps.push(Box::new(modify_instance::StepModifyEbsInstance {
                    ena_support: c.ena_support,
                    sriov_support: flag(c.sriov_support),
                }));
            }
            let mut create = create_ami::StepCreateAmi::new(
                ami_name.clone(),
                c.ami_block_device_mappings.clone().unwrap_or_default(),
                polling,
            );
            // Packer copies the run tags (with the instance's default
            // Name) onto the AMI unless skip_ami_run_tags.
            create.run_tags = (!flag(c.skip_ami_run_tags)).then(|| run_tags.clone());
            steps.push(Box::new(create));
            // Before any copy, share or launch permission: a failing test
            // publishes nothing.
            steps.push(Box::new(test_ami::StepTestAmi {
                tester: tester::AmazonTester {
                    config: c.clone(),
                    session: Arc::clone(&session),
                    region: region.clone(),
                    polling,
                },
                session: Arc::clone(&session),
            }));
            let mut region_copy = region_copy::StepAmiRegionCopy::new(
                copy_regions,
                ami_name,
                c.encrypt_boot,
                non_empty(&c.kms_key_id),
                c.region_kms_key_ids.clone().unwrap_or_default(),
                polling,
            );
            region_copy.copy_minutes = c.snapshot_copy_duration_minutes;
            steps.push(Box::new(region_copy));
            if flag(c.skip_save_build_region) {
                steps.push(Box::new(skip_build_region::StepSkipBuildRegion));
            }
            steps.push(Box::new(modify_attributes::StepModifyAmiAttributes {
                description: non_empty(&c.ami_description),
                users: c.ami_users.clone().unwrap_or_default(),
                groups: c.ami_groups.clone().unwrap_or_default(),
                org_arns: c.ami_org_arns.clone().unwrap_or_default(),
                ou_arns: c.ami_ou_arns.clone().unwrap_or_default(),
                imds_support: non_empty(&c.imds_support),
                product_codes: c.ami_product_codes.clone().unwrap_or_default(),
                snapshot_users: c.snapshot_users.clone().unwrap_or_default(),
                snapshot_groups: c.snapshot_groups.clone().unwrap_or_default(),
            }));
            steps.push(Box::new(tags::StepCreateTags {
                tags: tags_of(&c.tags, &c.tag),
                snapshot_tags: tags_of(&c.snapshot_tags, &c.snapshot_tag),
            }));
            if let Some(f) = c
                .fast_launch
                .as_ref()
                .filter(|f| flag(f.enable_fast_launch))
            {
                steps.push(Box::new(fast_launch::StepEnableFastLaunch {
                    max_parallel_launches: f
                        .max_parallel_launches
                        .filter(|n| *n > 0)
                        .and_then(|n| i32::try_from(n).ok()),
                    target_resource_count: f
                        .target_resource_count
                        .filter(|n| *n > 0)
                        .and_then(|n| i32::try_from(n).ok()),
                    templates: fast_launch::StepEnableFastLaunch::templates_of(f, &region),
                    polling,
                }));
            }
            if let Some(at) = non_empty(&c.deprecate_at) {
                let at = at
                    .parse::<jiff::Timestamp>()
                    .map_err(|e| AmazonError::DeprecateAt(e.to_string()))?;
                steps.push(Box::new(deprecate::StepDeprecate { at }));
            }
        }
        if let Some(p) = c
            .deregistration_protection
            .as_ref()
            .filter(|p| flag(p.enabled) && !skip_create_ami)
        {
            steps.push(Box::new(
                deregistration_protection::StepDeregistrationProtection {
                    with_cooldown: flag(p.with_cooldown),
                },
            ));
        }
        steps.push(Box::new(deprecate::StepComplete));

        let mut state = State::new(ec2);
        state.generated = state.template_data();
        let result = run_steps(&mut steps, &mut state, ctx);
        result?;
        if state.amis.is_empty() {
            return Ok(None);
        }
        let mut a = artifact::artifact(session, state.amis);
        artifact::record_snapshots(&mut a, &state.snapshots);
        if let Some(id) = state.source_image.as_ref().and_then(|i| i.image_id()) {
            a.set_base_image(
                format!("arn:aws:ec2:{}::image/{id}", state.ec2.region),
                None,
            );
        }
        Ok(Some(a))
    }

    fn tester(&self) -> Option<&dyn kiln_core::tester::Tester> {
        self.tester.as_ref().map(|t| t as _)
    }

    /// `kiln test -artifact=ami-…` (or `REGION:ami-…`): EC2 keeps no
    /// record of which build made an AMI, so the AMI is named.
    fn existing_artifact(
        &mut self,
        info: &kiln_core::BuildInfo,
    ) -> Result<Option<Artifact>, BuildError> {
        let Some(given) = info.artifact.as_deref() else {
            return Err(AmazonError::TestNeedsAmi.into());
        };
        let c = &self.config;
        let session = Session::open(&c.access()).map_err(BuildError::failed)?;
        let (region, ami) = match given.split_once(':') {
            Some((r, a)) => (r.to_owned(), a.to_owned()),
            None => (
                session.region().ok_or(AmazonError::NoRegion)?,
                given.to_owned(),
            ),
        };
        if !ami.starts_with("ami-") {
            return Err(AmazonError::TestNeedsAmi.into());
        }
        self.tester = Some(tester::AmazonTester {
            config: c.clone(),
            session: Arc::clone(&session),
            region: region.clone(),
            polling: Polling::from_config(c),
        });
        Ok(Some(artifact::artifact(
            session,
            BTreeMap::from([(region, ami)]),
        )))
    }
}
