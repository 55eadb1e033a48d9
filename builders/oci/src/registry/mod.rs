//! Registries (OCI distribution API) through oci-client: pulling a base
//! image and pushing a built one. oci-client is async: tokio lives in
//! this module only, a current-thread runtime per operation, and every
//! call is raced against the build's cancel token.

pub mod attach;
pub mod attachments;
pub mod auth;
pub mod pull;
pub mod push;
pub mod retry;

use crate::error::OciError;
use kiln_core::Cancel;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::{Client, Reference};
use std::future::Future;
use std::time::Duration;

/// `docker://` references as Docker reads them (`debian` is
/// `docker.io/library/debian:latest`).
pub fn reference(s: &str) -> Result<Reference, OciError> {
    s.parse::<Reference>()
        .map_err(|e| OciError::BadReference(format!("{s}: {e}")))
}

/// Loopback registries speak plain HTTP, as Docker allows without
/// configuration; everything else HTTPS.
pub fn client(reference: &Reference) -> Client {
    let registry = reference.resolve_registry().to_owned();
    let host = registry
        .rsplit_once(':')
        .map_or(registry.as_str(), |(h, _)| h);
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    let protocol = if loopback {
        ClientProtocol::HttpsExcept(vec![registry.clone()])
    } else {
        ClientProtocol::Https
    };
    Client::new(ClientConfig {
        protocol,
        ..ClientConfig::default()
    })
}

/// Run `fut` to completion on a private runtime, or stop when `cancel`
/// fires.
pub fn block_on<T>(
    cancel: &Cancel,
    fut: impl Future<Output = Result<T, OciError>>,
) -> Result<T, OciError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| OciError::io("start the registry client", e))?;
    rt.block_on(async {
        tokio::select! {
            r = fut => r,
            () = cancelled(cancel) => Err(OciError::Cancelled),
        }
    })
}

async fn cancelled(cancel: &Cancel) {
    while !cancel.is_cancelled() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn registry_error(what: &str, e: impl std::fmt::Display) -> OciError {
    OciError::Registry(format!("{what}: {e}"))
}
