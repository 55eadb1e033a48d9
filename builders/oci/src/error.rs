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
    /// `docker-tag` names images in a layout's `index.json`; an archive
    /// is written once.
    #[error("cannot tag artifact {artifact:?}: it is an archive ({}), written once, and docker-tag names images in an OCI layout (output_format = \"oci\"); to push an archive under other names, set oci-push's repository and tags", .path.display())]
    TagArchive { artifact: String, path: PathBuf },
    /// A push or save of a `docker export`: no config, no manifest.
    #[error("cannot {verb} artifact {path:?}: it is a file system export (export_path), a plain tar without an image config or manifest; build an image instead (commit = true, or output_format on source \"oci\")")]
    ExportIsNotImage { verb: &'static str, path: String },
    /// A push or save of another builder's artifact.
    #[error("cannot {verb} artifact {artifact:?} of {builder}: it is not a container image; {verb} takes the images of the oci and docker builders (layout, oci-archive or docker-archive) and of docker-import, docker-tag and docker-save")]
    NotAnImage {
        verb: &'static str,
        artifact: String,
        builder: String,
    },
    /// Packer's message for a `docker-import` of anything but an export.
    #[error("Unknown artifact type: {0}\nCan only import from docker builder artifacts with export_path.")]
    NotAnExport(String),
    /// A push needs a registry host in the repository name.
    #[error("cannot push {0:?}: name the registry and repository (docker-tag repository = \"REGISTRY/REPO\")")]
    NoRegistry(String),
    /// A step ran before the one that sets what it needs: a bug in the
    /// step order, not something a user can fix.
    #[error("{step}: no {what} (an earlier step should have set it)")]
    MissingState {
        step: &'static str,
        what: &'static str,
    },
    /// `discard = true` and a `test` block: nothing is kept to start.
    #[error("the image is discarded (discard = true): there is nothing to test")]
    NothingToTest,
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
