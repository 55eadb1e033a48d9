//! One AWS session per build or data source: the SDK's configuration
//! (credentials, region, endpoints) and a current-thread tokio runtime that the build's
//! own thread drives. Tokio stays inside this crate: the rest of kiln is
//! blocking, and every call here checks the build's cancel token while it
//! waits for EC2.

use crate::credentials::assume_role::{AssumeRoleProvider, RoleRequest};
use crate::credentials::mfa::{self, MfaPlan, SessionTokenProvider};
use crate::credentials::profile_files;
use crate::credentials::vault::VaultRequest;
use crate::error::AwsError;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::BehaviorVersion;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::Client;
use aws_smithy_http_client::tls;
use aws_types::region::Region;
use kiln_core::Cancel;
use std::future::Future;
use std::sync::Arc;

/// Credentials, region and endpoint, as the config gives them
/// ([`AccessFields::access`](crate::access::AccessFields::access)).
#[derive(Debug, Clone, Default)]
pub struct Access {
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub skip_metadata: bool,
    pub max_retries: Option<u32>,
    /// `shared_credentials_file`: the credentials file to read instead
    /// of `~/.aws/credentials`.
    pub credentials_file: Option<String>,
    /// `assume_role { … }`: STS AssumeRole on top of the base credentials.
    pub assume_role: Option<RoleRequest>,
    /// `mfa_code`, for the selected profile's `mfa_serial`.
    pub mfa_code: Option<String>,
    /// `vault_aws_engine { … }`: the base credentials come from Vault.
    pub vault: Option<VaultRequest>,
}

/// Why the credential check before a build failed.
#[derive(Debug)]
pub enum CredentialCheck {
    /// No provider of the chain had credentials.
    NoneFound,
    /// A provider failed (an STS call, a credential process, …).
    Failed(String),
}

/// The runtime and the SDK configuration; clients for other regions share
/// them. Shared with the artifact, whose `destroy` runs after the build.
pub struct Session {
    rt: tokio::runtime::Runtime,
    sdk: aws_types::SdkConfig,
    endpoint: Option<String>,
    max_retries: Option<u32>,
}

/// An EC2 client for one region.
#[derive(Clone)]
pub struct Ec2 {
    pub session: Arc<Session>,
    pub client: Client,
    pub region: String,
}

impl Session {
    pub fn open(access: &Access) -> Result<Arc<Session>, AwsError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AwsError::Runtime(e.to_string()))?;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut access = access.clone();
        // Vault first: its keys are the base credentials, as if the
        // template had them (Packer reads them in its Prepare).
        if let Some(v) = &access.vault {
            let c = v.fetch_from_env()?;
            access.access_key = Some(c.access_key);
            access.secret_key = Some(c.secret_key);
            access.token = c.token;
        }
        let files = profile_files::files(access.credentials_file.as_deref())?;
        let mfa_plan = match &access.mfa_code {
            Some(code) => {
                let profile = rt.block_on(profile_files::selected(
                    files.as_ref(),
                    access.profile.as_deref(),
                ))?;
                Some(mfa::plan(code, &profile, access.assume_role.is_some())?)
            }
            None => None,
        };
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http.clone());
        if let Some(r) = &access.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(p) = &access.profile {
            loader = loader.profile_name(p);
        }
        if let Some(f) = &files {
            loader = loader.profile_files(f.clone());
        }
        let profile_provider = |name: Option<&String>| {
            // The profile provider can reach out (SSO, credential
            // processes), so it needs the same HTTP client as the loader;
            // without one the SDK panics.
            let provider_config = aws_config::provider_config::ProviderConfig::default()
                .with_http_client(http.clone());
            let mut b = ProfileFileCredentialsProvider::builder().configure(&provider_config);
            if let Some(p) = name {
                b = b.profile_name(p);
            }
            if let Some(f) = &files {
                b = b.profile_files(f.clone());
            }
            b.build()
        };
        if let (Some(key), Some(secret)) = (&access.access_key, &access.secret_key) {
            loader = loader.credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                key,
                secret,
                access.token.clone(),
                None,
                "kiln-template",
            )));
        } else if let Some(MfaPlan::ProfileRole { source_profile, .. }) = &mfa_plan {
            // The profile's own role needs the MFA code, which the SDK's
            // profile provider cannot pass: kiln assumes it (below) on the
            // source profile's credentials.
            loader = loader.credentials_provider(SharedCredentialsProvider::new(profile_provider(
                Some(source_profile),
            )));
        } else if access.skip_metadata {
            // The default chain without the instance metadata service:
            // environment, then the shared files.
            let chain = aws_config::meta::credentials::CredentialsProviderChain::first_try(
                "Environment",
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            )
            .or_else("Profile", profile_provider(access.profile.as_ref()));
            loader = loader.credentials_provider(SharedCredentialsProvider::new(chain));
        }
        let sdk = rt.block_on(loader.load());
        let sdk = layer_sts(sdk, &access, mfa_plan, &retry_config(access.max_retries));
        Ok(Arc::new(Session {
            rt,
            sdk,
            endpoint: access.endpoint.clone(),
            max_retries: access.max_retries,
        }))
    }

    /// The build region: the config's, else the SDK chain's
    /// (`AWS_REGION`, the profile).
    pub fn region(&self) -> Option<String> {
        self.sdk.region().map(|r| r.to_string())
    }

    /// A client for `region`.
    pub fn ec2(self: &Arc<Session>, region: &str) -> Ec2 {
        let mut b =
            aws_sdk_ec2::config::Builder::from(&self.sdk).region(Region::new(region.to_owned()));
        if let Some(e) = &self.endpoint {
            b = b.endpoint_url(e);
        }
        b = b.retry_config(self.retry_config());
        Ec2 {
            session: Arc::clone(self),
            client: Client::from_conf(b.build()),
            region: region.to_owned(),
        }
    }

    /// The SDK configuration the clients are made from (kiln's tests make
    /// clients aimed at moto from it).
    #[doc(hidden)]
    pub fn sdk(&self) -> &aws_types::SdkConfig {
        &self.sdk
    }

    /// A Parameter Store client for the session's region. Its endpoint is
    /// the SDK's: `AWS_ENDPOINT_URL_SSM`, else `AWS_ENDPOINT_URL` (EC2's
    /// `custom_endpoint_ec2` is for EC2 only, as in Packer).
    pub fn ssm(&self) -> aws_sdk_ssm::Client {
        aws_sdk_ssm::Client::from_conf(
            aws_sdk_ssm::config::Builder::from(&self.sdk)
                .retry_config(self.retry_config())
                .build(),
        )
    }

    /// A Secrets Manager client for the session's region; its endpoint is
    /// `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else `AWS_ENDPOINT_URL`.
    pub fn secrets_manager(&self) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::from_conf(
            aws_sdk_secretsmanager::config::Builder::from(&self.sdk)
                .retry_config(self.retry_config())
                .build(),
        )
    }

    /// See [`retry_config`].
    fn retry_config(&self) -> aws_smithy_types::retry::RetryConfig {
        retry_config(self.max_retries)
    }

    /// Run a read-only call of any AWS client; the cancel token abandons
    /// it.
    pub fn call<T, E, R>(
        &self,
        cancel: &Cancel,
        op: &'static str,
        fut: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Result<T, AwsError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let r = self.rt.block_on(async {
            tokio::select! {
                r = fut => Some(r),
                () = fired(cancel) => None,
            }
        });
        match r {
            Some(r) => r.map_err(|e| api_error(op, e)),
            None => Err(AwsError::Cancelled),
        }
    }

    /// Run a call that creates something (any client): never abandoned
    /// half way, so its result is known and the resource can be removed.
    pub fn create<T, E, R>(
        &self,
        op: &'static str,
        fut: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Result<T, AwsError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        self.rt.block_on(fut).map_err(|e| api_error(op, e))
    }

    /// Packer's check before a build: the credentials resolve, and if not,
    /// whether none were found or a provider failed (an STS call, Vault's
    /// keys refused, …).
    pub fn check_credentials(&self) -> Result<(), CredentialCheck> {
        use aws_credential_types::provider::error::CredentialsError as E;
        let Some(p) = self.sdk.credentials_provider() else {
            return Err(CredentialCheck::NoneFound);
        };
        let r = self.rt.block_on(async {
            aws_credential_types::provider::ProvideCredentials::provide_credentials(&p).await
        });
        match r {
            Ok(_) => Ok(()),
            Err(E::CredentialsNotLoaded(_)) => Err(CredentialCheck::NoneFound),
            Err(e) => Err(CredentialCheck::Failed(DisplayErrorContext(&e).to_string())),
        }
    }

    /// An IAM client (IAM is global: its endpoint is the SDK's,
    /// `AWS_ENDPOINT_URL_IAM`, else `AWS_ENDPOINT_URL`).
    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::config::Builder::from(&self.sdk)
                .retry_config(self.retry_config())
                .build(),
        )
    }

    /// Whether credentials resolve (Packer's check before a build).
    pub fn credentials_resolve(&self) -> bool {
        let Some(p) = self.sdk.credentials_provider() else {
            return false;
        };
        self.rt
            .block_on(async {
                aws_credential_types::provider::ProvideCredentials::provide_credentials(&p).await
            })
            .is_ok()
    }
}

impl Ec2 {
    /// Run a read-only call; the cancel token abandons it.
    pub fn call<T, E, R>(
        &self,
        cancel: &Cancel,
        op: &'static str,
        fut: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Result<T, AwsError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        self.session.call(cancel, op, fut)
    }

    /// Run a call that creates something: it is never abandoned half way
    /// (its result must be known so the resource can be removed again),
    /// only bounded by the SDK's own timeouts and retries.
    pub fn create<T, E, R>(
        &self,
        op: &'static str,
        fut: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Result<T, AwsError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        self.session.create(op, fut)
    }
}

/// The SDK's standard mode retries throttling and transient errors with
/// jittered exponential backoff. `max_retries` counts retries (as
/// aws-sdk-go under Packer), so attempts are one more; unset, it is that
/// SDK's default of 3 retries.
fn retry_config(max_retries: Option<u32>) -> aws_smithy_types::retry::RetryConfig {
    let attempts = max_retries
        .filter(|n| *n > 0)
        .unwrap_or(3)
        .saturating_add(1);
    aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(attempts)
}

/// Put the STS layer (`assume_role`, `mfa_code`) over the base
/// credentials of `sdk`. The STS client has the base credentials; its
/// endpoint is the SDK's (`AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`).
fn layer_sts(
    sdk: aws_types::SdkConfig,
    access: &Access,
    mfa_plan: Option<MfaPlan>,
    retry: &aws_smithy_types::retry::RetryConfig,
) -> aws_types::SdkConfig {
    let role = match (&access.assume_role, &mfa_plan) {
        (Some(r), Some(MfaPlan::WithAssumeRole(m))) => Some(RoleRequest {
            mfa: Some(m.clone()),
            ..r.clone()
        }),
        (Some(r), _) => Some(r.clone()),
        (None, Some(MfaPlan::ProfileRole { request, .. })) => Some(request.clone()),
        (None, _) => None,
    };
    let sts = || {
        aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&sdk)
                .retry_config(retry.clone())
                .build(),
        )
    };
    let provider = match (role, mfa_plan) {
        (Some(request), _) => {
            SharedCredentialsProvider::new(AssumeRoleProvider::new(sts(), request))
        }
        (None, Some(MfaPlan::SessionToken(m))) => {
            SharedCredentialsProvider::new(SessionTokenProvider::new(sts(), m))
        }
        (None, _) => return sdk,
    };
    sdk.to_builder().credentials_provider(provider).build()
}

async fn fired(cancel: &Cancel) {
    while !cancel.is_cancelled() {
        tokio::time::sleep(kiln_core::cancel::POLL).await;
    }
}

fn api_error<E, R>(op: &'static str, e: SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match e.code() {
        Some(code) => AwsError::Api {
            op,
            code: code.to_owned(),
            message: e.message().unwrap_or_default().to_owned(),
        },
        None => AwsError::Transport {
            op,
            detail: DisplayErrorContext(&e).to_string(),
        },
    }
}
