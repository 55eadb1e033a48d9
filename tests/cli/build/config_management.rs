//! The configuration-management provisioners end to end, with the real
//! tools inside the OCI builder's sandbox: `puppet-masterless` (Debian's
//! Puppet 7) and `salt-masterless` (Salt from PyPI in a venv) on the
//! cached rootfs of tests/fixtures/cm-rootfs.sh, results read back from
//! the output image with `umoci unpack`; missing tools on bases without
//! them.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use super::build;
use super::oci::{busybox_rootfs, tool};
use crate::project;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The last stdout line of a fixture script (the artifact's path).
pub(crate) fn fixture(script: &str) -> PathBuf {
    let out = Command::new("bash")
        .arg(crate::repo_root().join("tests/fixtures").join(script))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "tests/fixtures/{script} failed (run scripts/setup.sh): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default(),
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn oci_source(rootfs: &Path) -> String {
    format!(
        "variable \"token\" {{\n  default   = \"s3cr3t-token\"\n  sensitive = true\n}}\nsource \"oci\" \"cm\" {{\n  image = \"rootfs:{}\"\n  tags  = [\"v1\"]\n}}\n",
        rootfs.display()
    )
}

/// `kiln build` in `d`; the combined output and exit code.
fn kiln_build(d: &Path) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    let r = build(d, tmp.path(), &["t.pkr.hcl"]);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(!all.contains("s3cr3t"), "a sensitive value leaked: {all}");
    (r.code, all)
}

fn unpacked(d: &Path, file: &str) -> String {
    std::fs::read_to_string(d.join("bundle/rootfs").join(file))
        .unwrap_or_else(|e| panic!("{file} is not in the image: {e}"))
}

#[test]
fn puppet_applies_manifest_modules_hiera_and_facts() {
    let rootfs = fixture("cm-rootfs.sh");
    let dir = project(&[]);
    let d = dir.path();
    write(
        &d.join("site.pp"),
        r#"file { '/etc/kiln-puppet':
  content => "role=${facts['role']} build=${facts['packer_build_name']} type=${facts['packer_builder_type']} greeting=${lookup('kiln::greeting')}\n",
}
package { 'hello': ensure => installed }
include motd
"#,
    );
    write(
        &d.join("modules/motd/manifests/init.pp"),
        "class motd {\n  file { '/etc/motd-kiln': content => epp('motd/motd.epp', { 'role' => $facts['role'] }) }\n}\n",
    );
    write(
        &d.join("modules/motd/templates/motd.epp"),
        "<%- | $role | -%>\nWelcome to a <%= $role %> machine\n",
    );
    // Hiera data travels as a module path; hiera.yaml names its place.
    write(
        &d.join("hieradata/common.yaml"),
        "kiln::greeting: hello from hiera\n",
    );
    write(
        &d.join("hiera.yaml"),
        "version: 5\nhierarchy:\n  - name: common\n    path: common.yaml\n    datadir: /tmp/packer-puppet-masterless/module-1\n",
    );
    write(
        &d.join("fails.pp"),
        "exec { 'fail': command => '/bin/false' }\n",
    );
    let t = format!(
        r#"{}build {{
  sources = ["source.oci.cm"]
  provisioner "puppet-masterless" {{
    manifest_file     = "fails.pp"
    prevent_sudo      = true
    ignore_exit_codes = true
  }}
  provisioner "puppet-masterless" {{
    manifest_file     = "site.pp"
    module_paths      = ["modules", "hieradata"]
    hiera_config_path = "hiera.yaml"
    facter            = {{ role = "web", token = var.token }}
    extra_arguments   = ["--color=false"]
    prevent_sudo      = true
    clean_staging_directory = true
  }}
}}
"#,
        oci_source(&rootfs)
    );
    write(&d.join("t.pkr.hcl"), &t);
    let (code, out) = kiln_build(d);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("==> oci.cm: Provisioning with Puppet..."),
        "{out}"
    );
    assert!(
        out.contains("Running Puppet: cd /tmp/packer-puppet-masterless && FACTER_packer_build_name='cm' FACTER_packer_builder_type='oci' FACTER_role='web' FACTER_token='<sensitive>' puppet apply --detailed-exitcodes --modulepath='/tmp/packer-puppet-masterless/module-0:/tmp/packer-puppet-masterless/module-1' --hiera_config='/tmp/packer-puppet-masterless/hiera.yaml' --color=false /tmp/packer-puppet-masterless/manifests/site.pp"),
        "{out}"
    );
    tool(d, "umoci", &["unpack", "--image", "output-cm:v1", "bundle"]);
    assert_eq!(
        unpacked(d, "etc/kiln-puppet"),
        "role=web build=cm type=oci greeting=hello from hiera\n"
    );
    assert_eq!(unpacked(d, "etc/motd-kiln"), "Welcome to a web machine\n");
    assert!(
        d.join("bundle/rootfs/usr/bin/hello").exists(),
        "hello was not installed"
    );
    assert!(
        !d.join("bundle/rootfs/tmp/packer-puppet-masterless/module-0")
            .exists(),
        "clean_staging_directory"
    );
}

#[test]
fn a_failing_puppet_manifest_fails_the_build_with_its_exit_code() {
    let rootfs = fixture("cm-rootfs.sh");
    let dir = project(&[]);
    let d = dir.path();
    write(
        &d.join("fails.pp"),
        "exec { 'fail': command => '/bin/false' }\n",
    );
    let t = format!(
        "{}build {{\n  sources = [\"source.oci.cm\"]\n  provisioner \"puppet-masterless\" {{\n    manifest_file = \"fails.pp\"\n    prevent_sudo  = true\n  }}\n}}\n",
        oci_source(&rootfs)
    );
    write(&d.join("t.pkr.hcl"), &t);
    let (code, out) = kiln_build(d);
    assert_eq!(code, 1, "{out}");
    // --detailed-exitcodes: 4 is "failures", 6 "changes and failures".
    assert!(
        out.contains("Puppet exited with a non-zero exit status: 4")
            || out.contains("Puppet exited with a non-zero exit status: 6"),
        "{out}"
    );
}

/// A state tree with pillar, grains and a formula from a local git
/// repository (`file://`: no git host is reachable here).
fn salt_files(d: &Path) -> String {
    write(
        &d.join("salt/top.sls"),
        "base:\n  '*':\n    - web\n    - kilnf\n",
    );
    write(
        &d.join("salt/web.sls"),
        r#"/etc/kiln-salt:
  file.managed:
    - contents: "role={{ grains['role'] }} greeting={{ pillar['greeting'] }}"
hello:
  pkg.installed:
    - refresh: False
"#,
    );
    write(&d.join("pillar/top.sls"), "base:\n  '*':\n    - common\n");
    write(
        &d.join("pillar/common.sls"),
        "greeting: hello from pillar\n",
    );
    write(&d.join("grains"), "role: db\n");
    let repo = d.join("formula.git");
    write(
        &repo.join("kilnf/init.sls"),
        "/etc/kiln-formula:\n  file.managed:\n    - contents: from the formula\n",
    );
    let git = |args: &[&str]| {
        let st = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repo)
            .status()
            .expect("git runs");
        assert!(st.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "formula"]);
    format!("git::file://{}//kilnf", repo.display())
}

#[test]
fn salt_applies_states_pillar_grains_and_a_formula() {
    let rootfs = fixture("cm-rootfs.sh");
    let dir = project(&[]);
    let d = dir.path();
    let formula = salt_files(d);
    let t = format!(
        r#"{}build {{
  sources = ["source.oci.cm"]
  provisioner "salt-masterless" {{
    local_state_tree   = "salt"
    local_pillar_roots = "pillar"
    grains_file        = "grains"
    formulas           = ["{formula}"]
    skip_bootstrap     = true
    salt_bin_dir       = "/opt/salt/bin"
    disable_sudo       = true
    log_level          = "warning"
    salt_call_args     = "--state-output=terse"
  }}
}}
"#,
        oci_source(&rootfs)
    );
    write(&d.join("t.pkr.hcl"), &t);
    let (code, out) = kiln_build(d);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("==> oci.cm: Downloading Salt formulas..."),
        "{out}"
    );
    assert!(
        out.contains("Running: salt-call --local state.highstate --file-root=/srv/salt --pillar-root=/srv/pillar --retcode-passthrough -l warning --state-output=terse"),
        "{out}"
    );
    tool(d, "umoci", &["unpack", "--image", "output-cm:v1", "bundle"]);
    assert_eq!(
        unpacked(d, "etc/kiln-salt").trim_end(),
        "role=db greeting=hello from pillar"
    );
    assert_eq!(
        unpacked(d, "etc/kiln-formula").trim_end(),
        "from the formula"
    );
    assert_eq!(unpacked(d, "etc/salt/grains"), "role: db\n");
    assert!(
        d.join("bundle/rootfs/usr/bin/hello").exists(),
        "hello was not installed"
    );
    assert!(d.join("bundle/rootfs/srv/salt/kilnf/init.sls").exists());
}

#[test]
fn salt_bootstraps_itself_and_a_failing_state_fails_the_build() {
    let rootfs = fixture("cm-rootfs.sh");
    let wheels = rootfs.parent().unwrap().join("salt-wheels");
    let dir = project(&[]);
    let d = dir.path();
    write(&d.join("salt/top.sls"), "base:\n  '*':\n    - ok\n");
    // The state fails unless the minion config's grain is in force.
    write(
        &d.join("salt/ok.sls"),
        "{% if grains.get('origin') != 'minion-config' %}\n\
         no minion config:\n  test.fail_without_changes\n\
         {% endif %}\n\
         /etc/kiln-bootstrapped:\n  file.managed:\n    - contents: yes\n",
    );
    write(
        &d.join("minion"),
        "file_client: local\nfile_roots:\n  base:\n    - /srv/salt\ngrains:\n  origin: minion-config\n",
    );
    write(&d.join("bad/top.sls"), "base:\n  '*':\n    - bad\n");
    write(
        &d.join("bad/bad.sls"),
        "fails:\n  cmd.run:\n    - name: /bin/false\n",
    );
    // The wheelhouse stands in for PyPI (whose TLS the sandbox may not
    // trust here); the bootstrap is the same `pip install salt`.
    let t = format!(
        r#"{}build {{
  sources = ["source.oci.cm"]
  provisioner "shell" {{ inline = ["rm -rf /opt/salt"] }}
  provisioner "file" {{
    source      = "{}/"
    destination = "/tmp/wheels"
  }}
  provisioner "salt-masterless" {{
    local_state_tree = "salt"
    minion_config    = "minion"
    bootstrap_args   = "--no-index --find-links=/tmp/wheels"
    disable_sudo     = true
  }}
  provisioner "salt-masterless" {{
    local_state_tree = "bad"
    skip_bootstrap   = true
    disable_sudo     = true
  }}
}}
"#,
        oci_source(&rootfs),
        wheels.display()
    );
    write(&d.join("t.pkr.hcl"), &t);
    let (code, out) = kiln_build(d);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Installing Salt with kiln's bootstrap: python3 -m venv /opt/salt && /opt/salt/bin/pip install salt (from PyPI)"),
        "{out}"
    );
    assert!(
        out.contains("salt-call 3"),
        "the bootstrap's version line: {out}"
    );
    // salt-call is on the PATH after the bootstrap; the second run
    // failed with its status.
    // The first, with its minion config (so no roots on the command
    // line), passed; the second then ran with the default roots.
    assert!(out.contains("Uploading minion config: minion"), "{out}");
    let first = out
        .find("Running: salt-call --local state.highstate --retcode-passthrough -l info")
        .unwrap_or_else(|| panic!("the minion-config run: {out}"));
    let second = out
        .find("Running: salt-call --local state.highstate --file-root=/srv/salt --pillar-root=/srv/pillar --retcode-passthrough -l info")
        .unwrap_or_else(|| panic!("the second run: {out}"));
    assert!(first < second, "{out}");
    assert!(
        out.contains("Error executing salt-call: Bad exit status: 2"),
        "{out}"
    );
}

#[test]
fn missing_tools_are_named_with_how_to_install_them() {
    // Debian without Puppet, Salt or Ansible; busybox without python3 or
    // apt-get.
    let debian = fixture("debian-rootfs.sh");
    let dir = project(&[]);
    let d = dir.path();
    let busybox = busybox_rootfs(d);
    write(&d.join("site.pp"), "notice('x')\n");
    write(&d.join("salt/top.sls"), "base: {}\n");
    write(&d.join("site.yml"), "- hosts: all\n  tasks: []\n");
    let t = format!(
        r#"source "oci" "debian" {{
  image = "rootfs:{}"
}}
source "oci" "busybox" {{
  image = "rootfs:{}"
}}
build {{
  name    = "puppet"
  sources = ["source.oci.debian"]
  provisioner "puppet-masterless" {{
    manifest_file = "site.pp"
    prevent_sudo  = true
  }}
}}
build {{
  name    = "salt"
  sources = ["source.oci.debian"]
  provisioner "salt-masterless" {{
    local_state_tree = "salt"
    skip_bootstrap   = true
    disable_sudo     = true
  }}
}}
build {{
  name    = "sudo"
  sources = ["source.oci.debian"]
  provisioner "puppet-masterless" {{ manifest_file = "site.pp" }}
}}
build {{
  name    = "ansible"
  sources = ["source.oci.debian"]
  provisioner "ansible-local" {{
    playbook_file = "site.yml"
  }}
}}
build {{
  name    = "bootstrap"
  sources = ["source.oci.busybox"]
  provisioner "salt-masterless" {{
    local_state_tree = "salt"
    disable_sudo     = true
  }}
}}
"#,
        debian.display(),
        busybox.display()
    );
    write(&d.join("t.pkr.hcl"), &t);
    let (code, out) = kiln_build(d);
    assert_eq!(code, 1, "{out}");
    for message in [
        "puppet was not found on the machine (the command exited with status 127): install Puppet before this provisioner",
        "salt-call was not found on the machine (the command exited with status 127): leave skip_bootstrap unset",
        "Error creating staging directory: sudo was not found on the machine (the command exited with status 127): install sudo on the machine, or set prevent_sudo = true",
        "ansible-playbook could not be found. Verify that it is available on the",
        "Unable to install Salt (bootstrap: python3 -m venv /opt/salt && /opt/salt/bin/pip install salt (from PyPI)): python3 is not installed on the machine",
    ] {
        assert!(out.contains(message), "{message}: {out}");
    }
}
