//! oci-archive: a tar of an OCI layout, members in a fixed order with
//! fixed metadata.

use super::compose::Built;
use super::{stage, WriteOptions};
use crate::error::OciError;
use crate::image::layout::LAYOUT_FILE;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

pub fn write(
    built: &Built,
    dest: &Path,
    tags: &[String],
    opts: &WriteOptions,
) -> Result<(), OciError> {
    stage::check_free(dest, opts.force)?;
    let staged = stage::file_for(dest)?;
    {
        let mut tar = tar::Builder::new(BufWriter::new(staged.as_file()));
        let werr = |e: io::Error| OciError::io(format!("write {}", dest.display()), e);
        dir(&mut tar, "blobs/", opts.epoch).map_err(werr)?;
        dir(&mut tar, "blobs/sha256/", opts.epoch).map_err(werr)?;
        let mut seen = std::collections::BTreeSet::new();
        for l in &built.layers {
            if !seen.insert(l.digest.clone()) {
                continue;
            }
            let hex = crate::digest::encoded(&l.digest).unwrap_or_default();
            file(
                &mut tar,
                &format!("blobs/sha256/{hex}"),
                l.size,
                l.src.open()?,
                opts.epoch,
            )
            .map_err(werr)?;
        }
        for (d, bytes) in [
            (&built.config_digest, &built.config),
            (&built.manifest_digest, &built.manifest),
        ] {
            let hex = crate::digest::encoded(d).unwrap_or_default();
            file(
                &mut tar,
                &format!("blobs/sha256/{hex}"),
                bytes.len() as u64,
                bytes.as_slice(),
                opts.epoch,
            )
            .map_err(werr)?;
        }
        let index = super::layout::index_json(built, tags)?;
        file(
            &mut tar,
            "index.json",
            index.len() as u64,
            index.as_slice(),
            opts.epoch,
        )
        .map_err(werr)?;
        file(
            &mut tar,
            "oci-layout",
            LAYOUT_FILE.len() as u64,
            LAYOUT_FILE.as_bytes(),
            opts.epoch,
        )
        .map_err(werr)?;
        let mut w = tar.into_inner().map_err(werr)?;
        w.flush().map_err(werr)?;
    }
    stage::commit_file(staged, dest, opts.force)
}

pub fn dir<W: Write>(tar: &mut tar::Builder<W>, name: &str, epoch: i64) -> io::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o755);
    h.set_size(0);
    h.set_mtime(u64::try_from(epoch).unwrap_or(0));
    tar.append_data(&mut h, name, io::empty())
}

pub fn file<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    size: u64,
    data: impl Read,
    epoch: i64,
) -> io::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o644);
    h.set_size(size);
    h.set_mtime(u64::try_from(epoch).unwrap_or(0));
    tar.append_data(&mut h, name, data.take(size))
}
