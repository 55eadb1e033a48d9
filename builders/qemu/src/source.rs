//! The source image or installer ISO: fetched and verified by
//! [`crate::download`] (a local path is used in place, http(s) goes
//! through the cache), and the sha256 of the finished image.

use crate::config::Source;
use crate::download::{self, DownloadError};
use crate::error::QemuError;
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError, Cancel};
use kiln_gocompat::hash::HashKind;
use std::io::Read;
use std::path::{Path, PathBuf};

pub struct StepDownload {
    pub source: Source,
}

impl Step<State> for StepDownload {
    fn name(&self) -> &str {
        "StepDownload"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let src = download::Source {
            target_path: self.source.target_path.clone().map(PathBuf::from),
            target_extension: self.source.target_extension.clone(),
            ..download::Source::iso(self.source.urls.clone(), self.source.checksum.clone())
        };
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        match download::fetch(&src, ctx.ui, ctx.cancel, &cwd) {
            Ok(fetched) => {
                state.source_path = Some(fetched.path);
                Ok(())
            }
            Err(DownloadError::Cancelled(r)) => Err(BuildError::from_reason(r, None)),
            Err(e) => {
                ctx.ui.error(&e.to_string());
                Err(BuildError::failed(e))
            }
        }
    }
}

/// sha256 of a file, hex.
pub fn sha256(path: &Path, cancel: &Cancel) -> Result<String, QemuError> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| QemuError::io(format!("opening {}", path.display()), e))?;
    let mut h = HashKind::Sha256.hasher();
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
    Ok(h.finish_hex())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "hello").unwrap();
        assert_eq!(
            sha256(&f, &Cancel::new()).unwrap(),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }
}
