//! The `ansible` provisioner end to end with the real ansible-playbook
//! (ansible-core in a venv that scripts/setup.sh installs).

// A test that cannot set itself up should stop right there.
#![allow(clippy::unwrap_used)]

mod direct;

use std::path::{Path, PathBuf};

/// The venv's bin directory (`KILN_ANSIBLE_VENV`, default what
/// scripts/setup.sh installs).
pub fn ansible_bin() -> PathBuf {
    let venv =
        std::env::var("KILN_ANSIBLE_VENV").unwrap_or_else(|_| "/var/cache/kiln/ansible".to_owned());
    let bin = Path::new(&venv).join("bin");
    assert!(
        bin.join("ansible-playbook").is_file(),
        "ansible-playbook is not in {}: run scripts/setup.sh",
        bin.display()
    );
    bin
}

/// A role `name` whose one task writes `marker` into `{{ out }}`.
pub fn role_files(name: &str) -> Vec<(String, String)> {
    vec![(
        format!("roles/{name}/tasks/main.yml"),
        "- name: the role ran\n  ansible.builtin.copy:\n    dest: \"{{ out }}/role.txt\"\n    content: \"role {{ role_name }}\\n\"\n".to_owned(),
    )]
}

/// The playbook the tests run: a command, a copy, a template with a
/// variable and Packer's extra vars, and a role.
pub const PLAYBOOK: &str = r#"- hosts: all
  gather_facts: false
  vars:
    greeting: hello
  roles:
    - web
  tasks:
    - name: a command
      ansible.builtin.command: "touch {{ out }}/command.txt"
    - name: a copy
      ansible.builtin.copy:
        src: files/motd
        dest: "{{ out }}/motd"
        mode: "0640"
    - name: a template
      ansible.builtin.template:
        src: greeting.j2
        dest: "{{ out }}/greeting.txt"
"#;

pub const TEMPLATE_J2: &str =
    "{{ greeting }} from {{ packer_build_name }} on {{ packer_builder_type }} as {{ ansible_user }}\n";
