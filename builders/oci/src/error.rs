//! Everything that can go wrong reading, unpacking or writing an image.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// An I/O error with what kiln was doing at the time.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A JSON document of the image could not be read.
    #[error("{what}: {source}")]
    Json {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    /// The base image reference has no known transport.
    #[error("unsupported image reference {0:?}: use oci:PATH[:TAG], oci-archive:PATH[:TAG], docker-archive:PATH[:REPO:TAG], rootfs:PATH.tar[.gz|.zst] or docker://REGISTRY/REPO:TAG")]
    BadReference(String),
    /// The layout or archive does not hold the image asked for.
    #[error("{0}")]
    NotFound(String),
    /// The image is malformed (wrong digest, missing blob, bad JSON shape).
    #[error("{0}")]
    Invalid(String),
    /// A layer holds an entry kiln refuses to unpack.
    #[error("refusing to unpack layer entry {path:?}: {reason}")]
    Unsafe { path: String, reason: String },
    /// A `changes` line kiln cannot apply.
    #[error("{0}")]
    Change(String),
    /// The output exists and `-force` was not given.
    #[error("output {0} already exists; use -force to replace it")]
    Exists(PathBuf),
    /// A registry refused or failed a request.
    #[error("registry: {0}")]
    Registry(String),
    /// The build was cancelled.
    #[error("cancelled")]
    Cancelled,
}

impl OciError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> OciError {
        OciError::Io {
            context: context.into(),
            source,
        }
    }

    pub fn unsafe_entry(path: impl Into<String>, reason: impl Into<String>) -> OciError {
        OciError::Unsafe {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// `io::Result` → `Result<_, OciError>` with a context.
pub trait IoContext<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, OciError>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, OciError> {
        self.map_err(|e| OciError::io(context(), e))
    }
}

impl From<OciError> for kiln_core::BuildError {
    fn from(e: OciError) -> Self {
        match e {
            OciError::Cancelled => kiln_core::BuildError::Cancelled,
            e => kiln_core::BuildError::failed(e),
        }
    }
}
