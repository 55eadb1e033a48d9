//! What can go wrong moving files, in Packer's words (Go's error texts
//! for local files).

use kiln_core::CommError;
use kiln_template::legacy::LegacyError;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("Error interpolating destination: {0}")]
    Destination(LegacyError),
    #[error("Error interpolating source: {0}")]
    Source(LegacyError),
    /// A local file operation failed; the text is Go's (`stat x: no such
    /// file or directory`).
    #[error("{0}")]
    Local(String),
    /// The transfer failed (said as `Upload failed: …` just before).
    #[error("{0}")]
    Upload(CommError),
    /// The transfer failed (said as `Download failed: …` just before).
    #[error("{0}")]
    Download(CommError),
    #[error("Build was cancelled")]
    Cancelled,
}

impl FileError {
    /// A local failure in Go's `OP PATH: reason` form.
    pub(crate) fn local(op: &str, path: &std::path::Path, e: &std::io::Error) -> FileError {
        FileError::Local(kiln_core::go_error::path_error(
            op,
            &path.display().to_string(),
            e,
        ))
    }
}
