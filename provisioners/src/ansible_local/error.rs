//! What can go wrong running ansible-local, in Packer's words.

use kiln_core::CommError;

#[derive(Debug, thiserror::Error)]
pub enum AnsibleLocalError {
    #[error("{what}: {source}")]
    Comm {
        what: &'static str,
        #[source]
        source: CommError,
    },
    #[error("{what}: Non-zero exit status. See output above for more information.")]
    CreateDir { what: &'static str },
    #[error("Error preparing inventory file: {0}")]
    Inventory(std::io::Error),
    #[error("Error uploading playbook file: {file} [{source}]")]
    PlaybookFile { file: String, source: CommError },
    #[error("Error reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("Error executing Ansible: Error executing Ansible Galaxy: Non-zero exit status: {0}")]
    Galaxy(i32),
    #[error("Error executing Ansible: {command} could not be found. Verify that it is available on the\nPATH after connecting to the machine. Install it there first, for example with a shell provisioner running `apt-get install -y ansible` or `python3 -m venv /opt/ansible && /opt/ansible/bin/pip install ansible-core` (then `command = \"/opt/ansible/bin/ansible-playbook\"`).")]
    NotFound { command: String },
    #[error("Error executing Ansible: Non-zero exit status: {0}")]
    ExitStatus(i32),
    #[error("Error removing staging directory: Non-zero exit status. See output above for more information.")]
    Clean,
}
