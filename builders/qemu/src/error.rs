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
    #[error(transparent)]
    HttpInterface(#[from] crate::http_interface::InterfaceError),
    #[error("Error setting the VNC password: {0}")]
    VncPassword(String),
    /// swtpm did not come up for `vtpm`.
    #[error("vtpm: {0}")]
    Vtpm(String),
    #[error("Failed to send shutdown command: {0}")]
    ShutdownCommand(#[source] kiln_core::communicator::CommError),
    #[error("Failed to send the ACPI power-down: {0}")]
    AcpiPowerdown(#[source] crate::qmp::QmpError),
    #[error("Error starting HTTP server: {0}")]
    HttpServer(#[source] crate::http::HttpError),
    #[error("Error preparing boot command: {0}")]
    BootCommandTemplate(#[source] kiln_template::legacy::LegacyError),
    #[error("Error parsing boot command: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    BootCommandParse(Vec<crate::bootcmd::ParseError>),
    #[error("Error connecting to QMP: {0}")]
    QmpConnect(#[source] crate::qmp::QmpError),
    /// Saving or restoring a step-cache snapshot.
    #[error("snapshot: {0}")]
    Snapshot(String),
    #[error("Error running boot command: {0}")]
    BootCommandType(#[source] crate::bootcmd::TypeError),
    /// The guest's qemu died while kiln waited for SSH; the logs say why.
    #[error("qemu exited before SSH became available.\nqemu output:\n{qemu}\nlast lines of the serial console:\n{serial}")]
    ExitedBeforeSsh { qemu: String, serial: String },
    /// A step ran before the one that sets what it needs: a bug in the
    /// step order, not something a user can fix.
    #[error("{step}: no {what} (an earlier step should have set it)")]
    MissingState {
        step: &'static str,
        what: &'static str,
    },
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

/// Show a step failure as the step's own error line (as Packer does), then
/// hand it to the runner.
pub fn report(ctx: &kiln_core::BuildCtx<'_>, e: QemuError) -> kiln_core::BuildError {
    ctx.ui.error(&e.to_string());
    e.into()
}
