//! Outputs appear whole or not at all: written under a temporary name in
//! the destination's folder, then renamed over it.

use crate::error::{IoContext, OciError};
use std::path::{Path, PathBuf};

pub fn parent_of(dest: &Path) -> PathBuf {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Refuse to replace `dest` unless `force`.
pub fn check_free(dest: &Path, force: bool) -> Result<(), OciError> {
    if !force && std::fs::symlink_metadata(dest).is_ok() {
        return Err(OciError::Exists(dest.to_path_buf()));
    }
    Ok(())
}

/// A temporary directory next to `dest`.
pub fn dir_for(dest: &Path) -> Result<tempfile::TempDir, OciError> {
    let parent = parent_of(dest);
    std::fs::create_dir_all(&parent).ctx(|| format!("create {}", parent.display()))?;
    tempfile::Builder::new()
        .prefix(".kiln-")
        .tempdir_in(&parent)
        .ctx(|| format!("create a directory in {}", parent.display()))
}

/// A temporary file next to `dest`.
pub fn file_for(dest: &Path) -> Result<tempfile::NamedTempFile, OciError> {
    let parent = parent_of(dest);
    std::fs::create_dir_all(&parent).ctx(|| format!("create {}", parent.display()))?;
    tempfile::Builder::new()
        .prefix(".kiln-")
        .tempfile_in(&parent)
        .ctx(|| format!("create a file in {}", parent.display()))
}

/// Put the staged directory in place of `dest`.
pub fn commit_dir(staged: tempfile::TempDir, dest: &Path, force: bool) -> Result<(), OciError> {
    check_free(dest, force)?;
    if std::fs::symlink_metadata(dest).is_ok() {
        crate::unpack::remove(dest).ctx(|| format!("remove {}", dest.display()))?;
    }
    let path = staged.keep();
    std::fs::rename(&path, dest).map_err(|e| {
        let _ = std::fs::remove_dir_all(&path);
        OciError::io(format!("rename to {}", dest.display()), e)
    })
}

/// Put the staged file in place of `dest`.
pub fn commit_file(
    staged: tempfile::NamedTempFile,
    dest: &Path,
    force: bool,
) -> Result<(), OciError> {
    check_free(dest, force)?;
    staged
        .as_file()
        .sync_all()
        .ctx(|| format!("sync {}", dest.display()))?;
    if std::fs::metadata(dest).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(dest).ctx(|| format!("remove {}", dest.display()))?;
    }
    staged
        .persist(dest)
        .map_err(|e| OciError::io(format!("rename to {}", dest.display()), e.error))?;
    Ok(())
}
