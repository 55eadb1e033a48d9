//! Reads from a registry that asks for no authentication (an open
//! distribution, as on loopback), made with ureq rather than oci-client.
//! Building oci-client's client loads the system's CA bundle through
//! OpenSSL twice, about 80 ms, which is more than a whole `catalog
//! resolve` may take; ureq's rustls needs no bundle for plain HTTP. Reads
//! that need a token still go through oci-client, which does the
//! bearer-token dance.

use super::fail::{self, Ctx, Kind};
use crate::error::CatalogError;
use serde::Deserialize;
use std::time::Duration;

/// A manifest or a tag page is small; a bigger answer is not one.
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// `GET url`: the body, or `None` for a 404. Passing trouble (5xx, 429,
/// a dropped connection) is tried again, as `retry` does for oci-client.
pub fn get(
    agent: &ureq::Agent,
    url: &str,
    accept: &str,
    what: &str,
    ctx: &Ctx<'_>,
) -> Result<Option<Vec<u8>>, CatalogError> {
    let mut attempt = 1;
    loop {
        match get_once(agent, url, accept, what, ctx) {
            Err(f) if f.0 && attempt < super::retry::ATTEMPTS => {
                std::thread::sleep(Duration::from_millis(250 * u64::from(attempt)));
                attempt += 1;
            }
            Err(f) => return Err(f.1),
            Ok(body) => return Ok(body),
        }
    }
}

/// One try; an error says whether it is worth another.
fn get_once(
    agent: &ureq::Agent,
    url: &str,
    accept: &str,
    what: &str,
    ctx: &Ctx<'_>,
) -> Result<Option<Vec<u8>>, Box<(bool, CatalogError)>> {
    let mut resp = agent
        .get(url)
        .header("Accept", accept)
        .call()
        .map_err(|e| {
            let (kind, again) = match e {
                ureq::Error::Timeout(_)
                | ureq::Error::HostNotFound
                | ureq::Error::ConnectionFailed => (Kind::Unreachable, false),
                ureq::Error::Io(_) => (Kind::Unreachable, true),
                _ => (Kind::Other, false),
            };
            Box::new((again, ctx.of_kind(kind, what, &fail::chain(&e))))
        })?;
    let status = resp.status().as_u16();
    if status == 404 {
        return Ok(None);
    }
    if status != 200 {
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        let again = status >= 500 || status == 429;
        let why = format!("{url}: HTTP {status} {}", body.trim());
        return Err(Box::new((
            again,
            ctx.of_kind(fail::status_kind(status), what, &why),
        )));
    }
    resp.body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map(Some)
        .map_err(|e| Box::new((true, ctx.of_kind(Kind::Other, what, &fail::chain(&e)))))
}

#[derive(Deserialize)]
struct TagPage {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// One page of `tags/list`; an unknown repository has no tags.
pub fn tag_page(
    agent: &ureq::Agent,
    base: &str,
    n: usize,
    last: Option<&str>,
    ctx: &Ctx<'_>,
) -> Result<Vec<String>, CatalogError> {
    let mut url = format!("{base}/tags/list?n={n}");
    if let Some(l) = last {
        url.push_str("&last=");
        url.push_str(l);
    }
    let Some(body) = get(agent, &url, "application/json", "list tags", ctx)? else {
        return Ok(Vec::new());
    };
    let page: TagPage = serde_json::from_slice(&body)
        .map_err(|e| CatalogError::corrupt(format!("tag list from {url}"), e))?;
    Ok(page.tags.unwrap_or_default())
}
