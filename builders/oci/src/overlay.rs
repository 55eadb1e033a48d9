//! The build's root filesystem as an overlayfs over a cached, unpacked
//! base: the base's tree is the read-only lower directory, what the build
//! changes lands in an upper directory in the work directory, and the
//! merged view is where the sandbox runs and the change set is read from.
//! Mounting takes milliseconds where unpacking takes seconds, and the
//! cached tree is never written to.
//!
//! Mounting needs `CAP_SYS_ADMIN` and an upper directory on a filesystem
//! overlayfs accepts (not an overlay itself); [`probe`] says whether this
//! machine can, before anything depends on it.

use std::ffi::CString;
use std::io;
use std::path::{Path, PathBuf};

use rustix::mount::{mount, unmount, MountFlags, UnmountFlags};

/// A mounted overlay; unmounted when dropped.
#[derive(Debug)]
pub struct Overlay {
    target: PathBuf,
    mounted: bool,
}

/// overlayfs splits its options at `,` and its lower directories at `:`;
/// a backslash escapes either (and itself).
fn escape(p: &Path) -> io::Result<String> {
    let s = p.to_str().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not UTF-8", p.display()),
        )
    })?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, ',' | ':' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

/// The mount's option string.
fn options(lower: &Path, upper: &Path, work: &Path) -> io::Result<CString> {
    let text = format!(
        "lowerdir={},upperdir={},workdir={}",
        escape(lower)?,
        escape(upper)?,
        escape(work)?
    );
    CString::new(text).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

impl Overlay {
    /// Mount `lower` (read-only) under `upper` at `target`; `upper` and
    /// `work` are empty directories on one filesystem.
    pub fn mount(lower: &Path, upper: &Path, work: &Path, target: &Path) -> io::Result<Overlay> {
        let data = options(lower, upper, work)?;
        // No nosuid/nodev: the sandbox's bind mount would inherit them,
        // and provisioners that run sudo as `exec_user`, or privileged
        // builds that use device nodes, work as on a plain directory.
        mount(
            "overlay",
            target,
            "overlay",
            MountFlags::empty(),
            data.as_c_str(),
        )
        .map_err(io::Error::from)?;
        Ok(Overlay {
            target: target.to_path_buf(),
            mounted: true,
        })
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Unmount, saying why not. A file still open under the mount (a
    /// leftover process) makes a plain unmount fail; the mount is then
    /// detached, which takes effect once the last user is gone.
    pub fn unmount(mut self) -> io::Result<()> {
        self.mounted = false;
        match unmount(&self.target, UnmountFlags::empty()) {
            Ok(()) => Ok(()),
            Err(_) => unmount(&self.target, UnmountFlags::DETACH).map_err(io::Error::from),
        }
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        if self.mounted {
            let _ = unmount(&self.target, UnmountFlags::DETACH);
        }
    }
}

/// Whether an overlay with its lower directory under `lower_parent` and
/// its upper one under `scratch` mounts here: a throwaway mount of empty
/// directories, made and removed in `scratch`.
pub fn probe(scratch: &Path, lower_parent: &Path) -> io::Result<()> {
    let dir = tempfile::Builder::new()
        .prefix(".overlay-probe")
        .tempdir_in(scratch)?;
    let lower = tempfile::Builder::new()
        .prefix(".overlay-probe")
        .tempdir_in(lower_parent)?;
    let [upper, work, target] = ["upper", "work", "merged"].map(|n| dir.path().join(n));
    for d in [&upper, &work, &target] {
        std::fs::create_dir(d)?;
    }
    Overlay::mount(lower.path(), &upper, &work, &target)?.unmount()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn option_separators_in_paths_are_escaped() {
        let o = options(
            Path::new("/c/a,b"),
            Path::new("/w/up:per"),
            Path::new("/w/back\\slash"),
        )
        .unwrap();
        assert_eq!(
            o.to_str().unwrap(),
            "lowerdir=/c/a\\,b,upperdir=/w/up\\:per,workdir=/w/back\\\\slash"
        );
        let bad = std::ffi::OsStr::from_bytes(b"/c/\xff");
        assert!(escape(Path::new(bad)).is_err());
    }

    /// Only root can mount; the builder's tests run as root, as CI does.
    #[test]
    fn the_lower_directory_stays_untouched_by_writes_through_the_overlay() {
        let tmp = tempfile::tempdir().unwrap();
        let [lower, upper, work, merged] =
            ["lower", "upper", "work", "merged"].map(|n| tmp.path().join(n));
        for d in [&lower, &upper, &work, &merged] {
            std::fs::create_dir(d).unwrap();
        }
        std::fs::write(lower.join("base.txt"), "base").unwrap();
        probe(tmp.path(), tmp.path()).expect("overlayfs mounts here (root)");
        let o = Overlay::mount(&lower, &upper, &work, &merged).unwrap();
        assert_eq!(
            std::fs::read_to_string(merged.join("base.txt")).unwrap(),
            "base"
        );
        std::fs::write(merged.join("base.txt"), "changed").unwrap();
        std::fs::write(merged.join("new.txt"), "new").unwrap();
        std::fs::remove_file(merged.join("base.txt")).unwrap();
        o.unmount().unwrap();
        assert_eq!(
            std::fs::read_to_string(lower.join("base.txt")).unwrap(),
            "base"
        );
        assert!(!lower.join("new.txt").exists());
        assert!(upper.join("new.txt").exists());
        assert!(!merged.join("new.txt").exists(), "unmounted");
    }
}
