//! The layer tar of a change set, compressed, with both digests (the
//! blob's and the uncompressed diff id). Deterministic: entries in path
//! order, numeric owners only, mtimes clamped to `SOURCE_DATE_EPOCH`,
//! fixed compression headers.

use super::diff::Change;
use super::snapshot::{Entry, Kind};
use crate::compression::{Compression, Compressor};
use crate::digest::DigestWriter;
use crate::error::{IoContext, OciError};
use kiln_core::Cancel;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

#[derive(Debug, Clone, Copy, Default)]
pub struct LayerOptions {
    pub compression: Compression,
    /// No entry is newer than this (`SOURCE_DATE_EPOCH`).
    pub epoch: Option<i64>,
}

/// A layer blob written to a temporary file.
#[derive(Debug)]
pub struct WrittenLayer {
    pub file: NamedTempFile,
    pub digest: String,
    pub diff_id: String,
    pub size: u64,
    pub media_type: &'static str,
}

/// Write `changes` of `root` as a layer into a temporary file in `dir`.
pub fn write(
    root: &Path,
    changes: &[Change],
    opts: LayerOptions,
    dir: &Path,
    cancel: &Cancel,
) -> Result<WrittenLayer, OciError> {
    let tmp = NamedTempFile::new_in(dir).ctx(|| format!("create a file in {}", dir.display()))?;
    let out = tmp
        .reopen()
        .ctx(|| format!("open {}", tmp.path().display()))?;
    let compressed = DigestWriter::new(BufWriter::with_capacity(1 << 20, out));
    let enc = Compressor::new(compressed, opts.compression).ctx(|| "start compression".into())?;
    let mut tar = tar::Builder::new(DigestWriter::new(enc));
    tar.mode(tar::HeaderMode::Complete);
    let mut seen: HashMap<(u64, u64), PathBuf> = HashMap::new();
    for c in changes {
        if cancel.is_cancelled() {
            return Err(OciError::Cancelled);
        }
        let name = c.tar_path();
        let werr = |e: io::Error| OciError::io(format!("write layer entry {}", name.display()), e);
        match c {
            Change::Whiteout(_) => {
                let mut h = header(
                    tar::EntryType::Regular,
                    0o644,
                    0,
                    0,
                    0,
                    opts.epoch.unwrap_or(0),
                );
                tar.append_data(&mut h, &name, io::empty()).map_err(werr)?;
            }
            Change::Upsert(p, e) => {
                let full = root.join(p);
                if !e.xattrs.is_empty() {
                    let exts: Vec<(String, &[u8])> = e
                        .xattrs
                        .iter()
                        .map(|(k, v)| (format!("SCHILY.xattr.{k}"), v.as_slice()))
                        .collect();
                    tar.append_pax_extensions(exts.iter().map(|(k, v)| (k.as_str(), *v)))
                        .map_err(werr)?;
                }
                let mtime = clamp(e.mtime.0, opts.epoch);
                if e.kind == Kind::File && e.nlink > 1 {
                    if let Some(first) = seen.get(&(e.dev, e.ino)) {
                        let mut h = header(tar::EntryType::Link, e.mode, e.uid, e.gid, 0, mtime);
                        tar.append_link(&mut h, &name, first).map_err(werr)?;
                        continue;
                    }
                    seen.insert((e.dev, e.ino), name.clone());
                }
                append(&mut tar, &full, &name, e, mtime).map_err(werr)?;
            }
        }
    }
    let outer = tar.into_inner().ctx(|| "finish layer".into())?;
    let (enc, diff_id, _) = outer.finish();
    let compressed = enc.finish().ctx(|| "finish compression".into())?;
    let (buf, digest, size) = compressed.finish();
    let f = buf
        .into_inner()
        .map_err(|e| OciError::io("write layer", e.into_error()))?;
    f.sync_all().ctx(|| "sync layer".into())?;
    Ok(WrittenLayer {
        file: tmp,
        digest,
        diff_id,
        size,
        media_type: opts.compression.media_type(),
    })
}

fn clamp(mtime: i64, epoch: Option<i64>) -> i64 {
    match epoch {
        Some(e) => mtime.clamp(0, e),
        None => mtime.max(0),
    }
}

fn header(
    kind: tar::EntryType,
    mode: u32,
    uid: u32,
    gid: u32,
    size: u64,
    mtime: i64,
) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(u64::from(uid));
    h.set_gid(u64::from(gid));
    h.set_size(size);
    h.set_mtime(u64::try_from(mtime).unwrap_or(0));
    h
}

fn append<W: io::Write>(
    tar: &mut tar::Builder<W>,
    full: &Path,
    name: &Path,
    e: &Entry,
    mtime: i64,
) -> io::Result<()> {
    match e.kind {
        Kind::File => {
            let f = File::open(full)?;
            // The size recorded at the walk: a file growing meanwhile must
            // not corrupt the archive.
            let mut h = header(tar::EntryType::Regular, e.mode, e.uid, e.gid, e.size, mtime);
            tar.append_data(&mut h, name, io::Read::take(f, e.size))
        }
        Kind::Dir => {
            let mut h = header(tar::EntryType::Directory, e.mode, e.uid, e.gid, 0, mtime);
            tar.append_data(&mut h, name, io::empty())
        }
        Kind::Symlink => {
            let mut h = header(tar::EntryType::Symlink, e.mode, e.uid, e.gid, 0, mtime);
            let target = e.link.clone().unwrap_or_default();
            tar.append_link(&mut h, name, target)
        }
        Kind::Char | Kind::Block | Kind::Fifo => {
            let kind = match e.kind {
                Kind::Char => tar::EntryType::Char,
                Kind::Block => tar::EntryType::Block,
                _ => tar::EntryType::Fifo,
            };
            let mut h = header(kind, e.mode, e.uid, e.gid, 0, mtime);
            h.set_device_major(rustix::fs::major(e.rdev))?;
            h.set_device_minor(rustix::fs::minor(e.rdev))?;
            tar.append_data(&mut h, name, io::empty())
        }
        // Sockets belong to a running process, not to an image.
        Kind::Socket => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{diff, snapshot};
    use crate::unpack::{apply_layer, Contents, UnpackOptions};
    use std::fs;

    fn build(root: &Path, dir: &Path, c: Compression) -> WrittenLayer {
        let base = snapshot::Snapshot::default();
        let changes = diff::changes(root, &base, &[]).unwrap();
        let opts = LayerOptions {
            compression: c,
            epoch: Some(1_700_000_000),
        };
        write(root, &changes, opts, dir, &Cancel::new()).unwrap()
    }

    #[test]
    fn same_tree_same_digest_and_it_unpacks_back() {
        let src = tempfile::tempdir().unwrap();
        let r = src.path();
        fs::create_dir(r.join("etc")).unwrap();
        fs::write(r.join("etc/a"), "alpha").unwrap();
        fs::hard_link(r.join("etc/a"), r.join("etc/b")).unwrap();
        std::os::unix::fs::symlink("a", r.join("etc/l")).unwrap();
        let out = tempfile::tempdir().unwrap();
        for c in [Compression::Gzip, Compression::Zstd] {
            let one = build(r, out.path(), c);
            let two = build(r, out.path(), c);
            assert_eq!(one.digest, two.digest);
            assert_eq!(one.diff_id, two.diff_id);

            let back = tempfile::tempdir().unwrap();
            let f = File::open(one.file.path()).unwrap();
            let tar = crate::compression::decompressed(f).unwrap();
            let applied = apply_layer(
                back.path(),
                tar,
                UnpackOptions::default(),
                &mut Contents::default(),
                &Cancel::new(),
            )
            .unwrap();
            assert_eq!(applied.diff_id, one.diff_id);
            use std::os::unix::fs::MetadataExt;
            let a = fs::metadata(back.path().join("etc/a")).unwrap();
            assert_eq!(a.nlink(), 2);
            assert!(a.mtime() <= 1_700_000_000);
            assert_eq!(
                fs::read_link(back.path().join("etc/l")).unwrap(),
                Path::new("a")
            );
        }
    }
}
