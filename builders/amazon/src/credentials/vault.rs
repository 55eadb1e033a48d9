//! `vault_aws_engine { … }`: AWS credentials from HashiCorp Vault's AWS
//! secrets engine over its HTTP API, as Packer reads them before the
//! build: `GET $VAULT_ADDR/v1/<engine>/creds/<name>`, or, with `role_arn`,
//! `PUT $VAULT_ADDR/v1/<engine>/sts/<name>` with `role_arn` and `ttl`.
//! `VAULT_TOKEN` and `VAULT_NAMESPACE` go in Vault's headers.

use super::CredentialsError;
use std::time::Duration;

/// Vault's default address when `VAULT_ADDR` is unset (Vault's client).
pub const DEFAULT_ADDR: &str = "https://127.0.0.1:8200";

/// Where and how to ask Vault.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VaultRequest {
    pub name: String,
    /// Default `aws`.
    pub engine_name: Option<String>,
    pub role_arn: Option<String>,
    pub ttl: Option<String>,
}

/// The keys Vault gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultCredentials {
    pub access_key: String,
    pub secret_key: String,
    pub token: Option<String>,
}

impl VaultRequest {
    pub fn from_config(v: &crate::config::VaultAwsEngine) -> VaultRequest {
        let set = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        VaultRequest {
            name: set(&v.name).unwrap_or_default(),
            engine_name: set(&v.engine_name),
            role_arn: set(&v.role_arn),
            ttl: set(&v.ttl),
        }
    }

    /// The API path (after `/v1/`) and, for `sts`, the JSON body.
    pub fn path_and_body(&self) -> (String, Option<String>) {
        let engine = self.engine_name.as_deref().unwrap_or("aws");
        match &self.role_arn {
            Some(arn) => {
                let mut body = serde_json::Map::new();
                body.insert("role_arn".into(), arn.clone().into());
                if let Some(ttl) = &self.ttl {
                    body.insert("ttl".into(), ttl.clone().into());
                }
                (
                    format!("{engine}/sts/{}", self.name),
                    Some(serde_json::Value::Object(body).to_string()),
                )
            }
            None => (format!("{engine}/creds/{}", self.name), None),
        }
    }

    /// Ask the Vault at `VAULT_ADDR` with `VAULT_TOKEN`.
    pub fn fetch_from_env(&self) -> Result<VaultCredentials, CredentialsError> {
        let addr = std::env::var("VAULT_ADDR")
            .ok()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let token = std::env::var("VAULT_TOKEN").ok().filter(|t| !t.is_empty());
        let namespace = std::env::var("VAULT_NAMESPACE")
            .ok()
            .filter(|t| !t.is_empty());
        self.fetch(&addr, token.as_deref(), namespace.as_deref())
    }

    pub fn fetch(
        &self,
        addr: &str,
        token: Option<&str>,
        namespace: Option<&str>,
    ) -> Result<VaultCredentials, CredentialsError> {
        let (path, body) = self.path_and_body();
        let url = format!("{}/v1/{path}", addr.trim_end_matches('/'));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("kiln/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let method = if body.is_some() { "PUT" } else { "GET" };
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(url.as_str());
        if let Some(t) = token {
            req = req.header("X-Vault-Token", t);
        }
        if let Some(n) = namespace {
            req = req.header("X-Vault-Namespace", n);
        }
        if body.is_some() {
            req = req.header("Content-Type", "application/json");
        }
        let req = req
            .body(body.unwrap_or_default())
            .map_err(|e| CredentialsError::Vault(e.to_string()))?;
        let mut resp = agent
            .run(req)
            .map_err(|e| CredentialsError::Vault(format!("{method} {url}: {e}")))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| CredentialsError::Vault(format!("{method} {url}: {e}")))?;
        if status == 404 {
            return Err(CredentialsError::VaultNoSecret);
        }
        if !(200..300).contains(&status) {
            return Err(CredentialsError::Vault(format!(
                "Error making API request.\n\nURL: {method} {url}\nCode: {status}. Errors:\n\n{}",
                vault_errors(&text)
            )));
        }
        parse_secret(&text)
    }
}

/// Vault's `{"errors": [...]}` as its client lists them.
fn vault_errors(text: &str) -> String {
    let errors: Vec<String> = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("errors").and_then(|e| e.as_array()).cloned())
        .unwrap_or_default()
        .iter()
        .map(|e| format!("* {}", e.as_str().unwrap_or_default()))
        .collect();
    if errors.is_empty() {
        text.trim().to_owned()
    } else {
        errors.join("\n")
    }
}

/// `data.access_key`, `data.secret_key`, `data.security_token` (null for
/// an IAM user's keys).
pub fn parse_secret(text: &str) -> Result<VaultCredentials, CredentialsError> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| CredentialsError::Vault(format!("decoding Vault's answer: {e}")))?;
    let Some(data) = v.get("data").filter(|d| d.is_object()) else {
        return Err(CredentialsError::VaultNoSecret);
    };
    let field = |k: &'static str| {
        data.get(k)
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(VaultCredentials {
        access_key: field("access_key").ok_or(CredentialsError::VaultMissing("access_key"))?,
        secret_key: field("secret_key").ok_or(CredentialsError::VaultMissing("secret_key"))?,
        token: field("security_token"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_vaults_aws_engine() {
        let r = VaultRequest {
            name: "build".into(),
            ..VaultRequest::default()
        };
        assert_eq!(r.path_and_body(), ("aws/creds/build".to_owned(), None));
        let r = VaultRequest {
            name: "build".into(),
            engine_name: Some("aws-prod".into()),
            role_arn: Some("arn:aws:iam::1:role/r".into()),
            ttl: Some("15m".into()),
        };
        let (path, body) = r.path_and_body();
        assert_eq!(path, "aws-prod/sts/build");
        let body: serde_json::Value = serde_json::from_str(&body.unwrap()).unwrap();
        assert_eq!(body["role_arn"], "arn:aws:iam::1:role/r");
        assert_eq!(body["ttl"], "15m");
    }

    #[test]
    fn secrets_parse_with_and_without_a_token() {
        let c = parse_secret(r#"{"lease_id":"aws/creds/x/1","data":{"access_key":"AKIA1","secret_key":"s","security_token":null}}"#).unwrap();
        assert_eq!(c.access_key, "AKIA1");
        assert_eq!(c.token, None);
        let c = parse_secret(
            r#"{"data":{"access_key":"ASIA1","secret_key":"s","security_token":"t"}}"#,
        )
        .unwrap();
        assert_eq!(c.token.as_deref(), Some("t"));
        assert!(matches!(
            parse_secret(r#"{"data":{"secret_key":"s"}}"#),
            Err(CredentialsError::VaultMissing("access_key"))
        ));
    }
}
