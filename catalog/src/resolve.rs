//! Finding the artifact a consumer should use: a channel's version, then
//! the build of a platform (and region) in it.

use crate::catalog::Catalog;
use crate::error::CatalogError;
use crate::model::{BuildRecord, ExternalId, VersionRecord};
use crate::names;
use crate::state::BucketState;

/// HCP Packer names clouds, kiln names builders; both are accepted.
pub fn platform_matches(build: &BuildRecord, platform: &str) -> bool {
    let alias = match build.platform.as_str() {
        "amazon-ebs" => Some("aws"),
        "docker" | "oci" => Some("docker"),
        _ => None,
    };
    build.platform == platform || alias == Some(platform) || build.source_type == platform
}

pub struct Resolved {
    pub record: VersionRecord,
    pub build: BuildRecord,
    pub artifact: ExternalId,
}

impl Catalog {
    /// The version a channel is on now, checked usable.
    pub fn channel_version(
        &self,
        bucket: &str,
        channel: &str,
    ) -> Result<(BucketState, u64), CatalogError> {
        names::check_channel(channel)?;
        let b = names::check_bucket(bucket)?;
        if let Ok(Some((state, v))) = self.channel_from_tag(&b, channel) {
            self.check_usable(&state, v)?;
            return Ok((state, v));
        }
        let state = self.state(bucket)?;
        let c = state
            .channels
            .get(channel)
            .ok_or_else(|| CatalogError::UnknownChannel {
                bucket: state.bucket.clone(),
                channel: channel.to_owned(),
            })?;
        let Some(v) = c.effective else {
            let why = match c.target {
                Some(t) => format!(
                    ": {} is revoked and no earlier version is good",
                    names::version_tag(t)
                ),
                None => ": its versions were revoked".to_owned(),
            };
            return Err(CatalogError::EmptyChannel {
                bucket: state.bucket.clone(),
                channel: channel.to_owned(),
                why,
            });
        };
        self.check_usable(&state, v)?;
        Ok((state, v))
    }

    /// The version with `fingerprint`, checked usable.
    pub fn fingerprint_version(
        &self,
        bucket: &str,
        fingerprint: &str,
    ) -> Result<(BucketState, u64), CatalogError> {
        let state = self.state(bucket)?;
        let v = state
            .versions
            .values()
            .rev()
            .find(|r| r.fingerprint == fingerprint)
            .map(|r| r.version)
            .ok_or_else(|| CatalogError::UnknownVersion {
                bucket: state.bucket.clone(),
                version: format!("with fingerprint {fingerprint:?}"),
            })?;
        self.check_usable(&state, v)?;
        Ok((state, v))
    }

    /// The artifact of `platform` (and `region`, when given) in a version.
    pub fn artifact_in(
        state: &BucketState,
        version: u64,
        platform: &str,
        region: Option<&str>,
        component_type: Option<&str>,
    ) -> Result<Resolved, CatalogError> {
        let record =
            state
                .versions
                .get(&version)
                .cloned()
                .ok_or_else(|| CatalogError::UnknownVersion {
                    bucket: state.bucket.clone(),
                    version: names::version_tag(version),
                })?;
        let mut have = Vec::new();
        for build in &record.builds {
            for a in &build.artifacts {
                have.push(format!("{}/{}", build.platform, a.region));
                let component_ok = component_type.is_none_or(|c| {
                    c == format!("{}.{}", build.source_type, build.source_name)
                        || c == build.source_type
                });
                if platform_matches(build, platform)
                    && region.is_none_or(|r| r == a.region)
                    && component_ok
                {
                    return Ok(Resolved {
                        build: build.clone(),
                        artifact: a.clone(),
                        record,
                    });
                }
            }
        }
        Err(CatalogError::NoArtifact {
            bucket: state.bucket.clone(),
            version: names::version_tag(version),
            platform: platform.to_owned(),
            region: region
                .map(|r| format!(" in region {r:?}"))
                .unwrap_or_default(),
            have: if have.is_empty() {
                "no artifacts".to_owned()
            } else {
                have.join(", ")
            },
        })
    }
}
