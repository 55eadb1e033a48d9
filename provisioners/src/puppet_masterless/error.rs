//! What can go wrong running `puppet-masterless`, in Packer's words where
//! Packer has them.

use kiln_core::CommError;
use kiln_template::legacy::LegacyError;

#[derive(Debug, thiserror::Error)]
pub enum PuppetError {
    /// A remote command could not be started.
    #[error("Error creating staging directory: {0}")]
    StagingDir(String),
    #[error("Error uploading hiera config: {0}")]
    Hiera(CommError),
    #[error("Error uploading manifest dir: {0}")]
    ManifestDir(String),
    #[error("Error uploading modules: {0}")]
    Modules(String),
    #[error("Error uploading manifests: {0}")]
    Manifests(String),
    /// `extra_arguments` or `execute_command` is not a valid template.
    #[error("Error processing {field}: {source}")]
    Template {
        field: &'static str,
        source: LegacyError,
    },
    #[error("Got an error starting command: {0}")]
    Start(CommError),
    /// Exit status 127 and the program is not on the machine.
    #[error("{program} was not found on the machine (the command exited with status 127): {hint}")]
    Missing {
        program: &'static str,
        hint: &'static str,
    },
    #[error("Puppet exited with a non-zero exit status: {0}")]
    ExitStatus(i32),
    #[error("Error removing staging directory: {0}")]
    RemoveStaging(String),
    #[error("Build was cancelled")]
    Cancelled,
}

/// How to get `puppet` onto the machine.
pub const INSTALL_PUPPET: &str = "install Puppet before this provisioner, e.g. with a shell provisioner running `apt-get install -y puppet` (Debian, Ubuntu) or Puppet's own puppet-agent package, and set puppet_bin_dir when it is not on the PATH (puppet-agent puts it in /opt/puppetlabs/bin)";

/// How to do without `sudo`.
pub const INSTALL_SUDO: &str =
    "install sudo on the machine, or set prevent_sudo = true when the commands already run as root";
