//! Files that appear whole or not at all: written under a temporary name
//! in the destination's folder (same file system, so the rename is
//! atomic), flushed to disk, renamed over the destination, and the folder
//! flushed so the rename survives a crash. Dropped uncommitted, the
//! temporary file is removed (`tempfile` does that).
//!
//! Modes follow Go's `os.OpenFile(name, O_CREATE|O_TRUNC, mode)`, which
//! is what Packer does where kiln renames instead: a new file gets `mode`
//! less the umask, a file that replaces another keeps the old one's
//! permissions. [`AtomicFile::set_mode`] sets an exact mode instead (a
//! downloaded file keeping its remote mode).

use std::fs::{self, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// A file being written for `target`.
#[derive(Debug)]
pub struct AtomicFile {
    tmp: NamedTempFile,
    target: PathBuf,
}

/// The folder a path's temporary sibling goes in.
pub fn parent_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

impl AtomicFile {
    /// Start writing `target` (its folder must exist).
    pub fn create(target: &Path, mode: u32) -> io::Result<AtomicFile> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // `permissions` goes to open(2), so the umask applies.
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .permissions(Permissions::from_mode(mode))
            .tempfile_in(parent_dir(target))?;
        if let Ok(old) = fs::metadata(target) {
            if old.is_file() {
                tmp.as_file().set_permissions(old.permissions())?;
            }
        }
        Ok(AtomicFile {
            tmp,
            target: target.to_owned(),
        })
    }

    /// Exactly `mode` (no umask), whatever `create` chose.
    pub fn set_mode(&self, mode: u32) -> io::Result<()> {
        self.tmp
            .as_file()
            .set_permissions(Permissions::from_mode(mode))
    }

    pub fn file(&self) -> &File {
        self.tmp.as_file()
    }

    pub fn file_mut(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// The temporary name, for messages.
    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flush to disk and rename over the target.
    pub fn commit(self) -> io::Result<()> {
        self.tmp.as_file().sync_all()?;
        self.tmp.persist(&self.target).map_err(|e| e.error)?;
        // Make the rename itself durable. A failure here leaves a complete
        // file in place, not worth failing over.
        if let Ok(d) = File::open(parent_dir(&self.target)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.as_file_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.as_file_mut().flush()
    }
}

/// Replace `target` with `contents`.
pub fn write_file(target: &Path, mode: u32, contents: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(target, mode)?;
    f.write_all(contents)?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).expect("meta").permissions().mode() & 0o7777
    }

    fn entries(dir: &Path) -> usize {
        fs::read_dir(dir).expect("read dir").count()
    }

    #[test]
    fn replaces_and_keeps_the_old_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("out.json");
        write_file(&p, 0o600, b"one").expect("write");
        assert_eq!(fs::read(&p).expect("read"), b"one");
        assert_eq!(mode(&p), 0o600);
        fs::set_permissions(&p, Permissions::from_mode(0o640)).expect("chmod");
        write_file(&p, 0o600, b"two").expect("write");
        assert_eq!(fs::read(&p).expect("read"), b"two");
        assert_eq!(mode(&p), 0o640);
        assert_eq!(entries(dir.path()), 1, "no temporary file left");
    }

    #[test]
    fn nothing_appears_until_commit_and_nothing_stays_on_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.tar");
        let mut f = AtomicFile::create(&p, 0o666).expect("create");
        f.write_all(b"partial").expect("write");
        assert!(!p.exists());
        assert_eq!(f.temp_path().parent(), Some(dir.path()));
        drop(f);
        assert_eq!(entries(dir.path()), 0);
    }

    #[test]
    fn set_mode_is_exact() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("script");
        let mut f = AtomicFile::create(&p, 0o600).expect("create");
        f.write_all(b"#!/bin/sh\n").expect("write");
        f.set_mode(0o4755).expect("chmod");
        f.commit().expect("commit");
        assert_eq!(mode(&p), 0o4755);
    }

    #[test]
    fn a_relative_name_lands_in_the_current_folder() {
        assert_eq!(parent_dir(Path::new("x")), Path::new("."));
        assert_eq!(parent_dir(Path::new("a/x")), Path::new("a"));
    }
}
