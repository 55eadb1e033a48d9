//! `direction = "download"`: files and directories from the machine, with
//! Packer's rules: a destination ending in `/` is a directory (created as
//! needed) the source goes into under its own name; a source ending in
//! `/` or holding a glob is downloaded as a directory. Files are written
//! under a temporary name next to their destination and renamed into
//! place once complete.

use super::error::FileError;
use kiln_core::{Communicator, Ui};
use kiln_gocompat::atomic::AtomicFile;
use kiln_gocompat::path as go_path;
use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// Local targets of one download.
#[derive(Debug, PartialEq, Eq)]
struct Targets {
    /// Created (with parents) before the download.
    dir: PathBuf,
    /// The file written, or the directory the remote one lands in.
    target: PathBuf,
    is_dir: bool,
}

/// Packer's `ProvisionDownload` path rules.
fn targets(src: &str, dst: &str) -> Targets {
    let is_dir = src.ends_with('/') || src.contains(['*', '?', '[']);
    if !dst.ends_with('/') {
        return Targets {
            dir: PathBuf::from(go_path::dir(dst)),
            target: PathBuf::from(dst),
            is_dir,
        };
    }
    let target = if !src.ends_with('/') && !src.ends_with('*') {
        Path::new(dst).join(go_path::base(src))
    } else {
        PathBuf::from(dst)
    };
    Targets {
        dir: PathBuf::from(dst),
        target,
        is_dir,
    }
}

pub(crate) fn download(
    comm: &dyn Communicator,
    ui: &dyn Ui,
    src: &str,
    dst: &str,
) -> Result<(), FileError> {
    ui.say(&format!("Downloading {src} => {dst}"));
    let t = targets(src, dst);
    mkdir_all(&t.dir)?;
    if t.is_dir {
        // The remote directory lands inside the target, which Packer's
        // client creates as it goes.
        mkdir_all(&t.target)?;
        return comm
            .download_dir(src, &t.target)
            .map_err(FileError::Download);
    }
    if t.target.is_dir() {
        return Err(FileError::local(
            "open",
            &t.target,
            &std::io::Error::from(std::io::ErrorKind::IsADirectory),
        ));
    }
    // Go's `os.OpenFile(dst, O_CREATE|O_TRUNC, 0644)`: 0644 less the umask
    // for a new file, the old mode for one it replaces.
    let mut tmp = AtomicFile::create(&t.target, 0o644)
        .map_err(|e| FileError::local("open", &t.target, &e))?;
    comm.download(src, tmp.file_mut()).map_err(|e| {
        ui.error(&format!("Download failed: {e}"));
        FileError::Download(e)
    })?;
    tmp.commit()
        .map_err(|e| FileError::local("rename", &t.target, &e))?;
    Ok(())
}

fn mkdir_all(dir: &Path) -> Result<(), FileError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .map_err(|e| FileError::local("mkdir", dir, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dir: &str, target: &str, is_dir: bool) -> Targets {
        Targets {
            dir: PathBuf::from(dir),
            target: PathBuf::from(target),
            is_dir,
        }
    }

    #[test]
    fn packers_path_rules() {
        assert_eq!(targets("/etc/hostname", "out/h"), t("out", "out/h", false));
        assert_eq!(targets("/etc/hostname", "h"), t(".", "h", false));
        assert_eq!(
            targets("/etc/hostname", "out/"),
            t("out/", "out/hostname", false)
        );
        assert_eq!(targets("/var/log/", "logs/"), t("logs/", "logs/", true));
        assert_eq!(targets("/var/log/", "logs"), t(".", "logs", true));
        assert_eq!(targets("/var/log/*", "logs/"), t("logs/", "logs/", true));
        assert_eq!(
            targets("/var/log/*.log", "logs/"),
            t("logs/", "logs/*.log", true)
        );
    }
}
