//! What the configuration-management provisioners read on this machine,
//! for the step cache's keys (`Provisioner::cache_inputs`).
//!
//! The provisioners that upload (ansible-local, puppet-masterless,
//! salt-masterless) read exactly the paths their fields name. `ansible`
//! runs on this machine, and a playbook names other files by relative
//! path: kiln does not parse it, it takes the directories Ansible itself
//! looks in next to the playbook (`roles/`, `group_vars/`, …). Hashing
//! the playbook's whole folder instead would often take in the
//! template's folder, with its output directories and caches, and no
//! rebuild would ever hit.

use std::path::{Path, PathBuf};

/// Where Ansible looks beside a playbook (and an inventory).
pub const ANSIBLE_BESIDE: &[&str] = &[
    "roles",
    "group_vars",
    "host_vars",
    "tasks",
    "handlers",
    "vars",
    "defaults",
    "templates",
    "files",
    "library",
    "module_utils",
    "filter_plugins",
    "lookup_plugins",
    "collections",
    "ansible.cfg",
];

/// The inputs named by a provisioner's fields: what is set, as given
/// (a missing one makes the step uncached, and the provisioner fails).
pub fn named<'a>(fields: impl IntoIterator<Item = &'a Option<String>>) -> Vec<PathBuf> {
    fields
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// The entries of `names` that exist in the folder of each of `files`.
pub fn beside(files: &[PathBuf], names: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for f in files {
        let dir = f.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = dir.unwrap_or(Path::new("."));
        for n in names {
            let p = dir.join(n);
            if p.exists() && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// `ansible.cfg` in the working directory, which ansible-playbook reads.
pub fn working_ansible_cfg() -> Vec<PathBuf> {
    let p = PathBuf::from("ansible.cfg");
    if p.exists() {
        vec![p]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn beside_takes_only_what_exists_once() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("roles")).unwrap();
        std::fs::write(d.path().join("site.yml"), "").unwrap();
        std::fs::write(d.path().join("other.yml"), "").unwrap();
        let files = [d.path().join("site.yml"), d.path().join("other.yml")];
        assert_eq!(beside(&files, ANSIBLE_BESIDE), vec![d.path().join("roles")]);
        assert_eq!(
            named([&Some("a".into()), &None, &Some(String::new())]),
            vec![PathBuf::from("a")]
        );
    }
}
