//! `launch_block_device_mappings` / `ami_block_device_mappings` blocks as
//! EC2 block device mappings (Packer's `BuildEC2BlockDeviceMappings`).

use crate::config::BlockDevice;
use aws_sdk_ec2::types::{BlockDeviceMapping, EbsBlockDevice, VolumeType};

pub fn launch_device(d: &BlockDevice) -> BlockDeviceMapping {
    let mut m = BlockDeviceMapping::builder().set_device_name(d.device_name.clone());
    if d.no_device == Some(true) {
        return m.no_device("").build();
    }
    if let Some(v) = d.virtual_name.as_deref().filter(|v| !v.is_empty()) {
        // Ephemeral (instance store) devices have no EBS part.
        if v.starts_with("ephemeral") {
            return m.virtual_name(v).build();
        }
        m = m.virtual_name(v);
    }
    let mut ebs = EbsBlockDevice::builder()
        .delete_on_termination(d.delete_on_termination == Some(true))
        .set_snapshot_id(d.snapshot_id.clone().filter(|s| !s.is_empty()))
        .set_volume_size(d.volume_size.filter(|s| *s > 0))
        .set_iops(d.iops.filter(|s| *s > 0))
        .set_throughput(d.throughput.filter(|s| *s > 0))
        .set_volume_type(
            d.volume_type
                .as_deref()
                .filter(|t| !t.is_empty())
                .map(VolumeType::from),
        );
    if d.snapshot_id.as_deref().is_none_or(str::is_empty) {
        // EC2 refuses `Encrypted` next to a snapshot: the snapshot decides.
        ebs = ebs.set_encrypted(d.encrypted);
    }
    if let Some(k) = d.kms_key_id.as_deref().filter(|k| !k.is_empty()) {
        ebs = ebs.kms_key_id(k);
    }
    m.ebs(ebs.build()).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ebs_and_ephemeral_devices() {
        let root = launch_device(&BlockDevice {
            device_name: Some("/dev/xvda".into()),
            volume_size: Some(20),
            volume_type: Some("gp3".into()),
            delete_on_termination: Some(true),
            ..BlockDevice::default()
        });
        let ebs = root.ebs().unwrap();
        assert_eq!(root.device_name(), Some("/dev/xvda"));
        assert_eq!(ebs.volume_size(), Some(20));
        assert_eq!(ebs.volume_type(), Some(&VolumeType::Gp3));
        assert_eq!(ebs.delete_on_termination(), Some(true));
        let eph = launch_device(&BlockDevice {
            device_name: Some("/dev/sdb".into()),
            virtual_name: Some("ephemeral0".into()),
            ..BlockDevice::default()
        });
        assert!(eph.ebs().is_none());
        assert_eq!(eph.virtual_name(), Some("ephemeral0"));
    }
}
