//! Writing a box: a tar of named entries, gzip-compressed unless the
//! level is 0, written under a temporary name and renamed into place.
//!
//! The plugin copies everything into a temporary directory first and
//! tars that; kiln streams each file straight into the archive, so a
//! multi-gigabyte disk is read once and never copied. Entries come in
//! byte order of their names, as `filepath.Walk` gives them to the plugin.

use kiln_core::{Cancel, Progress, Ui};
use kiln_gocompat::atomic::AtomicFile;
use kiln_pgzip::ParallelGzip;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::VagrantError;
use crate::digest::Sha256Writer;
use crate::watch::Watched;

/// What one entry of the box holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A file's contents, read when the box is written.
    File(PathBuf),
    Bytes(Vec<u8>),
}

/// The box's entries by name (`metadata.json`, `Vagrantfile`, …).
pub type Entries = BTreeMap<String, Entry>;

/// Where the archive goes and how.
pub struct Target<'a> {
    pub path: &'a Path,
    /// gzip level, `None` for a plain tar.
    pub level: Option<u32>,
    pub ui: &'a dyn Ui,
    pub cancel: &'a Cancel,
}

/// Write the box; its sha256 (hex) for the artifact.
pub fn write(target: &Target<'_>, entries: &Entries) -> Result<String, VagrantError> {
    let path = target.path;
    let create = |source| VagrantError::Create {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(create)?;
    }
    let staged = AtomicFile::create(path, 0o666).map_err(create)?;
    let file = staged.file().try_clone().map_err(create)?;
    let sink = Sha256Writer::new(BufWriter::with_capacity(1 << 20, file));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let enc = match target.level {
        None => Encoder::Plain(sink),
        Some(level) => Encoder::Gzip(ParallelGzip::new(sink, level, cores).map_err(create)?),
    };

    let sizes = sizes(entries, path)?;
    let total = sizes.values().sum();
    let progress = target
        .ui
        .progress(&format!("Compressing {}", path.display()), Some(total));
    let mut tar = tar::Builder::new(enc);
    for (name, entry) in entries {
        target.ui.message(&format!("Compressing: {name}"));
        let size = sizes.get(name).copied().unwrap_or(0);
        add(&mut tar, name, entry, size, target, progress.as_ref())?;
    }
    progress.finish();
    let write_err = |source| VagrantError::Write {
        path: path.to_owned(),
        entry: "end of archive".to_owned(),
        source,
    };
    let enc = tar.into_inner().map_err(write_err)?;
    let (buffered, sha256) = enc.finish().map_err(write_err)?.finish();
    buffered
        .into_inner()
        .map_err(|e| write_err(e.into_error()))?;
    staged.commit().map_err(write_err)?;
    Ok(sha256)
}

/// Each entry's size, checked before anything is written: a file that
/// is missing or not a regular file fails the box up front.
fn sizes(entries: &Entries, path: &Path) -> Result<BTreeMap<String, u64>, VagrantError> {
    let mut out = BTreeMap::new();
    for (name, entry) in entries {
        let size = match entry {
            Entry::Bytes(b) => b.len() as u64,
            Entry::File(f) => {
                let m = fs::metadata(f).map_err(|source| VagrantError::Write {
                    path: path.to_owned(),
                    entry: format!("{name} (from {})", f.display()),
                    source,
                })?;
                if !m.is_file() {
                    return Err(VagrantError::Write {
                        path: path.to_owned(),
                        entry: format!("{name} (from {})", f.display()),
                        source: io::Error::other("not a regular file"),
                    });
                }
                m.len()
            }
        };
        out.insert(name.clone(), size);
    }
    Ok(out)
}

fn add<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    entry: &Entry,
    size: u64,
    target: &Target<'_>,
    progress: &dyn Progress,
) -> Result<(), VagrantError> {
    let err = |source| VagrantError::Write {
        path: target.path.to_owned(),
        entry: name.to_owned(),
        source,
    };
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    // The plugin's entries are its fresh copies: 0666 less the umask,
    // owned by the user running it, stamped now.
    header.set_mode(0o644);
    header.set_uid(u64::from(rustix::process::getuid().as_raw()));
    header.set_gid(u64::from(rustix::process::getgid().as_raw()));
    header.set_mtime(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    header.set_size(size);
    // `append_data` sets the name (GNU long names when it needs them) and
    // the checksum.
    match entry {
        Entry::Bytes(b) => tar
            .append_data(&mut header, name, b.as_slice())
            .map_err(err),
        Entry::File(f) => {
            let file = File::open(f).map_err(err)?;
            let mut counted = Counted {
                inner: Watched::new(file.take(size), target.cancel, Some(progress)),
                n: 0,
            };
            tar.append_data(&mut header, name, &mut counted)
                .map_err(err)?;
            if counted.n != size {
                return Err(VagrantError::Changed {
                    path: target.path.to_owned(),
                    file: f.clone(),
                    expected: size,
                    got: counted.n,
                });
            }
            Ok(())
        }
    }
}

/// Counts what was read, so a file that shrank while being archived (the
/// tar would be corrupt) is caught.
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

enum Encoder<W: Write> {
    Plain(W),
    Gzip(ParallelGzip<W>),
}

impl<W: Write> Encoder<W> {
    fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Plain(mut w) => {
                w.flush()?;
                Ok(w)
            }
            Encoder::Gzip(w) => w.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Plain(w) => w.write(buf),
            Encoder::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.flush(),
            Encoder::Gzip(w) => w.flush(),
        }
    }
}
