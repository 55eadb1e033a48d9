//! The boot's key: what the instance is before any provisioner runs. The
//! AMI's name, tags, sharing and regions are left out: they change the
//! output's record, not the machine.

use crate::config::AmazonConfig;
use kiln_core::step_cache::{digest_path, Input};
use sha2::{Digest, Sha256};

fn text_digest(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn boot_inputs(c: &AmazonConfig, source_ami: &str, region: &str) -> Vec<Input> {
    let mut out = vec![
        Input::new("source AMI", source_ami),
        Input::new("region", region),
        Input::new(
            "instance type",
            text_digest(&format!(
                "{:?}/{:?}",
                c.instance_type, c.spot_instance_types
            )),
        ),
        Input::new(
            "user_data",
            text_digest(c.user_data.as_deref().unwrap_or_default()),
        ),
        Input::new(
            "launch_block_device_mappings",
            text_digest(&format!("{:?}", c.launch_block_device_mappings)),
        ),
        Input::new(
            "iam_instance_profile",
            text_digest(c.iam_instance_profile.as_deref().unwrap_or_default()),
        ),
        Input::new(
            "communicator",
            text_digest(&format!("{:?}/{:?}", c.communicator, c.ssh_username)),
        ),
    ];
    if let Some(f) = c.user_data_file.as_deref().filter(|f| !f.is_empty()) {
        let d = digest_path(std::path::Path::new(f)).unwrap_or_else(|e| format!("unreadable: {e}"));
        out.push(Input::new(format!("user_data_file {f}"), d));
    }
    out
}
