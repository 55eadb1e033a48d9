//! Writing the target: into a temporary file in the target's folder,
//! renamed over the target only once complete, so a failed or cancelled
//! build never leaves a half-written file where the old one was.

use crate::error::FileError;
use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// How many temporary names to try before giving up.
const ATTEMPTS: usize = 100;

/// A file being written next to its final place; removed on drop unless
/// [`Pending::commit`] renamed it into place.
pub struct Pending {
    file: File,
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Pending {
    /// Start writing `target`. Missing parent folders are created (0755,
    /// as Packer). A new file gets `mode` (less the umask); when `target`
    /// already exists its permissions carry over, as Packer truncates the
    /// existing file in place.
    pub fn create(target: &Path, mode: u32) -> Result<Pending, FileError> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(dir)
            .map_err(|cause| FileError::Mkdir {
                path: dir.display().to_string(),
                cause,
            })?;
        let keep = fs::metadata(target).ok().map(|m| m.permissions());
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let open_err = |cause| FileError::Open {
            path: target.display().to_string(),
            cause,
        };
        let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
        for _ in 0..ATTEMPTS {
            let n = getrandom::u32().map_err(|e| open_err(io::Error::other(e)))?;
            let temp = dir.join(format!(".{name}.kiln-{n}"));
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(&temp)
            {
                Ok(file) => {
                    let pending = Pending {
                        file,
                        temp,
                        target: target.to_path_buf(),
                        committed: false,
                    };
                    if let Some(p) = keep {
                        let mode = Permissions::from_mode(p.mode());
                        fs::set_permissions(&pending.temp, mode).map_err(open_err)?;
                    }
                    return Ok(pending);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
                Err(e) => return Err(open_err(e)),
            }
        }
        Err(open_err(last))
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), FileError> {
        self.file
            .write_all(bytes)
            .map_err(|cause| self.write_err(cause))
    }

    fn write_err(&self, cause: io::Error) -> FileError {
        FileError::Write {
            path: self.target.display().to_string(),
            cause,
        }
    }

    /// Flush to disk and rename over the target.
    pub fn commit(mut self) -> Result<(), FileError> {
        self.file
            .sync_all()
            .map_err(|cause| self.write_err(cause))?;
        fs::rename(&self.temp, &self.target).map_err(|cause| FileError::Rename {
            from: self.temp.display().to_string(),
            to: self.target.display().to_string(),
            cause,
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn nothing_appears_until_commit_and_nothing_stays_on_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("a/b/out.txt");
        let mut p = Pending::create(&target, 0o600).expect("create");
        p.write_all(b"half").expect("write");
        assert!(!target.exists());
        drop(p);
        assert!(entries(&dir.path().join("a/b")).is_empty());
        let mut p = Pending::create(&target, 0o600).expect("create");
        p.write_all(b"whole").expect("write");
        p.commit().expect("commit");
        assert_eq!(fs::read(&target).expect("read"), b"whole");
        assert_eq!(entries(&dir.path().join("a/b")), ["out.txt"]);
        let mode = fs::metadata(&target).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn an_existing_target_keeps_its_permissions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.txt");
        fs::write(&target, "old").expect("write");
        fs::set_permissions(&target, Permissions::from_mode(0o640)).expect("chmod");
        let mut p = Pending::create(&target, 0o600).expect("create");
        p.write_all(b"new").expect("write");
        p.commit().expect("commit");
        assert_eq!(fs::read(&target).expect("read"), b"new");
        let mode = fs::metadata(&target).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}
