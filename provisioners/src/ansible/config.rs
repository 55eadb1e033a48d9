//! `provisioner "ansible"`'s fields (packer-plugin-ansible's spec), with
//! its defaults and the checks its `Prepare` makes.

use super::version;
use crate::config_paths::{check_dir, check_file};
use kiln_core::component::{ConfigProblem, Validate};
use serde::Deserialize;

pub use kiln_communicator_adapter::KeyType;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnsibleConfig {
    pub command: Option<String>,
    #[serde(default)]
    pub extra_arguments: Vec<String>,
    #[serde(default)]
    pub ansible_env_vars: Vec<String>,
    #[serde(default)]
    pub playbook_file: String,
    #[serde(default)]
    pub ansible_ssh_extra_args: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub empty_groups: Vec<String>,
    pub host_alias: Option<String>,
    pub user: Option<String>,
    pub local_port: Option<i64>,
    pub ssh_host_key_file: Option<String>,
    pub ssh_authorized_key_file: Option<String>,
    pub ansible_proxy_key_type: Option<String>,
    pub sftp_command: Option<String>,
    #[serde(default)]
    pub skip_version_check: bool,
    #[serde(default)]
    pub use_sftp: bool,
    pub inventory_directory: Option<String>,
    pub inventory_file_template: Option<String>,
    pub inventory_file: Option<String>,
    #[serde(default)]
    pub keep_inventory_file: bool,
    pub galaxy_file: Option<String>,
    pub galaxy_command: Option<String>,
    #[serde(default)]
    pub galaxy_force_install: bool,
    #[serde(default)]
    pub galaxy_force_with_deps: bool,
    pub roles_path: Option<String>,
    pub collections_path: Option<String>,
    /// Packer's trilean: unset and `true` both mean the adapter.
    pub use_proxy: Option<bool>,
    /// For WinRM, which kiln does not have; accepted, as the plugin does.
    #[serde(default)]
    pub ansible_winrm_use_http: bool,
}

impl AnsibleConfig {
    pub fn command(&self) -> &str {
        non_empty(&self.command).unwrap_or("ansible-playbook")
    }

    pub fn galaxy_command(&self) -> &str {
        non_empty(&self.galaxy_command).unwrap_or("ansible-galaxy")
    }

    pub fn host_alias(&self) -> &str {
        non_empty(&self.host_alias).unwrap_or("default")
    }

    /// `use_proxy = false` asks for a direct connection.
    pub fn direct(&self) -> bool {
        self.use_proxy == Some(false)
    }

    pub fn key_type(&self) -> Option<KeyType> {
        match non_empty(&self.ansible_proxy_key_type)
            .unwrap_or("ECDSA")
            .to_ascii_uppercase()
            .as_str()
        {
            "ECDSA" => Some(KeyType::Ecdsa),
            "RSA" => Some(KeyType::Rsa),
            _ => None,
        }
    }

    /// The `ansible_user`: `user`, else the user running kiln (Packer's
    /// rule; a direct connection takes the communicator's user instead).
    pub fn configured_user(&self) -> Option<&str> {
        non_empty(&self.user)
    }

    /// `ansible_env_vars` with what Packer adds: no host key checking for
    /// the adapter's one-time key, scp unless `use_sftp`.
    pub fn env_vars(&self) -> Vec<String> {
        let mut vars = self.ansible_env_vars.clone();
        if non_empty(&self.ssh_host_key_file).is_none() {
            vars.push("ANSIBLE_HOST_KEY_CHECKING=False".to_owned());
        }
        if !self.use_sftp {
            vars.push("ANSIBLE_SCP_IF_SSH=True".to_owned());
        }
        // Packer passes roles_path and collections_path only to
        // ansible-galaxy, so what it installs there is not found by the
        // playbook unless the template repeats the path in
        // ansible_env_vars. kiln puts them first on ansible's search paths
        // (ahead of whatever the environment or ansible's defaults give),
        // unless the template sets the variable itself.
        let searched = [
            (
                &self.roles_path,
                "ANSIBLE_ROLES_PATH",
                "~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles",
            ),
            (
                &self.collections_path,
                "ANSIBLE_COLLECTIONS_PATH",
                "~/.ansible/collections:/usr/share/ansible/collections",
            ),
        ];
        for (field, name, defaults) in searched {
            let Some(path) = non_empty(field) else {
                continue;
            };
            if vars.iter().any(|v| v.split('=').next() == Some(name)) {
                continue;
            }
            let path = kiln_gocompat::path::abs(std::path::Path::new(path))
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| path.to_owned());
            let rest = std::env::var(name).unwrap_or_else(|_| defaults.to_owned());
            vars.push(format!("{name}={path}:{rest}"));
        }
        vars
    }
}

pub(crate) fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl Validate for AnsibleConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.playbook_file.is_empty() {
            out.push(ConfigProblem::field(
                "playbook_file",
                "playbook_file must be specified.",
            ));
        } else {
            check_file("playbook_file", &self.playbook_file, &mut out);
        }
        if let Some(f) = non_empty(&self.galaxy_file) {
            check_file("galaxy_file", f, &mut out);
        }
        if let Some(f) = non_empty(&self.ssh_authorized_key_file) {
            check_file("ssh_authorized_key_file", f, &mut out);
        }
        if let Some(f) = non_empty(&self.ssh_host_key_file) {
            check_file("ssh_host_key_file", f, &mut out);
        }
        if let Some(p) = self.local_port {
            if !(0..=65535).contains(&p) {
                out.push(ConfigProblem::field(
                    "local_port",
                    format!("local_port: {p} must be a valid port"),
                ));
            }
        }
        if let Some(d) = non_empty(&self.inventory_directory) {
            check_dir("inventory_directory", d, &mut out);
        }
        if self.key_type().is_none() {
            out.push(ConfigProblem::field(
                "ansible_proxy_key_type",
                format!(
                    "Invalid value for ansible_proxy_key_type: {:?}. Supported values are ECDSA or RSA.",
                    self.ansible_proxy_key_type.as_deref().unwrap_or_default()
                ),
            ));
        }
        if !self.skip_version_check {
            if let Err(e) = version::check(self.command()) {
                out.push(ConfigProblem::field("command", e.to_string()));
            }
        }
        out
    }
}
