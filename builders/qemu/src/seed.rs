//! Zero-config cloud images (beyond Packer): when a `disk_image` build
//! gives no credentials and no seed of its own, kiln makes a temporary
//! ed25519 key pair and a NoCloud `cidata` CD that creates the SSH user
//! with that key and passwordless sudo, so a stock cloud image builds with
//! only `iso_url`, `iso_checksum`, `disk_image` and `ssh_username`.

use crate::cd::CdSpec;
use crate::config::{QemuConfig, Settings};
use std::collections::BTreeMap;

/// Whether the config leaves authentication to kiln: SSH, and no
/// password, key file or agent.
pub fn needs_temporary_key(c: &QemuConfig) -> bool {
    let comm = c.communicator_config();
    let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    comm.kind_name() == "ssh"
        && !given(&comm.ssh_password)
        && !given(&comm.ssh_private_key_file)
        && comm.ssh_agent_auth != Some(true)
}

/// Whether kiln attaches its own NoCloud seed: a cloud image, a temporary
/// key, and no CD or seed the user attaches some other way (`cd_files`,
/// `cd_content`, a `-cdrom`, a CD `-drive`, or a `ds=nocloud` SMBIOS
/// string in `qemuargs`).
pub fn wanted(c: &QemuConfig, s: &Settings) -> bool {
    s.disk_image && needs_temporary_key(c) && !s.has_cd() && !qemuargs_bring_a_seed(&s.qemuargs)
}

fn qemuargs_bring_a_seed(args: &[Vec<String>]) -> bool {
    args.iter().any(|row| {
        let key = row.first().map(String::as_str).unwrap_or("");
        let value = row.get(1..).map(|r| r.concat()).unwrap_or_default();
        matches!(key, "-cdrom" | "--cdrom")
            || (matches!(key, "-drive" | "--drive" | "-blockdev")
                && (value.contains("media=cdrom") || value.contains("cidata")))
            || (key.trim_start_matches('-') == "smbios" && value.contains("nocloud"))
    })
}

/// A hostname from `vm_name`: letters, digits and dashes, at most 63.
pub fn hostname(vm_name: &str) -> String {
    let stem = vm_name.split('.').next().unwrap_or(vm_name);
    let mut h: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    h = h.trim_matches('-').chars().take(63).collect();
    if h.is_empty() {
        "kiln".into()
    } else {
        h
    }
}

/// The seed CD: `user-data` (cloud-config) and `meta-data`, label
/// `cidata`. Values are written as JSON strings, which YAML reads as they
/// are whatever characters they hold.
pub fn cd_spec(username: &str, public_key: &str, vm_name: &str, instance_id: &str) -> CdSpec {
    let q = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    let user_data = format!(
        "#cloud-config\nusers:\n  - name: {}\n    shell: /bin/bash\n    sudo: {}\n    lock_passwd: true\n    ssh_authorized_keys:\n      - {}\n",
        q(username),
        q("ALL=(ALL) NOPASSWD:ALL"),
        q(public_key),
    );
    let meta_data = format!(
        "instance-id: {}\nlocal-hostname: {}\n",
        q(instance_id),
        q(&hostname(vm_name)),
    );
    CdSpec {
        files: Vec::new(),
        content: BTreeMap::from([
            ("user-data".to_owned(), user_data),
            ("meta-data".to_owned(), meta_data),
        ]),
        label: Some("cidata".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloud(extra: impl FnOnce(&mut QemuConfig)) -> bool {
        let mut c = QemuConfig {
            disk_image: Some(true),
            ssh_username: Some("debian".into()),
            ..QemuConfig::default()
        };
        extra(&mut c);
        let s = c.settings("x");
        wanted(&c, &s)
    }

    #[test]
    fn only_when_nothing_else_gives_access() {
        assert!(cloud(|_| {}));
        assert!(!cloud(|c| c.ssh_password = Some("p".into())));
        assert!(!cloud(|c| c.ssh_private_key_file = Some("/k".into())));
        assert!(!cloud(|c| c.ssh_agent_auth = Some(true)));
        assert!(!cloud(|c| c.disk_image = Some(false)));
        assert!(!cloud(|c| c.communicator = Some("none".into())));
        assert!(!cloud(
            |c| c.cd_content = Some(BTreeMap::from([("a".into(), "b".into())]))
        ));
        assert!(!cloud(
            |c| c.qemuargs = Some(vec![vec!["-cdrom".into(), "seed.iso".into()]])
        ));
        assert!(!cloud(|c| c.qemuargs = Some(vec![vec![
            "-drive".into(),
            "file=seed.img,format=raw,if=virtio,media=cdrom".into()
        ]])));
        assert!(!cloud(|c| c.qemuargs = Some(vec![vec![
            "-smbios".into(),
            "type=1,serial=ds=nocloud-net;s=http://10.0.2.2:8000/".into()
        ]])));
        assert!(cloud(
            |c| c.qemuargs = Some(vec![vec!["-m".into(), "1G".into()]])
        ));
    }

    #[test]
    fn user_data_and_meta_data() {
        let spec = cd_spec(
            "debian",
            "ssh-ed25519 AAAA kiln",
            "debian-12.qcow2",
            "kiln-1",
        );
        assert_eq!(spec.label.as_deref(), Some("cidata"));
        assert_eq!(
            spec.content["user-data"],
            "#cloud-config\nusers:\n  - name: \"debian\"\n    shell: /bin/bash\n    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n    lock_passwd: true\n    ssh_authorized_keys:\n      - \"ssh-ed25519 AAAA kiln\"\n"
        );
        assert_eq!(
            spec.content["meta-data"],
            "instance-id: \"kiln-1\"\nlocal-hostname: \"debian-12\"\n"
        );
        assert_eq!(hostname("my_vm.img"), "my-vm");
        assert_eq!(hostname("..."), "kiln");
    }
}
