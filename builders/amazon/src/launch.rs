//! The steps that bring up an instance and connect to it: source AMI,
//! network, key pair, security group, instance profile, the instance
//! (on demand or spot), SSH. The build runs them from its source AMI; the
//! test stage runs them again, from the new AMI, for a fresh instance
//! with temporary resources of its own.

use crate::config::{self, AmazonConfig};
use crate::poll::Polling;
use crate::session::Session;
use crate::state::State;
use crate::steps::*;
use crate::{non_empty, spot_of, tags_of};
use kiln_communicator_ssh::{CommKind, SshSettings};
use kiln_core::step::Step;
use kiln_core::BuildInfo;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which instance the steps start.
pub enum Purpose {
    /// The build's: from `source_ami`/`source_ami_filter`, with the
    /// template's user data, launch block devices and Elastic IP.
    Build,
    /// A test of the new AMI, started as a consumer starts it: the AMI's
    /// own block devices, no user data.
    Test {
        ami: String,
        boot_timeout: Option<std::time::Duration>,
    },
}

pub struct Launch<'a> {
    pub config: &'a AmazonConfig,
    pub session: Arc<Session>,
    pub polling: Polling,
}

impl Launch<'_> {
    pub fn ssh(&self) -> Option<SshSettings> {
        let comm = self.config.communicator_config();
        match comm.kind() {
            Some(CommKind::Ssh) => Some(comm.ssh_settings()),
            _ => None,
        }
    }

    /// The tags of the instance (and Packer's default Name).
    pub fn run_tags(&self) -> BTreeMap<String, String> {
        let c = self.config;
        let mut run_tags = tags_of(&c.run_tags, &c.run_tag);
        run_tags
            .entry("Name".to_owned())
            .or_insert_with(|| "Packer Builder".to_owned());
        run_tags
    }

    pub fn steps(&self, info: &BuildInfo, purpose: &Purpose) -> Vec<Box<dyn Step<State>>> {
        let c = self.config;
        let flag = AmazonConfig::flag;
        let polling = self.polling;
        let test = matches!(purpose, Purpose::Test { .. });
        let mut ssh = self.ssh();
        if let (
            Some(s),
            Purpose::Test {
                boot_timeout: Some(t),
                ..
            },
        ) = (ssh.as_mut(), purpose)
        {
            s.timeout = *t;
        }
        let port = ssh.as_ref().map_or(0, |s| s.port);
        // Packer makes a temporary key pair unless the config names a key
        // pair, a key file or a password. A test makes one of its own (the
        // build's still exists while the test runs).
        let build_key = non_empty(&c.temporary_key_pair_name).or_else(|| {
            (non_empty(&c.ssh_keypair_name).is_none()
                && non_empty(&c.ssh_private_key_file).is_none()
                && non_empty(&c.ssh_password).is_none())
            .then(|| format!("packer_{}", uuid::Uuid::new_v4()))
        });
        let temporary_key = match purpose {
            Purpose::Build => build_key,
            Purpose::Test { .. } => {
                build_key.map(|_| format!("packer_test_{}", uuid::Uuid::new_v4()))
            }
        };

        let mut security_group = security_group::StepSecurityGroup::new(
            c.security_groups(),
            port,
            c.source_cidrs(),
            format!("packer_{}", uuid::Uuid::new_v4()),
            polling,
        );
        security_group.filter = c
            .security_group_filter
            .as_ref()
            .map(config::ResourceFilter::merged)
            .unwrap_or_default();
        if flag(c.temporary_security_group_source_public_ip) {
            security_group.public_ip_from = Some(crate::steps::public_ip::checkip_url());
            // Packer drops the 0.0.0.0/0 default when the public IP is asked for.
            if c.temporary_security_group_source_cidrs
                .as_ref()
                .is_none_or(Vec::is_empty)
            {
                security_group.cidrs.clear();
            }
        }
        let instance_types = match non_empty(&c.instance_type) {
            Some(t) => vec![t],
            None => c.spot_instance_types.clone().unwrap_or_default(),
        };
        let launch = launch_options::LaunchOptions {
            metadata: c.metadata_options.clone(),
            unlimited_credits: c.unlimited_credits(),
            placement: c.placement.clone(),
            tenancy: c.effective_tenancy(),
            licenses: c
                .license_specifications
                .iter()
                .flatten()
                .filter_map(|l| l.license_configuration_request.as_ref())
                .filter_map(|r| non_empty(&r.license_configuration_arn))
                .collect(),
            capacity_preference: non_empty(&c.capacity_reservation_preference),
            capacity_reservation_id: non_empty(&c.capacity_reservation_id),
            capacity_reservation_group_arn: non_empty(&c.capacity_reservation_group_arn),
            nitro_enclave: flag(c.enable_nitro_enclave),
            spot: spot_of(c),
            no_ephemeral: flag(c.no_ephemeral),
        };
        let mut volume_tags = c.run_volume_tags.clone().unwrap_or_default();
        for nv in c.run_volume_tag.iter().flatten() {
            volume_tags.insert(
                nv.name.clone().unwrap_or_default(),
                nv.value.clone().unwrap_or_default(),
            );
        }
        let mut run_tags = self.run_tags();
        if let Purpose::Test { ami, .. } = purpose {
            run_tags.insert("Name".to_owned(), format!("kiln test of {ami}"));
        }
        let iam_profile = iam_instance_profile::StepIamInstanceProfile::new(
            Arc::clone(&self.session),
            non_empty(&c.iam_instance_profile),
            flag(c.skip_profile_validation),
            c.temporary_iam_instance_profile_policy_document
                .as_ref()
                .filter(|_| !test),
            run_tags.clone(),
            polling,
        );
        let mut run_source = run_instance::StepRunSourceInstance::new(
            instance_types,
            non_empty(&c.user_data).filter(|_| !test),
            non_empty(&c.user_data_file).filter(|_| !test),
            non_empty(&c.iam_instance_profile),
            if test {
                Vec::new()
            } else {
                c.launch_block_device_mappings.clone().unwrap_or_default()
            },
            c.associate_public_ip_address,
            flag(c.ebs_optimized),
            if test {
                "terminate".to_owned()
            } else {
                non_empty(&c.shutdown_behavior).unwrap_or_else(|| "stop".to_owned())
            },
            launch,
            run_tags,
            volume_tags,
            polling,
        );
        run_source.require_ebs_root = !test;
        // A spot build goes through a launch template and an EC2 Fleet, as
        // Packer's; the template carries the spot market options.
        let launch_step: Box<dyn Step<State>> = match spot_of(c) {
            Some(spot) => {
                let mut run_source = run_source;
                run_source.options.spot = None;
                Box::new(run_spot_instance::StepRunSpotInstance::new(
                    run_source,
                    spot,
                    non_empty(&c.spot_allocation_strategy),
                    tags_of(&c.fleet_tags, &c.fleet_tag),
                ))
            }
            None => Box::new(run_source),
        };
        let source = match purpose {
            Purpose::Build => source_ami::StepSourceAmiInfo {
                source_ami: non_empty(&c.source_ami),
                filter: c.source_ami_filter.clone(),
            },
            Purpose::Test { ami, .. } => source_ami::StepSourceAmiInfo {
                source_ami: Some(ami.clone()),
                filter: None,
            },
        };
        let mut steps: Vec<Box<dyn Step<State>>> = vec![
            Box::new(source),
            Box::new(network::StepNetworkInfo {
                vpc_id: non_empty(&c.vpc_id),
                subnet_id: non_empty(&c.subnet_id),
                subnet_filter: c.subnet_filter.clone(),
                availability_zone: non_empty(&c.availability_zone),
                vpc_filter: c
                    .vpc_filter
                    .as_ref()
                    .map(config::ResourceFilter::merged)
                    .unwrap_or_default(),
            }),
            Box::new(key_pair::StepKeyPair::new(
                non_empty(&c.ssh_private_key_file),
                flag(c.ssh_agent_auth),
                non_empty(&c.ssh_keypair_name),
                temporary_key,
                (info.debug && !test).then(|| format!("ec2_{}.pem", info.source_name)),
            )),
            Box::new(security_group),
        ];
        if !test {
            steps.push(Box::new(cleanup_volumes::StepCleanupVolumes {
                launch_devices: c
                    .launch_block_device_mappings
                    .iter()
                    .flatten()
                    .filter_map(|d| d.device_name.clone())
                    .collect(),
            }));
        }
        steps.push(Box::new(iam_profile));
        steps.push(launch_step);
        if let (Some(eip), false) = (non_empty(&c.elastic_ip_allocation_id), test) {
            steps.push(Box::new(elastic_ip::StepAssociateElasticIp::new(eip)));
        }
        steps.push(Box::new(connect::StepConnect::new(
            ssh,
            non_empty(&c.ssh_host).is_some(),
            non_empty(&c.ssh_interface),
        )));
        steps
    }
}
