//! `data "hcp-packer-version"`: the version a channel of a bucket is on.

use super::{failed, note_parent, status};
use crate::model::VersionRef;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::datasource::{DataSourceError, OutputType, Outputs};
use kiln_core::{Cancel, DataSource};
use serde::Deserialize;
use serde_json::Value as J;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionConfig {
    #[serde(default)]
    pub bucket_name: String,
    #[serde(default)]
    pub channel_name: String,
}

impl Validate for VersionConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.bucket_name.is_empty() {
            out.push(ConfigProblem::field(
                "bucket_name",
                "the `bucket_name` must be specified",
            ));
        }
        if self.channel_name.is_empty() {
            out.push(ConfigProblem::field(
                "channel_name",
                "the `channel_name` must be specified",
            ));
        }
        out
    }
}

pub struct Version {
    config: VersionConfig,
}

impl From<VersionConfig> for Version {
    fn from(config: VersionConfig) -> Version {
        Version { config }
    }
}

pub const OUTPUTS: &[(&str, OutputType)] = &[
    ("author_id", OutputType::String),
    ("bucket_name", OutputType::String),
    ("status", OutputType::String),
    ("created_at", OutputType::String),
    ("fingerprint", OutputType::String),
    ("id", OutputType::String),
    ("name", OutputType::String),
    ("updated_at", OutputType::String),
    ("channel_id", OutputType::String),
];

impl DataSource for Version {
    fn outputs(&self) -> &'static [(&'static str, OutputType)] {
        OUTPUTS
    }

    fn execute(&self, _cancel: &Cancel) -> Result<Outputs, DataSourceError> {
        let c = &self.config;
        let cat = crate::locate::from_env().map_err(failed)?;
        let (state, v) = cat
            .channel_version(&c.bucket_name, &c.channel_name)
            .map_err(failed)?;
        let rec = state
            .versions
            .get(&v)
            .ok_or_else(|| DataSourceError::Failed(format!("{}: no v{v}", state.bucket)))?;
        note_parent(VersionRef {
            bucket: state.bucket.clone(),
            version: v,
        });
        let updated = state
            .channels
            .get(&c.channel_name)
            .and_then(|ch| ch.history.last())
            .map_or_else(|| rec.created_at.clone(), |e| e.at.clone());
        let mut out = Outputs::new();
        out.insert("author_id".into(), J::from(rec.author.as_str()));
        out.insert("bucket_name".into(), J::from(state.bucket.as_str()));
        out.insert("status".into(), J::from(status(state.revocation(v))));
        out.insert("created_at".into(), J::from(rec.created_at.as_str()));
        out.insert("fingerprint".into(), J::from(rec.fingerprint.as_str()));
        out.insert("id".into(), J::from(rec.id.as_str()));
        out.insert("name".into(), J::from(format!("v{v}")));
        out.insert("updated_at".into(), J::from(updated));
        out.insert(
            "channel_id".into(),
            J::from(format!("{}/{}", state.bucket, c.channel_name)),
        );
        Ok(out)
    }
}
