//! The state of every path under a root: enough metadata to tell whether
//! it changed, and the content digests unpacking computed.

use crate::error::{IoContext, OciError};
use crate::unpack::{meta, Contents};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Char,
    Block,
    Fifo,
    Socket,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub mtime: (i64, i64),
    pub ctime: (i64, i64),
    pub dev: u64,
    pub ino: u64,
    pub nlink: u64,
    pub rdev: u64,
    pub link: Option<PathBuf>,
    pub xattrs: Vec<(String, Vec<u8>)>,
    /// sha256 of a regular file's content, when known.
    pub hash: Option<[u8; 32]>,
}

/// Paths relative to the root, in tar order (parents first).
#[derive(Debug, Default, Clone)]
pub struct Snapshot(pub BTreeMap<PathBuf, Entry>);

/// Walk `root`, skipping `ignore` (paths relative to the root and what is
/// below them); content digests come from `contents` where known.
pub fn take(
    root: &Path,
    contents: Option<&Contents>,
    ignore: &[PathBuf],
) -> Result<Snapshot, OciError> {
    let mut out = BTreeMap::new();
    walk(root, Path::new(""), contents, ignore, &mut out)?;
    Ok(Snapshot(out))
}

fn walk(
    root: &Path,
    rel: &Path,
    contents: Option<&Contents>,
    ignore: &[PathBuf],
    out: &mut BTreeMap<PathBuf, Entry>,
) -> Result<(), OciError> {
    let dir = root.join(rel);
    let mut names: Vec<_> = fs::read_dir(&dir)
        .ctx(|| format!("read {}", dir.display()))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .ctx(|| format!("read {}", dir.display()))?;
    names.sort();
    for name in names {
        let crel = rel.join(&name);
        if ignore.iter().any(|i| crel.starts_with(i)) {
            continue;
        }
        let full = root.join(&crel);
        let e = stat(&full)?;
        let is_dir = e.kind == Kind::Dir;
        let hash = contents.and_then(|c| c.0.get(&crel).copied());
        out.insert(crel.clone(), Entry { hash, ..e });
        if is_dir {
            walk(root, &crel, contents, ignore, out)?;
        }
    }
    Ok(())
}

pub fn stat(full: &Path) -> Result<Entry, OciError> {
    let m = fs::symlink_metadata(full).ctx(|| format!("stat {}", full.display()))?;
    let ft = m.file_type();
    let kind = if ft.is_dir() {
        Kind::Dir
    } else if ft.is_symlink() {
        Kind::Symlink
    } else if ft.is_char_device() {
        Kind::Char
    } else if ft.is_block_device() {
        Kind::Block
    } else if ft.is_fifo() {
        Kind::Fifo
    } else if ft.is_socket() {
        Kind::Socket
    } else {
        Kind::File
    };
    let link = if kind == Kind::Symlink {
        Some(fs::read_link(full).ctx(|| format!("read link {}", full.display()))?)
    } else {
        None
    };
    Ok(Entry {
        kind,
        mode: m.mode() & 0o7777,
        uid: m.uid(),
        gid: m.gid(),
        size: if kind == Kind::File { m.len() } else { 0 },
        mtime: (m.mtime(), m.mtime_nsec()),
        ctime: (m.ctime(), m.ctime_nsec()),
        dev: m.dev(),
        ino: m.ino(),
        nlink: m.nlink(),
        rdev: m.rdev(),
        link,
        xattrs: meta::xattrs(full).ctx(|| format!("read xattrs of {}", full.display()))?,
        hash: None,
    })
}
