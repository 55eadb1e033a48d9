//! `source "amazon-ebs" "NAME" { … }`: Packer's field names, grouped as
//! Packer groups them (access, AMI, run, block devices), plus the
//! communicator fields every builder shares.

mod blocks;
mod checks;
mod kms;
mod validate;

pub use blocks::*;
use kiln_communicator_ssh::GoDuration;
use serde::Deserialize;
use std::collections::BTreeMap;

// The access fields (access_key, region, custom_endpoint_ec2, …) come
// from `access_config!`, shared with the amazon data sources.
crate::access_config! {
    communicator:
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AmazonConfig {
        pub aws_polling: Option<Polling>,

        // AMI.
        pub ami_name: Option<String>,
        pub ami_description: Option<String>,
        pub ami_virtualization_type: Option<String>,
        pub ami_users: Option<Vec<String>>,
        pub ami_groups: Option<Vec<String>>,
        /// Organizations / organizational units the AMI is shared with.
        pub ami_org_arns: Option<Vec<String>>,
        pub ami_ou_arns: Option<Vec<String>>,
        pub ami_product_codes: Option<Vec<String>>,
        pub ami_regions: Option<Vec<String>>,
        pub tags: Option<BTreeMap<String, String>>,
        pub tag: Option<Vec<KeyValue>>,
        pub snapshot_tags: Option<BTreeMap<String, String>>,
        pub snapshot_tag: Option<Vec<KeyValue>>,
        /// Minutes a time-based copy of the snapshots may take (CopyImage).
        pub snapshot_copy_duration_minutes: Option<i64>,
        pub ena_support: Option<bool>,
        pub sriov_support: Option<bool>,
        /// Only `v2.0`: instances of the AMI require IMDSv2.
        pub imds_support: Option<String>,
        pub skip_save_build_region: Option<bool>,
        pub deregistration_protection: Option<DeregistrationProtection>,
        pub fast_launch: Option<FastLaunch>,
        /// kiln never copies run tags onto the AMI (Packer 1.6.6's
        /// behaviour), so this only gets decoded.
        pub skip_ami_run_tags: Option<bool>,
        pub snapshot_users: Option<Vec<String>>,
        pub snapshot_groups: Option<Vec<String>>,
        pub force_deregister: Option<bool>,
        pub force_delete_snapshot: Option<bool>,
        pub encrypt_boot: Option<bool>,
        pub kms_key_id: Option<String>,
        pub region_kms_key_ids: Option<BTreeMap<String, String>>,
        /// RFC 3339 time after which the AMI is deprecated.
        pub deprecate_at: Option<String>,
        /// Provision, then stop without creating an AMI.
        pub skip_create_ami: Option<bool>,
        /// kiln only: keep an intermediate AMI for the step cache.
        pub cache: Option<bool>,

        // Run.
        pub source_ami: Option<String>,
        pub source_ami_filter: Option<AmiFilter>,
        pub instance_type: Option<String>,
        pub availability_zone: Option<String>,
        pub subnet_id: Option<String>,
        pub subnet_filter: Option<SubnetFilter>,
        pub vpc_id: Option<String>,
        pub associate_public_ip_address: Option<bool>,
        pub elastic_ip_allocation_id: Option<String>,
        pub vpc_filter: Option<ResourceFilter>,
        pub security_group_filter: Option<ResourceFilter>,
        pub temporary_security_group_source_public_ip: Option<bool>,
        pub temporary_iam_instance_profile_policy_document: Option<PolicyDocument>,
        pub skip_profile_validation: Option<bool>,
        pub metadata_options: Option<MetadataOptions>,
        pub placement: Option<PlacementBlock>,
        pub license_specifications: Option<Vec<LicenseSpecification>>,
        /// `none` (default) or `open`.
        pub capacity_reservation_preference: Option<String>,
        pub capacity_reservation_id: Option<String>,
        pub capacity_reservation_group_arn: Option<String>,
        pub enable_nitro_enclave: Option<bool>,
        /// Deprecated name of `enable_unlimited_credits`.
        pub enable_t2_unlimited: Option<bool>,
        pub enable_unlimited_credits: Option<bool>,
        /// A maximum hourly price, or `auto` (the on-demand price).
        pub spot_price: Option<String>,
        pub spot_price_auto_product: Option<String>,
        pub spot_instance_types: Option<Vec<String>>,
        pub spot_allocation_strategy: Option<String>,
        pub spot_tags: Option<BTreeMap<String, String>>,
        pub spot_tag: Option<Vec<KeyValue>>,
        pub fleet_tags: Option<BTreeMap<String, String>>,
        pub fleet_tag: Option<Vec<KeyValue>>,
        pub block_duration_minutes: Option<i64>,
        pub run_tag: Option<Vec<KeyValue>>,
        pub run_volume_tag: Option<Vec<NameValueTag>>,
        /// Map every ephemeral (instance store) device to nothing.
        pub no_ephemeral: Option<bool>,
        /// WinRM password wait; kiln has no WinRM, so it is only decoded.
        pub windows_password_timeout: Option<GoDuration>,
        pub pause_before_ssm: Option<GoDuration>,
        pub session_manager_port: Option<u16>,
        pub security_group_id: Option<String>,
        pub security_group_ids: Option<Vec<String>>,
        pub temporary_security_group_source_cidrs: Option<Vec<String>>,
        pub iam_instance_profile: Option<String>,
        pub user_data: Option<String>,
        pub user_data_file: Option<String>,
        pub run_tags: Option<BTreeMap<String, String>>,
        pub run_volume_tags: Option<BTreeMap<String, String>>,
        pub ebs_optimized: Option<bool>,
        pub disable_stop_instance: Option<bool>,
        // ---- cloud-init (kiln only)
        /// Provision only once `cloud-init status --wait` is done.
        pub wait_for_cloud_init: Option<bool>,
        /// `cloud-init clean --logs` and an empty machine-id before the
        /// instance stops, so that each instance of the AMI starts afresh.
        pub cloud_init_clean: Option<bool>,
        /// `stop` (default) or `terminate`.
        pub shutdown_behavior: Option<String>,
        /// `default`, `dedicated` or `host`.
        pub tenancy: Option<String>,
        /// `public_ip`, `private_ip`, `public_dns` or `private_dns`.
        pub ssh_interface: Option<String>,
        pub launch_block_device_mappings: Option<Vec<BlockDevice>>,
        pub ami_block_device_mappings: Option<Vec<BlockDevice>>,
    }
}

/// `source_ami_filter { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmiFilter {
    pub filters: Option<BTreeMap<String, String>>,
    pub owners: Option<Vec<String>>,
    pub most_recent: Option<bool>,
    /// Also match deprecated AMIs (an owner sees their own anyway).
    pub include_deprecated: Option<bool>,
}

impl AmiFilter {
    /// Packer's `Empty()`: `most_recent` alone does not make a filter.
    pub fn is_empty(&self) -> bool {
        self.filters.as_ref().is_none_or(BTreeMap::is_empty)
            && self.owners.as_ref().is_none_or(Vec::is_empty)
    }
}

/// `subnet_filter { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetFilter {
    pub filters: Option<BTreeMap<String, String>>,
    pub filter: Option<Vec<NameValue>>,
    pub most_free: Option<bool>,
    pub random: Option<bool>,
}

/// `aws_polling { … }`: how often and how long to wait on EC2 state.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Polling {
    pub delay_seconds: Option<u64>,
    pub max_attempts: Option<u32>,
}

/// One `launch_block_device_mappings` / `ami_block_device_mappings` block.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockDevice {
    pub device_name: Option<String>,
    pub delete_on_termination: Option<bool>,
    pub encrypted: Option<bool>,
    pub iops: Option<i32>,
    pub throughput: Option<i32>,
    pub no_device: Option<bool>,
    pub snapshot_id: Option<String>,
    pub virtual_name: Option<String>,
    pub volume_type: Option<String>,
    pub volume_size: Option<i32>,
    pub kms_key_id: Option<String>,
}

/// Packer's default `delay_seconds` and `max_attempts` for EC2 waiters.
pub const DEFAULT_POLL_DELAY_SECS: u64 = 15;
pub const DEFAULT_POLL_ATTEMPTS: u32 = 40;

impl AmazonConfig {
    pub fn flag(v: Option<bool>) -> bool {
        v == Some(true)
    }

    /// What the build's session is opened with (the access fields,
    /// credential sources included, shared with the data sources).
    pub fn access(&self) -> crate::session::Access {
        self.access_fields().access()
    }

    /// `security_group_id` folded into `security_group_ids`, as Packer does.
    pub fn security_groups(&self) -> Vec<String> {
        let mut out: Vec<String> = self.security_group_ids.clone().unwrap_or_default();
        if let Some(one) = self.security_group_id.as_deref().filter(|s| !s.is_empty()) {
            out.push(one.to_owned());
        }
        out
    }

    /// `temporary_security_group_source_cidrs`, `0.0.0.0/0` when unset.
    pub fn source_cidrs(&self) -> Vec<String> {
        match &self.temporary_security_group_source_cidrs {
            Some(c) if !c.is_empty() => c.clone(),
            _ => vec!["0.0.0.0/0".to_owned()],
        }
    }

    /// `ami_regions` without duplicates and without the build region
    /// (Packer drops it with a log line).
    pub fn copy_regions(&self, build_region: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.ami_regions.iter().flatten() {
            if r != build_region && !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    }
}
