//! What can go wrong running Ansible, in Packer's words where it has them.

use kiln_template::legacy::LegacyError;

#[derive(Debug, thiserror::Error)]
pub enum AnsibleError {
    #[error("Error running \"{command} --version\": {cause}. Ansible must be installed on the machine running kiln: `python3 -m venv ~/ansible && ~/ansible/bin/pip install ansible-core` (then `command = \"~/ansible/bin/ansible-playbook\"`, or put it on PATH) or `apt-get install ansible`; set `skip_version_check = true` if an earlier step installs it")]
    NotInstalled { command: String, cause: String },
    #[error("Could not find {command} version in output:\n{output}")]
    NoVersion { command: String, output: String },
    #[error("Error preparing inventory file: {0}")]
    Inventory(std::io::Error),
    #[error("Error generating inventory file from template: {0}")]
    InventoryTemplate(LegacyError),
    #[error("Could not interpolate ansible env vars: {0}")]
    Interpolate(LegacyError),
    #[error("Error writing private key to temp file for ansible connection: {0}")]
    KeyFile(std::io::Error),
    #[error("user: could not determine current user from environment.")]
    NoUser,
    #[error("Error executing Ansible Galaxy: {0}")]
    Galaxy(Box<AnsibleError>),
    #[error("Error reading {path}: {cause}")]
    Read { path: String, cause: std::io::Error },
    /// `command` could not be started (gone since validation, or not
    /// executable).
    #[error("Error executing Ansible: cannot start {program}: {cause}")]
    Start { program: String, cause: String },
    #[error("Error executing Ansible: Non-zero exit status: exit status {0}")]
    ExitStatus(i32),
    #[error("Non-zero exit status: exit status {0}")]
    GalaxyExitStatus(i32),
    #[error("Error executing Ansible: {0}")]
    Adapter(String),
}
