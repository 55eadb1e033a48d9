//! The temporary file an `inline` script is written to. It is removed when
//! the value is dropped, so no exit path (error, cancel, panic unwinding)
//! leaves it behind; should kiln be killed, the marker that claims it for
//! this process lets the next `kiln build` remove it
//! (`kiln_core::tempdir::claim`).

use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// How many names to try before giving up on a crowded directory.
const ATTEMPTS: usize = 100;

#[derive(Debug)]
pub struct TempScript {
    path: PathBuf,
    /// Dropped after the file is removed (fields drop after `drop`).
    _claim: kiln_core::tempdir::Claim,
}

impl TempScript {
    /// Create `DIR/PREFIX<random decimal>[.EXT]` (Go's `os.CreateTemp`
    /// naming, which Packer's `/tmp/packer-shell123456` shows), write
    /// `contents` and make it executable by its owner only.
    pub fn create(
        dir: &Path,
        prefix: &str,
        extension: &str,
        contents: &[u8],
    ) -> io::Result<TempScript> {
        TempScript::create_with_mode(dir, prefix, extension, contents, 0o700)
    }

    /// [`TempScript::create`] with another mode (`0o600` for plain data,
    /// as Go's `os.CreateTemp` makes it).
    pub fn create_with_mode(
        dir: &Path,
        prefix: &str,
        extension: &str,
        contents: &[u8],
        mode: u32,
    ) -> io::Result<TempScript> {
        let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
        for _ in 0..ATTEMPTS {
            let n = getrandom::u32().map_err(io::Error::other)?;
            let mut name = format!("{prefix}{n}");
            if !extension.is_empty() {
                name = format!("{name}.{extension}");
            }
            let claim = match kiln_core::tempdir::claim(dir, &name) {
                Ok(claim) => claim,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    last = e;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let path = dir.join(name);
            // The file is executed right after: no child may be forked
            // while it is open for writing (see `writing_executable`).
            let written = kiln_core::process::writing_executable(|| {
                let mut f = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(mode)
                    .open(&path)?;
                // From here on, dropping `script` removes the file.
                let script = TempScript {
                    path: path.clone(),
                    _claim: claim,
                };
                f.write_all(contents)?;
                f.sync_all()?;
                drop(f);
                // The umask may have narrowed the mode; Packer chmods.
                fs::set_permissions(&script.path, Permissions::from_mode(mode))?;
                Ok::<_, io::Error>(script)
            });
            match written {
                Ok(script) => return Ok(script),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempScript {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_like_go_executable_and_removed_on_drop() {
        let dir = tempfile::tempdir().expect("test fixture");
        let s = TempScript::create(dir.path(), "packer-shell", "sh", b"#!/bin/sh\n")
            .expect("test fixture");
        let name = s
            .path()
            .file_name()
            .expect("test fixture")
            .to_str()
            .expect("test fixture")
            .to_owned();
        let digits = name
            .strip_prefix("packer-shell")
            .and_then(|r| r.strip_suffix(".sh"))
            .expect("test fixture");
        assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
        let meta = fs::metadata(s.path()).expect("test fixture");
        assert_eq!(meta.permissions().mode() & 0o777, 0o700);
        assert_eq!(fs::read(s.path()).expect("test fixture"), b"#!/bin/sh\n");
        let path = s.path().to_owned();
        drop(s);
        assert!(!path.exists());
    }

    #[test]
    fn a_marker_claims_the_script_for_a_later_sweep() {
        let dir = tempfile::tempdir().expect("test fixture");
        let entries = || {
            let mut v: Vec<String> = fs::read_dir(dir.path())
                .expect("test fixture")
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let s =
            TempScript::create(dir.path(), "packer-shell", "", b"true\n").expect("test fixture");
        let name = entries()
            .into_iter()
            .find(|n| n.starts_with("packer-shell"))
            .expect("the script");
        let marker = format!("kiln-owns-{}-", std::process::id());
        assert!(
            entries()
                .iter()
                .any(|n| n.starts_with(&marker) && n.ends_with(&format!("-{name}"))),
            "{:?}",
            entries()
        );
        // Its owner lives: a sweep keeps both.
        assert!(kiln_core::tempdir::sweep_in(dir.path()).is_empty());
        assert_eq!(entries().len(), 2);
        drop(s);
        assert_eq!(entries(), Vec::<String>::new());
    }
}
