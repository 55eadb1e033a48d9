//! `data "amazon-ami"`: one AMI by filters and owners (Packer's
//! `AmiFilterOptions`), found by the same lookup as amazon-ebs's
//! `source_ami_filter`. Outputs: `id`, `name`, `creation_date`, `owner`,
//! `owner_name`, `tags`.

use super::{open, DataFailure};
use crate::ami_lookup::find_image;
use crate::config::AmiFilter;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::datasource::{DataSourceError, OutputType, Outputs};
use kiln_core::{Cancel, DataSource};
use serde::Deserialize;
use serde_json::Value as J;
use std::collections::BTreeMap;

crate::access_config! {
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AmiDataConfig {
        /// DescribeImages filters, name → value.
        pub filters: Option<BTreeMap<String, String>>,
        /// Account ids, `self`, or aliases such as `amazon`.
        pub owners: Option<Vec<String>>,
        /// The newest of several matches instead of an error.
        pub most_recent: Option<bool>,
        pub include_deprecated: Option<bool>,
    }
}

impl AmiDataConfig {
    /// The filter options, as amazon-ebs's `source_ami_filter` holds them.
    pub fn filter(&self) -> AmiFilter {
        AmiFilter {
            filters: self.filters.clone(),
            owners: self.owners.clone(),
            most_recent: self.most_recent,
            include_deprecated: self.include_deprecated,
        }
    }
}

impl Validate for AmiDataConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        self.access_fields().problems(&mut out);
        let filter = self.filter();
        if filter.is_empty() {
            out.push(ConfigProblem::block("The `filters` must be specified"));
        }
        if filter.owners.as_ref().is_none_or(Vec::is_empty) {
            out.push(ConfigProblem::field(
                "owners",
                "For security reasons, you must declare an owner.",
            ));
        }
        out
    }

    fn resolve_settings(&self) {
        let _ = self.access_fields().access();
    }
}

pub struct AmiData {
    config: AmiDataConfig,
}

impl From<AmiDataConfig> for AmiData {
    fn from(config: AmiDataConfig) -> AmiData {
        AmiData { config }
    }
}

/// Packer's output names and types.
pub const OUTPUTS: &[(&str, OutputType)] = &[
    ("id", OutputType::String),
    ("name", OutputType::String),
    ("creation_date", OutputType::String),
    ("owner", OutputType::String),
    ("owner_name", OutputType::String),
    ("tags", OutputType::StringMap),
];

impl AmiData {
    fn run(&self, cancel: &Cancel) -> Result<Outputs, DataFailure> {
        let access = self.config.access_fields();
        let (session, region) = open(&access)?;
        let ec2 = session.ec2(&region);
        let image = find_image(&ec2, cancel, None, &self.config.filter())?;
        let s = |v: Option<&str>| J::String(v.unwrap_or_default().to_owned());
        let tags: serde_json::Map<String, J> = image
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_owned(),
                    J::String(t.value().unwrap_or_default().to_owned()),
                )
            })
            .collect();
        let mut out = Outputs::new();
        out.insert("id".into(), s(image.image_id()));
        out.insert("name".into(), s(image.name()));
        out.insert("creation_date".into(), s(image.creation_date()));
        out.insert("owner".into(), s(image.owner_id()));
        out.insert("owner_name".into(), s(image.image_owner_alias()));
        out.insert("tags".into(), J::Object(tags));
        Ok(out)
    }
}

impl DataSource for AmiData {
    fn outputs(&self) -> &'static [(&'static str, OutputType)] {
        OUTPUTS
    }

    fn execute(&self, cancel: &Cancel) -> Result<Outputs, DataSourceError> {
        self.run(cancel).map_err(DataSourceError::from)
    }
}
