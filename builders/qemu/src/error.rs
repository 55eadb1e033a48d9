//! The builder's errors. Each variant's `#[error]` text is what the user reads;
//! where it says "Packer's message", it is Packer's wording, kept word for word.

use kiln_core::process::ProcessError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum QemuError {
    /// A local tool (qemu-img, xorriso) failed.
    #[error("{tool} failed (exit code {code}): {stderr}")]
    Tool {
        tool: String,
        code: i32,
        stderr: String,
    },
    #[error(transparent)]
    Process(#[from] ProcessError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Packer's message, word for word.
    #[error("Output directory '{}' already exists. It must not exist.", .0.display())]
    OutputExists(PathBuf),
    #[error("no free port for {what} in {min}..{max}")]
    NoFreePort {
        what: &'static str,
        min: u16,
        max: u16,
    },
    /// qemu stopped on its own before the build was done with it.
    #[error("qemu exited with code {code}: {stderr}")]
    QemuExited { code: i32, stderr: String },
    #[error("Error processing QemuArgs: {0}")]
    QemuArgs(String),
    /// Packer's message, word for word, then what to change.
    #[error("Timeout while waiting for machine to shut down. {hint}")]
    ShutdownTimeout { hint: String },
    #[error("cannot generate the temporary SSH key: {0}")]
    KeyPair(#[from] kiln_communicator_ssh::keypair::KeyPairError),
    #[error("no source image: {0}")]
    Source(String),
}

impl QemuError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> QemuError {
        QemuError::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<QemuError> for kiln_core::BuildError {
    fn from(e: QemuError) -> kiln_core::BuildError {
        match e {
            QemuError::Process(ProcessError::Stopped { .. }) => kiln_core::BuildError::Cancelled,
            e => kiln_core::BuildError::failed(e),
        }
    }
}
