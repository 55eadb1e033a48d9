//! The source image or installer ISO on local disk: a path or `file://`
//! URL is used in place (checked against `iso_checksum`), without a copy
//! into the cache.

use crate::error::QemuError;
use crate::state::State;
use crate::config::Source;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError, Cancel};
use sha2::Digest;
use std::io::Read;
use std::path::{Path, PathBuf};

pub struct StepLocalSource {
    pub source: Source,
}

/// The local path of a URL that names one.
pub fn local_path(url: &str) -> Option<PathBuf> {
    if let Some(rest) = url.strip_prefix("file://") {
        return Some(PathBuf::from(rest));
    }
    if url.contains("://") {
        return None;
    }
    Some(PathBuf::from(url))
}

impl Step<State> for StepLocalSource {
    fn name(&self) -> &str {
        "StepLocalSource"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let mut tried = Vec::new();
        for url in &self.source.urls {
            let Some(path) = local_path(url) else {
                tried.push(format!("{url}: not a local file"));
                continue;
            };
            if !path.is_file() {
                tried.push(format!("{url}: no such file"));
                continue;
            }
            verify(&path, &self.source.checksum, ctx.cancel)?;
            state.source_path = Some(path);
            return Ok(());
        }
        let e = QemuError::Source(tried.join("; "));
        ctx.ui.error(&e.to_string());
        Err(e.into())
    }
}

/// Check `path` against `sha256:HEX`, `sha512:…`, bare hex (by length) or
/// `none`.
fn verify(path: &Path, checksum: &str, cancel: &Cancel) -> Result<(), QemuError> {
    let (kind, want) = match checksum.split_once(':') {
        Some((k, v)) => (k, v),
        None if checksum == "none" || checksum.is_empty() => return Ok(()),
        None => (
            match checksum.len() {
                32 => "md5",
                40 => "sha1",
                128 => "sha512",
                _ => "sha256",
            },
            checksum,
        ),
    };
    let got = match kind {
        "sha256" => digest::<sha2::Sha256>(path, cancel)?,
        "sha512" => digest::<sha2::Sha512>(path, cancel)?,
        // Other kinds (md5, sha1, file:) are the download step's.
        _ => return Ok(()),
    };
    if got.eq_ignore_ascii_case(want) {
        return Ok(());
    }
    Err(QemuError::Source(format!(
        "checksums didn't match for {}: expected {want} and got {got}",
        path.display()
    )))
}

fn digest<D: Digest>(path: &Path, cancel: &Cancel) -> Result<String, QemuError> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| QemuError::io(format!("opening {}", path.display()), e))?;
    let mut h = D::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        if cancel.is_cancelled() {
            return Err(QemuError::Source("cancelled".into()));
        }
        let n = f
            .read(&mut buf)
            .map_err(|e| QemuError::io(format!("reading {}", path.display()), e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// sha256 of a file, hex.
pub fn sha256(path: &Path, cancel: &Cancel) -> Result<String, QemuError> {
    digest::<sha2::Sha256>(path, cancel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_urls_and_checksums() {
        assert_eq!(local_path("file:///a/b"), Some(PathBuf::from("/a/b")));
        assert_eq!(local_path("x.qcow2"), Some(PathBuf::from("x.qcow2")));
        assert_eq!(local_path("https://x/y"), None);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "hello").unwrap();
        let good = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert!(verify(&f, good, &Cancel::new()).is_ok());
        assert!(verify(&f, "none", &Cancel::new()).is_ok());
        let bad = verify(&f, "sha256:00", &Cancel::new()).unwrap_err().to_string();
        assert!(bad.contains("checksums didn't match"), "{bad}");
    }
}
