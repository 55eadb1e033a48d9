//! One HTTP(S) download into a `.part` file, resumed with a `Range`
//! request when the file already holds a prefix, hashed as it arrives.

use super::checksum::{Hasher, Kind};
use super::DownloadError;
use kiln_core::cancel::POLL;
use kiln_core::{Cancel, Ui};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// A read that stalls this long ends the attempt (the `.part` stays for
/// the next one).
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Attempts in a row that each got some bytes before the connection broke.
const MAX_ATTEMPTS: u32 = 5;
const CHUNK: usize = 256 * 1024;

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_per_read(Some(READ_TIMEOUT))
        .user_agent(concat!("kiln/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Fetch a small text (a checksum file).
pub fn get_text(agent: &ureq::Agent, url: &str) -> Result<String, DownloadError> {
    let mut resp = agent.get(url).call().map_err(|e| transport(url, &e))?;
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(DownloadError::Status {
            url: url.to_owned(),
            status,
        });
    }
    resp.body_mut()
        .read_to_string()
        .map_err(|e| transport(url, &e))
}

fn transport(url: &str, e: &dyn std::fmt::Display) -> DownloadError {
    DownloadError::Transport {
        url: url.to_owned(),
        message: e.to_string(),
    }
}

/// Download `url` into `part`, continuing what it holds. Returns the hex
/// digest of the whole file when `kind` is given.
pub fn download(
    agent: &ureq::Agent,
    url: &str,
    part: &Path,
    kind: Option<Kind>,
    ui: &dyn Ui,
    cancel: &Cancel,
) -> Result<Option<String>, DownloadError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let before = part.metadata().map(|m| m.len()).unwrap_or(0);
        match attempt_once(agent, url, part, kind, ui, cancel) {
            Ok(hex) => return Ok(hex),
            Err(e @ DownloadError::Interrupted { .. }) => {
                let after = part.metadata().map(|m| m.len()).unwrap_or(0);
                if after <= before || attempt >= MAX_ATTEMPTS {
                    return Err(e);
                }
                tracing::info!(url, bytes = after, error = %e, "download interrupted, resuming");
            }
            Err(e) => return Err(e),
        }
    }
}

fn attempt_once(
    agent: &ureq::Agent,
    url: &str,
    part: &Path,
    kind: Option<Kind>,
    ui: &dyn Ui,
    cancel: &Cancel,
) -> Result<Option<String>, DownloadError> {
    let have = part.metadata().map(|m| m.len()).unwrap_or(0);
    let mut req = agent.get(url);
    if have > 0 {
        req = req.header("Range", format!("bytes={have}-"));
    }
    let resp = req.call().map_err(|e| transport(url, &e))?;
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let length: Option<u64> = header("content-length").and_then(|v| v.parse().ok());
    let start = match status {
        200 => 0,
        206 if content_range_start(header("content-range").as_deref()) == Some(have) => have,
        // What we have is the whole file already.
        416 if content_range_total(header("content-range").as_deref()) == Some(have) => {
            return hash_file(part, kind, cancel);
        }
        206 | 416 => {
            // The server resumed from somewhere else: start over.
            std::fs::remove_file(part).map_err(|e| DownloadError::io(part, e))?;
            return attempt_once(agent, url, part, kind, ui, cancel);
        }
        _ => {
            return Err(DownloadError::Status {
                url: url.to_owned(),
                status,
            })
        }
    };
    let mut hasher = kind.map(Kind::hasher);
    let mut file = if start > 0 {
        if let Some(h) = hasher.as_mut() {
            feed_file(part, h, cancel)?;
        }
        File::options()
            .append(true)
            .open(part)
            .map_err(|e| DownloadError::io(part, e))?
    } else {
        File::create(part).map_err(|e| DownloadError::io(part, e))?
    };
    let label = format!(
        "Downloading {}",
        url.rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(url)
    );
    let progress = ui.progress(&label, length.map(|l| l + start));
    progress.set_position(start);

    // The body is read on its own thread so that a stalled server never
    // holds up a cancel.
    let (tx, rx) = mpsc::sync_channel::<std::io::Result<Vec<u8>>>(8);
    let mut reader = resp.into_body().into_reader();
    std::thread::Builder::new()
        .name("kiln-download".into())
        .spawn(move || loop {
            let mut buf = vec![0u8; CHUNK];
            match reader.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.send(Ok(buf)).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        })
        .map_err(|e| DownloadError::io(part, e))?;
    loop {
        if let Some(r) = cancel.reason() {
            progress.finish();
            return Err(DownloadError::Cancelled(r));
        }
        match rx.recv_timeout(POLL) {
            Ok(Ok(chunk)) => {
                file.write_all(&chunk)
                    .map_err(|e| DownloadError::io(part, e))?;
                if let Some(h) = hasher.as_mut() {
                    h.update(&chunk);
                }
                progress.inc(chunk.len() as u64);
            }
            Ok(Err(e)) => {
                progress.finish();
                let _ = file.sync_all();
                return Err(DownloadError::Interrupted {
                    url: url.to_owned(),
                    message: e.to_string(),
                });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    progress.finish();
    file.sync_all().map_err(|e| DownloadError::io(part, e))?;
    Ok(hasher.map(Hasher::finish_hex))
}

/// `bytes START-END/TOTAL` → START.
fn content_range_start(v: Option<&str>) -> Option<u64> {
    let rest = v?.trim().strip_prefix("bytes ")?;
    rest.split('-').next()?.trim().parse().ok()
}

/// `bytes */TOTAL` → TOTAL.
fn content_range_total(v: Option<&str>) -> Option<u64> {
    v?.rsplit('/').next()?.trim().parse().ok()
}

fn feed_file(path: &Path, hasher: &mut Hasher, cancel: &Cancel) -> Result<(), DownloadError> {
    let mut f = File::open(path).map_err(|e| DownloadError::io(path, e))?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        if let Some(r) = cancel.reason() {
            return Err(DownloadError::Cancelled(r));
        }
        let n = f.read(&mut buf).map_err(|e| DownloadError::io(path, e))?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
}

/// The digest of a whole file.
pub fn hash_file(
    path: &Path,
    kind: Option<Kind>,
    cancel: &Cancel,
) -> Result<Option<String>, DownloadError> {
    let Some(kind) = kind else {
        return Ok(None);
    };
    let mut h = kind.hasher();
    feed_file(path, &mut h, cancel)?;
    Ok(Some(h.finish_hex()))
}
