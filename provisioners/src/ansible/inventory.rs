//! The inventory Packer writes for the run: one host line from
//! `inventory_file_template` (or Packer's default), repeated under each of
//! `groups`, then the `empty_groups` headers.

use super::config::{non_empty, AnsibleConfig};
use super::error::AnsibleError;
use kiln_template::legacy::{self, LegacyContext};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Packer's default for Ansible 2 and later.
pub const DEFAULT_TEMPLATE: &str =
    "{{ .HostAlias }} ansible_host={{ .Host }} ansible_user={{ .User }} ansible_port={{ .Port }}\n";

/// The text of the inventory, rendered with `ctx` (the build's generated
/// values with `HostAlias`, `User`, `Host` and `Port` set).
pub fn render(config: &AnsibleConfig, ctx: &LegacyContext) -> Result<String, AnsibleError> {
    let template = non_empty(&config.inventory_file_template).unwrap_or(DEFAULT_TEMPLATE);
    let host = legacy::render(template, ctx).map_err(AnsibleError::InventoryTemplate)?;
    let mut text = host.clone();
    for g in &config.groups {
        text.push_str(&format!("[{g}]\n{host}"));
    }
    for g in &config.empty_groups {
        text.push_str(&format!("[{g}]\n"));
    }
    Ok(text)
}

/// The inventory file of one run: removed when dropped unless kept.
pub enum Inventory {
    Given(PathBuf),
    Temporary(tempfile::TempPath),
    Kept(PathBuf),
}

impl Inventory {
    pub fn path(&self) -> &Path {
        match self {
            Inventory::Given(p) | Inventory::Kept(p) => p,
            Inventory::Temporary(p) => p,
        }
    }

    /// Write `text` to a new file in `inventory_directory` (else the
    /// system's temporary directory), named as Packer names it.
    pub fn write(config: &AnsibleConfig, text: &str) -> Result<Inventory, AnsibleError> {
        let dir = non_empty(&config.inventory_directory)
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let mut f = tempfile::Builder::new()
            .prefix("packer-provisioner-ansible")
            .tempfile_in(&dir)
            .map_err(AnsibleError::Inventory)?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.flush())
            .map_err(AnsibleError::Inventory)?;
        let path = f.into_temp_path();
        if config.keep_inventory_file {
            return path
                .keep()
                .map(Inventory::Kept)
                .map_err(|e| AnsibleError::Inventory(e.error));
        }
        Ok(Inventory::Temporary(path))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use kiln_template::legacy::LegacyContext;
    use kiln_template::Value;
    use std::collections::BTreeMap;

    fn ctx() -> LegacyContext {
        let mut data = BTreeMap::new();
        for (k, v) in [
            ("HostAlias", "default"),
            ("Host", "127.0.0.1"),
            ("User", "root"),
            ("Port", "2222"),
        ] {
            data.insert(k.to_owned(), Value::from(v));
        }
        LegacyContext::new(data)
    }

    #[test]
    fn groups_repeat_the_host_and_empty_groups_follow() {
        let config = AnsibleConfig {
            groups: vec!["web".into(), "db".into()],
            empty_groups: vec!["spare".into()],
            ..Default::default()
        };
        let line = "default ansible_host=127.0.0.1 ansible_user=root ansible_port=2222\n";
        assert_eq!(
            render(&config, &ctx()).unwrap(),
            format!("{line}[web]\n{line}[db]\n{line}[spare]\n")
        );
    }

    #[test]
    fn a_template_of_the_users_own_is_rendered() {
        let config = AnsibleConfig {
            inventory_file_template: Some("{{ .HostAlias }} ansible_connection=local\n".into()),
            ..Default::default()
        };
        assert_eq!(
            render(&config, &ctx()).unwrap(),
            "default ansible_connection=local\n"
        );
    }

    #[test]
    fn the_file_goes_unless_kept() {
        let dir = tempfile::tempdir().unwrap();
        let config = AnsibleConfig {
            inventory_directory: Some(dir.path().display().to_string()),
            ..Default::default()
        };
        let inv = Inventory::write(&config, "x\n").unwrap();
        let path = inv.path().to_path_buf();
        assert!(path.starts_with(dir.path()));
        assert!(path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("packer-provisioner-ansible"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x\n");
        drop(inv);
        assert!(!path.exists());
        let kept = AnsibleConfig {
            keep_inventory_file: true,
            ..config
        };
        let inv = Inventory::write(&kept, "y\n").unwrap();
        let path = inv.path().to_path_buf();
        drop(inv);
        assert!(path.exists());
    }
}
