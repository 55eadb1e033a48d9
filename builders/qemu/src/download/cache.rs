//! Where downloads go: Packer's cache layout, so a `packer_cache` is
//! shared between Packer and kiln.

use super::DownloadError;
use kiln_gocompat::hash::HashKind;
use std::fs::File;
use std::path::{Path, PathBuf};

/// `KILN_CACHE_DIR`, else `PACKER_CACHE_DIR`, else `packer_cache`, made
/// absolute against `cwd`.
pub fn cache_dir(cwd: &Path) -> PathBuf {
    cache_dir_from(cwd, &|v| std::env::var_os(v))
}

fn cache_dir_from(cwd: &Path, env: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> PathBuf {
    let dir = ["KILN_CACHE_DIR", "PACKER_CACHE_DIR"]
        .iter()
        .filter_map(|v| env(v))
        .find(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("packer_cache"));
    cwd.join(dir)
}

/// Packer's cache file: `sha1(key)` in hex plus `.EXT`, where the key is
/// the normalised checksum (`sha256:…`) or, with `none`, the source URL.
/// An `iso_target_path` with an extension is used as it is; one without
/// is a directory that receives the same name.
pub fn target_path(
    cache_dir: &Path,
    target_path: Option<&Path>,
    key: &str,
    extension: &str,
) -> PathBuf {
    let mut name = HashKind::Sha1.hex_digest(key.as_bytes());
    let ext = if extension.is_empty() {
        "iso"
    } else {
        extension
    };
    name.push('.');
    name.push_str(ext);
    match target_path {
        None => cache_dir.join(name),
        Some(p) if p.extension().is_some() => p.to_owned(),
        Some(dir) => dir.join(name),
    }
}

/// An exclusive `flock` on `<target>.lock`, so that parallel builds (and
/// Packer) download a file once. Held until dropped.
#[derive(Debug)]
pub struct CacheLock {
    _file: File,
}

pub fn lock(target: &Path) -> Result<CacheLock, DownloadError> {
    let mut name = target.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| DownloadError::io(parent, e))?;
    }
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| DownloadError::io(&path, e))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| DownloadError::io(&path, e.into()))?;
    Ok(CacheLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_packer() {
        // What Packer 1.6.6 wrote for these (checked with `packer build`).
        let sum = "sha256:8dbb78b31d413c292e4b4ac96cece332b6fa84346bbdccfd9fccbd529b7e46e2";
        let dir = Path::new("/c");
        assert_eq!(
            target_path(dir, None, sum, "iso"),
            Path::new("/c/0b12150bd9d48afb743223b6885b43208d7ebeb5.iso")
        );
        assert_eq!(
            target_path(dir, None, "http://127.0.0.1:18777/iso.bin", "iso"),
            Path::new("/c/ac5f2765949c25b6b8080c43773243c25c895598.iso")
        );
        assert_eq!(
            target_path(dir, Some(Path::new("/t/x.img")), sum, "iso"),
            Path::new("/t/x.img")
        );
        assert_eq!(
            target_path(dir, Some(Path::new("/t")), sum, "qcow2"),
            Path::new("/t/0b12150bd9d48afb743223b6885b43208d7ebeb5.qcow2")
        );
    }

    #[test]
    fn cache_dir_from_the_environment() {
        let cwd = Path::new("/w");
        let none = |_: &str| None;
        assert_eq!(cache_dir_from(cwd, &none), Path::new("/w/packer_cache"));
        let packer = |v: &str| (v == "PACKER_CACHE_DIR").then(|| "/p".into());
        assert_eq!(cache_dir_from(cwd, &packer), Path::new("/p"));
        let both = |v: &str| Some(if v == "KILN_CACHE_DIR" { "k" } else { "/p" }.into());
        assert_eq!(cache_dir_from(cwd, &both), Path::new("/w/k"));
    }

    #[test]
    fn the_lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/x.iso");
        let held = lock(&target).unwrap();
        let t2 = target.clone();
        let waiter = std::thread::spawn(move || {
            let start = std::time::Instant::now();
            let _l = lock(&t2).unwrap();
            start.elapsed()
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(held);
        assert!(waiter.join().unwrap() >= std::time::Duration::from_millis(150));
    }
}
