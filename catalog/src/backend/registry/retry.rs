//! Registry calls that failed for a passing reason (a reset connection,
//! a 5xx, 429 Too Many Requests) are tried again after a short pause.
//! Every call retried is idempotent: reads, blob uploads (a new upload
//! session each time) and manifest puts of the same bytes. A refused
//! connection is not passing: it is reported at once.

use oci_client::errors::{OciDistributionError as E, OciErrorCode};
use std::future::Future;
use std::time::Duration;

pub const ATTEMPTS: u32 = 3;

pub async fn retry<T, F, Fut>(mut call: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e) if attempt < ATTEMPTS && transient(&e) => {
                tracing::debug!("registry call failed ({e}); trying again");
                tokio::time::sleep(Duration::from_millis(250 * u64::from(attempt))).await;
                attempt += 1;
            }
            done => return done,
        }
    }
}

fn transient(e: &E) -> bool {
    match e {
        E::RequestError(r) => {
            !r.is_connect() && !r.is_timeout() && r.status().is_none_or(|s| s.is_server_error())
        }
        // distribution's filesystem storage answers DIGEST_INVALID while
        // another request rewrites a manifest's revision link that this
        // one reads (an index put checking its children, when a channel
        // tag re-puts a version's index at the same time): passing.
        E::ServerError { code, message, .. } => {
            *code >= 500 || *code == 429 || (*code == 400 && message.contains("DIGEST_INVALID"))
        }
        E::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                OciErrorCode::Toomanyrequests | OciErrorCode::DigestInvalid
            )
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn server(code: u16) -> E {
        E::ServerError {
            code,
            url: "u".into(),
            message: String::new(),
        }
    }

    fn run<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map(|rt| rt.block_on(f))
            .unwrap_or_else(|e| panic!("runtime: {e}"))
    }

    #[test]
    fn a_5xx_is_tried_again_a_404_is_not() {
        let calls = Cell::new(0);
        let r: Result<u32, E> = run(retry(|| {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                if n < 3 {
                    Err(server(503))
                } else {
                    Ok(n)
                }
            }
        }));
        assert_eq!(r.ok(), Some(3));

        calls.set(0);
        let r: Result<u32, E> = run(retry(|| {
            calls.set(calls.get() + 1);
            async { Err(server(404)) }
        }));
        assert!(r.is_err());
        assert_eq!(calls.get(), 1);

        calls.set(0);
        let r: Result<u32, E> = run(retry(|| {
            calls.set(calls.get() + 1);
            async { Err(server(500)) }
        }));
        assert!(r.is_err());
        assert_eq!(calls.get(), ATTEMPTS);
    }
}
