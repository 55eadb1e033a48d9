//! What can go wrong running `salt-masterless`, in Packer's words where
//! Packer has them.

use kiln_core::CommError;

#[derive(Debug, thiserror::Error)]
pub enum SaltError {
    #[error("Unable to download Salt formula from {url}: {why}")]
    Formula { url: String, why: String },
    /// The local temporary directory for formulas.
    #[error("Unable to create a temporary directory for Salt formulas: {0}")]
    FormulaDir(std::io::Error),
    #[error("Unable to install Salt (bootstrap: {method}): {why}")]
    Bootstrap { method: String, why: String },
    #[error("Error creating remote temporary directory: {0}")]
    TempDir(String),
    #[error("Error uploading local minion config file to remote: {0}")]
    MinionConfig(String),
    #[error("Error uploading local grains file to remote: {0}")]
    Grains(String),
    #[error("Error creating remote salt configuration directory: {0}")]
    ConfigDir(String),
    #[error("Error uploading local state tree to remote: {0}")]
    StateTree(String),
    #[error("Error uploading local pillar roots to remote: {0}")]
    PillarRoots(String),
    /// A `mv` (or the removal before it) into the final place failed.
    #[error("Unable to move {src} to {dst}: {why}")]
    Move {
        src: String,
        dst: String,
        why: String,
    },
    #[error("Error executing salt-call: {0}")]
    Start(CommError),
    /// Exit status 127 and the program is not on the machine.
    #[error("{program} was not found on the machine (the command exited with status 127): {hint}")]
    Missing {
        program: &'static str,
        hint: &'static str,
    },
    #[error("Error executing salt-call: Bad exit status: {0}")]
    ExitStatus(i32),
    #[error("Build was cancelled")]
    Cancelled,
}

/// How to get `salt-call` onto the machine.
pub const INSTALL_SALT: &str = "leave skip_bootstrap unset so that kiln installs Salt (python3 -m venv /opt/salt, then pip install salt), or install it before this provisioner (for instance `python3 -m venv /opt/salt && /opt/salt/bin/pip install salt`) and set salt_bin_dir = \"/opt/salt/bin\" when it is not on the PATH";

/// How to do without `sudo`.
pub const INSTALL_SUDO: &str =
    "install sudo on the machine, or set disable_sudo = true when the commands already run as root";
