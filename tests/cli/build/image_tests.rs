//! `test` blocks (kiln's test stage) on the null builder: the gate before
//! post-processors, `check` blocks over SSH (the test sshd), and their
//! validation.

use super::build;
use crate::project;
use kiln_communicator_ssh::testing::TestSshd;

fn run(template: &str) -> (i32, String, tempfile::TempDir) {
    let p = project(&[("t.pkr.hcl", template)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(p.path(), tmp.path(), &["t.pkr.hcl"]);
    (r.code, format!("{}{}", r.stdout, r.stderr), p)
}

const GATED: &str = r#"
source "null" "n" { communicator = "none" }
build {
  sources = ["source.null.n"]
  test "smoke" {
    provisioner "shell-local" { inline = ["echo smoke ran; exit @CODE@"] }
  }
  test "never-for-this-build" {
    only = ["null.other"]
    provisioner "shell-local" { inline = ["echo wrong test"] }
  }
  post-processor "manifest" { output = "manifest.json" }
}
"#;

#[test]
fn a_passing_test_opens_the_gate_and_a_failing_one_closes_it() {
    let (code, out, p) = run(&GATED.replace("@CODE@", "0"));
    assert_eq!(code, 0, "{out}");
    let machine = {
        let tmp = tempfile::tempdir().expect("tmp");
        build(
            p.path(),
            tmp.path(),
            &["-machine-readable", "-force", "t.pkr.hcl"],
        )
        .stdout
    };
    assert!(
        machine
            .lines()
            .any(|l| l.contains(",null.n,test-result,smoke,shell-local,pass,")),
        "{machine}"
    );
    assert!(
        out.contains("==> null.n: Testing the artifact: test 'smoke'..."),
        "{out}"
    );
    assert!(out.contains("smoke ran"), "{out}");
    assert!(out.contains("==> null.n: Test 'smoke' passed"), "{out}");
    assert!(
        out.contains("==> null.n: Tests: 1 passed, 0 failed"),
        "{out}"
    );
    assert!(!out.contains("wrong test"), "{out}");
    assert!(p.path().join("manifest.json").exists(), "{out}");

    let p = project(&[(
        "t.pkr.hcl",
        &GATED.replace("@CODE@", "3").replace(
            "exit 3\"] }",
            "exit 3\"] }\n    provisioner \"shell-local\" { inline = [\"echo never\"] }",
        ),
    )]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(
        p.path(),
        tmp.path(),
        &["-test-report=junit.xml", "t.pkr.hcl"],
    );
    let (code, out) = (r.code, format!("{}{}", r.stdout, r.stderr));
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("never"), "{out}");
    let (counts, _) = junit_counts(&p.path().join("junit.xml"));
    assert_eq!(counts, "tests=2 failures=1 skipped=1");
    assert!(out.contains("Test 'smoke' failed"), "{out}");
    assert!(
        out.contains("Deleting the artifact that failed its test: Did not export anything. This is the null builder"),
        "{out}"
    );
    assert!(out.contains("test \"smoke\" failed"), "{out}");
    assert!(
        !p.path().join("manifest.json").exists(),
        "the post-processor ran: {out}"
    );
}

/// "tests=N failures=N skipped=N" of a JUnit file as junitparser reads
/// it, and its test cases as CLASSNAME/NAME.
pub(super) fn junit_counts(path: &std::path::Path) -> (String, Vec<String>) {
    let venv = std::env::var("KILN_JUNIT_VENV").unwrap_or_else(|_| "/var/cache/kiln/junit".into());
    let python = format!("{venv}/bin/python");
    let out = std::process::Command::new(&python)
        .args([
            "-c",
            "import sys\nfrom junitparser import JUnitXml, Failure, Skipped\nx = JUnitXml.fromfile(sys.argv[1])\nt = f = s = 0\nnames = []\nfor suite in x:\n    for case in suite:\n        t += 1\n        names.append(case.classname + '/' + case.name)\n        f += any(isinstance(r, Failure) for r in case.result)\n        s += any(isinstance(r, Skipped) for r in case.result)\nprint(f'tests={t} failures={f} skipped={s}')\nprint(' '.join(names))",
        ])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{python} ({e}): run scripts/setup.sh"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines();
    let counts = lines.next().unwrap_or_default().to_owned();
    let names = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    (counts, names)
}

#[test]
fn checks_compare_exit_status_and_output_over_ssh() {
    let d = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let t = format!(
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
  test "system" {{
    check "kernel" {{
      command       = "uname -s"
      expect_stdout = "^Linux"
      description   = "a Linux machine"
    }}
    check "denied" {{
      command       = "echo nope >&2; exit 4"
      expect_exit   = 4
      expect_stderr = "nope"
    }}
    check "service" {{
      command       = "echo inactive"
      expect_stdout = "^active"
      retry_timeout = "3s"
    }}
    keep_failed_artifact = true
  }}
}}
"#,
        port = d.port,
        key = d.key_file.display()
    );
    let p = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(
        p.path(),
        tmp.path(),
        &["-test-report=junit.xml", "t.pkr.hcl"],
    );
    let (code, out) = (r.code, format!("{}{}", r.stdout, r.stderr));
    assert_eq!(code, 1, "{out}");
    let (counts, names) = junit_counts(&p.path().join("junit.xml"));
    assert_eq!(counts, "tests=3 failures=1 skipped=0", "{names:?}");
    assert_eq!(
        names,
        [
            "null.remote.system/kernel",
            "null.remote.system/denied",
            "null.remote.system/service"
        ]
    );
    assert!(
        out.contains("Check 'kernel' (a Linux machine): uname -s"),
        "{out}"
    );
    assert!(out.contains("Check 'kernel' passed"), "{out}");
    assert!(out.contains("Check 'denied' passed"), "{out}");
    assert!(out.contains("trying again"), "{out}");
    assert!(
        out.contains("check \"service\" failed: stdout does not match /^active/"),
        "{out}"
    );
    assert!(
        out.contains("Keeping the artifact that failed its test (keep_failed_artifact): Did not export anything. This is the null builder"),
        "{out}"
    );
}

fn validate(template: &str) -> String {
    let p = project(&[("t.pkr.hcl", template)]);
    let r = crate::kiln(p.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    r.stderr
}

#[test]
fn validate_checks_test_blocks() {
    let err = validate(
        "source \"null\" \"n\" { communicator = \"none\" }\nbuild {\n  sources = [\"source.null.n\"]\n  test \"t\" {\n    nonsense {}\n  }\n}\n",
    );
    assert!(
        err.contains("Blocks of type \"nonsense\" are not expected here."),
        "{err}"
    );
    assert!(err.contains("t.pkr.hcl:5:"), "{err}");
    let err = validate(
        "source \"null\" \"n\" { communicator = \"none\" }\nbuild {\n  sources = [\"source.null.n\"]\n  test \"t\" {\n    bogus = 1\n    check \"c\" {\n      expect_stdout = \"(\"\n    }\n  }\n}\n",
    );
    for message in [
        "bogus",
        "a check needs a command",
        "expect_stdout is not a regular expression",
        "t.pkr.hcl:5:",
    ] {
        assert!(err.contains(message), "{message}: {err}");
    }
}

fn oci_template(rootfs: &std::path::Path, tests: &str) -> String {
    format!(
        r#"
source "oci" "app" {{
  image            = "rootfs:{}"
  tags             = ["v1"]
  output_directory = "image"
  changes          = ["ENV STAGE=two", "WORKDIR /srv"]
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{
    inline = ["mkdir -p /srv", "echo built > /srv/app.txt"]
  }}
{tests}
  post-processor "manifest" {{ output = "manifest.json" }}
}}
"#,
        rootfs.display()
    )
}

#[test]
fn an_oci_image_is_tested_in_a_fresh_sandbox_of_its_own_output() {
    let scratch = tempfile::tempdir().expect("tmp");
    // A busybox root filesystem tarball.
    let tar = super::oci::busybox_rootfs(scratch.path());
    let tests = r#"
  test "fresh" {
    check "config" {
      command       = "echo stage=$STAGE dir=$(pwd) app=$(cat /srv/app.txt)"
      expect_stdout = "stage=two dir=/srv app=built"
    }
    provisioner "shell" { inline = ["touch /srv/left-by-the-first-test"] }
  }
  test "isolated" {
    check "nothing-left" {
      command = "test ! -e /srv/left-by-the-first-test"
    }
  }
"#;
    let (code, out, p) = run(&oci_template(&tar, tests));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Test 'fresh' passed"), "{out}");
    assert!(out.contains("Test 'isolated' passed"), "{out}");
    assert!(out.contains("Tests: 2 passed, 0 failed"), "{out}");
    assert!(p.path().join("manifest.json").exists(), "{out}");
    // The tests changed nothing in the image.
    let listing = super::oci::tool(p.path(), "umoci", &["ls", "--layout", "image"]);
    assert_eq!(listing.trim(), "v1");

    let failing = r#"
  test "web" {
    check "served" {
      command       = "cat /srv/index.html"
    }
  }
"#;
    let (code, out, p) = run(&oci_template(&tar, failing));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Test 'web' failed"), "{out}");
    assert!(out.contains("Tests: 0 passed, 1 failed"), "{out}");
    assert!(
        out.contains("Deleting the artifact that failed its test"),
        "{out}"
    );
    assert!(
        !p.path().join("image").exists(),
        "the failed image was kept: {out}"
    );
    assert!(!p.path().join("manifest.json").exists(), "{out}");
}

#[test]
fn ctrl_c_during_a_test_leaves_no_sandbox_behind() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    let tests = r#"
  test "slow" {
    check "hangs" { command = "sleep 1006" }
  }
"#;
    let p = project(&[("t.pkr.hcl", &oci_template(&tar, tests))]);
    let tmp = tempfile::tempdir().expect("tmp");
    let child = crate::kiln_command()
        .args(["build", "-color=false", "t.pkr.hcl"])
        .current_dir(p.path())
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kiln");
    let start = Instant::now();
    while crate::build::processes_mentioning("sleep 1006").is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the check never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("Cleanly cancelled builds after being interrupted."),
        "{all}"
    );
    assert!(
        crate::build::processes_mentioning("sleep 1006").is_empty(),
        "the check survived"
    );
    assert_eq!(super::leftovers(tmp.path()), Vec::<String>::new(), "{all}");
    let mounts = std::fs::read_to_string("/proc/self/mounts").expect("mounts");
    assert!(
        !mounts.contains(&tmp.path().display().to_string()),
        "a mount was left: {mounts}"
    );
    assert!(!p.path().join("manifest.json").exists());
}

#[test]
fn test_blocks_work_in_json_templates_too() {
    let p = project(&[(
        "t.pkr.json",
        r#"{
  "source": { "null": { "n": { "communicator": "none" } } },
  "build": {
    "sources": ["source.null.n"],
    "test": {
      "json": {
        "provisioner": { "shell-local": { "inline": ["echo from json"] } }
      }
    }
  }
}"#,
    )]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(p.path(), tmp.path(), &["t.pkr.json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("from json"), "{}", r.stdout);
    assert!(r.stdout.contains("Test 'json' passed"), "{}", r.stdout);
}

#[test]
fn kiln_test_re_tests_an_existing_image_without_building_or_deleting_it() {
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    let passing = r#"
  test "app" {
    check "file" {
      command       = "cat /srv/app.txt"
      expect_stdout = "built"
    }
  }
"#;
    let p = project(&[("t.pkr.hcl", &oci_template(&tar, passing))]);
    let tmp = tempfile::tempdir().expect("tmp");
    // Nothing built yet: nothing to test.
    let r = crate::kiln_env(p.path(), &["test", "-color=false", "t.pkr.hcl"], "", &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        format!("{}{}", r.stdout, r.stderr)
            .contains("no artifact of an earlier oci build to test: run kiln build first"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    let r = build(p.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Provisioning with shell script"),
        "{}",
        r.stdout
    );
    let r = crate::kiln_env(
        p.path(),
        &[
            "test",
            "-color=false",
            "-test-report=junit.xml",
            "t.pkr.hcl",
        ],
        "",
        &[],
    );
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}");
    assert!(out.contains("Test 'app' passed"), "{out}");
    assert!(
        !out.contains("Provisioning with shell script"),
        "the build ran again: {out}"
    );
    assert_eq!(
        junit_counts(&p.path().join("junit.xml")).0,
        "tests=1 failures=0 skipped=0"
    );

    // A test that fails now reports, and the image stays.
    std::fs::write(
        p.path().join("t.pkr.hcl"),
        oci_template(
            &tar,
            &passing.replace("expect_stdout = \"built\"", "expect_stdout = \"v2\""),
        ),
    )
    .expect("write");
    let r = crate::kiln_env(p.path(), &["test", "-color=false", "t.pkr.hcl"], "", &[]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 1, "{out}");
    assert!(out.contains("Test 'app' failed"), "{out}");
    assert!(!out.contains("Deleting the artifact"), "{out}");
    assert!(
        p.path().join("image").is_dir(),
        "kiln test deleted the image"
    );
}

#[test]
fn run_image_checks_run_the_entrypoint_as_docker_run_would() {
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    let t = format!(
        r#"
source "oci" "cli" {{
  image            = "rootfs:{}"
  output_directory = "image"
  changes          = ["ENTRYPOINT [\"/bin/echo\", \"app\"]", "CMD [\"default-arg\"]"]
}}
build {{
  sources = ["source.oci.cli"]
  test "runs" {{
    check "default" {{
      run_image     = true
      expect_stdout = "^app default-arg$"
    }}
    check "args" {{
      run_image     = true
      command       = "--help 'two words'"
      expect_stdout = "^app --help two words$"
    }}
  }}
}}
"#,
        tar.display()
    );
    let (code, out, _p) = run(&t);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Check 'default': '/bin/echo' 'app' 'default-arg'"),
        "{out}"
    );
    assert!(out.contains("Tests: 1 passed, 0 failed"), "{out}");

    // Elsewhere there is no image to run.
    let (code, out, _p) = run(
        "source \"null\" \"n\" { communicator = \"none\" }\nbuild {\n  sources = [\"source.null.n\"]\n  test \"t\" {\n    check \"c\" { run_image = true }\n  }\n}\n",
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("run_image needs a container image (the oci and docker builders)"),
        "{out}"
    );
}

#[test]
fn an_ansible_playbook_checks_the_fresh_image() {
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    // `raw` needs no Python on the image (busybox has none).
    let playbook = r#"- hosts: default
  gather_facts: false
  tasks:
    - ansible.builtin.raw: grep -q built /srv/app.txt
    - ansible.builtin.raw: test "$STAGE" = two
"#;
    let tests = format!(
        r#"
  test "ansible" {{
    provisioner "ansible" {{
      playbook_file = "check.yml"
      command       = "{}"
    }}
  }}
"#,
        super::ansible::ansible_bin()
    );
    let p = project(&[
        ("t.pkr.hcl", &oci_template(&tar, &tests)),
        ("check.yml", playbook),
    ]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(p.path(), tmp.path(), &["t.pkr.hcl"]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}");
    assert!(out.contains("ok=2"), "{out}");
    assert!(out.contains("Test 'ansible' passed"), "{out}");

    std::fs::write(
        p.path().join("check.yml"),
        playbook.replace("built /srv/app.txt", "missing /srv/app.txt"),
    )
    .expect("write");
    let r = build(p.path(), tmp.path(), &["-force", "t.pkr.hcl"]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 1, "{out}");
    assert!(
        out.contains("Test 'ansible' failed: Error executing Ansible: Non-zero exit status"),
        "{out}"
    );
    assert!(!p.path().join("image").exists(), "{out}");
}
