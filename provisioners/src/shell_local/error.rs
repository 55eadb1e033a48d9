//! What can go wrong running shell-local, in Packer's words.

use crate::exit_codes::ExitCodeError;
use kiln_template::legacy::LegacyError;

#[derive(Debug, thiserror::Error)]
pub enum ShellLocalError {
    /// The temporary file for `inline` could not be written.
    #[error("Error preparing shell script: {0}")]
    PrepareScript(std::io::Error),
    /// An `inline` line or an `environment_vars` entry is not a valid
    /// template.
    #[error("{0}")]
    Template(LegacyError),
    #[error("Error processing command: {0}")]
    ExecuteCommand(LegacyError),
    /// The script's absolute path could not be worked out (no current
    /// directory).
    #[error("Error executing script: {script}\n{cause}\n")]
    AbsolutePath {
        script: String,
        cause: std::io::Error,
    },
    /// The command could not be started or waited for; the cause was
    /// printed just before.
    #[error("Error executing script: {script}\n\nPlease see output above for more information.")]
    Execute { script: String },
    #[error(transparent)]
    ExitCode(#[from] ExitCodeError),
}
