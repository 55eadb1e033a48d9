//! `data "hcp-packer-artifact"`: one build's artifact (platform, region,
//! optionally component type) in a channel's version or in the version
//! with a fingerprint.

use super::{failed, note_parent};
use crate::catalog::Catalog;
use crate::model::VersionRef;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::datasource::{DataSourceError, OutputType, Outputs};
use kiln_core::{Cancel, DataSource};
use serde::Deserialize;
use serde_json::Value as J;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtifactConfig {
    #[serde(default)]
    pub bucket_name: String,
    #[serde(default)]
    pub channel_name: String,
    #[serde(default)]
    pub version_fingerprint: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub component_type: String,
}

impl Validate for ArtifactConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.bucket_name.is_empty() {
            out.push(ConfigProblem::field(
                "bucket_name",
                "the `bucket_name` must be specified",
            ));
        }
        if self.channel_name.is_empty() && self.version_fingerprint.is_empty() {
            out.push(ConfigProblem::block(
                "`version_fingerprint` or `channel_name` must be specified",
            ));
        }
        if !self.channel_name.is_empty() && !self.version_fingerprint.is_empty() {
            out.push(ConfigProblem::block(
                "`version_fingerprint` and `channel_name` cannot be specified together",
            ));
        }
        if self.region.is_empty() {
            out.push(ConfigProblem::field(
                "region",
                "the `region` must be specified",
            ));
        }
        if self.platform.is_empty() {
            out.push(ConfigProblem::field(
                "platform",
                "the `platform` must be specified",
            ));
        }
        out
    }
}

pub struct Artifact {
    config: ArtifactConfig,
}

impl From<ArtifactConfig> for Artifact {
    fn from(config: ArtifactConfig) -> Artifact {
        Artifact { config }
    }
}

pub const OUTPUTS: &[(&str, OutputType)] = &[
    ("platform", OutputType::String),
    ("component_type", OutputType::String),
    ("created_at", OutputType::String),
    ("build_id", OutputType::String),
    ("version_id", OutputType::String),
    ("channel_id", OutputType::String),
    ("packer_run_uuid", OutputType::String),
    ("external_identifier", OutputType::String),
    ("region", OutputType::String),
    ("labels", OutputType::StringMap),
];

impl DataSource for Artifact {
    fn outputs(&self) -> &'static [(&'static str, OutputType)] {
        OUTPUTS
    }

    fn execute(&self, _cancel: &Cancel) -> Result<Outputs, DataSourceError> {
        let c = &self.config;
        let cat = crate::locate::from_env().map_err(failed)?;
        let (state, v) = if c.version_fingerprint.is_empty() {
            cat.channel_version(&c.bucket_name, &c.channel_name)
        } else {
            cat.fingerprint_version(&c.bucket_name, &c.version_fingerprint)
        }
        .map_err(failed)?;
        let component = Some(c.component_type.as_str()).filter(|s| !s.is_empty());
        let r = Catalog::artifact_in(&state, v, &c.platform, Some(&c.region), component)
            .map_err(failed)?;
        note_parent(VersionRef {
            bucket: state.bucket.clone(),
            version: v,
        });
        let channel_id = if c.channel_name.is_empty() {
            String::new()
        } else {
            format!("{}/{}", state.bucket, c.channel_name)
        };
        let mut out = Outputs::new();
        out.insert("platform".into(), J::from(r.build.platform.as_str()));
        out.insert(
            "component_type".into(),
            J::from(format!("{}.{}", r.build.source_type, r.build.source_name)),
        );
        out.insert("created_at".into(), J::from(r.record.created_at.as_str()));
        out.insert(
            "build_id".into(),
            J::from(format!("{}/v{v}/{}", state.bucket, r.build.name)),
        );
        out.insert("version_id".into(), J::from(r.record.id.as_str()));
        out.insert("channel_id".into(), J::from(channel_id));
        out.insert(
            "packer_run_uuid".into(),
            J::from(r.record.run_uuid.as_str()),
        );
        out.insert(
            "external_identifier".into(),
            J::from(r.artifact.id.as_str()),
        );
        out.insert("region".into(), J::from(r.artifact.region.as_str()));
        out.insert(
            "labels".into(),
            J::Object(
                r.build
                    .labels
                    .iter()
                    .map(|(k, v)| (k.clone(), J::from(v.as_str())))
                    .collect(),
            ),
        );
        Ok(out)
    }
}
