//! The `ansible` provisioner end to end with a real ansible-core (the venv
//! scripts/setup.sh installs): over SSH straight to the test sshd
//! (`use_proxy = false`), through kiln's SSH adapter to the same sshd and
//! to the OCI builder's sandbox, failures, and Ctrl-C.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod adapter;
mod direct;
mod sandbox;

use std::path::Path;

/// The ansible-playbook of the test venv.
pub fn ansible_bin() -> String {
    let venv =
        std::env::var("KILN_ANSIBLE_VENV").unwrap_or_else(|_| "/var/cache/kiln/ansible".into());
    let bin = format!("{venv}/bin/ansible-playbook");
    assert!(
        Path::new(&bin).exists(),
        "{bin} is missing: run scripts/setup.sh (it installs ansible-core in a venv)"
    );
    bin
}

/// A playbook that changes files, templates one with a variable, runs a
/// command and uses a role; `out` is where it writes.
pub const PLAYBOOK: &str = r#"- hosts: web
  gather_facts: false
  pre_tasks:
    - name: the output directory
      ansible.builtin.file:
        path: "{{ out }}"
        state: directory
  roles:
    - kilnrole
  tasks:
    - name: copy a file
      ansible.builtin.copy:
        content: "copied\n"
        dest: "{{ out }}/copied.txt"
        mode: "0640"
    - name: template a file
      ansible.builtin.template:
        src: greeting.j2
        dest: "{{ out }}/greeting.txt"
    - name: run a command
      ansible.builtin.command: "touch {{ out }}/commanded"
      args:
        creates: "{{ out }}/commanded"
    - name: install a package (the container's rootfs has it in apt's cache)
      ansible.builtin.apt:
        name: hello
        state: present
      when: packer_builder_type == "docker"
    - name: the secret arrives
      ansible.builtin.copy:
        content: "{{ db_password | length }}\n"
        dest: "{{ out }}/secret-length.txt"
"#;

pub const TEMPLATE_J2: &str =
    "hello {{ who }} from {{ packer_build_name }} ({{ packer_builder_type }})\n";

/// The playbook's files: playbook.yml, templates/, and a role in
/// lib/roles (not beside the playbook, where ansible would look anyway).
pub fn playbook_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("playbook.yml", PLAYBOOK),
        ("templates/greeting.j2", TEMPLATE_J2),
        (
            "lib/roles/kilnrole/tasks/main.yml",
            "- name: role task\n  ansible.builtin.copy:\n    content: \"from the role\\n\"\n    dest: \"{{ out }}/role.txt\"\n",
        ),
    ]
}

/// The provisioner block, with `extra` fields; `out` is the playbook's
/// output directory on the machine.
pub fn provisioner(out: &str, extra: &str) -> String {
    format!(
        r#"  provisioner "ansible" {{
    playbook_file    = "playbook.yml"
    command          = "{ansible}"
    groups           = ["web"]
    empty_groups     = ["db"]
    roles_path       = "lib/roles"
    ansible_env_vars = ["ANSIBLE_NOCOLOR=1"]
    extra_arguments  = ["--extra-vars", "out={out} who=kiln ansible_python_interpreter=/usr/bin/python3", "-e", "db_password=${{var.db_password}}"]
{extra}
  }}"#,
        ansible = ansible_bin(),
    )
}

pub const SECRET_VARIABLE: &str =
    "variable \"db_password\" {\n  default   = \"hunter2-s3cret\"\n  sensitive = true\n}\n";

/// What every successful run wrote into `out` (a local directory).
pub fn assert_results(out: &Path, build_name: &str, builder_type: &str) {
    let read =
        |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    assert_eq!(read("copied.txt"), "copied\n");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(out.join("copied.txt"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o640);
    assert_eq!(
        read("greeting.txt"),
        format!("hello kiln from {build_name} ({builder_type})\n")
    );
    assert!(out.join("commanded").exists());
    assert_eq!(read("role.txt"), "from the role\n");
    assert_eq!(read("secret-length.txt").trim(), "14");
}

/// The run's output never shows the sensitive variable.
pub fn assert_masked(all: &str) {
    assert!(
        !all.contains("hunter2"),
        "the sensitive value leaked: {all}"
    );
}
