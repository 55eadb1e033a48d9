//! The `testinfra` runner: one file of pytest-testinfra checks, run
//! unchanged against an OCI image here (the `ansible://` backend through
//! kiln's SSH adapter over the sandbox) and against the qemu image in
//! `qemu.rs` (the `ssh://` backend with the test VM's own key).

use super::build;
use crate::project;
use std::path::Path;

/// The checks, written as a testinfra user writes them: they pass on any
/// Linux machine the build wrote `/etc/kiln-e2e/greeting` on.
pub const CHECKS: &str = r#"def test_the_build_left_its_greeting(host):
    greeting = host.file("/etc/kiln-e2e/greeting")
    assert greeting.exists
    assert greeting.contains("hello from kiln")


def test_commands_run_in_a_shell(host):
    assert host.run("echo $((6 * 7))").stdout.strip() == "42"


def test_the_machine_runs_linux(host):
    assert host.system_info.type == "linux"
"#;

/// pytest from the venv scripts/setup.sh makes; the test fails (never
/// skips) without it.
pub fn pytest_bin() -> String {
    let venv =
        std::env::var("KILN_TESTINFRA_VENV").unwrap_or_else(|_| "/var/cache/kiln/testinfra".into());
    let bin = format!("{venv}/bin/pytest");
    assert!(
        Path::new(&bin).exists(),
        "{bin} is missing: run scripts/setup.sh (it installs pytest-testinfra in a venv)"
    );
    bin
}

fn oci_template(rootfs: &Path, pytest: &str, files: &str) -> String {
    format!(
        r#"
source "oci" "app" {{
  image            = "rootfs:{}"
  tags             = ["v1"]
  output_directory = "image"
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{
    inline = ["mkdir -p /etc/kiln-e2e", "echo 'hello from kiln' > /etc/kiln-e2e/greeting"]
  }}
  test "infra" {{
    testinfra {{
      command         = "{pytest}"
      files           = [{files}]
      extra_arguments = ["-v"]
    }}
  }}
  post-processor "manifest" {{ output = "manifest.json" }}
}}
"#,
        rootfs.display()
    )
}

#[test]
fn testinfra_checks_an_oci_image_through_the_adapter() {
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    let pytest = pytest_bin();
    let failing =
        "def test_nginx_is_installed(host):\n    assert host.file(\"/usr/sbin/nginx\").exists\n";
    let p = project(&[
        (
            "t.pkr.hcl",
            &oci_template(&tar, &pytest, "\"tests/test_image.py\""),
        ),
        ("tests/test_image.py", CHECKS),
        ("tests/test_web.py", failing),
    ]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(p.path(), tmp.path(), &["t.pkr.hcl"]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}");
    assert!(out.contains("--hosts=ansible://default"), "{out}");
    for passed in [
        "test_the_build_left_its_greeting[ansible://default] PASSED",
        "test_commands_run_in_a_shell[ansible://default] PASSED",
        "test_the_machine_runs_linux[ansible://default] PASSED",
        "3 passed",
        "Test 'infra' passed",
    ] {
        assert!(out.contains(passed), "missing {passed:?} in:\n{out}");
    }
    assert!(p.path().join("manifest.json").exists(), "{out}");
    // pytest left nothing next to the user's files.
    assert!(!p.path().join(".pytest_cache").exists());
    assert!(!p.path().join("tests/__pycache__").exists());

    std::fs::write(
        p.path().join("t.pkr.hcl"),
        oci_template(
            &tar,
            &pytest,
            "\"tests/test_image.py\", \"tests/test_web.py\"",
        ),
    )
    .expect("write");
    let r = build(p.path(), tmp.path(), &["-force", "t.pkr.hcl"]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 1, "{out}");
    assert!(
        out.contains("test_nginx_is_installed[ansible://default] FAILED"),
        "{out}"
    );
    assert!(
        out.contains("Test 'infra' failed: testinfra: tests failed (pytest exit status 1)"),
        "{out}"
    );
    assert!(!p.path().join("image").exists(), "{out}");
    assert_eq!(
        crate::build::processes_mentioning("ansible://"),
        Vec::<String>::new()
    );
}
