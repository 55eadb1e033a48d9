//! Checks of the fields newer Packer amazon-ebs added (spot, metadata,
//! credits, capacity reservations, sharing with organizations, …), with
//! Packer's messages where Packer has one.

use super::{AmazonConfig, FastLaunch, MetadataOptions, NameValue, PolicyDocument};
use kiln_core::component::ConfigProblem;
use regex::Regex;
use std::sync::LazyLock;

static ORG_ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^arn:aws(-[a-z]+)*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}$")
        .unwrap_or_else(|e| unreachable!("{e}"))
});
static OU_ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^arn:aws(-[a-z]+)*:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$",
    )
    .unwrap_or_else(|e| unreachable!("{e}"))
});
/// T2, T3, T3a and T4g: the burstable families (Packer's
/// `IsBurstableInstanceType`).
static BURSTABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^t(2|3a?|4g)\.").unwrap_or_else(|e| unreachable!("{e}")));

pub const SPOT_ALLOCATION_STRATEGIES: &[&str] = &[
    "lowest-price",
    "diversified",
    "capacity-optimized",
    "capacity-optimized-prioritized",
    "price-capacity-optimized",
];

pub const SPOT_PRODUCTS: &[&str] = &[
    "Linux/UNIX",
    "SUSE Linux",
    "Windows",
    "Linux/UNIX (Amazon VPC)",
    "SUSE Linux (Amazon VPC)",
    "Windows (Amazon VPC)",
];

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

impl AmazonConfig {
    /// Packer's `IsSpotInstance`: a price other than "" and "0".
    pub fn is_spot(&self) -> bool {
        set(&self.spot_price).is_some_and(|p| p != "0")
    }

    /// `enable_unlimited_credits`, or its deprecated name.
    pub fn unlimited_credits(&self) -> bool {
        Self::flag(self.enable_unlimited_credits) || Self::flag(self.enable_t2_unlimited)
    }

    /// `placement.tenancy`, else the deprecated `tenancy`.
    pub fn effective_tenancy(&self) -> Option<String> {
        self.placement
            .as_ref()
            .and_then(|p| set(&p.tenancy))
            .or(set(&self.tenancy))
            .map(str::to_owned)
    }

    pub(super) fn ami_extra_problems(&self, out: &mut Vec<ConfigProblem>) {
        for arn in self.ami_org_arns.iter().flatten() {
            if !ORG_ARN.is_match(arn) {
                out.push(ConfigProblem::field(
                    "ami_org_arns",
                    format!("{arn:?} is not an organization ARN (arn:aws:organizations::ACCOUNT:organization/o-ID)"),
                ));
            }
        }
        for arn in self.ami_ou_arns.iter().flatten() {
            if !OU_ARN.is_match(arn) {
                out.push(ConfigProblem::field(
                    "ami_ou_arns",
                    format!("{arn:?} is not an organizational unit ARN (arn:aws:organizations::ACCOUNT:ou/o-ID/ou-ID)"),
                ));
            }
        }
        if let Some(i) = set(&self.imds_support) {
            if i != "v2.0" {
                out.push(ConfigProblem::field(
                    "imds_support",
                    format!("imds_support only accepts \"v2.0\", not {i:?}"),
                ));
            }
        }
        if let Some(m) = self.snapshot_copy_duration_minutes {
            if m < 15 || m % 15 != 0 {
                out.push(ConfigProblem::field(
                    "snapshot_copy_duration_minutes",
                    "snapshot_copy_duration_minutes must be at least 15 and a multiple of 15",
                ));
            }
        }
        if Self::flag(self.skip_save_build_region)
            && self.ami_regions.as_ref().is_none_or(Vec::is_empty)
        {
            out.push(ConfigProblem::field(
                "skip_save_build_region",
                "skip_save_build_region needs ami_regions: otherwise no AMI would be kept",
            ));
        }
        if let Some(f) = &self.fast_launch {
            fast_launch_problems(f, out);
        }
    }

    pub(super) fn run_extra_problems(&self, out: &mut Vec<ConfigProblem>) {
        let instance_type = set(&self.instance_type);
        let spot_types = self
            .spot_instance_types
            .as_ref()
            .is_some_and(|t| !t.is_empty());
        if instance_type.is_some() && spot_types {
            out.push(ConfigProblem::block(
                "either instance_type or spot_instance_types must be specified, not both",
            ));
        }
        let spot = self.is_spot();
        if (self.fleet_tags.is_some() || self.fleet_tag.is_some()) && !spot {
            out.push(ConfigProblem::field(
                "fleet_tags",
                "fleet_tags should not be set when not requesting a spot instance",
            ));
        }
        if let Some(b) = self.block_duration_minutes {
            if b % 60 != 0 {
                out.push(ConfigProblem::field(
                    "block_duration_minutes",
                    "block_duration_minutes must be multiple of 60",
                ));
            }
        }
        if (self.spot_tags.is_some() || self.spot_tag.is_some()) && !spot {
            out.push(ConfigProblem::field(
                "spot_tags",
                "spot_tags should not be set when not requesting a spot instance",
            ));
        }
        if let Some(p) = set(&self.spot_price) {
            if p != "auto" && !p.parse::<f64>().is_ok_and(|v| v.is_finite() && v >= 0.0) {
                out.push(ConfigProblem::field(
                    "spot_price",
                    format!("spot_price must be a price in dollars or \"auto\", not {p:?}"),
                ));
            }
        }
        if spot_types && !spot {
            out.push(ConfigProblem::field(
                "spot_instance_types",
                "spot_instance_types needs spot_price (a price or \"auto\")",
            ));
        }
        if let Some(p) = set(&self.spot_price_auto_product) {
            if !SPOT_PRODUCTS.contains(&p) {
                out.push(ConfigProblem::field(
                    "spot_price_auto_product",
                    format!(
                        "spot_price_auto_product must be one of {}",
                        SPOT_PRODUCTS.join(", ")
                    ),
                ));
            }
        }
        if let Some(s) = set(&self.spot_allocation_strategy) {
            if !SPOT_ALLOCATION_STRATEGIES.contains(&s) {
                out.push(ConfigProblem::field(
                    "spot_allocation_strategy",
                    format!(
                        "spot_allocation_strategy must be one of {}",
                        SPOT_ALLOCATION_STRATEGIES.join(", ")
                    ),
                ));
            }
        }
        if let Some(m) = &self.metadata_options {
            metadata_problems(m, out);
        }
        if self.unlimited_credits() {
            let it = instance_type.unwrap_or_default();
            if !BURSTABLE.is_match(it) {
                out.push(ConfigProblem::field(
                    "enable_unlimited_credits",
                    format!("Error: Instance Type: {it} is not within the supported types for Unlimited credits. Supported instance types are T2, T3, and T4g"),
                ));
            }
            if spot || spot_types {
                out.push(ConfigProblem::field(
                    "enable_unlimited_credits",
                    "Error: Unlimited credits cannot be used in conjunction with Spot Instances",
                ));
            }
        }
        match set(&self.capacity_reservation_preference) {
            None | Some("none" | "open") => {}
            Some(_) => out.push(ConfigProblem::field(
                "capacity_reservation_preference",
                "capacity_reservation_preference only accepts 'none' or 'open' values",
            )),
        }
        let targets = [
            &self.capacity_reservation_id,
            &self.capacity_reservation_group_arn,
        ]
        .into_iter()
        .filter(|v| set(v).is_some())
        .count();
        if targets > 1 {
            out.push(ConfigProblem::block(
                "Only one of capacity_reservation_id or capacity_reservation_group_arn can be specified.",
            ));
        }
        if targets > 0 && set(&self.capacity_reservation_preference).is_some() {
            out.push(ConfigProblem::block(
                "capacity_reservation_preference cannot be used with capacity_reservation_id or capacity_reservation_group_arn",
            ));
        }
        let placement_tenancy = self.placement.as_ref().and_then(|p| set(&p.tenancy));
        if placement_tenancy.is_some() && set(&self.tenancy).is_some() {
            out.push(ConfigProblem::block(
                "Error: Please set only one of placement.tenancy and tenancy (deprecated)",
            ));
        }
        if let Some(t) = placement_tenancy {
            if !matches!(t, "default" | "dedicated" | "host") {
                out.push(ConfigProblem::field(
                    "placement",
                    format!("Error: Unknown tenancy type {t}"),
                ));
            }
        }
        if Self::flag(self.enable_nitro_enclave) {
            if spot || spot_types {
                out.push(ConfigProblem::field(
                    "enable_nitro_enclave",
                    "Error: Nitro Enclave cannot be used in conjunction with Spot Instances",
                ));
            }
            if let Some(it) = instance_type.filter(|t| t.starts_with('t')) {
                out.push(ConfigProblem::field(
                    "enable_nitro_enclave",
                    format!("Error: Nitro Enclaves cannot be used in conjunction with burstable instance types: {it}"),
                ));
            }
        }
        if let Some(d) = &self.temporary_iam_instance_profile_policy_document {
            policy_problems(d, out);
            if set(&self.iam_instance_profile).is_some() {
                out.push(ConfigProblem::block(
                    "Only one of iam_instance_profile or temporary_iam_instance_profile_policy_document can be specified.",
                ));
            }
        }
        for l in self.license_specifications.iter().flatten() {
            let arn = l
                .license_configuration_request
                .as_ref()
                .and_then(|r| set(&r.license_configuration_arn));
            if arn.is_none() {
                out.push(ConfigProblem::field(
                    "license_specifications",
                    "license_specifications needs license_configuration_request { license_configuration_arn = … }",
                ));
            }
        }
        let filter_blocks = [
            (
                "subnet_filter",
                self.subnet_filter
                    .as_ref()
                    .and_then(|f| f.filter.as_deref()),
            ),
            (
                "vpc_filter",
                self.vpc_filter.as_ref().and_then(|f| f.filter.as_deref()),
            ),
            (
                "security_group_filter",
                self.security_group_filter
                    .as_ref()
                    .and_then(|f| f.filter.as_deref()),
            ),
        ];
        for (field, blocks) in filter_blocks {
            if blocks
                .into_iter()
                .flatten()
                .any(|nv: &NameValue| set(&nv.name).is_none())
            {
                out.push(ConfigProblem::field(
                    field,
                    format!("every filter block of {field} needs a name"),
                ));
            }
        }
        if Self::flag(self.temporary_security_group_source_public_ip)
            && !self.security_groups().is_empty()
        {
            out.push(ConfigProblem::field(
                "temporary_security_group_source_public_ip",
                "temporary_security_group_source_public_ip applies to the temporary security group only, not with security_group_id(s)",
            ));
        }
    }
}

fn metadata_problems(m: &MetadataOptions, out: &mut Vec<ConfigProblem>) {
    let mut check = |v: &Option<String>, a: &str, b: &str, msg: &'static str| {
        if set(v).is_some_and(|s| s != a && s != b) {
            out.push(ConfigProblem::field("metadata_options", msg));
        }
    };
    check(
        &m.http_endpoint,
        "enabled",
        "disabled",
        "http_endpoint requires either disabled or enabled as its value",
    );
    check(
        &m.http_tokens,
        "optional",
        "required",
        "http_tokens requires either optional or required as its value",
    );
    check(
        &m.instance_metadata_tags,
        "enabled",
        "disabled",
        "instance_metadata_tags requires either disabled or enabled as its value",
    );
    // Packer reads 0 as "unset" (default 1).
    if let Some(h) = m.http_put_response_hop_limit.filter(|h| *h != 0) {
        if !(1..=64).contains(&h) {
            out.push(ConfigProblem::field(
                "metadata_options",
                "http_put_response_hop_limit requires a number between 1 and 64",
            ));
        }
    }
}

fn policy_problems(d: &PolicyDocument, out: &mut Vec<ConfigProblem>) {
    let field = "temporary_iam_instance_profile_policy_document";
    if let Some(v) = set(&d.version) {
        if v != "2012-10-17" && v != "2008-10-17" {
            out.push(ConfigProblem::field(
                field,
                format!("policy document Version must be 2012-10-17 or 2008-10-17, not {v:?}"),
            ));
        }
    }
    let statements = d.statement.as_deref().unwrap_or_default();
    if statements.is_empty() {
        out.push(ConfigProblem::field(
            field,
            "the policy document needs at least one Statement block",
        ));
    }
    for s in statements {
        if !matches!(set(&s.effect), Some("Allow" | "Deny")) {
            out.push(ConfigProblem::field(
                field,
                "every Statement needs Effect \"Allow\" or \"Deny\"",
            ));
        }
        if s.action.as_ref().is_none_or(Vec::is_empty) {
            out.push(ConfigProblem::field(
                field,
                "every Statement needs an Action",
            ));
        }
        if s.resource.as_ref().is_none_or(Vec::is_empty) {
            out.push(ConfigProblem::field(
                field,
                "every Statement needs a Resource",
            ));
        }
    }
}

fn fast_launch_problems(f: &FastLaunch, out: &mut Vec<ConfigProblem>) {
    let both =
        |id: &Option<String>, name: &Option<String>| set(id).is_some() && set(name).is_some();
    if both(&f.template_id, &f.template_name) {
        out.push(ConfigProblem::field(
            "fast_launch",
            "fast_launch: only one of template_id or template_name can be specified",
        ));
    }
    if let Some(n) = f.max_parallel_launches.filter(|n| *n != 0) {
        if n < 6 {
            out.push(ConfigProblem::field(
                "fast_launch",
                "fast_launch: max_parallel_launches must be at least 6",
            ));
        }
    }
    if f.target_resource_count.is_some_and(|n| n < 0) {
        out.push(ConfigProblem::field(
            "fast_launch",
            "fast_launch: target_resource_count cannot be negative",
        ));
    }
    let mut seen = Vec::new();
    for t in f.region_launch_templates.iter().flatten() {
        match set(&t.region) {
            None => out.push(ConfigProblem::field(
                "fast_launch",
                "fast_launch: every region_launch_templates block needs a region",
            )),
            Some(r) if seen.contains(&r) => out.push(ConfigProblem::field(
                "fast_launch",
                format!("fast_launch: region {r} has more than one launch template"),
            )),
            Some(r) => seen.push(r),
        }
        if both(&t.template_id, &t.template_name) {
            out.push(ConfigProblem::field(
                "fast_launch",
                "fast_launch: only one of template_id or template_name can be specified",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{
        AssumeRole, FastLaunchTemplate, LicenseSpecification, PlacementBlock, ResourceFilter,
        Statement, VaultAwsEngine,
    };
    use kiln_core::component::Validate;

    /// A config that passes every check, to change one field at a time.
    fn base() -> AmazonConfig {
        AmazonConfig {
            ami_name: Some("kiln-test".into()),
            source_ami: Some("ami-1".into()),
            instance_type: Some("t3.micro".into()),
            communicator: Some("none".into()),
            ..AmazonConfig::default()
        }
    }

    fn problems(c: &AmazonConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn the_base_config_passes() {
        assert_eq!(problems(&base()), Vec::<String>::new());
    }

    #[test]
    fn metadata_options_take_packers_values() {
        let ok = AmazonConfig {
            metadata_options: Some(MetadataOptions {
                http_endpoint: Some("enabled".into()),
                http_tokens: Some("required".into()),
                http_put_response_hop_limit: Some(64),
                instance_metadata_tags: Some("enabled".into()),
            }),
            ..base()
        };
        assert_eq!(problems(&ok), Vec::<String>::new());
        let bad = AmazonConfig {
            metadata_options: Some(MetadataOptions {
                http_endpoint: Some("on".into()),
                http_tokens: Some("v2".into()),
                http_put_response_hop_limit: Some(65),
                instance_metadata_tags: Some("yes".into()),
            }),
            ..base()
        };
        assert_eq!(
            problems(&bad),
            [
                "http_endpoint requires either disabled or enabled as its value",
                "http_tokens requires either optional or required as its value",
                "instance_metadata_tags requires either disabled or enabled as its value",
                "http_put_response_hop_limit requires a number between 1 and 64",
            ]
        );
        let negative = AmazonConfig {
            metadata_options: Some(MetadataOptions {
                http_put_response_hop_limit: Some(-1),
                ..MetadataOptions::default()
            }),
            ..base()
        };
        assert_eq!(
            problems(&negative),
            ["http_put_response_hop_limit requires a number between 1 and 64"]
        );
    }

    #[test]
    fn spot_fields_need_a_spot_price_and_exclude_instance_type() {
        let c = AmazonConfig {
            spot_instance_types: Some(vec!["t3.micro".into()]),
            spot_tags: Some([("a".to_owned(), "b".to_owned())].into()),
            fleet_tags: Some([("a".to_owned(), "b".to_owned())].into()),
            block_duration_minutes: Some(90),
            spot_allocation_strategy: Some("cheapest".into()),
            spot_price_auto_product: Some("Plan9".into()),
            ..base()
        };
        assert_eq!(
            problems(&c),
            [
                "either instance_type or spot_instance_types must be specified, not both",
                "fleet_tags should not be set when not requesting a spot instance",
                "block_duration_minutes must be multiple of 60",
                "spot_tags should not be set when not requesting a spot instance",
                "spot_instance_types needs spot_price (a price or \"auto\")",
                "spot_price_auto_product must be one of Linux/UNIX, SUSE Linux, Windows, Linux/UNIX (Amazon VPC), SUSE Linux (Amazon VPC), Windows (Amazon VPC)",
                "spot_allocation_strategy must be one of lowest-price, diversified, capacity-optimized, capacity-optimized-prioritized, price-capacity-optimized",
            ]
        );
        let ok = AmazonConfig {
            instance_type: None,
            spot_instance_types: Some(vec!["t3.micro".into(), "t3a.micro".into()]),
            spot_price: Some("auto".into()),
            spot_tags: Some([("a".to_owned(), "b".to_owned())].into()),
            block_duration_minutes: Some(120),
            spot_allocation_strategy: Some("price-capacity-optimized".into()),
            ..base()
        };
        assert_eq!(problems(&ok), Vec::<String>::new());
        assert!(ok.is_spot());
        let bad_price = AmazonConfig {
            spot_price: Some("cheap".into()),
            ..base()
        };
        assert_eq!(
            problems(&bad_price),
            ["spot_price must be a price in dollars or \"auto\", not \"cheap\""]
        );
        let zero = AmazonConfig {
            spot_price: Some("0".into()),
            ..base()
        };
        assert!(!zero.is_spot());
    }

    #[test]
    fn unlimited_credits_need_a_burstable_type_and_no_spot() {
        for t in ["t2.micro", "t3.small", "t3a.nano", "t4g.micro"] {
            let c = AmazonConfig {
                instance_type: Some(t.into()),
                enable_unlimited_credits: Some(true),
                ..base()
            };
            assert_eq!(problems(&c), Vec::<String>::new(), "{t}");
        }
        let c = AmazonConfig {
            instance_type: Some("m5.large".into()),
            enable_t2_unlimited: Some(true),
            spot_price: Some("0.05".into()),
            ..base()
        };
        assert!(c.unlimited_credits());
        assert_eq!(
            problems(&c),
            [
                "Error: Instance Type: m5.large is not within the supported types for Unlimited credits. Supported instance types are T2, T3, and T4g",
                "Error: Unlimited credits cannot be used in conjunction with Spot Instances",
            ]
        );
    }

    #[test]
    fn ami_sharing_fields_are_checked() {
        let ok = AmazonConfig {
            ami_org_arns: Some(vec![
                "arn:aws:organizations::123456789012:organization/o-abcdefghij".into(),
            ]),
            ami_ou_arns: Some(vec![
                "arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-abcdefgh".into(),
            ]),
            imds_support: Some("v2.0".into()),
            snapshot_copy_duration_minutes: Some(30),
            ..base()
        };
        assert_eq!(problems(&ok), Vec::<String>::new());
        let bad = AmazonConfig {
            ami_org_arns: Some(vec!["o-abcdefghij".into()]),
            ami_ou_arns: Some(vec![
                "arn:aws:organizations::123456789012:organization/o-abcdefghij".into(),
            ]),
            imds_support: Some("v2".into()),
            snapshot_copy_duration_minutes: Some(20),
            skip_save_build_region: Some(true),
            encrypt_boot: Some(true),
            ..base()
        };
        assert_eq!(
            problems(&bad),
            [
                "Cannot share AMI encrypted with default KMS key",
                "\"o-abcdefghij\" is not an organization ARN (arn:aws:organizations::ACCOUNT:organization/o-ID)",
                "\"arn:aws:organizations::123456789012:organization/o-abcdefghij\" is not an organizational unit ARN (arn:aws:organizations::ACCOUNT:ou/o-ID/ou-ID)",
                "imds_support only accepts \"v2.0\", not \"v2\"",
                "snapshot_copy_duration_minutes must be at least 15 and a multiple of 15",
                "skip_save_build_region needs ami_regions: otherwise no AMI would be kept",
            ]
        );
    }

    #[test]
    fn capacity_tenancy_and_enclaves() {
        let c = AmazonConfig {
            capacity_reservation_preference: Some("closed".into()),
            capacity_reservation_id: Some("cr-1".into()),
            capacity_reservation_group_arn: Some("arn:x".into()),
            placement: Some(PlacementBlock {
                tenancy: Some("shared".into()),
                ..PlacementBlock::default()
            }),
            tenancy: Some("default".into()),
            enable_nitro_enclave: Some(true),
            spot_price: Some("auto".into()),
            ..base()
        };
        assert_eq!(
            problems(&c),
            [
                "capacity_reservation_preference only accepts 'none' or 'open' values",
                "Only one of capacity_reservation_id or capacity_reservation_group_arn can be specified.",
                "capacity_reservation_preference cannot be used with capacity_reservation_id or capacity_reservation_group_arn",
                "Error: Please set only one of placement.tenancy and tenancy (deprecated)",
                "Error: Unknown tenancy type shared",
                "Error: Nitro Enclave cannot be used in conjunction with Spot Instances",
                "Error: Nitro Enclaves cannot be used in conjunction with burstable instance types: t3.micro",
            ]
        );
        let placed = AmazonConfig {
            placement: Some(PlacementBlock {
                tenancy: Some("dedicated".into()),
                ..PlacementBlock::default()
            }),
            ..base()
        };
        assert_eq!(placed.effective_tenancy().as_deref(), Some("dedicated"));
    }

    #[test]
    fn the_policy_document_is_checked() {
        let ok = AmazonConfig {
            temporary_iam_instance_profile_policy_document: Some(PolicyDocument {
                version: Some("2012-10-17".into()),
                statement: Some(vec![Statement {
                    effect: Some("Allow".into()),
                    action: Some(vec!["s3:GetObject".into()]),
                    resource: Some(vec!["*".into()]),
                }]),
            }),
            ..base()
        };
        assert_eq!(problems(&ok), Vec::<String>::new());
        let bad = AmazonConfig {
            iam_instance_profile: Some("p".into()),
            temporary_iam_instance_profile_policy_document: Some(PolicyDocument {
                version: Some("2020-01-01".into()),
                statement: Some(vec![Statement {
                    effect: Some("allow".into()),
                    ..Statement::default()
                }]),
            }),
            ..base()
        };
        assert_eq!(
            problems(&bad),
            [
                "policy document Version must be 2012-10-17 or 2008-10-17, not \"2020-01-01\"",
                "every Statement needs Effect \"Allow\" or \"Deny\"",
                "every Statement needs an Action",
                "every Statement needs a Resource",
                "Only one of iam_instance_profile or temporary_iam_instance_profile_policy_document can be specified.",
            ]
        );
        let empty = AmazonConfig {
            temporary_iam_instance_profile_policy_document: Some(PolicyDocument::default()),
            ..base()
        };
        assert_eq!(
            problems(&empty),
            ["the policy document needs at least one Statement block"]
        );
    }

    #[test]
    fn access_blocks_and_filters_and_licenses() {
        let c = AmazonConfig {
            access_key: Some("a".into()),
            secret_key: Some("b".into()),
            vault_aws_engine: Some(VaultAwsEngine {
                ttl: Some("soon".into()),
                ..VaultAwsEngine::default()
            }),
            assume_role: Some(AssumeRole {
                duration_seconds: Some(60),
                ..AssumeRole::default()
            }),
            license_specifications: Some(vec![LicenseSpecification::default()]),
            vpc_filter: Some(ResourceFilter {
                filter: Some(vec![NameValue {
                    value: Some("x".into()),
                    ..NameValue::default()
                }]),
                ..ResourceFilter::default()
            }),
            temporary_security_group_source_public_ip: Some(true),
            security_group_ids: Some(vec!["sg-1".into()]),
            ..base()
        };
        assert_eq!(
            problems(&c),
            [
                "If you have set vault_aws_engine, you must not set the access_key or secret_key.",
                "vault_aws_engine needs a name (the Vault role to read credentials from)",
                "vault_aws_engine ttl \"soon\" is not a duration",
                "assume_role needs a role_arn",
                "assume_role duration_seconds must be between 900 and 43200, not 60",
                "license_specifications needs license_configuration_request { license_configuration_arn = … }",
                "every filter block of vpc_filter needs a name",
                "temporary_security_group_source_public_ip applies to the temporary security group only, not with security_group_id(s)",
            ]
        );
    }

    #[test]
    fn fast_launch_is_checked() {
        let c = AmazonConfig {
            fast_launch: Some(FastLaunch {
                template_id: Some("lt-1".into()),
                template_name: Some("n".into()),
                max_parallel_launches: Some(2),
                target_resource_count: Some(-1),
                region_launch_templates: Some(vec![
                    FastLaunchTemplate {
                        region: Some("us-east-1".into()),
                        ..FastLaunchTemplate::default()
                    },
                    FastLaunchTemplate {
                        region: Some("us-east-1".into()),
                        ..FastLaunchTemplate::default()
                    },
                    FastLaunchTemplate::default(),
                ]),
                ..FastLaunch::default()
            }),
            ..base()
        };
        assert_eq!(
            problems(&c),
            [
                "fast_launch: only one of template_id or template_name can be specified",
                "fast_launch: max_parallel_launches must be at least 6",
                "fast_launch: target_resource_count cannot be negative",
                "fast_launch: region us-east-1 has more than one launch template",
                "fast_launch: every region_launch_templates block needs a region",
            ]
        );
    }

    #[test]
    fn singular_tag_blocks_are_copied_on_the_maps() {
        let merged = crate::config::merge_tags(
            Some(&[("a".to_owned(), "1".to_owned())].into()),
            Some(&[crate::config::KeyValue {
                key: Some("b c".into()),
                value: Some("2".into()),
            }]),
        );
        assert_eq!(
            merged,
            [
                ("a".to_owned(), "1".to_owned()),
                ("b c".to_owned(), "2".to_owned())
            ]
            .into()
        );
        let f = ResourceFilter {
            filters: Some([("tag:Name".to_owned(), "x".to_owned())].into()),
            filter: Some(vec![NameValue {
                name: Some("vpc-id".into()),
                value: Some("vpc-1".into()),
            }]),
        };
        assert_eq!(f.merged().len(), 2);
    }
}
