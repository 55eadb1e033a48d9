//! Owners, modes, times and extended attributes on paths, never
//! following a final symlink.

use rustix::fs::{AtFlags, Gid, Timespec, Timestamps, Uid, XattrFlags, CWD};
use std::io;
use std::path::Path;

/// Whether kiln may give files away (it runs as root). Without it, owners
/// stay kiln's own, as with rootless container tools.
pub fn can_chown() -> bool {
    rustix::process::geteuid().is_root()
}

pub fn set_owner(p: &Path, uid: u64, gid: u64) -> io::Result<()> {
    if !can_chown() {
        return Ok(());
    }
    let uid =
        u32::try_from(uid).map_err(|_| io::Error::other(format!("uid {uid} out of range")))?;
    let gid =
        u32::try_from(gid).map_err(|_| io::Error::other(format!("gid {gid} out of range")))?;
    rustix::fs::chownat(
        CWD,
        p,
        Some(Uid::from_raw(uid)),
        Some(Gid::from_raw(gid)),
        AtFlags::SYMLINK_NOFOLLOW,
    )
    .map_err(io::Error::from)
}

/// Permission bits including setuid/setgid/sticky (after `set_owner`,
/// which clears the first two).
pub fn set_mode(p: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode & 0o7777))
}

pub fn set_mtime(p: &Path, secs: i64) -> io::Result<()> {
    let t = Timespec {
        tv_sec: secs,
        tv_nsec: 0,
    };
    rustix::fs::utimensat(
        CWD,
        p,
        &Timestamps {
            last_access: t,
            last_modification: t,
        },
        AtFlags::SYMLINK_NOFOLLOW,
    )
    .map_err(io::Error::from)
}

pub fn set_xattr(p: &Path, name: &str, value: &[u8]) -> io::Result<()> {
    match rustix::fs::lsetxattr(p, name, value, XattrFlags::empty()) {
        Ok(()) => Ok(()),
        // The file system cannot hold them (tmpfs and user.*, overlay
        // upper dirs and trusted.*): the image still works without.
        Err(e) if e == rustix::io::Errno::NOTSUP => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Every extended attribute of `p`, sorted by name.
pub fn xattrs(p: &Path) -> io::Result<Vec<(String, Vec<u8>)>> {
    let size = match rustix::fs::llistxattr_query(p) {
        Ok(0) => return Ok(Vec::new()),
        Ok(n) => n,
        Err(e) if e == rustix::io::Errno::NOTSUP => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut names = vec![0u8; size];
    let n = rustix::fs::llistxattr(p, names.as_mut_slice())?;
    names.truncate(n);
    let mut out = Vec::new();
    for name in names.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let len = rustix::fs::lgetxattr_query(p, name.as_str())?;
        let mut value = vec![0u8; len];
        let got = rustix::fs::lgetxattr(p, name.as_str(), value.as_mut_slice())?;
        value.truncate(got);
        out.push((name, value));
    }
    out.sort();
    Ok(out)
}
