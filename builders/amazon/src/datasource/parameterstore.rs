//! `data "amazon-parameterstore"`: one SSM parameter (`name`,
//! `with_decryption` for SecureString). Outputs: `value`, `version`,
//! `arn`. SSM's endpoint is the SDK's (`AWS_ENDPOINT_URL_SSM`,
//! `AWS_ENDPOINT_URL`): Packer has no field for it.

use super::{open, DataFailure};
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::datasource::{DataSourceError, OutputType, Outputs};
use kiln_core::{Cancel, DataSource};
use serde::Deserialize;
use serde_json::Value as J;

crate::access_config! {
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ParameterStoreConfig {
        pub name: Option<String>,
        /// Decrypt a SecureString (ignored for String and StringList).
        pub with_decryption: Option<bool>,
    }
}

impl Validate for ParameterStoreConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        self.access_fields().problems(&mut out);
        if self.name.as_deref().is_none_or(str::is_empty) {
            out.push(ConfigProblem::field("name", "a 'name' must be provided"));
        }
        out
    }

    fn resolve_settings(&self) {
        let _ = self.access_fields().access();
    }
}

pub struct ParameterStore {
    config: ParameterStoreConfig,
}

impl From<ParameterStoreConfig> for ParameterStore {
    fn from(config: ParameterStoreConfig) -> ParameterStore {
        ParameterStore { config }
    }
}

pub const OUTPUTS: &[(&str, OutputType)] = &[
    ("value", OutputType::String),
    ("version", OutputType::String),
    ("arn", OutputType::String),
];

impl ParameterStore {
    fn run(&self, cancel: &Cancel) -> Result<Outputs, DataFailure> {
        let c = &self.config;
        let name = c.name.clone().unwrap_or_default();
        let (session, _) = open(&c.access_fields())?;
        let req = session
            .ssm()
            .get_parameter()
            .name(&name)
            .with_decryption(c.with_decryption == Some(true))
            .send();
        let got = session
            .call(cancel, "GetParameter", req)
            .map_err(|e| match e.code() {
                Some("ParameterNotFound") => DataFailure::ParameterNotFound(name.clone()),
                Some("ParameterVersionNotFound") => {
                    DataFailure::ParameterVersionNotFound(name.clone())
                }
                _ => DataFailure::Parameter(e),
            })?;
        let p = got.parameter();
        let s = |v: Option<&str>| J::String(v.unwrap_or_default().to_owned());
        let mut out = Outputs::new();
        out.insert("value".into(), s(p.and_then(|p| p.value())));
        out.insert(
            "version".into(),
            J::String(p.map_or(0, |p| p.version()).to_string()),
        );
        out.insert("arn".into(), s(p.and_then(|p| p.arn())));
        Ok(out)
    }
}

impl DataSource for ParameterStore {
    fn outputs(&self) -> &'static [(&'static str, OutputType)] {
        OUTPUTS
    }

    fn execute(&self, cancel: &Cancel) -> Result<Outputs, DataSourceError> {
        self.run(cancel).map_err(DataSourceError::from)
    }
}
