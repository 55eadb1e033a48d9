//! What can go wrong running the shell provisioner, in Packer's words.

use crate::exit_codes::ExitCodeError;
use kiln_core::CommError;
use kiln_template::legacy::LegacyError;

#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    /// The local file for `inline` could not be written.
    #[error("Error preparing shell script: {0}")]
    PrepareScript(std::io::Error),
    #[error("Error interpolating Inline: {0}")]
    Inline(LegacyError),
    /// An `environment_vars` entry is not a valid template.
    #[error("{0}")]
    EnvVars(LegacyError),
    #[error("Error processing command: {0}")]
    ExecuteCommand(LegacyError),
    /// A `script`/`scripts` file could not be read (Go's `open PATH: …`).
    #[error("Error opening shell script: {0}")]
    OpenScript(String),
    #[error("Error uploading script: {0}")]
    UploadScript(CommError),
    #[error("Error uploading envVarFile: {0}")]
    UploadEnvVarFile(CommError),
    #[error("Error chmodding script file to {mode} in remote machine: {source}")]
    Chmod {
        mode: &'static str,
        source: CommError,
    },
    /// The command could not be started on the machine.
    #[error("Error starting remote command: {0}")]
    Start(CommError),
    #[error("Script disconnected unexpectedly. If you expected your script to disconnect, i.e. from a restart, you can try adding `\"expect_disconnect\": true` or `\"valid_exit_codes\": [0, 2300218]` to the shell provisioner parameters.")]
    Disconnected,
    #[error(transparent)]
    ExitCode(#[from] ExitCodeError),
    /// `rm -f` could not be started.
    #[error("Error removing temporary script at {path}: {source}")]
    Remove { path: String, source: CommError },
    /// `rm -f` exited with a non-zero status.
    #[error("Error removing temporary script at {path}!")]
    RemoveFailed { path: String },
    #[error("Disconnect while removing temporary script.")]
    RemoveDisconnected,
    #[error("Build was cancelled")]
    Cancelled,
}
