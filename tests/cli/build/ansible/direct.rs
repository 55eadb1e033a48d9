//! `use_proxy = false`: ansible connects to the build's SSH machine (the
//! test sshd) itself, with the build's key; and the provisioner's checks
//! before a build starts.

use super::{assert_masked, assert_results, playbook_files, provisioner, SECRET_VARIABLE};
use crate::build::build;
use crate::project;
use kiln_communicator_ssh::testing::TestSshd;
use std::path::Path;

/// A null source on the test sshd with the build block's `provisioners`.
pub fn null_template(d: &TestSshd, provisioners: &str) -> String {
    format!(
        "{SECRET_VARIABLE}source \"null\" \"remote\" {{\n  ssh_host             = \"127.0.0.1\"\n  ssh_port             = {port}\n  ssh_username         = \"root\"\n  ssh_private_key_file = \"{key}\"\n  ssh_timeout          = \"20s\"\n}}\nbuild {{\n  sources = [\"source.null.remote\"]\n{provisioners}\n}}\n",
        port = d.port,
        key = d.key_file.display(),
    )
}

/// A project with the playbook's files and `template` as t.pkr.hcl.
pub fn ansible_project(template: &str) -> tempfile::TempDir {
    let mut files = playbook_files();
    files.push(("t.pkr.hcl", template));
    project(&files)
}

pub fn run(dir: &Path) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    let r = build(dir, tmp.path(), &["t.pkr.hcl"]);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert_masked(&all);
    (r.code, all)
}

fn sshd() -> TestSshd {
    TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)")
}

#[test]
fn a_playbook_runs_over_the_builds_ssh_connection() {
    let d = sshd();
    let out = tempfile::tempdir().unwrap();
    let p = ansible_project(&null_template(
        &d,
        &provisioner(&out.path().display().to_string(), "    use_proxy = false"),
    ));
    let (code, all) = run(p.path());
    assert_eq!(code, 0, "{all}");
    assert!(
        all.contains("==> null.remote: Provisioning with Ansible..."),
        "{all}"
    );
    assert!(
        all.contains("Not using Proxy adapter for Ansible run:"),
        "{all}"
    );
    assert!(
        all.contains(&format!(
            "--ssh-extra-args '-o IdentitiesOnly=yes' --extra-vars out={}",
            out.path().display()
        )),
        "{all}"
    );
    assert!(
        all.contains(&format!(
            "-e ansible_ssh_private_key_file={}",
            d.key_file.display()
        )),
        "{all}"
    );
    assert!(all.contains("PLAY RECAP"), "{all}");
    assert!(all.contains("ok=6"), "{all}");
    assert_results(out.path(), "remote", "null");
    // The inventory was a temporary file, and it is gone.
    let line = all
        .lines()
        .find(|l| l.contains("Executing Ansible:"))
        .unwrap();
    let inventory = line
        .split(" -i ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    assert!(
        !Path::new(inventory).exists(),
        "{inventory} was left behind"
    );
}

#[test]
fn a_failing_task_fails_the_build_with_ansibles_code_and_retries_apply() {
    let d = sshd();
    let p = project(&[
        (
            "fails.yml",
            "- hosts: default\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: /bin/false\n",
        ),
        (
            "t.pkr.hcl",
            &null_template(
                &d,
                &format!(
                    "  provisioner \"ansible\" {{\n    playbook_file   = \"fails.yml\"\n    command         = \"{}\"\n    use_proxy       = false\n    max_retries     = 1\n    extra_arguments = [\"-e\", \"ansible_python_interpreter=/usr/bin/python3\"]\n  }}",
                    super::ansible_bin()
                ),
            ),
        ),
    ]);
    let (code, all) = run(p.path());
    assert_eq!(code, 1, "{all}");
    assert_eq!(all.matches("Executing Ansible:").count(), 2, "{all}");
    assert!(
        all.contains("Error executing Ansible: Non-zero exit status: exit status 2"),
        "{all}"
    );
}

#[test]
fn a_missing_playbook_or_ansible_is_a_located_validate_error() {
    let p = project(&[(
        "t.pkr.hcl",
        "source \"null\" \"a\" { communicator = \"none\" }\nbuild {\n  sources = [\"source.null.a\"]\n  provisioner \"ansible\" {\n    playbook_file = \"nope.yml\"\n    command       = \"/nonexistent/ansible-playbook\"\n  }\n}\n",
    )]);
    let r = crate::kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("playbook_file: nope.yml is invalid"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Error running \"/nonexistent/ansible-playbook --version\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("pip install ansible-core"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.pkr.hcl:5:"), "{}", r.stderr);
}

/// `galaxy_file` with a role and a collection (local archives: no Galaxy
/// server is reachable here), installed into `roles_path` and
/// `collections_path`, where the playbook then finds them.
#[test]
fn galaxy_installs_roles_and_collections_the_playbook_then_uses() {
    let d = sshd();
    let out = tempfile::tempdir().unwrap();
    let p = project(&[
        (
            "src/galaxyrole/tasks/main.yml",
            "- ansible.builtin.copy:\n    content: \"galaxy role\\n\"\n    dest: \"{{ out }}/galaxy-role.txt\"\n",
        ),
        (
            "src/galaxyrole/meta/main.yml",
            "galaxy_info:\n  author: kiln\n  description: a role from an archive\n  license: MIT\n  min_ansible_version: \"2.9\"\ndependencies: []\n",
        ),
        (
            "src/coll/galaxy.yml",
            "namespace: kiln\nname: demo\nversion: 1.0.0\nreadme: README.md\nauthors: [kiln]\n",
        ),
        ("src/coll/README.md", "demo\n"),
        (
            "src/coll/roles/hello/tasks/main.yml",
            "- ansible.builtin.copy:\n    content: \"collection role\\n\"\n    dest: \"{{ out }}/collection-role.txt\"\n",
        ),
        (
            "site.yml",
            "- hosts: default\n  gather_facts: false\n  roles:\n    - galaxyrole\n    - kiln.demo.hello\n",
        ),
    ]);
    let dir = p.path();
    let run_tool = |prog: &str, args: &[&str]| {
        let o = std::process::Command::new(prog)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{prog} {args:?}: {o:?}");
    };
    run_tool(
        "tar",
        &["-czf", "galaxyrole.tar.gz", "-C", "src", "galaxyrole"],
    );
    let galaxy = super::ansible_bin().replace("ansible-playbook", "ansible-galaxy");
    run_tool(
        &galaxy,
        &["collection", "build", "src/coll", "--output-path", "."],
    );
    std::fs::write(
        dir.join("requirements.yml"),
        format!(
            "roles:\n  - src: file://{0}/galaxyrole.tar.gz\n    name: galaxyrole\ncollections:\n  - name: {0}/kiln-demo-1.0.0.tar.gz\n    type: file\n",
            dir.display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("t.pkr.hcl"),
        null_template(
            &d,
            &format!(
                "  provisioner \"ansible\" {{\n    playbook_file    = \"site.yml\"\n    command          = \"{ansible}\"\n    galaxy_command   = \"{galaxy}\"\n    galaxy_file      = \"requirements.yml\"\n    roles_path       = \"galaxy/roles\"\n    collections_path = \"galaxy/collections\"\n    use_proxy        = false\n    extra_arguments  = [\"-e\", \"out={out} ansible_python_interpreter=/usr/bin/python3\"]\n  }}",
                ansible = super::ansible_bin(),
                out = out.path().display(),
            ),
        ),
    )
    .unwrap();
    let (code, all) = run(dir);
    assert_eq!(code, 0, "{all}");
    assert_eq!(all.matches("Executing Ansible Galaxy").count(), 2, "{all}");
    assert!(dir.join("galaxy/roles/galaxyrole").is_dir(), "{all}");
    assert!(
        dir.join("galaxy/collections/ansible_collections/kiln/demo")
            .is_dir(),
        "{all}"
    );
    let read = |f: &str| std::fs::read_to_string(out.path().join(f)).unwrap();
    assert_eq!(read("galaxy-role.txt"), "galaxy role\n");
    assert_eq!(read("collection-role.txt"), "collection role\n");
}
