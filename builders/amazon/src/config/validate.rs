//! Packer's checks of an `amazon-ebs` config, in Packer's order (access,
//! AMI, block devices, run, communicator) and with its messages.

use super::{AmazonConfig, BlockDevice};
use crate::config::kms::valid_kms_key;
use crate::names;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::BuildInfo;
use std::collections::BTreeMap;

impl Validate for AmazonConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        self.access_problems(&mut out);
        self.ami_problems(&mut out);
        self.ami_extra_problems(&mut out);
        for d in self
            .ami_block_device_mappings
            .iter()
            .chain(&self.launch_block_device_mappings)
            .flatten()
        {
            block_device_problems(d, &mut out);
        }
        self.run_problems(&mut out);
        self.run_extra_problems(&mut out);
        out
    }

    fn resolve_settings(&self) {
        let _ = self.communicator_config().ssh_settings();
        let _ = crate::poll::Polling::from_config(self);
        let _ = self.access_fields().access();
    }
}

fn empty(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(str::is_empty)
}

impl AmazonConfig {
    fn access_problems(&self, out: &mut Vec<ConfigProblem>) {
        self.access_fields().problems(out);
        if let Some(p) = &self.aws_polling {
            if p.max_attempts == Some(0) {
                out.push(ConfigProblem::field(
                    "aws_polling",
                    "aws_polling max_attempts must be greater than 0",
                ));
            }
        }
    }

    fn ami_problems(&self, out: &mut Vec<ConfigProblem>) {
        let name = self.ami_name.clone().unwrap_or_default();
        if name.is_empty() {
            out.push(ConfigProblem::field(
                "ami_name",
                "ami_name must be specified",
            ));
        }
        let kms_regions = self.region_kms_key_ids.clone().unwrap_or_default();
        let regions = self.ami_regions.clone().unwrap_or_default();
        for r in kms_regions.keys() {
            if !regions.contains(r) {
                out.push(ConfigProblem::field(
                    "region_kms_key_ids",
                    format!("Region {r} is in region_kms_key_ids but not in ami_regions"),
                ));
            }
        }
        if !kms_regions.is_empty() {
            let mut seen = Vec::new();
            for r in &regions {
                if seen.contains(&r) {
                    continue;
                }
                seen.push(r);
                if !kms_regions.contains_key(r) {
                    out.push(ConfigProblem::field(
                        "ami_regions",
                        format!("Region {r} is in ami_regions but not in region_kms_key_ids"),
                    ));
                }
            }
        }
        let encrypt = Self::flag(self.encrypt_boot);
        let shared = [&self.ami_users, &self.ami_org_arns, &self.ami_ou_arns]
            .into_iter()
            .any(|v| !v.as_ref().is_none_or(Vec::is_empty));
        if shared {
            if empty(&self.kms_key_id) && encrypt {
                out.push(ConfigProblem::block(
                    "Cannot share AMI encrypted with default KMS key",
                ));
            }
            if kms_regions.values().any(String::is_empty) {
                out.push(ConfigProblem::block(
                    "Cannot share AMI encrypted with default KMS key for other regions",
                ));
            }
        }
        let keys: Vec<&String> = self
            .kms_key_id
            .iter()
            .filter(|k| !k.is_empty())
            .chain(kms_regions.values().filter(|k| !k.is_empty()))
            .collect();
        if !keys.is_empty() && !encrypt {
            out.push(ConfigProblem::field(
                "encrypt_boot",
                "If you have set either region_kms_key_ids or kms_key_id, encrypt_boot must also be true.",
            ));
        }
        for k in keys {
            if !valid_kms_key(k) {
                out.push(ConfigProblem::field(
                    "kms_key_id",
                    format!("{k:?} is not a valid KMS Key Id."),
                ));
            }
        }
        // Packer renders ami_name before checking it.
        let ctx = names::context(&BuildInfo::default(), &BTreeMap::new());
        match names::render(&name, &ctx) {
            Err(e) => out.push(ConfigProblem::field(
                "ami_name",
                format!("invalid 'ami_name': {e}"),
            )),
            Ok(rendered) => {
                if rendered.len() < 3 || rendered.len() > 128 {
                    out.push(ConfigProblem::field(
                        "ami_name",
                        "ami_name must be between 3 and 128 characters long",
                    ));
                }
                if !names::is_clean_ami_name(&rendered) {
                    out.push(ConfigProblem::field("ami_name", names::BAD_AMI_NAME));
                }
            }
        }
        if let Some(at) = self.deprecate_at.as_deref().filter(|s| !s.is_empty()) {
            if at.parse::<jiff::Timestamp>().is_err() {
                out.push(ConfigProblem::field(
                    "deprecate_at",
                    format!("deprecate_at {at:?} is not an RFC 3339 time"),
                ));
            }
        }
    }

    fn run_problems(&self, out: &mut Vec<ConfigProblem>) {
        let comm = self.communicator_config();
        out.extend(comm.problems());
        if let Some(i) = self.ssh_interface.as_deref() {
            if !matches!(
                i,
                "" | "public_ip" | "private_ip" | "public_dns" | "private_dns"
            ) {
                let msg = if i == "session_manager" {
                    "ssh_interface session_manager is not supported by kiln".to_owned()
                } else {
                    format!("Unknown interface type: {i}")
                };
                out.push(ConfigProblem::field("ssh_interface", msg));
            }
        }
        if !empty(&self.ssh_keypair_name)
            && empty(&self.ssh_private_key_file)
            && !Self::flag(self.ssh_agent_auth)
        {
            out.push(ConfigProblem::block(
                "ssh_private_key_file must be provided or ssh_agent_auth enabled when ssh_keypair_name is specified.",
            ));
        }
        let filter_empty = self.source_ami_filter.as_ref().is_none_or(|f| f.is_empty());
        if empty(&self.source_ami) && filter_empty {
            out.push(ConfigProblem::block(
                "A source_ami or source_ami_filter must be specified",
            ));
        }
        let no_owner = self
            .source_ami_filter
            .as_ref()
            .is_none_or(|f| f.owners.as_ref().is_none_or(Vec::is_empty));
        if empty(&self.source_ami) && no_owner {
            out.push(ConfigProblem::block(
                "For security reasons, your source AMI filter must declare an owner.",
            ));
        }
        if empty(&self.instance_type) && self.spot_instance_types.as_ref().is_none_or(Vec::is_empty)
        {
            out.push(ConfigProblem::field(
                "instance_type",
                "either instance_type or spot_instance_types must be specified",
            ));
        }
        if !empty(&self.user_data) && !empty(&self.user_data_file) {
            out.push(ConfigProblem::block(
                "Only one of user_data or user_data_file can be specified.",
            ));
        } else if let Some(f) = self.user_data_file.as_deref().filter(|f| !f.is_empty()) {
            if std::fs::metadata(f).is_err() {
                out.push(ConfigProblem::field(
                    "user_data_file",
                    format!("user_data_file not found: {f}"),
                ));
            }
        }
        if !empty(&self.security_group_id)
            && !self.security_group_ids.as_ref().is_none_or(Vec::is_empty)
        {
            out.push(ConfigProblem::block(
                "Only one of security_group_id or security_group_ids can be specified.",
            ));
        }
        for cidr in self.temporary_security_group_source_cidrs.iter().flatten() {
            if let Err(e) = parse_cidr(cidr) {
                out.push(ConfigProblem::field(
                    "temporary_security_group_source_cidrs",
                    format!("Error parsing CIDR in temporary_security_group_source_cidrs: {e}"),
                ));
            }
        }
        if let Some(b) = self.shutdown_behavior.as_deref() {
            if !b.is_empty() && b != "stop" && b != "terminate" {
                out.push(ConfigProblem::field(
                    "shutdown_behavior",
                    "shutdown_behavior only accepts 'stop' or 'terminate' values.",
                ));
            }
        }
        if let Some(t) = self.tenancy.as_deref() {
            if !matches!(t, "" | "default" | "dedicated" | "host") {
                out.push(ConfigProblem::field(
                    "tenancy",
                    format!("Error: Unknown tenancy type {t}"),
                ));
            }
        }
    }
}

fn block_device_problems(d: &BlockDevice, out: &mut Vec<ConfigProblem>) {
    if empty(&d.device_name) {
        out.push(ConfigProblem::block(
            "The `device_name` must be specified for every device in the block device mapping.",
        ));
    }
    if let Some(k) = d.kms_key_id.as_deref().filter(|k| !k.is_empty()) {
        if d.encrypted != Some(true) {
            out.push(ConfigProblem::block(
                "The device encrypted must be true for the kms_key_id to be used.",
            ));
        }
        if !valid_kms_key(k) {
            out.push(ConfigProblem::block(format!(
                "{k:?} is not a valid KMS Key Id."
            )));
        }
    }
}

/// Go's `net.ParseCIDR`, with its error text.
fn parse_cidr(s: &str) -> Result<(), String> {
    let bad = || format!("invalid CIDR address: {s}");
    let (addr, bits) = s.split_once('/').ok_or_else(bad)?;
    let max = if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        32
    } else if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        128
    } else {
        return Err(bad());
    };
    match bits.parse::<u8>() {
        Ok(n) if n <= max && !bits.starts_with('+') => Ok(()),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AmiFilter;

    fn messages(c: &AmazonConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    /// `packer validate` of `source "amazon-ebs" "ex" {}` (Packer 1.6.6).
    #[test]
    fn an_empty_source_gets_packers_six_errors() {
        assert_eq!(
            messages(&AmazonConfig::default()),
            [
                "ami_name must be specified",
                "ami_name must be between 3 and 128 characters long",
                "An ssh_username must be specified\n  Note: some builders used to default ssh_username to \"root\".",
                "A source_ami or source_ami_filter must be specified",
                "For security reasons, your source AMI filter must declare an owner.",
                "either instance_type or spot_instance_types must be specified",
            ]
        );
    }

    /// As Packer 1.6.6 reports the same combination.
    #[test]
    fn regions_keys_and_exclusive_fields() {
        let c = AmazonConfig {
            region: Some("us-east-1".into()),
            access_key: Some("a".into()),
            secret_key: Some("b".into()),
            ami_name: Some("x".into()),
            source_ami: Some("ami-1".into()),
            source_ami_filter: Some(AmiFilter {
                most_recent: Some(true),
                ..AmiFilter::default()
            }),
            ami_regions: Some(vec!["us-west-2".into()]),
            region_kms_key_ids: Some([("eu-west-1".to_owned(), "k".to_owned())].into()),
            kms_key_id: Some("k".into()),
            ami_users: Some(vec!["1".into()]),
            security_group_id: Some("sg-1".into()),
            security_group_ids: Some(vec!["sg-2".into()]),
            temporary_security_group_source_cidrs: Some(vec!["nope".into()]),
            user_data: Some("x".into()),
            user_data_file: Some("/nonexistent".into()),
            ssh_interface: Some("bogus".into()),
            communicator: Some("ssh".into()),
            instance_type: Some("t2.micro".into()),
            encrypt_boot: Some(false),
            ..AmazonConfig::default()
        };
        assert_eq!(
            messages(&c),
            [
                "Region eu-west-1 is in region_kms_key_ids but not in ami_regions",
                "Region us-west-2 is in ami_regions but not in region_kms_key_ids",
                "If you have set either region_kms_key_ids or kms_key_id, encrypt_boot must also be true.",
                "\"k\" is not a valid KMS Key Id.",
                "\"k\" is not a valid KMS Key Id.",
                "ami_name must be between 3 and 128 characters long",
                "An ssh_username must be specified\n  Note: some builders used to default ssh_username to \"root\".",
                "Unknown interface type: bogus",
                "Only one of user_data or user_data_file can be specified.",
                "Only one of security_group_id or security_group_ids can be specified.",
                "Error parsing CIDR in temporary_security_group_source_cidrs: invalid CIDR address: nope",
            ]
        );
    }

    #[test]
    fn owners_alone_are_a_filter_and_keys_need_secrets() {
        let c = AmazonConfig {
            access_key: Some("a".into()),
            ami_name: Some("xyz {{timestamp}}!".into()),
            source_ami_filter: Some(AmiFilter {
                owners: Some(vec!["self".into()]),
                ..AmiFilter::default()
            }),
            communicator: Some("none".into()),
            instance_type: Some("t2.micro".into()),
            ssh_keypair_name: Some("k".into()),
            ..AmazonConfig::default()
        };
        assert_eq!(
            messages(&c),
            [
                "`access_key` and `secret_key` must both be either set or not set.",
                names::BAD_AMI_NAME,
                "ssh_private_key_file must be provided or ssh_agent_auth enabled when ssh_keypair_name is specified.",
            ]
        );
    }

    #[test]
    fn cidrs_parse_as_go_does() {
        assert!(parse_cidr("10.0.0.0/8").is_ok());
        assert!(parse_cidr("::/0").is_ok());
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("10.0.0.0").is_err());
    }
}
