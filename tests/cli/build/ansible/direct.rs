//! `use_proxy = false`: ansible-playbook connects to an SSH machine with
//! the build's key (a null source on the test sshd, this machine).

use super::{ansible_bin, role_files, PLAYBOOK, TEMPLATE_J2};
use crate::build::{build, messages};
use crate::project;
use kiln_communicator_ssh::testing::TestSshd;

fn template(d: &TestSshd, provisioner: &str) -> String {
    format!(
        r#"
source "null" "remote" {{
  ssh_host             = "127.0.0.1"
  ssh_port             = {port}
  ssh_username         = "root"
  ssh_private_key_file = "{key}"
  ssh_timeout          = "20s"
}}
build {{
  sources = ["source.null.remote"]
  provisioner "ansible" {{
{provisioner}
  }}
}}
"#,
        port = d.port,
        key = d.key_file.display(),
    )
}

fn files(t: &str) -> Vec<(String, String)> {
    let mut f = vec![
        ("t.pkr.hcl".to_owned(), t.to_owned()),
        ("site.yml".to_owned(), PLAYBOOK.to_owned()),
        ("templates/greeting.j2".to_owned(), TEMPLATE_J2.to_owned()),
        ("files/motd".to_owned(), "welcome\n".to_owned()),
        ("fail.yml".to_owned(), "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: /bin/false\n".to_owned()),
    ];
    f.extend(role_files("web"));
    f
}

fn write(files: &[(String, String)]) -> tempfile::TempDir {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    project(&refs)
}

#[test]
fn a_playbook_runs_over_the_builds_ssh_connection() {
    let d = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let out = tempfile::tempdir().unwrap();
    let bin = ansible_bin();
    let t = template(
        &d,
        &format!(
            r#"    command          = "{bin}/ansible-playbook"
    playbook_file    = "site.yml"
    use_proxy        = false
    extra_arguments  = ["--extra-vars", "out={out}", "--extra-vars", "db_password=s3cret", "--extra-vars", "ansible_python_interpreter=/usr/bin/python3"]
    ansible_env_vars = ["ANSIBLE_ROLES_PATH=${{path.root}}/roles", "ANSIBLE_NOCOLOR=1"]
    groups           = ["web"]
    empty_groups     = ["spare"]"#,
            bin = bin.display(),
            out = out.path().display()
        ),
    );
    let dir = write(&files(&t));
    let tmp = tempfile::tempdir().unwrap();
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}\nsshd: {}", r.stdout, r.stderr, d.log());
    let read = |f: &str| std::fs::read_to_string(out.path().join(f)).unwrap_or_default();
    assert_eq!(read("greeting.txt"), "hello from remote on null as root\n");
    assert_eq!(read("motd"), "welcome\n");
    assert_eq!(read("role.txt"), "role web\n");
    assert!(out.path().join("command.txt").is_file());
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(out.path().join("motd"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o640);
    // Packer's lines, the secret blanked, ansible's output under the prefix.
    assert!(
        r.stdout
            .contains("==> null.remote: Provisioning with Ansible..."),
        "{}",
        r.stdout
    );
    let exec = r
        .stdout
        .lines()
        .find(|l| l.contains("Executing Ansible: "))
        .unwrap_or_default();
    assert!(exec.contains("db_password=*****"), "{exec}");
    assert!(!r.stdout.contains("s3cret"), "{}", r.stdout);
    assert!(exec.contains("-e packer_builder_type=null"), "{exec}");
    assert!(exec.contains("ansible_ssh_private_key_file="), "{exec}");
    let lines = messages(&r.stdout, "null.remote");
    assert!(
        lines.iter().any(|l| l.starts_with("PLAY RECAP")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("ok=") && l.contains("failed=0")),
        "{lines:?}"
    );
    // The generated inventory is gone, and the server saw ansible's key.
    assert!(
        !std::fs::read_dir(tmp.path()).unwrap().flatten().any(|e| e
            .file_name()
            .to_string_lossy()
            .starts_with("packer-provisioner-ansible")),
        "inventory left behind"
    );
    assert!(
        d.log().contains("Accepted publickey for root"),
        "{}",
        d.log()
    );
}

#[test]
fn a_failing_task_fails_the_build_with_ansibles_code_and_retries_apply() {
    let d = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let bin = ansible_bin();
    let t = template(
        &d,
        &format!(
            "    command       = \"{}/ansible-playbook\"\n    playbook_file = \"fail.yml\"\n    use_proxy     = false\n    max_retries   = 1",
            bin.display()
        ),
    );
    let dir = write(&files(&t));
    let tmp = tempfile::tempdir().unwrap();
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("Error executing Ansible: Non-zero exit status: exit status 2")
            || r.stdout
                .contains("Error executing Ansible: Non-zero exit status: exit status 2"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert_eq!(
        r.stdout.matches("Executing Ansible: ").count(),
        2,
        "max_retries = 1 runs it twice: {}",
        r.stdout
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
