//! Registry calls that fail for transient reasons (connection resets,
//! 5xx) are tried again with a short backoff.

use crate::error::OciError;
use std::future::Future;
use std::time::Duration;

pub const ATTEMPTS: u32 = 3;

pub async fn retry<T, F, Fut>(what: &str, mut f: F) -> Result<T, OciError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, oci_client::errors::OciDistributionError>>,
{
    let mut attempt = 1;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt < ATTEMPTS && transient(&e) => {
                tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                attempt += 1;
            }
            Err(e) => return Err(super::registry_error(what, e)),
        }
    }
}

fn transient(e: &oci_client::errors::OciDistributionError) -> bool {
    use oci_client::errors::OciDistributionError as E;
    match e {
        E::RequestError(_) => true,
        E::ServerError { code, .. } => *code >= 500,
        _ => false,
    }
}
