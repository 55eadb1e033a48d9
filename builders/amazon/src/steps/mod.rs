//! The steps of an `amazon-ebs` build, in Packer's order, one per file.

pub mod amis;
pub mod cleanup_volumes;
pub mod connect;
pub mod create_ami;
pub mod deprecate;
pub mod deregister;
pub mod deregistration_protection;
pub mod elastic_ip;
pub mod fast_launch;
pub mod iam_instance_profile;
pub mod key_pair;
pub mod launch_options;
pub mod modify_attributes;
pub mod modify_instance;
pub mod network;
pub mod pre_validate;
pub mod public_ip;
pub mod region_copy;
pub mod run_instance;
pub mod run_spot_instance;
pub mod security_group;
pub mod skip_build_region;
pub mod source_ami;
pub mod stop_instance;
pub mod tags;
pub mod test_ami;

use aws_sdk_ec2::types::{Filter, Tag};
use kiln_core::Ui;
use std::collections::BTreeMap;

/// One EC2 filter per map entry, as Packer's `buildEc2Filters`.
pub fn filters(map: &BTreeMap<String, String>) -> Vec<Filter> {
    map.iter()
        .map(|(k, v)| Filter::builder().name(k).values(v).build())
        .collect()
}

pub fn ec2_tags(map: &BTreeMap<String, String>) -> Vec<Tag> {
    map.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Packer's `ReportTags`: one `Adding tag: "k": "v"` line per tag.
pub fn report_tags(ui: &dyn Ui, map: &BTreeMap<String, String>) {
    for (k, v) in map {
        ui.message(&format!("Adding tag: \"{k}\": \"{v}\""));
    }
}

/// `what` for a wait or an error, e.g. `instance i-123`.
pub fn named(kind: &str, id: &str) -> String {
    format!("{kind} {id}")
}
