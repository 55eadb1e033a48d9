//! Intermediate AMIs: made from the running instance without a reboot
//! (after a `sync` where there is a shell), tagged with the step cache key
//! and the build they belong to, recorded in the step cache entry
//! (`ami.json`), and deleted once a newer one of the same build replaces
//! them. The build tag also finds one whose save a kill interrupted.

use crate::error::AwsError;
use crate::poll::Polling;
use crate::session::Ec2;
use crate::steps::amis::{describe_image, destroy_ami, snapshots_of};
use crate::steps::create_ami::wait_available;
use aws_sdk_ec2::types::{Filter, ImageState, ResourceType, Tag, TagSpecification};
use kiln_core::step_cache::StepKey;
use kiln_core::{BuildCtx, BuildInfo, Cancel};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The step cache key an intermediate AMI holds the machine of.
pub const KEY_TAG: &str = "kiln:step-cache-key";
/// Which build (template build, source and region) it belongs to.
pub const BUILD_TAG: &str = "kiln:step-cache-build";

/// What a step cache entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub region: String,
    pub ami: String,
    pub snapshots: Vec<String>,
}

const FILE: &str = "ami.json";

/// The build an intermediate AMI belongs to: saving a new one replaces the
/// older ones of the same build.
pub fn lineage(info: &BuildInfo, region: &str) -> String {
    let text = format!(
        "{}\n{}\n{}\n{region}",
        info.builder_type, info.name, info.source_name
    );
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

pub fn write(dir: &Path, saved: &Saved) -> Result<(), String> {
    let text = serde_json::to_vec_pretty(saved).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(FILE), text).map_err(|e| format!("writing {FILE}: {e}"))
}

pub fn load(dir: &Path) -> Option<Saved> {
    let text = std::fs::read(dir.join(FILE)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// The saved AMI, when it is still there and available in this region.
pub fn live(
    ec2: &Ec2,
    cancel: &Cancel,
    saved: &Saved,
) -> Result<Option<aws_sdk_ec2::types::Image>, AwsError> {
    if saved.region != ec2.region {
        return Ok(None);
    }
    Ok(describe_image(ec2, cancel, &saved.ami)?
        .filter(|i| i.state() == Some(&ImageState::Available)))
}

fn tags(key: &StepKey, step: usize, build: &str, name: &str) -> Vec<Tag> {
    [
        ("Name", name.to_owned()),
        (KEY_TAG, key.key.clone()),
        (BUILD_TAG, build.to_owned()),
        ("kiln:step-cache-step", format!("{step} ({})", key.step)),
    ]
    .into_iter()
    .map(|(k, v)| Tag::builder().key(k).value(v).build())
    .collect()
}

/// Make an intermediate AMI of `instance` after step `step`. An AMI whose
/// wait fails or is cancelled is removed again.
pub fn create(
    ec2: &Ec2,
    polling: &Polling,
    ctx: &BuildCtx<'_>,
    instance: &str,
    key: &StepKey,
    step: usize,
    build: &str,
) -> Result<Saved, AwsError> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let name = format!("kiln-step-cache-{}-{secs}", key.short());
    let tags = tags(key, step, build, &name);
    let req = ec2
        .client
        .create_image()
        .instance_id(instance)
        .name(&name)
        .description(format!("kiln step cache: the machine after step {step}"))
        .no_reboot(true)
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::Image)
                .set_tags(Some(tags.clone()))
                .build(),
        );
    let out = ec2.create("CreateImage", req.send())?;
    let ami = out.image_id().map(str::to_owned).ok_or(AwsError::Missing {
        op: "CreateImage",
        field: "ImageId",
    })?;
    ctx.ui.message(&format!("Intermediate AMI: {ami}"));
    let image = match wait_available(polling, ec2, ctx, &ami) {
        Ok(i) => i,
        Err(e) => {
            // Not cancellable: the AMI must not outlive a cancelled build.
            let _ = destroy_ami(ec2, &Cancel::new(), &ami);
            return Err(e);
        }
    };
    let snapshots = snapshots_of(&image);
    if !snapshots.is_empty() {
        // EC2 tags the snapshots at CreateImage too; moto only the image.
        let req = ec2
            .client
            .create_tags()
            .set_resources(Some(snapshots.clone()))
            .set_tags(Some(tags));
        let _ = ec2.call(ctx.cancel, "CreateTags", req.send());
    }
    Ok(Saved {
        region: ec2.region.clone(),
        ami,
        snapshots,
    })
}

/// Delete this build's intermediate AMIs other than `keep`; the ids
/// removed.
pub fn delete_superseded(
    ec2: &Ec2,
    cancel: &Cancel,
    build: &str,
    keep: &str,
) -> Result<Vec<String>, AwsError> {
    let out = ec2.call(
        cancel,
        "DescribeImages",
        ec2.client
            .describe_images()
            .owners("self")
            .filters(
                Filter::builder()
                    .name(format!("tag:{BUILD_TAG}"))
                    .values(build)
                    .build(),
            )
            .send(),
    )?;
    let mut removed = Vec::new();
    for id in out.images().iter().filter_map(|i| i.image_id()) {
        if id != keep {
            destroy_ami(ec2, cancel, id)?;
            removed.push(id.to_owned());
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_round_trips_and_a_missing_one_is_none() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(load(tmp.path()), None);
        let s = Saved {
            region: "us-east-1".into(),
            ami: "ami-12345678".into(),
            snapshots: vec!["snap-1".into()],
        };
        write(tmp.path(), &s).unwrap();
        assert_eq!(load(tmp.path()), Some(s));
    }
}
