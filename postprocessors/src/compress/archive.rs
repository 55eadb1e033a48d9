//! What goes into the compressed stream: a tar or zip of the artifact's
//! files, or the one file itself. Entries are made as Packer makes them.

use kiln_core::{Cancel, Progress};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::owners::Owners;
use crate::watch::Watched;

/// Where long reads report to.
pub(super) struct Watch<'a> {
    pub(super) cancel: &'a Cancel,
    pub(super) progress: &'a dyn Progress,
}

impl Watch<'_> {
    fn reader<R: Read>(&self, r: R) -> Watched<'_, R> {
        Watched::new(r, self.cancel, Some(self.progress))
    }
}

/// A GNU tar like Packer's: each file under its base name, with its
/// permission bits, owner ids and names, size, and mtime 0 (Packer clears
/// the times so archives of equal files are equal).
pub(super) fn tar<W: Write>(files: &[PathBuf], out: W, watch: &Watch<'_>) -> Result<W, String> {
    let owners = Owners::load();
    let mut builder = tar::Builder::new(out);
    for path in files {
        let p = path.display();
        let file = File::open(path).map_err(|e| format!("Unable to read file {p}: {e}"))?;
        let meta = file
            .metadata()
            .map_err(|e| format!("Unable to get fileinfo for {p}: {e}"))?;
        if meta.is_dir() {
            return Err(format!(
                "Failed to copy {p} data to archive: {p} is a directory"
            ));
        }
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(meta.len());
        header.set_mode(meta.mode() & 0o7777);
        header.set_uid(u64::from(meta.uid()));
        header.set_gid(u64::from(meta.gid()));
        // Names longer than the field are left out, as a lookup failure is.
        let _ = header.set_username(owners.user(meta.uid()));
        let _ = header.set_groupname(owners.group(meta.gid()));
        header.set_mtime(0);
        header.set_device_major(0).map_err(|e| e.to_string())?;
        header.set_device_minor(0).map_err(|e| e.to_string())?;
        let name = path.file_name().map(Path::new).unwrap_or(path);
        let mut counted = Counted {
            inner: watch.reader(file.take(meta.len())),
            n: 0,
        };
        builder
            .append_data(&mut header, name, &mut counted)
            .map_err(|e| format!("Failed to copy {p} data to archive: {e}"))?;
        if counted.n != meta.len() {
            return Err(format!(
                "Failed to copy {p} data to archive: the file shrank while being read"
            ));
        }
    }
    builder.into_inner().map_err(|e| e.to_string())
}

/// A zip like Packer's: entries named by the paths as the artifact lists
/// them (kiln drops a leading `/`, which zip readers refuse or strip),
/// deflated, streamed with data descriptors. kiln also records each
/// file's permission bits, which Packer leaves out.
pub(super) fn zip<W: Write>(
    files: &[PathBuf],
    out: W,
    level: i64,
    watch: &Watch<'_>,
) -> Result<W, String> {
    use zip::write::SimpleFileOptions;
    let mut z = zip::ZipWriter::new_stream(out);
    for path in files {
        let p = path.display();
        let file = File::open(path).map_err(|e| format!("Unable to read file {p}: {e}"))?;
        let meta = file
            .metadata()
            .map_err(|e| format!("Unable to read file {p}: {e}"))?;
        if meta.is_dir() {
            return Err(format!(
                "Failed to copy {p} data to archive: {p} is a directory"
            ));
        }
        let name = path.to_string_lossy();
        let name = name.trim_start_matches('/');
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(level))
            .large_file(meta.len() >= u64::from(u32::MAX))
            .unix_permissions(meta.mode() & 0o777);
        z.start_file(name, options)
            .map_err(|e| format!("Failed to add zip header for {p}: {e}"))?;
        io::copy(&mut watch.reader(file), &mut z)
            .map_err(|e| format!("Failed to copy {p} data to archive: {e}"))?;
    }
    let stream = z.finish().map_err(|e| e.to_string())?;
    Ok(stream.into_inner())
}

/// The one file, as is, into the compressor.
pub(super) fn single<W: Write>(file: File, out: &mut W, watch: &Watch<'_>) -> io::Result<u64> {
    io::copy(&mut watch.reader(file), out)
}

struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}
