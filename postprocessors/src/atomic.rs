//! Outputs are written under a temporary name in their destination folder
//! and renamed into place once complete and on disk, so a failed or
//! cancelled post-processor never leaves half a file under the real name
//! (the temporary file is removed when dropped uncommitted).

use std::fs::{self, File, Permissions};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// A file being written for `target`.
pub(crate) struct Staged {
    tmp: NamedTempFile,
    target: PathBuf,
}

impl Staged {
    /// A new file gets `mode` less the umask, as `open(2)` would give it; a
    /// file that replaces another keeps the old one's mode.
    pub(crate) fn create(target: &Path, mode: u32) -> io::Result<Staged> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .permissions(Permissions::from_mode(mode))
            .tempfile_in(dir)?;
        if let Ok(old) = fs::metadata(target) {
            tmp.as_file().set_permissions(old.permissions())?;
        }
        Ok(Staged {
            tmp,
            target: target.to_owned(),
        })
    }

    pub(crate) fn file(&self) -> &File {
        self.tmp.as_file()
    }

    /// Flush to disk and rename over the target.
    pub(crate) fn commit(self) -> io::Result<()> {
        self.tmp.as_file().sync_all()?;
        self.tmp.persist(&self.target).map_err(|e| e.error)?;
        // Make the rename itself durable; a failure here leaves a complete
        // file in place, so it is not worth failing the build over.
        if let Some(dir) = self.target.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

/// Replace `target` with `contents`.
pub(crate) fn replace_file(target: &Path, mode: u32, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let staged = Staged::create(target, mode)?;
    staged.file().write_all(contents)?;
    staged.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_and_keeps_the_old_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        replace_file(&p, 0o600, b"one").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        fs::set_permissions(&p, Permissions::from_mode(0o640)).unwrap();
        replace_file(&p, 0o600, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp left");
    }

    #[test]
    fn an_uncommitted_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.tar");
        let s = Staged::create(&p, 0o666).unwrap();
        use std::io::Write;
        s.file().write_all(b"partial").unwrap();
        drop(s);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
