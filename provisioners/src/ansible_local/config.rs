//! `provisioner "ansible-local"`'s fields (packer-plugin-ansible's spec),
//! defaults and checks.

use crate::config_paths::{check_dir, check_file};
use kiln_core::component::{ConfigProblem, Validate};
use serde::Deserialize;

pub const DEFAULT_STAGING_DIR: &str = "/tmp/packer-provisioner-ansible-local";
/// Packer runs this through the machine's shell.
pub const DEFAULT_COMMAND: &str = "ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnsibleLocalConfig {
    pub command: Option<String>,
    #[serde(default)]
    pub extra_arguments: Vec<String>,
    pub group_vars: Option<String>,
    pub host_vars: Option<String>,
    pub playbook_dir: Option<String>,
    pub playbook_file: Option<String>,
    #[serde(default)]
    pub playbook_files: Vec<String>,
    #[serde(default)]
    pub playbook_paths: Vec<String>,
    #[serde(default)]
    pub role_paths: Vec<String>,
    #[serde(default)]
    pub collection_paths: Vec<String>,
    pub staging_directory: Option<String>,
    #[serde(default)]
    pub clean_staging_directory: bool,
    pub inventory_file: Option<String>,
    #[serde(default)]
    pub inventory_groups: Vec<String>,
    pub galaxy_file: Option<String>,
    pub galaxy_command: Option<String>,
    #[serde(default)]
    pub galaxy_force_install: bool,
    pub galaxy_roles_path: Option<String>,
    pub galaxy_collections_path: Option<String>,
}

pub(crate) fn set(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl AnsibleLocalConfig {
    pub fn command(&self) -> &str {
        set(&self.command).unwrap_or(DEFAULT_COMMAND)
    }

    pub fn galaxy_command(&self) -> &str {
        set(&self.galaxy_command).unwrap_or("ansible-galaxy")
    }
}

impl Validate for AnsibleLocalConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        let file = set(&self.playbook_file);
        if file.is_some() && !self.playbook_files.is_empty() {
            out.push(ConfigProblem::block(
                "Either playbook_file or playbook_files can be specified, not both",
            ));
        }
        if file.is_none() && self.playbook_files.is_empty() {
            out.push(ConfigProblem::block(
                "Either playbook_file or playbook_files must be specified",
            ));
        }
        if let Some(f) = file {
            check_file("playbook_file", f, &mut out);
        }
        for f in &self.playbook_files {
            check_file("playbook_files", f, &mut out);
        }
        for (field, value) in [
            ("inventory_file", &self.inventory_file),
            ("galaxy_file", &self.galaxy_file),
        ] {
            if let Some(f) = set(value) {
                check_file(field, f, &mut out);
            }
        }
        for (field, value) in [
            ("playbook_dir", &self.playbook_dir),
            ("group_vars", &self.group_vars),
            ("host_vars", &self.host_vars),
        ] {
            if let Some(d) = set(value) {
                check_dir(field, d, &mut out);
            }
        }
        for (field, dirs) in [
            ("playbook_paths", &self.playbook_paths),
            ("role_paths", &self.role_paths),
            ("collection_paths", &self.collection_paths),
        ] {
            for d in dirs {
                check_dir(field, d, &mut out);
            }
        }
        out
    }
}
