//! `assume_role { … }` (and the role of a profile with `mfa_serial`):
//! STS AssumeRole on top of the base credentials. aws-config's own
//! `AssumeRoleProvider` has no `TransitiveTagKeys` and no MFA fields, so
//! kiln sends the request itself with aws-sdk-sts; the SDK's identity
//! cache in front of it asks again only when the credentials expire.

use super::mfa::{Memo, Mfa};
use aws_credential_types::provider::{self, error::CredentialsError, future, ProvideCredentials};
use aws_sdk_sts::error::DisplayErrorContext;
use aws_sdk_sts::types::{PolicyDescriptorType, Tag};
use std::collections::BTreeMap;

/// What the AssumeRole request carries (Packer's `AssumeRoleConfig`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleRequest {
    pub role_arn: String,
    /// Default: the current time in nanoseconds, as aws-sdk-go's stscreds.
    pub session_name: Option<String>,
    pub duration_seconds: Option<i32>,
    pub external_id: Option<String>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub transitive_tag_keys: Vec<String>,
    pub mfa: Option<Mfa>,
}

/// Credentials of the assumed role.
#[derive(Debug)]
pub struct AssumeRoleProvider {
    sts: aws_sdk_sts::Client,
    request: RoleRequest,
    memo: Memo,
}

impl AssumeRoleProvider {
    /// `sts` is a client with the base credentials.
    pub fn new(sts: aws_sdk_sts::Client, request: RoleRequest) -> AssumeRoleProvider {
        AssumeRoleProvider {
            sts,
            request,
            memo: Memo::default(),
        }
    }

    async fn assume(&self) -> provider::Result {
        if let Some(c) = self.memo.get() {
            return Ok(c);
        }
        let r = &self.request;
        let session_name = r.session_name.clone().unwrap_or_else(default_session_name);
        let mut req = self
            .sts
            .assume_role()
            .role_arn(&r.role_arn)
            .role_session_name(session_name)
            .set_duration_seconds(r.duration_seconds)
            .set_external_id(r.external_id.clone())
            .set_policy(r.policy.clone());
        for arn in &r.policy_arns {
            req = req.policy_arns(PolicyDescriptorType::builder().arn(arn).build());
        }
        for (k, v) in &r.tags {
            let tag = Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| CredentialsError::invalid_configuration(e.to_string()))?;
            req = req.tags(tag);
        }
        for k in &r.transitive_tag_keys {
            req = req.transitive_tag_keys(k);
        }
        if let Some(m) = &r.mfa {
            req = req.serial_number(&m.serial).token_code(&m.code);
        }
        let out = req.send().await.map_err(|e| {
            CredentialsError::provider_error(format!(
                "AssumeRole {}: {}",
                r.role_arn,
                DisplayErrorContext(&e)
            ))
        })?;
        let c = out.credentials().ok_or_else(|| {
            CredentialsError::provider_error("AssumeRole: the response has no Credentials")
        })?;
        let creds = super::mfa::from_sts(c, "kiln-assume-role");
        self.memo.put(&creds);
        Ok(creds)
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.assume())
    }
}

fn default_session_name() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos().to_string())
        .unwrap_or_else(|_| "kiln".to_owned())
}

/// The request for `assume_role { … }` of the template.
pub fn from_config(a: &crate::config::AssumeRole) -> Option<RoleRequest> {
    let set = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    Some(RoleRequest {
        role_arn: set(&a.role_arn)?,
        session_name: set(&a.session_name),
        duration_seconds: a
            .duration_seconds
            .filter(|d| *d > 0)
            .and_then(|d| i32::try_from(d).ok()),
        external_id: set(&a.external_id),
        policy: set(&a.policy),
        policy_arns: a.policy_arns.clone().unwrap_or_default(),
        tags: a.tags.clone().unwrap_or_default(),
        transitive_tag_keys: a.transitive_tag_keys.clone().unwrap_or_default(),
        mfa: None,
    })
}
