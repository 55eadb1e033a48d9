//! An exclusive lock next to a file that is replaced by rename, so the lock
//! never lives on the inode being swapped out. Builds of one run append to
//! one manifest (or checksum file) from several threads and possibly
//! several kiln processes: `flock` on `<file>.lock` serialises them.
//!
//! The side file is removed on release, as Packer removes its own
//! `<manifest>.lock`. Removing a lock file races with a waiter that opened
//! it before the removal, so a holder checks after locking that the path
//! still names the inode it locked, and starts over otherwise.

use kiln_core::Cancel;
use rustix::fs::{flock, FlockOperation};
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::PostProcessError;

pub(crate) struct SideLock {
    path: PathBuf,
    // Held for its lock; closing it releases the lock.
    _file: File,
}

/// `<target>.lock`.
pub(crate) fn lock_path(target: &Path) -> PathBuf {
    let mut s = OsString::from(target.as_os_str());
    s.push(".lock");
    PathBuf::from(s)
}

impl SideLock {
    /// Wait until `<target>.lock` is ours, polling so a cancelled build
    /// stops waiting.
    pub(crate) fn acquire(target: &Path, cancel: &Cancel) -> Result<SideLock, PostProcessError> {
        let path = lock_path(target);
        let err = |source: io::Error| PostProcessError::Lock {
            path: path.clone(),
            source,
        };
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&path)
                .map_err(err)?;
            loop {
                match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                    Ok(()) => break,
                    Err(rustix::io::Errno::WOULDBLOCK) | Err(rustix::io::Errno::INTR) => {
                        if cancel.sleep(kiln_core::cancel::POLL).is_err() {
                            return Err(err(io::Error::other("cancelled")));
                        }
                    }
                    Err(e) => return Err(err(e.into())),
                }
            }
            let held = file.metadata().map_err(err)?;
            match fs::metadata(&path) {
                Ok(now) if now.dev() == held.dev() && now.ino() == held.ino() => {
                    return Ok(SideLock { path, _file: file })
                }
                // The previous holder removed it after we opened it.
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(err(e)),
            }
        }
    }
}

impl Drop for SideLock {
    fn drop(&mut self) {
        // Removed while still locked, so nobody can lock this inode and
        // believe it current; the file closes (unlocking) afterwards.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn excludes_other_holders_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("m.json");
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (target, inside, most) = (target.clone(), inside.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        let _l = SideLock::acquire(&target, &Cancel::new()).unwrap();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
        assert!(!lock_path(&target).exists());
    }

    #[test]
    fn a_cancelled_waiter_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("m.json");
        let _held = SideLock::acquire(&target, &Cancel::new()).unwrap();
        let cancel = Cancel::new();
        cancel.cancel();
        assert!(SideLock::acquire(&target, &cancel).is_err());
    }

    #[test]
    fn waits_for_another_process() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("m.json");
        let lock = lock_path(&target);
        // util-linux's flock(1) holds the lock from a separate process.
        let mut child = std::process::Command::new("flock")
            .arg(&lock)
            .args(["sleep", "0.4"])
            .spawn()
            .expect("util-linux flock(1)");
        // Wait until the child has taken it.
        let probe_start = std::time::Instant::now();
        while !lock.exists() && probe_start.elapsed().as_secs() < 5 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        let start = std::time::Instant::now();
        let held = SideLock::acquire(&target, &Cancel::new()).unwrap();
        assert!(
            start.elapsed().as_millis() >= 150,
            "acquired while the other process held it"
        );
        drop(held);
        child.wait().unwrap();
    }

    #[test]
    fn a_stale_lock_file_does_not_block() {
        // Packer leaves `<manifest>.lock` behind when it crashes.
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("m.json");
        fs::write(lock_path(&target), "").unwrap();
        drop(SideLock::acquire(&target, &Cancel::new()).unwrap());
        assert!(!lock_path(&target).exists());
    }
}
