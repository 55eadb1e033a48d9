//! The `amazon-ebs` builder: launches an instance from a source AMI,
//! provisions it over SSH, stops it and makes an AMI of it, through the
//! EC2 API (aws-sdk-ec2). Steps, messages and cleanup follow Packer
//! 1.6.6's amazon-ebs; everything the build creates in the account is
//! removed again, whatever happens.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod access;
pub mod ami_lookup;
pub mod artifact;
pub mod config;
pub mod datasource;
mod devices;
pub mod error;
mod names;
pub mod poll;
pub mod session;
mod state;
mod steps;
#[doc(hidden)]
pub mod testing;

pub use artifact::BUILDER_ID;
pub use config::AmazonConfig;

use crate::error::AmazonError;
use crate::poll::Polling;
use crate::session::Session;
use crate::state::State;
use crate::steps::*;
use kiln_communicator_ssh::CommKind;
use kiln_core::step::{run_steps, Step, StepProvision};
use kiln_core::{Artifact, BuildCtx, BuildError, Builder};
use std::collections::BTreeMap;

/// Packer's message when no credentials resolve.
pub const NO_CREDENTIALS: &str = "No valid credential sources found for AWS Builder. Please see https://www.packer.io/docs/builders/amazon#specifying-amazon-credentials for more information on providing credentials for the AWS Builder.";

pub struct AmazonBuilder {
    config: AmazonConfig,
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
        AmazonBuilder { config }
    }
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.is_empty())
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

        let session = Session::open(&c.access_fields().access()).map_err(BuildError::failed)?;
        let Some(region) = session.region() else {
            return Err(AmazonError::NoRegion.into());
        };
        if !flag(c.skip_credential_validation) && !session.credentials_resolve() {
            return Err(AmazonError::NoCredentials.into());
        }
        let ec2 = session.ec2(&region);
        let polling = Polling::from_config(c);
        let comm = c.communicator_config();
        let ssh = match comm.kind() {
            Some(CommKind::Ssh) => Some(comm.ssh_settings()),
            _ => None,
        };
        let port = ssh.as_ref().map_or(0, |s| s.port);
        let copy_regions = c.copy_regions(&region);
        let mut all_regions = vec![region.clone()];
        all_regions.extend(copy_regions.iter().cloned());
        let skip_create_ami = flag(c.skip_create_ami);

        // Packer makes a temporary key pair unless the config names a key
        // pair, a key file or a password.
        let temporary_key = non_empty(&c.temporary_key_pair_name).or_else(|| {
            (non_empty(&c.ssh_keypair_name).is_none()
                && non_empty(&c.ssh_private_key_file).is_none()
                && non_empty(&c.ssh_password).is_none())
            .then(|| format!("packer_{}", uuid::Uuid::new_v4()))
        });

        let mut steps: Vec<Box<dyn Step<State>>> = vec![
            Box::new(pre_validate::StepPreValidate {
                ami_name: ami_name.clone(),
                force_deregister: flag(c.force_deregister) || ctx.info.force,
                skip_create_ami,
                validate_regions: if flag(c.skip_region_validation) {
                    Vec::new()
                } else {
                    all_regions.clone()
                },
                vpc_id: non_empty(&c.vpc_id),
                has_subnet: non_empty(&c.subnet_id).is_some()
                    || c.subnet_filter
                        .as_ref()
                        .is_some_and(|f| f.filters.as_ref().is_some_and(|m| !m.is_empty())),
            }),
            Box::new(source_ami::StepSourceAmiInfo {
                source_ami: non_empty(&c.source_ami),
                filter: c.source_ami_filter.clone(),
            }),
            Box::new(network::StepNetworkInfo {
                vpc_id: non_empty(&c.vpc_id),
                subnet_id: non_empty(&c.subnet_id),
                subnet_filter: c.subnet_filter.clone(),
                availability_zone: non_empty(&c.availability_zone),
            }),
            Box::new(key_pair::StepKeyPair::new(
                non_empty(&c.ssh_private_key_file),
                flag(c.ssh_agent_auth),
                non_empty(&c.ssh_keypair_name),
                temporary_key,
                ctx.info
                    .debug
                    .then(|| format!("ec2_{}.pem", ctx.info.source_name)),
            )),
            Box::new(security_group::StepSecurityGroup::new(
                c.security_groups(),
                port,
                c.source_cidrs(),
                format!("packer_{}", uuid::Uuid::new_v4()),
                polling,
            )),
            Box::new(cleanup_volumes::StepCleanupVolumes {
                launch_devices: c
                    .launch_block_device_mappings
                    .iter()
                    .flatten()
                    .filter_map(|d| d.device_name.clone())
                    .collect(),
            }),
            Box::new(run_instance::StepRunSourceInstance::new(
                c.instance_type.clone().unwrap_or_default(),
                non_empty(&c.user_data),
                non_empty(&c.user_data_file),
                non_empty(&c.iam_instance_profile),
                c.launch_block_device_mappings.clone().unwrap_or_default(),
                c.associate_public_ip_address,
                flag(c.ebs_optimized),
                non_empty(&c.shutdown_behavior).unwrap_or_else(|| "stop".to_owned()),
                non_empty(&c.tenancy),
                c.run_tags.clone().unwrap_or_default(),
                c.run_volume_tags.clone().unwrap_or_default(),
                polling,
            )),
            Box::new(connect::StepConnect::new(
                ssh,
                non_empty(&c.ssh_host).is_some(),
                non_empty(&c.ssh_interface),
            )),
            Box::new(StepProvision::default()),
            Box::new(stop_instance::StepStopInstance {
                disable_stop_instance: flag(c.disable_stop_instance),
                polling,
            }),
        ];
        if !skip_create_ami {
            if flag(c.force_deregister) || ctx.info.force {
                steps.push(Box::new(deregister::StepDeregisterAmi {
                    ami_name: ami_name.clone(),
                    force_delete_snapshot: flag(c.force_delete_snapshot),
                    regions: all_regions.clone(),
                }));
            }
            steps.push(Box::new(create_ami::StepCreateAmi::new(
                ami_name.clone(),
                c.ami_block_device_mappings.clone().unwrap_or_default(),
                polling,
            )));
            steps.push(Box::new(region_copy::StepAmiRegionCopy::new(
                copy_regions,
                ami_name,
                c.encrypt_boot,
                non_empty(&c.kms_key_id),
                c.region_kms_key_ids.clone().unwrap_or_default(),
                polling,
            )));
            steps.push(Box::new(modify_attributes::StepModifyAmiAttributes {
                description: non_empty(&c.ami_description),
                users: c.ami_users.clone().unwrap_or_default(),
                groups: c.ami_groups.clone().unwrap_or_default(),
                product_codes: c.ami_product_codes.clone().unwrap_or_default(),
                snapshot_users: c.snapshot_users.clone().unwrap_or_default(),
                snapshot_groups: c.snapshot_groups.clone().unwrap_or_default(),
            }));
            steps.push(Box::new(tags::StepCreateTags {
                tags: c.tags.clone().unwrap_or_default(),
                snapshot_tags: c.snapshot_tags.clone().unwrap_or_default(),
            }));
            if let Some(at) = non_empty(&c.deprecate_at) {
                let at = at
                    .parse::<jiff::Timestamp>()
                    .map_err(|e| AmazonError::DeprecateAt(e.to_string()))?;
                steps.push(Box::new(deprecate::StepDeprecate { at }));
            }
        }
        steps.push(Box::new(deprecate::StepComplete));

        let mut state = State::new(ec2);
        state.generated = state.template_data();
        let result = run_steps(&mut steps, &mut state, ctx);
        result?;
        if state.amis.is_empty() {
            return Ok(None);
        }
        Ok(Some(artifact::artifact(session, state.amis)))
    }
}
