//! Removing an AMI and its snapshots: the failed build's partial images,
//! `force_deregister`, and the artifact's `destroy`.

use crate::error::AwsError;
use crate::poll::{Poll, Polling};
use crate::session::Ec2;
use aws_sdk_ec2::types::Image;
use kiln_core::Cancel;
use std::time::Duration;

/// The snapshot ids of an image's EBS devices.
pub fn snapshots_of(image: &Image) -> Vec<String> {
    image
        .block_device_mappings()
        .iter()
        .filter_map(|m| m.ebs()?.snapshot_id().map(str::to_owned))
        .collect()
}

/// Look up an AMI; `None` once it is gone.
pub fn describe_image(ec2: &Ec2, cancel: &Cancel, ami: &str) -> Result<Option<Image>, AwsError> {
    match ec2.call(
        cancel,
        "DescribeImages",
        ec2.client.describe_images().image_ids(ami).send(),
    ) {
        Ok(out) => Ok(out.images().first().cloned()),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Deregister `ami` and delete its snapshots (looked up first, as
/// deregistering forgets them). Returns the deleted snapshot ids.
pub fn destroy_ami(ec2: &Ec2, cancel: &Cancel, ami: &str) -> Result<Vec<String>, AwsError> {
    let snapshots = match describe_image(ec2, cancel, ami)? {
        Some(image) => snapshots_of(&image),
        None => return Ok(Vec::new()),
    };
    match ec2.call(
        cancel,
        "DeregisterImage",
        ec2.client.deregister_image().image_id(ami).send(),
    ) {
        Ok(_) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e),
    }
    for snap in &snapshots {
        delete_snapshot(ec2, cancel, snap)?;
    }
    Ok(snapshots)
}

/// Delete a snapshot, retrying while EC2 still counts it as used by the
/// image just deregistered.
pub fn delete_snapshot(ec2: &Ec2, cancel: &Cancel, snap: &str) -> Result<(), AwsError> {
    let retry = Polling {
        delay: Some(Duration::from_secs(2)),
        attempts: 30,
    };
    retry.wait(cancel, &format!("snapshot {snap}"), || {
        match ec2.call(
            cancel,
            "DeleteSnapshot",
            ec2.client.delete_snapshot().snapshot_id(snap).send(),
        ) {
            Ok(_) => Ok(Poll::Ready(())),
            Err(e) if e.is_not_found() => Ok(Poll::Ready(())),
            Err(e) if e.code() == Some("InvalidSnapshot.InUse") => Ok(Poll::Pending),
            Err(e) => Err(e),
        }
    })
}
