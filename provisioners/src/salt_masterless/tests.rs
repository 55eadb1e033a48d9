//! salt-masterless against a real sshd (the throwaway server of
//! `kiln_communicator_ssh::testing`): the trees and formulas it uploads,
//! the missing-program error, the bootstrap script. The run of a real
//! Salt is the end-to-end test's (tests/cli/build/config_management.rs);
//! the bootstrap is never run here, on the host.

use super::*;
use kiln_communicator_ssh::testing::TestSshd;
use kiln_communicator_ssh::SshComm;
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildInfo, Cancel, Generated};
use std::path::Path;
use std::process::Command;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("test fixture");
    std::fs::write(path, text).expect("test fixture");
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs (scripts/setup.sh)");
    assert!(st.success(), "git {args:?}");
}

#[test]
fn trees_and_formulas_are_uploaded_and_a_missing_salt_call_is_named() {
    let sshd = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let comm = SshComm::connect(sshd.settings(), &Cancel::new()).expect("connect");
    let local = tempfile::tempdir().expect("test fixture");
    let l = local.path();
    write(&l.join("states/top.sls"), "base:\n  '*':\n    - web\n");
    write(&l.join("states/web.sls"), "{}\n");
    write(&l.join("states/.git/HEAD"), "ref: x\n");
    write(&l.join("pillar/top.sls"), "base: {}\n");
    // A formula repository with the formula in a subdirectory, on a tag.
    let repo = l.join("repo.git");
    write(&repo.join("kilnf/init.sls"), "# v1\n");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "v1"]);
    git(&repo, &["tag", "v1"]);
    write(&repo.join("kilnf/init.sls"), "# v2\n");
    git(&repo, &["commit", "-qam", "v2"]);
    let remote_tree = sshd.dir().join("srv/salt");
    write(&remote_tree.join("old.sls"), "stale\n");
    let config = SaltMasterlessConfig {
        local_state_tree: Some(s(&l.join("states"))),
        local_pillar_roots: Some(s(&l.join("pillar"))),
        remote_state_tree: Some(s(&remote_tree)),
        remote_pillar_roots: Some(s(&sshd.dir().join("srv/pillar"))),
        temp_config_dir: Some(s(&sshd.dir().join("tmp-salt"))),
        formulas: Some(vec![format!("git::file://{}//kilnf?ref=v1", s(&repo))]),
        skip_bootstrap: Some(true),
        disable_sudo: Some(true),
        salt_bin_dir: Some("/nonexistent/salt/bin".into()),
        ..SaltMasterlessConfig::default()
    };
    let ui = RecordingUi::default();
    let info = BuildInfo::default();
    let generated = Generated::new();
    let cancel = Cancel::new();
    let ctx = ProvisionCtx {
        info: &info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
    };
    let r = SaltMasterless::from(config).provision(&ctx, &comm);
    let e = r
        .map_err(|e| e.to_string())
        .expect_err("no salt-call there");
    assert!(
        e.starts_with("salt-call was not found on the machine (the command exited with status 127): leave skip_bootstrap unset"),
        "{e}"
    );
    assert!(e.contains("salt_bin_dir"), "{e}");
    assert_eq!(
        ui.of("say"),
        ["Downloading Salt formulas...", "Provisioning with Salt..."]
    );
    let messages = ui.of("message");
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Running: salt-call --local state.highstate --file-root=")),
        "{messages:?}"
    );
    assert!(remote_tree.join("top.sls").is_file());
    assert!(remote_tree.join("web.sls").is_file());
    assert!(!remote_tree.join(".git").exists(), ".git is left out");
    assert!(
        !remote_tree.join("old.sls").exists(),
        "the old tree is replaced"
    );
    assert!(!remote_tree.join("states").exists(), "not nested");
    assert_eq!(
        std::fs::read_to_string(remote_tree.join("kilnf/init.sls")).expect("the formula"),
        "# v1\n"
    );
    assert!(sshd.dir().join("srv/pillar/top.sls").is_file());
    // The clone was on the host, in a temporary directory now gone; the
    // local tree is untouched.
    assert!(!l.join("states/kilnf").exists());
}

#[test]
fn a_formula_that_cannot_be_cloned_is_packers_error() {
    let sshd = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let comm = SshComm::connect(sshd.settings(), &Cancel::new()).expect("connect");
    let local = tempfile::tempdir().expect("test fixture");
    write(&local.path().join("states/top.sls"), "base: {}\n");
    let url = "git::file:///nonexistent/f.git//f";
    let config = SaltMasterlessConfig {
        local_state_tree: Some(s(&local.path().join("states"))),
        formulas: Some(vec![url.into()]),
        skip_bootstrap: Some(true),
        disable_sudo: Some(true),
        ..SaltMasterlessConfig::default()
    };
    let ui = RecordingUi::default();
    let info = BuildInfo::default();
    let generated = Generated::new();
    let cancel = Cancel::new();
    let ctx = ProvisionCtx {
        info: &info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
    };
    let e = SaltMasterless::from(config)
        .provision(&ctx, &comm)
        .map_err(|e| e.to_string());
    assert_eq!(
        e,
        Err(format!(
            "Unable to download Salt formula from {url}: git clone exited with status 128"
        ))
    );
}

#[test]
fn the_bootstrap_script_parses_and_its_failures_say_what_to_do() {
    let dir = tempfile::tempdir().expect("test fixture");
    let script = dir.path().join("b.sh");
    std::fs::write(&script, BOOTSTRAP_SCRIPT).expect("test fixture");
    let st = Command::new("sh")
        .arg("-n")
        .arg(&script)
        .status()
        .expect("sh runs");
    assert!(st.success(), "sh -n rejects the bootstrap script");
    assert_eq!(
        bootstrap_method(),
        "python3 -m venv /opt/salt && /opt/salt/bin/pip install salt (from PyPI)"
    );
    assert!(bootstrap_failure(10).starts_with("python3 is not installed on the machine"));
    assert!(bootstrap_failure(11).contains("apt-get install python3-venv"));
    assert!(bootstrap_failure(12).contains("--no-index --find-links DIR"));
    assert!(bootstrap_failure(127).contains("disable_sudo = true"));
    assert_eq!(
        bootstrap_failure(3),
        "the bootstrap script exited with status 3"
    );
    let e = SaltError::Bootstrap {
        method: bootstrap_method(),
        why: bootstrap_failure(10),
    };
    assert!(e
        .to_string()
        .starts_with("Unable to install Salt (bootstrap: python3 -m venv /opt/salt && /opt/salt/bin/pip install salt (from PyPI)): python3 is not installed"));
}
