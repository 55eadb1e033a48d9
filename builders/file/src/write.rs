//! Writing the target: into a temporary file in the target's folder,
//! renamed over the target only once complete, so a failed or cancelled
//! build never leaves a half-written file where the old one was.

use crate::error::FileError;
use kiln_gocompat::atomic::{parent_dir, AtomicFile};
use std::fs::DirBuilder;
use std::io::{self, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

/// A file being written next to its final place (through
/// `kiln_gocompat::atomic`), with the file builder's errors; removed on
/// drop unless [`Pending::commit`] renamed it into place.
pub struct Pending {
    file: AtomicFile,
}

impl Pending {
    /// Start writing `target`. Missing parent folders are created (0755,
    /// as Packer). A new file gets `mode` (less the umask); when `target`
    /// already exists its permissions carry over, as Packer truncates the
    /// existing file in place.
    pub fn create(target: &Path, mode: u32) -> Result<Pending, FileError> {
        let dir = parent_dir(target);
        DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(dir)
            .map_err(|cause| FileError::Mkdir {
                path: dir.display().to_string(),
                cause,
            })?;
        let file = AtomicFile::create(target, mode).map_err(|cause| FileError::Open {
            path: target.display().to_string(),
            cause,
        })?;
        Ok(Pending { file })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), FileError> {
        self.file
            .write_all(bytes)
            .map_err(|cause| self.write_err(cause))
    }

    fn write_err(&self, cause: io::Error) -> FileError {
        FileError::Write {
            path: self.file.target().display().to_string(),
            cause,
        }
    }

    /// Flush to disk and rename over the target.
    pub fn commit(self) -> Result<(), FileError> {
        self.file
            .file()
            .sync_all()
            .map_err(|cause| self.write_err(cause))?;
        let from = self.file.temp_path().display().to_string();
        let to = self.file.target().display().to_string();
        self.file
            .commit()
            .map_err(|cause| FileError::Rename { from, to, cause })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::{self, Permissions};
    use std::os::unix::fs::PermissionsExt;

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
