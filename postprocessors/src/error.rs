//! The crate's one error type. Messages are Packer's where Packer has one,
//! so users see the same text; the `#[error]` text of a variant is its message.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PostProcessError {
    /// The `output` template could not be rendered.
    #[error("Error interpolating output value: {0}")]
    Output(kiln_template::legacy::LegacyError),
    /// A `custom_data` value could not be rendered.
    #[error("Error interpolating custom data: {0}")]
    CustomData(kiln_template::legacy::LegacyError),
    /// Another writer holds the side lock and something went wrong waiting.
    #[error("Unable to lock {}: {source}", path.display())]
    Lock { path: PathBuf, source: io::Error },
    #[error("Unable to open {} for reading: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    /// An existing manifest is not JSON Packer could read.
    #[error("Unable to parse content from {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("Unable to write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("unable to create dir: {0}")]
    CreateDir(io::Error),
    /// An input file could not be read for hashing.
    #[error("unable to open file {}: {source}", path.display())]
    OpenInput { path: PathBuf, source: io::Error },
    #[error("unable to compute {kind} hash for {}: {source}", path.display())]
    Hash {
        kind: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("Unable to create dir for archive {}: {source}", path.display())]
    ArchiveDir { path: PathBuf, source: io::Error },
    #[error("Unable to create archive {}: {source}", path.display())]
    CreateArchive { path: PathBuf, source: io::Error },
    #[error("Error creating tar: {0}")]
    Tar(String),
    #[error("Error creating zip: {0}")]
    Zip(String),
    /// Plain compression handles one file; several need tar or zip.
    #[error("Can only have 1 input file when not using tar/zip. Found {count} files: [{}]", files.join(" "))]
    WrongInputCount { count: usize, files: Vec<String> },
    #[error("Failed to open source file {} for reading: {source}", path.display())]
    OpenSource { path: PathBuf, source: io::Error },
    #[error("Failed to compress {}: {source}", path.display())]
    Compress { path: PathBuf, source: io::Error },
    #[error("{0}")]
    Format(String),
    /// Invalid compression level. Expected an integer from -1 to 9.
    #[error("Invalid compression level. Expected an integer from -1 to 9.")]
    Level,
}

impl From<PostProcessError> for kiln_core::BuildError {
    fn from(e: PostProcessError) -> kiln_core::BuildError {
        kiln_core::BuildError::failed(e)
    }
}
