use kiln_core::communicator::CommError;
use std::io;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// Network mode other than `host` or `none`.
    #[error("unknown sandbox network {0:?}: expected \"host\" or \"none\"")]
    BadNetwork(String),
    /// A volume that is not `HOST:CONTAINER[:ro|:rw]` with absolute paths.
    #[error("invalid volume {0:?}: expected HOST:CONTAINER[:ro] with absolute paths")]
    BadVolume(String),
    /// A path given for inside the sandbox that is not absolute.
    #[error("{0:?} is not an absolute path inside the sandbox")]
    NotAbsolute(String),
    /// A path with a NUL byte.
    #[error("path {0:?} contains a NUL byte")]
    Nul(String),
    /// Without root, the sandbox's user namespace maps only root.
    #[error("cannot run as user {0:?} in the sandbox without root: run kiln as root")]
    UserNeedsRoot(String),
    /// The rootfs directory cannot be opened.
    #[error("cannot open the rootfs {path}: {source}")]
    Rootfs {
        path: String,
        #[source]
        source: io::Error,
    },
    /// A path in the rootfs that the sandbox needs as a mount point, but
    /// which exists as something it cannot mount onto.
    #[error("cannot use {path} of the rootfs as a mount point: {reason}")]
    MountPoint { path: String, reason: String },
    /// The user did not resolve against the rootfs's passwd/group files
    /// (Docker's message).
    #[error("{0}")]
    User(String),
    /// A host-side file operation failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    /// A step of the set-up between fork and exec failed.
    #[error("setting up the sandbox: {step}: {source}")]
    Setup {
        step: String,
        #[source]
        source: io::Error,
    },
    /// The command could not be started (after the set-up succeeded).
    #[error("cannot start {program} in the sandbox: {source}")]
    Spawn {
        program: String,
        #[source]
        source: io::Error,
    },
}

impl SandboxError {
    pub fn io(context: impl Into<String>, source: io::Error) -> SandboxError {
        SandboxError::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<SandboxError> for CommError {
    fn from(e: SandboxError) -> CommError {
        match e {
            SandboxError::Io { context, source } => CommError::Io { context, source },
            other => CommError::Other(other.to_string()),
        }
    }
}
