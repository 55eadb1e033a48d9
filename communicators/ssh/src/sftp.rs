//! Transfers over SFTP (`ssh_file_transfer_method = "sftp"`): files stream
//! without knowing their size first; modes are set after writing, as
//! Packer does.

use crate::error::SshError;
use crate::wait::Waiter;
use ssh2::{File, FileStat, OpenFlags, OpenType, Session, Sftp};
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub(crate) fn open(sess: &Session, w: &Waiter<'_>) -> Result<Sftp, SshError> {
    w.retry("starting SFTP", || sess.sftp())
}

/// Write `src` to `dst`, then set `mode`.
pub(crate) fn upload(
    sftp: &Sftp,
    w: &Waiter<'_>,
    dst: &str,
    src: &mut dyn Read,
    mode: Option<u32>,
) -> Result<(), SshError> {
    let path = Path::new(dst);
    let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::TRUNCATE;
    let mut file = w.retry(&format!("sftp: creating {dst}"), || {
        sftp.open_mode(path, flags, 0o644, OpenType::File)
    })?;
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(SshError::io("reading the upload", e)),
        };
        let mut chunk = buf.get(..n).unwrap_or_default();
        while !chunk.is_empty() {
            let written = w.retry_io(&format!("sftp: writing {dst}"), || file.write(chunk))?;
            w.progressed();
            chunk = chunk.get(written..).unwrap_or_default();
        }
    }
    close(&mut file, w, dst)?;
    if let Some(mode) = mode {
        chmod(sftp, w, dst, mode)?;
    }
    Ok(())
}

fn close(file: &mut File, w: &Waiter<'_>, path: &str) -> Result<(), SshError> {
    w.retry(&format!("sftp: closing {path}"), || file.close())
}

pub(crate) fn chmod(sftp: &Sftp, w: &Waiter<'_>, path: &str, mode: u32) -> Result<(), SshError> {
    let stat = FileStat {
        size: None,
        uid: None,
        gid: None,
        perm: Some(mode & 0o7777),
        atime: None,
        mtime: None,
    };
    w.retry(&format!("sftp: chmod {path}"), || {
        sftp.setstat(Path::new(path), stat.clone())
    })
}

/// Create `dst` (fine if it is already a directory) with `mode`.
fn mkdir(sftp: &Sftp, w: &Waiter<'_>, dst: &str, mode: u32) -> Result<(), SshError> {
    let path = Path::new(dst);
    match w.retry(&format!("sftp: creating directory {dst}"), || {
        sftp.mkdir(path, 0o755)
    }) {
        Ok(()) => {}
        Err(e) => {
            let is_dir = w
                .retry("sftp: stat", || sftp.lstat(path))
                .map(|s| s.is_dir())
                .unwrap_or(false);
            if !is_dir {
                return Err(e);
            }
        }
    }
    chmod(sftp, w, dst, mode)
}

/// Upload the local directory tree `src` as `dst` (created if needed).
pub(crate) fn upload_tree(
    sftp: &Sftp,
    w: &Waiter<'_>,
    dst: &str,
    src: &Path,
) -> Result<(), SshError> {
    let mut entries: Vec<_> = std::fs::read_dir(src)
        .and_then(|rd| rd.collect::<Result<Vec<_>, _>>())
        .map_err(|e| SshError::io(format!("reading {}", src.display()), e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let target = format!(
            "{}/{}",
            dst.trim_end_matches('/'),
            entry.file_name().to_string_lossy()
        );
        let meta = std::fs::metadata(&path)
            .map_err(|e| SshError::io(format!("stat {}", path.display()), e))?;
        let mode = meta.permissions().mode();
        if meta.is_dir() {
            mkdir(sftp, w, &target, mode)?;
            upload_tree(sftp, w, &target, &path)?;
        } else {
            let mut f = std::fs::File::open(&path)
                .map_err(|e| SshError::io(format!("open {}", path.display()), e))?;
            upload(sftp, w, &target, &mut f, Some(mode))?;
        }
    }
    Ok(())
}

/// Make `dst` a directory with `src`'s mode (the "copy the directory
/// itself" case).
pub(crate) fn mkdir_like(
    sftp: &Sftp,
    w: &Waiter<'_>,
    dst: &str,
    src: &Path,
) -> Result<(), SshError> {
    let mode = std::fs::metadata(src)
        .map_err(|e| SshError::io(format!("stat {}", src.display()), e))?
        .permissions()
        .mode();
    mkdir(sftp, w, dst, mode)
}

/// Stream the remote file `src` into `dst`.
pub(crate) fn download(
    sftp: &Sftp,
    w: &Waiter<'_>,
    src: &str,
    dst: &mut dyn Write,
) -> Result<(), SshError> {
    let mut file = w.retry(&format!("sftp: opening {src}"), || {
        sftp.open(Path::new(src))
    })?;
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                w.wait()?;
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(SshError::io(format!("sftp: reading {src}"), e)),
        };
        w.progressed();
        dst.write_all(buf.get(..n).unwrap_or_default())
            .map_err(|e| SshError::io("writing the download", e))?;
    }
    close(&mut file, w, src)
}
