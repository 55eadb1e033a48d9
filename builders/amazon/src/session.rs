//! One EC2 session per build: the SDK's configuration (credentials,
//! region, endpoint) and a current-thread tokio runtime that the build's
//! own thread drives. Tokio stays inside this crate: the rest of kiln is
//! blocking, and every call here checks the build's cancel token while it
//! waits for EC2.

use crate::config::AmazonConfig;
use crate::error::AwsError;
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

/// Credentials, region and endpoint, as the config gives them.
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
}

impl Access {
    pub fn from_config(c: &AmazonConfig) -> Access {
        let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        Access {
            access_key: non_empty(&c.access_key),
            secret_key: non_empty(&c.secret_key),
            token: non_empty(&c.token),
            profile: non_empty(&c.profile),
            region: non_empty(&c.region),
            endpoint: non_empty(&c.custom_endpoint_ec2),
            skip_metadata: AmazonConfig::flag(c.skip_metadata_api_check),
            max_retries: c.max_retries,
        }
    }
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
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
        if let Some(r) = &access.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(p) = &access.profile {
            loader = loader.profile_name(p);
        }
        if let (Some(key), Some(secret)) = (&access.access_key, &access.secret_key) {
            loader = loader.credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                key,
                secret,
                access.token.clone(),
                None,
                "kiln-template",
            )));
        } else if access.skip_metadata {
            // The default chain without the instance metadata service:
            // environment, then the shared files.
            let mut profile = aws_config::profile::ProfileFileCredentialsProvider::builder();
            if let Some(p) = &access.profile {
                profile = profile.profile_name(p);
            }
            let chain = aws_config::meta::credentials::CredentialsProviderChain::first_try(
                "Environment",
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            )
            .or_else("Profile", profile.build());
            loader = loader.credentials_provider(SharedCredentialsProvider::new(chain));
        }
        let sdk = rt.block_on(loader.load());
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
        // The SDK's standard mode retries throttling and transient errors
        // with jittered exponential backoff. `max_retries` counts retries
        // (as aws-sdk-go under Packer), so attempts are one more; unset,
        // it is that SDK's default of 3 retries.
        let attempts = self
            .max_retries
            .filter(|n| *n > 0)
            .unwrap_or(3)
            .saturating_add(1);
        b = b.retry_config(
            aws_sdk_ec2::config::retry::RetryConfig::standard().with_max_attempts(attempts),
        );
        Ec2 {
            session: Arc::clone(self),
            client: Client::from_conf(b.build()),
            region: region.to_owned(),
        }
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
        let r = self.session.rt.block_on(async {
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
        self.session.rt.block_on(fut).map_err(|e| api_error(op, e))
    }
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
