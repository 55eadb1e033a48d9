//! The rootfs as seen from the host: every path is resolved inside it with
//! `openat2(RESOLVE_IN_ROOT)`, so `..` and symlinks (absolute ones
//! included) stop at the rootfs as they would at `/`, and nothing in an
//! image can make kiln read or write a host file.

use crate::error::SandboxError;
use rustix::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags, Timestamps};
use rustix::io::Errno;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// How often a lookup that the kernel reports as raced (EAGAIN) is tried
/// again before the error is returned.
const OPENAT2_RETRIES: u32 = 64;

/// `openat2(root, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`.
///
/// openat2(2): with RESOLVE_IN_ROOT, a path holding `..` fails with EAGAIN
/// whenever a rename or mount happened anywhere on the system during the
/// lookup, and the caller is expected to retry; a busy machine (a parallel
/// test run, CI) hits this now and then. No allocation: the sandbox's
/// child calls this between fork and exec.
pub(crate) fn open_in_root<P: rustix::path::Arg + Copy>(
    root: BorrowedFd<'_>,
    path: P,
    flags: OFlags,
    mode: Mode,
) -> Result<OwnedFd, Errno> {
    let mut attempts = 0;
    loop {
        match rustix::fs::openat2(
            root,
            path,
            flags | OFlags::CLOEXEC,
            mode,
            ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS,
        ) {
            Err(Errno::AGAIN) if attempts < OPENAT2_RETRIES => attempts += 1,
            result => return result,
        }
    }
}

#[derive(Debug)]
pub struct Root {
    path: PathBuf,
    fd: OwnedFd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
}

/// A path the sandbox created in the rootfs, with what is needed to take
/// it away again without a trace.
#[derive(Debug, Clone)]
pub struct Created {
    /// Absolute inside the rootfs.
    pub path: String,
    pub kind: Kind,
    /// The parent's times before the entry was added.
    parent_times: Timestamps,
}

/// `path` (absolute or not) relative to the rootfs: `""` → `"."`.
pub fn relative(path: &str) -> &str {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() {
        "."
    } else {
        rel
    }
}

/// Split a rootfs-relative path into its parent and last component.
pub fn split(rel: &str) -> (&str, &str) {
    let rel = rel.trim_end_matches('/');
    match rel.rsplit_once('/') {
        Some((parent, name)) => (relative(parent), name),
        None => (".", rel),
    }
}

impl Root {
    pub fn open(path: &Path) -> Result<Root, SandboxError> {
        let err = |source| SandboxError::Rootfs {
            path: path.display().to_string(),
            source,
        };
        let path = path.canonicalize().map_err(err)?;
        let fd = rustix::fs::open(
            &path,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| err(e.into()))?;
        Ok(Root { path, fd })
    }

    /// The canonical host path of the rootfs.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open `path` inside the rootfs.
    pub fn open_at(&self, path: &str, flags: OFlags, mode: u32) -> io::Result<OwnedFd> {
        Ok(open_in_root(
            self.fd.as_fd(),
            relative(path),
            flags,
            Mode::from_raw_mode(mode),
        )?)
    }

    pub fn open_dir(&self, path: &str) -> io::Result<OwnedFd> {
        self.open_at(path, OFlags::RDONLY | OFlags::DIRECTORY, 0)
    }

    pub fn kind_of(&self, path: &str) -> io::Result<Option<Kind>> {
        match self.open_at(path, OFlags::PATH, 0) {
            Ok(fd) => {
                let st = rustix::fs::fstat(&fd)?;
                Ok(Some(
                    if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
                        Kind::Dir
                    } else {
                        Kind::File
                    },
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The contents of a file of the rootfs; `None` when it does not exist.
    pub fn read_to_string(&self, path: &str) -> io::Result<Option<String>> {
        match self.open_at(path, OFlags::RDONLY, 0) {
            Ok(fd) => {
                let mut s = String::new();
                std::fs::File::from(fd).read_to_string(&mut s)?;
                Ok(Some(s))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The path inside the rootfs that the descriptor `fd` names.
    pub fn inner_path(&self, fd: impl AsFd) -> io::Result<String> {
        let link = std::fs::read_link(format!("/proc/self/fd/{}", fd.as_fd().as_raw_fd()))?;
        let inner = link
            .strip_prefix(&self.path)
            .map_err(|_| io::Error::other("resolved outside the rootfs"))?;
        Ok(format!("/{}", inner.display()))
    }

    /// Make sure `path` exists as `kind` (a mount point). Whatever has to
    /// be created for it (missing parents first) is pushed onto `created`
    /// as soon as it exists, so that a failure half-way loses track of
    /// nothing.
    pub fn ensure(
        &self,
        path: &str,
        kind: Kind,
        created: &mut Vec<Created>,
    ) -> Result<(), SandboxError> {
        let shown = match relative(path) {
            "." => "/".to_owned(),
            rel => format!("/{rel}"),
        };
        let problem = |reason: String| SandboxError::MountPoint {
            path: shown.clone(),
            reason,
        };
        match self.kind_of(path) {
            Ok(Some(k)) if k == kind => return Ok(()),
            Ok(Some(Kind::Dir)) => return Err(problem("it is a directory, not a file".into())),
            Ok(Some(Kind::File)) => return Err(problem("it is not a directory".into())),
            Ok(None) => {}
            Err(e) => return Err(problem(e.to_string())),
        }
        let (parent, name) = split(relative(path));
        if name == "." || name == ".." || name.is_empty() {
            return Err(problem("it cannot be created".into()));
        }
        self.ensure(parent, Kind::Dir, created)?;
        let dir = self.open_dir(parent).map_err(|e| problem(e.to_string()))?;
        let parent_times = times(&dir).map_err(|e| problem(e.to_string()))?;
        let parent_path = self.inner_path(&dir).map_err(|e| problem(e.to_string()))?;
        let made = match kind {
            Kind::Dir => rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(0o755)),
            Kind::File => rustix::fs::openat(
                &dir,
                name,
                OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o644),
            )
            .map(drop),
        };
        match made {
            Ok(()) => {
                created.push(Created {
                    path: format!("{}/{name}", parent_path.trim_end_matches('/')),
                    kind,
                    parent_times,
                });
                Ok(())
            }
            // Made meanwhile by someone else: fine if it is what we need.
            Err(Errno::EXIST) if self.kind_of(path).ok().flatten() == Some(kind) => Ok(()),
            Err(Errno::EXIST) => Err(problem(
                "it is a symbolic link to a path that does not exist".into(),
            )),
            Err(e) => Err(problem(io::Error::from(e).to_string())),
        }
    }

    /// Take away an entry [`Root::ensure`] created, and give its parent its
    /// times back. A directory something was written into stays.
    pub fn remove(&self, c: &Created) -> io::Result<bool> {
        let (parent, name) = split(relative(&c.path));
        let dir = self.open_dir(parent)?;
        let flags = match c.kind {
            Kind::Dir => AtFlags::REMOVEDIR,
            Kind::File => AtFlags::empty(),
        };
        match rustix::fs::unlinkat(&dir, name, flags) {
            Ok(()) => {}
            Err(Errno::NOTEMPTY) | Err(Errno::NOENT) => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        rustix::fs::futimens(&dir, &c.parent_times)?;
        Ok(true)
    }
}

fn times(dir: &OwnedFd) -> io::Result<Timestamps> {
    let st = rustix::fs::fstat(dir)?;
    Ok(Timestamps {
        last_access: rustix::fs::Timespec {
            tv_sec: st.st_atime,
            tv_nsec: st.st_atime_nsec as _,
        },
        last_modification: rustix::fs::Timespec {
            tv_sec: st.st_mtime,
            tv_nsec: st.st_mtime_nsec as _,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tree() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("rootfs/etc")).unwrap();
        std::fs::write(dir.path().join("secret"), "host secret").unwrap();
        std::fs::write(dir.path().join("rootfs/etc/hostname"), "inside").unwrap();
        let root = Root::open(&dir.path().join("rootfs")).unwrap();
        (dir, root)
    }

    #[test]
    fn lookups_through_dotdot_survive_renames_elsewhere_on_the_system() {
        // The kernel answers EAGAIN to a RESOLVE_IN_ROOT lookup with `..`
        // when any rename races it; renaming on another thread makes that
        // happen within a few thousand lookups.
        let (dir, root) = tree();
        symlink("../../..", dir.path().join("rootfs/up")).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let renamer = {
            let stop = stop.clone();
            let a = dir.path().join("a");
            let b = dir.path().join("b");
            std::fs::write(&a, "").unwrap();
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::fs::rename(&a, &b).unwrap();
                    std::fs::rename(&b, &a).unwrap();
                }
            })
        };
        let failures = (0..20_000)
            .filter(|_| root.read_to_string("up/etc/../etc/hostname").is_err())
            .count();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        renamer.join().unwrap();
        assert_eq!(failures, 0);
    }

    #[test]
    fn symlinks_resolve_inside_the_rootfs() {
        let (dir, root) = tree();
        let r = dir.path().join("rootfs");
        symlink("/", r.join("abs")).unwrap();
        symlink("../../../..", r.join("up")).unwrap();
        symlink("../secret", r.join("etc/escape")).unwrap();
        assert_eq!(
            root.read_to_string("/abs/etc/hostname").unwrap().as_deref(),
            Some("inside")
        );
        assert_eq!(
            root.read_to_string("up/etc/hostname").unwrap().as_deref(),
            Some("inside")
        );
        assert_eq!(root.read_to_string("/etc/escape").unwrap(), None);
        assert_eq!(root.read_to_string("/../secret").unwrap(), None);
    }

    #[test]
    fn ensure_creates_missing_mount_points_and_remove_leaves_no_trace() {
        let (dir, root) = tree();
        let etc = dir.path().join("rootfs/etc");
        let old = std::fs::metadata(&etc).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let mut made = Vec::new();
        root.ensure("/etc/resolv.conf", Kind::File, &mut made)
            .unwrap();
        assert_eq!(made.len(), 1);
        assert_eq!(made[0].path, "/etc/resolv.conf");
        root.ensure("/etc/resolv.conf", Kind::File, &mut made)
            .unwrap();
        assert_eq!(made.len(), 1, "already there");
        root.ensure("/data/a/b", Kind::Dir, &mut made).unwrap();
        let paths: Vec<&str> = made.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["/etc/resolv.conf", "/data", "/data/a", "/data/a/b"]);
        for c in made.iter().rev() {
            assert!(root.remove(c).unwrap());
        }
        assert!(!etc.join("resolv.conf").exists());
        assert!(!dir.path().join("rootfs/data").exists());
        assert_eq!(std::fs::metadata(&etc).unwrap().modified().unwrap(), old);
    }

    #[test]
    fn ensure_follows_symlinks_inside_and_refuses_dangling_ones() {
        let (dir, root) = tree();
        let r = dir.path().join("rootfs");
        symlink("/", r.join("abs")).unwrap();
        let mut made = Vec::new();
        root.ensure("/abs/proc", Kind::Dir, &mut made).unwrap();
        assert_eq!(made[0].path, "/proc");
        assert!(r.join("proc").is_dir());
        symlink("/run/missing/resolv.conf", r.join("etc/resolv.conf")).unwrap();
        let e = root
            .ensure("/etc/resolv.conf", Kind::File, &mut made)
            .unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        let e = root
            .ensure("/etc/hostname", Kind::Dir, &mut made)
            .unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
        assert!(!dir.path().join("proc").exists());
    }
}
