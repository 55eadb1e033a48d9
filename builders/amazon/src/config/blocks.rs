//! The nested blocks newer Packer amazon-ebs templates use
//! (`metadata_options`, `placement`, the IAM policy document, the
//! filters, the singular tag blocks, …), with Packer's names.

use serde::Deserialize;
use std::collections::BTreeMap;

/// `metadata_options { … }`: the instance metadata service of the source
/// instance.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataOptions {
    /// `enabled` (default) or `disabled`.
    pub http_endpoint: Option<String>,
    /// `optional` (default) or `required` (IMDSv2 only).
    pub http_tokens: Option<String>,
    /// 1..=64, default 1.
    pub http_put_response_hop_limit: Option<i64>,
    /// `enabled` or `disabled` (default).
    pub instance_metadata_tags: Option<String>,
}

/// `placement { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacementBlock {
    pub host_resource_group_arn: Option<String>,
    pub host_id: Option<String>,
    pub tenancy: Option<String>,
}

/// One `license_specifications { license_configuration_request { … } }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseSpecification {
    pub license_configuration_request: Option<LicenseConfigurationRequest>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseConfigurationRequest {
    pub license_configuration_arn: Option<String>,
}

/// `temporary_iam_instance_profile_policy_document { … }`: IAM's JSON
/// policy shape, with IAM's capitalised names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: Option<String>,
    #[serde(rename = "Statement")]
    pub statement: Option<Vec<Statement>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "Effect")]
    pub effect: Option<String>,
    #[serde(rename = "Action")]
    pub action: Option<Vec<String>>,
    #[serde(rename = "Resource")]
    pub resource: Option<Vec<String>>,
}

/// `filter { name = …, value = … }` inside the filter blocks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameValue {
    pub name: Option<String>,
    pub value: Option<String>,
}

/// `tag { key = …, value = … }` (and `run_tag`, `spot_tag`, …): the block
/// form of a tags map, for keys HCL maps cannot spell.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyValue {
    pub key: Option<String>,
    pub value: Option<String>,
}

/// `run_volume_tag { name = …, value = … }` (Packer's NameValue form).
pub type NameValueTag = NameValue;

/// `security_group_filter { … }` and `vpc_filter { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceFilter {
    pub filters: Option<BTreeMap<String, String>>,
    pub filter: Option<Vec<NameValue>>,
}

impl ResourceFilter {
    /// `filters` and the `filter` blocks in one map (a block wins).
    pub fn merged(&self) -> BTreeMap<String, String> {
        merge_filters(self.filters.as_ref(), self.filter.as_deref())
    }
}

pub fn merge_filters(
    map: Option<&BTreeMap<String, String>>,
    blocks: Option<&[NameValue]>,
) -> BTreeMap<String, String> {
    let mut out = map.cloned().unwrap_or_default();
    for nv in blocks.into_iter().flatten() {
        out.insert(
            nv.name.clone().unwrap_or_default(),
            nv.value.clone().unwrap_or_default(),
        );
    }
    out
}

/// A tags map with its singular blocks copied on, as Packer's `CopyOn`.
pub fn merge_tags(
    map: Option<&BTreeMap<String, String>>,
    blocks: Option<&[KeyValue]>,
) -> BTreeMap<String, String> {
    let mut out = map.cloned().unwrap_or_default();
    for kv in blocks.into_iter().flatten() {
        out.insert(
            kv.key.clone().unwrap_or_default(),
            kv.value.clone().unwrap_or_default(),
        );
    }
    out
}

/// `assume_role { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumeRole {
    pub role_arn: Option<String>,
    pub duration_seconds: Option<i64>,
    pub external_id: Option<String>,
    pub policy: Option<String>,
    pub policy_arns: Option<Vec<String>>,
    pub session_name: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub transitive_tag_keys: Option<Vec<String>>,
}

/// `vault_aws_engine { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultAwsEngine {
    pub name: Option<String>,
    pub role_arn: Option<String>,
    pub ttl: Option<String>,
    pub engine_name: Option<String>,
}

/// `deregistration_protection { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeregistrationProtection {
    pub enabled: Option<bool>,
    pub with_cooldown: Option<bool>,
}

/// `fast_launch { … }` (Windows AMIs).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FastLaunch {
    pub enable_fast_launch: Option<bool>,
    pub template_id: Option<String>,
    pub template_name: Option<String>,
    pub template_version: Option<i64>,
    pub region_launch_templates: Option<Vec<FastLaunchTemplate>>,
    pub max_parallel_launches: Option<i64>,
    pub target_resource_count: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FastLaunchTemplate {
    pub region: Option<String>,
    pub template_id: Option<String>,
    pub template_name: Option<String>,
    pub template_version: Option<i64>,
}
