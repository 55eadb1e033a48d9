//! `GET /v2/<name>/referrers/<digest>`, made directly: oci-client's
//! `pull_referrers` answers a 404 with its own tag-schema fallback, which
//! hides whether the registry has the API at all, and the catalog does
//! that fallback itself (`sha256-<hex>` tags) where it is needed.

use super::fail::{self, Ctx, Kind};
use crate::error::CatalogError;
use crate::oci::{self, Descriptor};
use serde::Deserialize;
use std::time::Duration;

/// The referrers index; only its descriptors matter here.
#[derive(Deserialize)]
struct Referrers {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

/// A referrers answer is one small index.
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// The agent for `/v2/` probes, plain reads and referrers. Over HTTPS it
/// trusts the system's CA bundle (as OpenSSL finds it, `SSL_CERT_FILE`
/// first), as oci-client's native-tls does: a registry behind a private
/// CA must not work for manifests and fail for referrers. Plain HTTP
/// (loopback) reads no bundle.
pub fn agent(https: bool) -> ureq::Agent {
    let mut tls = ureq::tls::TlsConfig::builder();
    if let Some(certs) = https.then(system_roots).flatten() {
        tls = tls.root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(certs)));
    }
    ureq::Agent::config_builder()
        .tls_config(tls.build())
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(15)))
        .timeout_global(Some(Duration::from_secs(120)))
        .user_agent(concat!("kiln/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Where OpenSSL looks for the system's bundle on the common distributions.
const BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The certificates of the first bundle found; `None` (ureq's built-in
/// web roots then) when there is none.
fn system_roots() -> Option<Vec<ureq::tls::Certificate<'static>>> {
    let env = std::env::var_os("SSL_CERT_FILE").map(std::path::PathBuf::from);
    let pem = env
        .into_iter()
        .chain(BUNDLES.iter().map(std::path::PathBuf::from))
        .find_map(|p| std::fs::read(p).ok())?;
    roots_in(&pem)
}

fn roots_in(pem: &[u8]) -> Option<Vec<ureq::tls::Certificate<'static>>> {
    let certs: Vec<_> = ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    (!certs.is_empty()).then_some(certs)
}

/// `None` when the registry has no referrers API: a 404 (what the spec
/// prescribes, and what distribution 2.8 answers for the unknown route),
/// or 405/501 from servers that say so another way.
pub fn fetch(
    agent: &ureq::Agent,
    url: &str,
    authorization: Option<&str>,
    ctx: &Ctx<'_>,
) -> Result<Option<Vec<Descriptor>>, CatalogError> {
    let what = "list referrers";
    let mut req = agent.get(url).header("Accept", oci::INDEX);
    if let Some(a) = authorization {
        req = req.header("Authorization", a);
    }
    let mut resp = req.call().map_err(|e| {
        let kind = match e {
            ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed => Kind::Unreachable,
            _ => Kind::Other,
        };
        ctx.of_kind(kind, what, &fail::chain(&e))
    })?;
    let status = resp.status().as_u16();
    match status {
        200 => {}
        404 | 405 | 501 => return Ok(None),
        s => {
            let body = resp.body_mut().read_to_string().unwrap_or_default();
            let kind = fail::status_kind(s);
            return Err(ctx.of_kind(
                if kind == Kind::NotFound {
                    Kind::Other
                } else {
                    kind
                },
                what,
                &format!("{url}: HTTP {s} {}", body.trim()),
            ));
        }
    }
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| ctx.of_kind(Kind::Other, what, &fail::chain(&e)))?;
    let index: Referrers = serde_json::from_slice(&body)
        .map_err(|e| CatalogError::corrupt(format!("referrers index from {url}"), e))?;
    Ok(Some(index.manifests))
}

/// Does the registry at `url` (its `/v2/`) let anyone in, asking for no
/// authentication? An error is the reason it could not be reached.
pub fn is_open(agent: &ureq::Agent, url: &str) -> Result<bool, String> {
    match agent.get(url).call() {
        Ok(resp) => {
            Ok(resp.status().as_u16() == 200 && !resp.headers().contains_key("www-authenticate"))
        }
        Err(
            e @ (ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed),
        ) => Err(fail::chain(&e)),
        // TLS and protocol trouble: oci-client reports it in its words.
        Err(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_gives_its_certificates_and_junk_none() {
        let pem = b"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQx2cqj0Y1ohWcnqfRPcq4TEg3bQwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n";
        assert_eq!(roots_in(pem).map(|c| c.len()), Some(1));
        assert!(roots_in(b"not a bundle").is_none());
    }
}
