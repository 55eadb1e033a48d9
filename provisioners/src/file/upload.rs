//! `direction = "upload"`: local files and directories to the machine,
//! with Packer's slash rules: a directory source with a trailing slash
//! sends its contents, without one the directory itself; a destination
//! ending in `/` is a directory the file goes into.

use super::error::FileError;
use kiln_core::{Communicator, Ui};
use kiln_gocompat::path as go_path;
use std::path::Path;

pub(crate) fn upload(
    comm: &dyn Communicator,
    ui: &dyn Ui,
    src: &str,
    dst: &str,
) -> Result<(), FileError> {
    ui.say(&format!("Uploading {src} => {dst}"));
    let path = Path::new(src);
    let meta = std::fs::metadata(path).map_err(|e| FileError::local("stat", path, &e))?;
    let sent = if meta.is_dir() {
        comm.upload_dir(dst, path)
    } else {
        comm.upload_file(&file_destination(src, dst), path)
    };
    sent.map_err(|e| {
        ui.error(&format!("Upload failed: {e}"));
        FileError::Upload(e)
    })
}

/// Where a file goes: into `dst` under its own name when `dst` ends in
/// `/`, else `dst` itself.
fn file_destination(src: &str, dst: &str) -> String {
    if dst.ends_with('/') {
        format!("{dst}{}", go_path::base(src))
    } else {
        dst.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_slash_makes_the_destination_a_directory() {
        assert_eq!(file_destination("files/a.txt", "/tmp/"), "/tmp/a.txt");
        assert_eq!(file_destination("files/a.txt", "/tmp/b.txt"), "/tmp/b.txt");
    }
}
