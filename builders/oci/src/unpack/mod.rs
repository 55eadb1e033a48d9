//! Applying layers to a root filesystem directory, as the image spec's
//! changeset rules say: entries in order, `.wh.NAME` removes NAME from the
//! layers below, `.wh..wh..opq` empties a directory of what lower layers
//! put there. Owners, modes, times, xattrs and hard links are kept.
//!
//! Nothing is ever written outside the root: names with `..` or a leading
//! `/`, writes below a symlink, relative symlinks that climb out, hard
//! links to anything outside, and device nodes outside `/dev` in
//! unprivileged builds are refused with an error naming the entry.
//!
//! Device nodes under `/dev` in an unprivileged build are skipped and
//! counted instead, as rootless containerd, podman and umoci do: the
//! sandbox mounts its own `/dev` over that directory, and the layer they
//! came in stays in the image byte for byte, so nothing is lost. That is
//! what makes a `debootstrap` tree's tarball (with `/dev/null` and
//! friends) usable as a base.

pub mod meta;
pub mod path;

use crate::digest::DigestReader;
use crate::error::{IoContext, OciError};
use kiln_core::Cancel;
use sha2::{Digest as _, Sha256};
use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, Default)]
pub struct UnpackOptions {
    /// Device nodes are created only then.
    pub privileged: bool,
}

/// What applying one layer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The layer's diff id (the digest of the uncompressed tar).
    pub diff_id: String,
    /// Device nodes under `/dev` left out (unprivileged builds only).
    pub skipped_devices: usize,
}

/// sha256 of every regular file's content as unpacked, by path under the
/// root: the change set compares against them without a second read.
#[derive(Debug, Default, Clone)]
pub struct Contents(pub HashMap<PathBuf, [u8; 32]>);

impl Contents {
    fn remove_tree(&mut self, rel: &Path) {
        self.0.retain(|p, _| !p.starts_with(rel));
    }
}

/// Apply one layer (an uncompressed tar stream) to `root`.
pub fn apply_layer(
    root: &Path,
    tar: impl Read,
    opts: UnpackOptions,
    contents: &mut Contents,
    cancel: &Cancel,
) -> Result<Applied, OciError> {
    let mut reader = DigestReader::new(tar);
    let mut skipped_devices = 0;
    {
        let mut ar = tar::Archive::new(&mut reader);
        let mut created: HashSet<PathBuf> = HashSet::new();
        let mut dir_times: Vec<(PathBuf, i64)> = Vec::new();
        for entry in ar.entries().ctx(|| "read layer".into())? {
            if cancel.is_cancelled() {
                return Err(OciError::Cancelled);
            }
            let mut entry = entry.ctx(|| "read layer".into())?;
            let raw = entry.path_bytes().into_owned();
            let shown = String::from_utf8_lossy(&raw).into_owned();
            let Some(rel) = path::clean(&raw)? else {
                continue;
            };
            let name = rel.file_name().unwrap_or_default().as_bytes().to_vec();
            if let Some(hidden) = name.strip_prefix(b".wh.") {
                whiteout(root, &rel, hidden, &shown, &created, contents)?;
                continue;
            }
            path::prepare_parents(root, &rel, &shown)?;
            let full = root.join(&rel);
            let kind = entry.header().entry_type();
            let bad = |e: io::Error| OciError::io(format!("unpack {shown}"), e);
            let mut is_dir = false;
            match kind {
                tar::EntryType::Directory => {
                    is_dir = true;
                    match fs::symlink_metadata(&full) {
                        Ok(m) if m.is_dir() => {}
                        Ok(_) => {
                            remove(&full).map_err(bad)?;
                            fs::create_dir(&full).map_err(bad)?;
                        }
                        Err(_) => fs::create_dir(&full).map_err(bad)?,
                    }
                }
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    remove(&full).map_err(bad)?;
                    let mut f = OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
                        .open(&full)
                        .map_err(bad)?;
                    let mut hasher = HashWriter(Sha256::new());
                    let mut tee = Tee(&mut f, &mut hasher);
                    io::copy(&mut entry, &mut tee).map_err(bad)?;
                    contents.0.insert(rel.clone(), hasher.0.finalize().into());
                }
                tar::EntryType::Symlink => {
                    let target = entry.link_name_bytes().unwrap_or_default().into_owned();
                    let target = Path::new(OsStr::from_bytes(&target));
                    let dir = rel.parent().unwrap_or(Path::new(""));
                    if !path::link_stays_inside(dir, target) {
                        return Err(OciError::unsafe_entry(
                            shown,
                            format!("symlink to {} leaves the root", target.display()),
                        ));
                    }
                    remove(&full).map_err(bad)?;
                    std::os::unix::fs::symlink(target, &full).map_err(bad)?;
                }
                tar::EntryType::Link => {
                    let target = entry.link_name_bytes().unwrap_or_default().into_owned();
                    let trel = path::clean(&target)
                        .map_err(|_| {
                            OciError::unsafe_entry(
                                &shown,
                                format!(
                                    "hard link to {} leaves the root",
                                    String::from_utf8_lossy(&target)
                                ),
                            )
                        })?
                        .ok_or_else(|| OciError::unsafe_entry(&shown, "hard link to the root"))?;
                    check_link_target(root, &trel, &shown)?;
                    remove(&full).map_err(bad)?;
                    fs::hard_link(root.join(&trel), &full).map_err(bad)?;
                    if let Some(h) = contents.0.get(&trel).copied() {
                        contents.0.insert(rel.clone(), h);
                    }
                    // A hard link shares its target's inode: no metadata
                    // of its own.
                    created.insert(rel);
                    continue;
                }
                tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                    let is_fifo = kind == tar::EntryType::Fifo;
                    if !is_fifo && !opts.privileged {
                        if !path::under_dev(&rel) {
                            return Err(OciError::unsafe_entry(
                                shown,
                                "device node outside /dev in an unprivileged build (set privileged = true to create device nodes)",
                            ));
                        }
                        // The entry still replaces what lower layers had
                        // there; only the node itself is not made.
                        remove(&full).map_err(bad)?;
                        contents.remove_tree(&rel);
                        skipped_devices += 1;
                        continue;
                    }
                    remove(&full).map_err(bad)?;
                    let h = entry.header();
                    let major = h.device_major().ok().flatten().unwrap_or(0);
                    let minor = h.device_minor().ok().flatten().unwrap_or(0);
                    let ft = match kind {
                        tar::EntryType::Char => rustix::fs::FileType::CharacterDevice,
                        tar::EntryType::Block => rustix::fs::FileType::BlockDevice,
                        _ => rustix::fs::FileType::Fifo,
                    };
                    rustix::fs::mknodat(
                        rustix::fs::CWD,
                        &full,
                        ft,
                        rustix::fs::Mode::from_raw_mode(0o600),
                        rustix::fs::makedev(major, minor),
                    )
                    .map_err(|e| bad(e.into()))?;
                }
                other => {
                    return Err(OciError::Invalid(format!(
                        "layer entry {shown:?}: unsupported tar entry type {other:?}"
                    )))
                }
            }
            let h = entry.header();
            let uid = h.uid().map_err(bad)?;
            let gid = h.gid().map_err(bad)?;
            let mode = h.mode().map_err(bad)?;
            let mtime = i64::try_from(h.mtime().map_err(bad)?).unwrap_or(0);
            meta::set_owner(&full, uid, gid).map_err(bad)?;
            if kind != tar::EntryType::Symlink {
                meta::set_mode(&full, mode).map_err(bad)?;
            }
            if let Some(exts) = entry.pax_extensions().map_err(bad)? {
                for ext in exts {
                    let ext = ext.map_err(bad)?;
                    if let Some(name) = ext.key().ok().and_then(|k| k.strip_prefix("SCHILY.xattr."))
                    {
                        meta::set_xattr(&full, name, ext.value_bytes()).map_err(bad)?;
                    }
                }
            }
            if is_dir {
                // Later entries inside change it again: set it last.
                dir_times.push((full, mtime));
            } else {
                meta::set_mtime(&full, mtime).map_err(bad)?;
            }
            created.insert(rel);
        }
        for (dir, mtime) in dir_times.iter().rev() {
            meta::set_mtime(dir, *mtime).ctx(|| format!("set times of {}", dir.display()))?;
        }
    }
    // The digest covers the whole stream, end-of-archive blocks included.
    io::copy(&mut reader, &mut io::sink()).ctx(|| "read layer".into())?;
    Ok(Applied {
        diff_id: reader.digest(),
        skipped_devices,
    })
}

/// `.wh.NAME` and `.wh..wh..opq`.
fn whiteout(
    root: &Path,
    rel: &Path,
    hidden: &[u8],
    shown: &str,
    created: &HashSet<PathBuf>,
    contents: &mut Contents,
) -> Result<(), OciError> {
    let dir = rel.parent().unwrap_or(Path::new(""));
    if !path::parents_exist(root, rel, shown)? {
        return Ok(());
    }
    if hidden == b".wh..opq" {
        let full = root.join(dir);
        let children = match fs::read_dir(&full) {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(OciError::io(format!("read {}", full.display()), e)),
        };
        for child in children {
            let child = child.ctx(|| format!("read {}", full.display()))?;
            let crel = dir.join(child.file_name());
            if !created.contains(&crel) {
                remove(&child.path()).ctx(|| format!("apply {shown}"))?;
                contents.remove_tree(&crel);
            }
        }
        return Ok(());
    }
    if hidden.is_empty() || hidden == b"." || hidden == b".." || hidden.contains(&b'/') {
        return Err(OciError::unsafe_entry(shown, "invalid whiteout name"));
    }
    let trel = dir.join(OsStr::from_bytes(hidden));
    remove(&root.join(&trel)).ctx(|| format!("apply {shown}"))?;
    contents.remove_tree(&trel);
    Ok(())
}

/// A hard link's target must already be under the root, reached without
/// symlinks, and not be a directory.
fn check_link_target(root: &Path, trel: &Path, shown: &str) -> Result<(), OciError> {
    let mut cur = root.to_path_buf();
    let comps: Vec<_> = trel.components().collect();
    for (i, c) in comps.iter().enumerate() {
        cur.push(c.as_os_str());
        let last = i + 1 == comps.len();
        match fs::symlink_metadata(&cur) {
            Ok(m) if !last && m.file_type().is_symlink() => {
                return Err(OciError::unsafe_entry(
                    shown,
                    format!("hard link target {} goes through a symlink", trel.display()),
                ))
            }
            Ok(m) if last && m.is_dir() => {
                return Err(OciError::unsafe_entry(
                    shown,
                    format!("hard link to directory {}", trel.display()),
                ))
            }
            Ok(_) => {}
            Err(_) => {
                return Err(OciError::unsafe_entry(
                    shown,
                    format!("hard link target {} does not exist", trel.display()),
                ))
            }
        }
    }
    Ok(())
}

/// Remove whatever is at `p` (a directory with its contents), never
/// following a symlink; nothing there is fine.
pub fn remove(p: &Path) -> io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Tee<'a, A: Write, B: Write>(&'a mut A, &'a mut B);

impl<A: Write, B: Write> Write for Tee<'_, A, B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1.write_all(buf.get(..n).unwrap_or_default())?;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests;
