//! Ordering, selection and meta-arguments, checked on null builds with
//! shell-local provisioners.

use super::{build, leftovers, messages};
use crate::project;
use std::time::{Duration, Instant};

const TWO_SOURCES: &str = r#"
source "null" "a" { communicator = "none" }
source "null" "b" { communicator = "none" }
"#;

fn template(build_body: &str) -> String {
    format!("{TWO_SOURCES}\nbuild {{\n  sources = [\"source.null.a\", \"source.null.b\"]\n{build_body}\n}}\n")
}

#[test]
fn provisioners_run_in_order_with_selection_override_and_build_values() {
    let t = template(
        r#"
  provisioner "shell-local" {
    inline = ["echo first ${source.name}"]
  }
  provisioner "shell-local" {
    only   = ["null.b"]
    inline = ["echo only-b"]
  }
  provisioner "shell-local" {
    except = ["null.b"]
    inline = ["echo except-b"]
  }
  provisioner "shell-local" {
    inline = ["echo default"]
    override = {
      a = { inline = ["echo overridden"] }
    }
  }
  provisioner "shell-local" {
    inline = ["echo uuid=${build.PackerRunUUID} conn=${build.ConnType} env=$PACKER_BUILD_NAME/$PACKER_BUILDER_TYPE"]
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let a = messages(&r.stdout, "null.a");
    let b = messages(&r.stdout, "null.b");
    assert_eq!(a[..3], ["first a", "except-b", "overridden"], "{a:?}");
    assert_eq!(b[..3], ["first b", "only-b", "default"], "{b:?}");
    let uuid_a = a[3].split_whitespace().next().unwrap_or_default();
    let uuid_b = b[3].split_whitespace().next().unwrap_or_default();
    assert_eq!(uuid_a, uuid_b, "one run uuid for all builds");
    assert_eq!(uuid_a.len(), "uuid=".len() + 36, "{uuid_a}");
    assert!(a[3].ends_with("conn=none env=a/null"), "{}", a[3]);
    assert!(r.stdout.contains("Build 'null.a' finished after"));
    assert!(r
        .stdout
        .contains("==> Builds finished. The artifacts of successful builds are:\n--> null.a: Did not export anything. This is the null builder"));
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn a_failed_build_does_not_stop_the_others_and_exits_1() {
    let t = template(
        r#"
  provisioner "shell-local" {
    inline = ["if [ ${source.name} = a ]; then exit 7; fi", "echo b survives"]
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(messages(&r.stdout, "null.b"), ["b survives"]);
    assert!(
        r.stdout.contains("Build 'null.a' errored after"),
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .contains("==> Some builds didn't complete successfully and had errors:\n--> null.a: "));
    assert!(r.stdout.contains("--> null.b: Did not export anything"));
    assert!(!r.stdout.contains("--> null.a: Did not export anything"));
}

#[test]
fn only_and_except_flags_pick_builds_by_glob() {
    let t = template(r#"  provisioner "shell-local" { inline = ["echo ran"] }"#);
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["-only=*.b", "t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(messages(&r.stdout, "null.a").is_empty());
    assert_eq!(messages(&r.stdout, "null.b"), ["ran"]);
    let r = build(dir.path(), tmp.path(), &["-except=null.b", "t.pkr.hcl"]);
    assert_eq!(messages(&r.stdout, "null.a"), ["ran"]);
    assert!(messages(&r.stdout, "null.b").is_empty());
}

#[test]
fn max_retries_retries_a_failing_provisioner() {
    let t = template(
        r#"
  provisioner "shell-local" {
    max_retries = 2
    inline = ["n=$(cat count.${source.name} 2>/dev/null || echo 0)", "echo $((n+1)) > count.${source.name}", "echo attempt $n", "test $n -ge 1"]
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["-only=null.a", "t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(messages(&r.stdout, "null.a"), ["attempt 0", "attempt 1"]);
    assert!(
        r.stdout.contains("retrying with 2 trie(s) left"),
        "{}",
        r.stdout
    );
}

#[test]
fn timeout_stops_a_provisioner_and_fails_the_build() {
    let t = template(
        r#"
  provisioner "shell-local" {
    timeout = "1s"
    inline = ["echo $$ > pid.${source.name}", "exec sleep 60"]
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let start = Instant::now();
    let r = build(dir.path(), tmp.path(), &["-only=null.a", "t.pkr.hcl"]);
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("timeout after 1s"), "{}", r.stdout);
    let pid = std::fs::read_to_string(dir.path().join("pid.a")).expect("pid");
    std::thread::sleep(Duration::from_millis(100));
    assert!(!super::alive(&pid), "the timed-out script still runs");
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn pause_before_waits_and_says_so() {
    let t = template(
        r#"
  provisioner "shell-local" {
    pause_before = "1s"
    inline = ["echo after pause"]
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let start = Instant::now();
    let r = build(dir.path(), tmp.path(), &["-only=null.a", "t.pkr.hcl"]);
    assert!(start.elapsed() >= Duration::from_secs(1));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r
        .stdout
        .contains("==> null.a: Pausing 1s before the next provisioner..."));
}

const FAILING_WITH_CLEANUP: &str = r#"
  provisioner "shell-local" {
    inline = ["echo provisioning", "exit 3"]
  }
  error-cleanup-provisioner "shell-local" {
    inline = ["echo cleaning up after failure"]
  }
"#;

#[test]
fn error_cleanup_provisioner_runs_only_when_provisioning_fails() {
    let dir = project(&[("t.pkr.hcl", &template(FAILING_WITH_CLEANUP))]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["-only=null.a", "t.pkr.hcl"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        messages(&r.stdout, "null.a"),
        ["provisioning", "cleaning up after failure"]
    );
    assert!(r.stdout.contains(
        "==> null.a: Provisioning step had errors: Running the cleanup provisioner, if present..."
    ));

    let ok = template(
        r#"
  provisioner "shell-local" { inline = ["echo fine"] }
  error-cleanup-provisioner "shell-local" { inline = ["echo should not run"] }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &ok)]);
    let r = build(dir.path(), tmp.path(), &["-only=null.a", "t.pkr.hcl"]);
    assert_eq!(r.code, 0);
    assert_eq!(messages(&r.stdout, "null.a"), ["fine"]);
}

#[test]
fn on_error_abort_skips_cleanup_and_says_what_was_left() {
    let dir = project(&[("t.pkr.hcl", &template(FAILING_WITH_CLEANUP))]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(
        dir.path(),
        tmp.path(),
        &["-only=null.a", "-on-error=abort", "t.pkr.hcl"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(messages(&r.stdout, "null.a"), ["provisioning"]);
    assert!(
        r.stdout.contains("Build aborted without cleanup"),
        "{}",
        r.stdout
    );

    let r = build(
        dir.path(),
        tmp.path(),
        &[
            "-only=null.a",
            "-on-error=run-cleanup-provisioner",
            "t.pkr.hcl",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        messages(&r.stdout, "null.a"),
        ["provisioning", "cleaning up after failure"]
    );
}

#[test]
fn on_error_ask_retries_when_told_to() {
    let t = template(
        r#"
  provisioner "shell-local" {
    inline = ["n=$(cat count 2>/dev/null || echo 0)", "echo $((n+1)) > count", "echo try $n", "test $n -ge 1"]
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = crate::kiln_env(
        dir.path(),
        &[
            "build",
            "-color=false",
            "-only=null.a",
            "-on-error=ask",
            "t.pkr.hcl",
        ],
        "r\n",
        &[("TMPDIR".to_owned(), tmp.path().display().to_string())],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r
        .stdout
        .contains("[c] Clean up and exit, [a] abort without cleanup, or [r] retry step"));
    assert_eq!(messages(&r.stdout, "null.a"), ["try 0", "try 1"]);
}

#[test]
fn parallel_builds_limits_concurrency() {
    let t = format!(
        "{TWO_SOURCES}\nsource \"null\" \"c\" {{ communicator = \"none\" }}\nbuild {{\n  sources = [\"source.null.a\", \"source.null.b\", \"source.null.c\"]\n  provisioner \"shell-local\" {{\n    inline = [\"echo start >> log\", \"sleep 1.5\", \"echo end >> log\"]\n  }}\n}}\n"
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["-parallel-builds=1", "t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let log = std::fs::read_to_string(dir.path().join("log")).expect("log");
    assert_eq!(log, "start\nend\nstart\nend\nstart\nend\n");
    std::fs::remove_file(dir.path().join("log")).expect("rm");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0);
    let log = std::fs::read_to_string(dir.path().join("log")).expect("log");
    assert!(
        log.starts_with("start\nstart\nstart\n"),
        "not parallel: {log}"
    );
}

#[test]
fn sensitive_values_never_reach_the_output() {
    let t = format!(
        "variable \"token\" {{\n  type = string\n  default = \"s3cr3t-value\"\n  sensitive = true\n}}\n{}",
        template(
            r#"
  provisioner "shell-local" {
    inline = ["echo token is ${var.token}", "echo ${var.token} >&2", "exit 1"]
  }
"#
        )
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    for extra in [&[][..], &["-machine-readable"][..]] {
        let mut args = extra.to_vec();
        args.extend(["-only=null.a", "t.pkr.hcl"]);
        let r = build(dir.path(), tmp.path(), &args);
        assert_eq!(r.code, 1);
        assert!(
            !r.stdout.contains("s3cr3t") && !r.stderr.contains("s3cr3t"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("token is <sensitive>"), "{}", r.stdout);
    }
}

#[test]
fn machine_readable_output_uses_packers_records() {
    let t = template(r#"  provisioner "shell-local" { inline = ["echo a,b"] }"#);
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(
        dir.path(),
        tmp.path(),
        &["-machine-readable", "-only=null.a", "t.pkr.hcl"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let fields: Vec<Vec<&str>> = r.stdout.lines().map(|l| l.split(',').collect()).collect();
    assert!(
        fields
            .iter()
            .all(|f| f.len() >= 3 && f[0].parse::<i64>().is_ok()),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(",,ui,message,    null.a: a%!(PACKER_COMMA)b\n"),
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .contains(",null.a,artifact,0,builder-id,fnoeding.null\n"));
    assert!(r.stdout.contains(",null.a,artifact-count,1\n"));
}

#[test]
fn timestamp_ui_prefixes_lines() {
    let t = template(r#"  provisioner "shell-local" { inline = ["echo hi"] }"#);
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(
        dir.path(),
        tmp.path(),
        &["-timestamp-ui", "-only=null.a", "t.pkr.hcl"],
    );
    let line = r
        .stdout
        .lines()
        .find(|l| l.ends_with("null.a: hi"))
        .expect("output line");
    // 2026-11-21T10:00:00Z:     null.a: hi
    assert!(
        line.len() > 20 && line.as_bytes()[4] == b'-' && line.contains("T"),
        "{line}"
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = project(&[("t.pkr.hcl", &template(""))]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["-on-error=explode", "t.pkr.hcl"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("-on-error"), "{}", r.stderr);
    let r = build(
        dir.path(),
        tmp.path(),
        &["-parallel-builds=-1", "t.pkr.hcl"],
    );
    assert_eq!(r.code, 1);
}

#[test]
fn kiln_log_writes_a_detailed_masked_log() {
    let t = format!(
        "variable \"pw\" {{\n  default = \"hunter2-x\"\n  sensitive = true\n}}\n{}",
        template(r#"  provisioner "shell-local" { inline = ["echo ${var.pw}"] }"#)
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let log = dir.path().join("kiln.log");
    let r = crate::kiln_env(
        dir.path(),
        &["build", "-only=null.a", "t.pkr.hcl"],
        "",
        &[
            ("PACKER_LOG".to_owned(), "1".to_owned()),
            ("PACKER_LOG_PATH".to_owned(), log.display().to_string()),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let text = std::fs::read_to_string(&log).expect("log file");
    assert!(text.contains("starting build"), "{text}");
    assert!(!text.contains("hunter2-x"));
}

#[test]
fn debug_pauses_between_steps_and_runs_one_build_at_a_time() {
    let t = template(
        r#"  provisioner "shell-local" { inline = ["echo start >> log", "sleep 0.3", "echo end >> log"] }"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = crate::kiln_env(
        dir.path(),
        &["build", "-color=false", "-debug", "t.pkr.hcl"],
        "\n\n\n\n",
        &[("TMPDIR".to_owned(), tmp.path().display().to_string())],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "==> null.a: Pausing before cleanup of step 'provision'. Press enter to continue."
        ),
        "{}",
        r.stdout
    );
    let log = std::fs::read_to_string(dir.path().join("log")).expect("log");
    assert_eq!(log, "start\nend\nstart\nend\n");
}

/// The debug binary's `KILN_TEST_PANIC_BUILD` hook (see
/// src/engine/hook.rs) makes a build panic; release binaries have no
/// such hook, so neither has this test there.
#[cfg(debug_assertions)]
#[test]
fn a_panicking_build_is_its_error_and_frees_its_slot() {
    let t = template(r#"  provisioner "shell-local" { inline = ["echo ${source.name} ran"] }"#);
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("kiln.log");
    // A lost slot used to leave null.b waiting forever: bound the run.
    let out = assert_cmd::Command::cargo_bin("kiln")
        .expect("kiln binary")
        .current_dir(dir.path())
        .args(["build", "-color=false", "-parallel-builds=1", "t.pkr.hcl"])
        .env("TMPDIR", tmp.path())
        // A step cache of its own, not the user's.
        .env("KILN_CACHE_DIR", crate::test_cache_dir())
        .env("KILN_TEST_PANIC_BUILD", "null.a")
        .env("KILN_LOG", "1")
        .env("KILN_LOG_PATH", &log)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("kiln runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let error = "internal error, please report: KILN_TEST_PANIC_BUILD asked build null.a to panic (at src/engine/hook.rs:";
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Build 'null.a' errored after") && l.contains(error)),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("--> null.a: {error}")), "{stdout}");
    assert_eq!(messages(&stdout, "null.b"), ["b ran"], "{stdout}");
    assert!(stdout.contains("Build 'null.b' finished after"), "{stdout}");
    assert!(stdout.contains("--> null.b: Did not export anything"));
    // No "thread … panicked at" or backtrace hint next to the error line;
    // the backtrace is in the detailed log.
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
    let text = std::fs::read_to_string(&log).expect("log file");
    assert!(text.contains("panic: KILN_TEST_PANIC_BUILD"), "{text}");
}
