//! `data "amazon-secretsmanager"`: one version of a secret (`name`;
//! `version_id`, else `version_stage`, default `AWSCURRENT`). Outputs:
//! `value` (see [`secret_value`]), `secret_string`, `secret_binary`
//! (base64, as Packer documents it), `version_id`. The endpoint is the
//! SDK's (`AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL`).

use super::{open, DataFailure};
use base64::Engine;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::datasource::{DataSourceError, OutputType, Outputs};
use kiln_core::{Cancel, DataSource};
use serde::Deserialize;
use serde_json::Value as J;

crate::access_config! {
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SecretsManagerConfig {
        /// The secret's name or ARN.
        pub name: Option<String>,
        /// A key of a JSON secret: `value` is that key's value.
        pub key: Option<String>,
        /// Wins over `version_stage`.
        pub version_id: Option<String>,
        /// Default `AWSCURRENT`.
        pub version_stage: Option<String>,
    }
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

impl Validate for SecretsManagerConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        self.access_fields().problems(&mut out);
        if non_empty(&self.name).is_none() {
            out.push(ConfigProblem::field("name", "a 'name' must be provided"));
        }
        out
    }

    fn resolve_settings(&self) {
        let _ = self.access_fields().access();
    }
}

pub struct SecretsManager {
    config: SecretsManagerConfig,
}

impl From<SecretsManagerConfig> for SecretsManager {
    fn from(config: SecretsManagerConfig) -> SecretsManager {
        SecretsManager { config }
    }
}

pub const OUTPUTS: &[(&str, OutputType)] = &[
    ("value", OutputType::String),
    ("secret_string", OutputType::String),
    ("secret_binary", OutputType::String),
    ("version_id", OutputType::String),
];

/// What a value of a JSON secret is as a string: strings as they are,
/// numbers without a fraction (Packer's `FormatFloat(v, 'f', 0, 64)`);
/// other kinds are an error with Go's type name, as in Packer.
fn scalar(v: &J) -> Result<String, DataFailure> {
    match v {
        J::String(s) => Ok(s.clone()),
        J::Number(n) => Ok(match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (_, Some(u)) => u.to_string(),
            _ => format!("{:.0}", n.as_f64().unwrap_or_default()),
        }),
        J::Bool(_) => Err(DataFailure::SecretValueType("bool")),
        J::Null => Err(DataFailure::SecretValueType("<nil>")),
        J::Array(_) => Err(DataFailure::SecretValueType("[]interface {}")),
        J::Object(_) => Err(DataFailure::SecretValueType("map[string]interface {}")),
    }
}

/// The `value` output. A secret that is a JSON object gives the value of
/// `key`, and without `key` the value of its only entry (Packer takes "the
/// first value", which for several entries is a random one in Go, so kiln
/// gives the whole string then). Anything else is the whole string.
pub fn secret_value(name: &str, secret: &str, key: Option<&str>) -> Result<String, DataFailure> {
    let Ok(J::Object(map)) = serde_json::from_str::<J>(secret) else {
        return Ok(secret.to_owned());
    };
    match key {
        Some(k) => match map.get(k) {
            Some(v) => scalar(v),
            None => Err(DataFailure::NoSuchKey {
                name: name.to_owned(),
                key: k.to_owned(),
            }),
        },
        None if map.len() == 1 => map.values().next().map_or(Ok(String::new()), scalar),
        None => Ok(secret.to_owned()),
    }
}

impl SecretsManager {
    fn run(&self, cancel: &Cancel) -> Result<Outputs, DataFailure> {
        let c = &self.config;
        let name = c.name.clone().unwrap_or_default();
        let (session, _) = open(&c.access_fields())?;
        let mut req = session
            .secrets_manager()
            .get_secret_value()
            .secret_id(&name);
        let version = if let Some(id) = non_empty(&c.version_id) {
            req = req.version_id(id);
            id.to_owned()
        } else {
            let stage = non_empty(&c.version_stage).unwrap_or("AWSCURRENT");
            req = req.version_stage(stage);
            stage.to_owned()
        };
        let got = session
            .call(cancel, "GetSecretValue", req.send())
            .map_err(|e| {
                let deleted = e.code() == Some("InvalidRequestException")
                    && e.to_string().contains("deleted");
                if e.code() == Some("ResourceNotFoundException") || deleted {
                    DataFailure::SecretNotFound {
                        name: name.clone(),
                        version: version.clone(),
                    }
                } else {
                    DataFailure::Secret(e)
                }
            })?;
        let secret = got.secret_string().unwrap_or_default();
        let value = secret_value(&name, secret, non_empty(&c.key))?;
        let binary = got
            .secret_binary()
            .map(|b| base64::engine::general_purpose::STANDARD.encode(b.as_ref()))
            .unwrap_or_default();
        let mut out = Outputs::new();
        out.insert("value".into(), J::String(value));
        out.insert("secret_string".into(), J::String(secret.to_owned()));
        out.insert("secret_binary".into(), J::String(binary));
        out.insert(
            "version_id".into(),
            J::String(got.version_id().unwrap_or_default().to_owned()),
        );
        Ok(out)
    }
}

impl DataSource for SecretsManager {
    fn outputs(&self) -> &'static [(&'static str, OutputType)] {
        OUTPUTS
    }

    fn execute(&self, cancel: &Cancel) -> Result<Outputs, DataSourceError> {
        self.run(cancel).map_err(DataSourceError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_of_a_key_of_a_json_secret() {
        let s = r#"{"user":"admin","port":5432,"ratio":1.5}"#;
        assert_eq!(secret_value("n", s, Some("user")).unwrap(), "admin");
        assert_eq!(secret_value("n", s, Some("port")).unwrap(), "5432");
        assert_eq!(secret_value("n", s, Some("ratio")).unwrap(), "2");
        let e = secret_value("n", s, Some("nope"))
            .expect_err("an error")
            .to_string();
        assert!(e.contains("has no key \"nope\""), "{e}");
    }

    #[test]
    fn whole_string_unless_a_key_picks_one() {
        assert_eq!(secret_value("n", "plain", Some("k")).unwrap(), "plain");
        assert_eq!(secret_value("n", "plain", None).unwrap(), "plain");
        assert_eq!(secret_value("n", r#"{"only":"v"}"#, None).unwrap(), "v");
        let two = r#"{"a":"1","b":"2"}"#;
        assert_eq!(secret_value("n", two, None).unwrap(), two);
        assert_eq!(secret_value("n", "[1,2]", None).unwrap(), "[1,2]");
    }

    #[test]
    fn other_json_kinds_are_an_error() {
        let e = secret_value("n", r#"{"k":true}"#, Some("k"))
            .expect_err("an error")
            .to_string();
        assert!(e.contains("Unsupported secret value type: bool"), "{e}");
    }
}
