//! The default, `use_proxy` unset: ansible connects to kiln's SSH adapter,
//! which serves the build's communicator (here SSH to the test sshd),
//! with each of ansible's ways of moving files.

use super::direct::{ansible_project, null_template, run};
use super::{assert_results, provisioner};
use kiln_communicator_ssh::testing::TestSshd;

/// A run through the adapter with `extra` fields and `env` added to
/// `ansible_env_vars`.
fn through_the_adapter(extra: &str, env: &str) -> String {
    let d = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let out = tempfile::tempdir().unwrap();
    let p = ansible_project(&null_template(
        &d,
        &provisioner(&out.path().display().to_string(), extra).replace(
            "\"ANSIBLE_NOCOLOR=1\"",
            &format!("\"ANSIBLE_NOCOLOR=1\"{env}"),
        ),
    ));
    let (code, all) = run(p.path());
    assert_eq!(code, 0, "{all}");
    assert!(
        all.contains("Setting up proxy adapter for Ansible...."),
        "{all}"
    );
    assert!(!all.contains("Not using Proxy adapter"), "{all}");
    assert!(all.contains("ansible_ssh_private_key_file="), "{all}");
    assert!(all.contains("PLAY RECAP"), "{all}");
    assert_results(out.path(), "remote", "null");
    all
}

#[test]
fn the_adapter_serves_ansible_over_the_builds_ssh_connection() {
    // Packer's default: scp, which OpenSSH 9 runs over SFTP.
    let all = through_the_adapter("", "");
    assert!(
        all.contains("--ssh-extra-args '-o IdentitiesOnly=yes'"),
        "{all}"
    );
}

#[test]
fn the_adapter_serves_sftp_and_the_legacy_scp_protocol_too() {
    through_the_adapter("    use_sftp = true", "");
    through_the_adapter(
        "    ansible_ssh_extra_args = [\"-o IdentitiesOnly=yes\"]\n    ansible_proxy_key_type = \"RSA\"",
        ", \"ANSIBLE_SCP_EXTRA_ARGS=-O\"",
    );
}

#[test]
fn behind_a_bastion_the_adapter_reaches_the_machine_through_it() {
    // The same server is bastion and target, as in the communicator's
    // own bastion test.
    let d = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let out = tempfile::tempdir().unwrap();
    let bastion = format!(
        "  ssh_timeout          = \"20s\"\n  ssh_bastion_host             = \"127.0.0.1\"\n  ssh_bastion_port             = {}\n  ssh_bastion_username         = \"root\"\n  ssh_bastion_private_key_file = \"{}\"\n",
        d.port,
        d.key_file.display()
    );
    let t = null_template(&d, &provisioner(&out.path().display().to_string(), ""))
        .replace("  ssh_timeout          = \"20s\"\n", &bastion);
    assert!(t.contains("ssh_bastion_host"), "{t}");
    let p = ansible_project(&t);
    let (code, all) = run(p.path());
    assert_eq!(code, 0, "{all}");
    assert!(
        all.contains("Setting up proxy adapter for Ansible...."),
        "{all}"
    );
    assert_results(out.path(), "remote", "null");
}
