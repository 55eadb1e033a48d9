//! Ctrl-C and SIGTERM: every build is cancelled, cleanups run, no child
//! process or temporary file survives, exit 1.

use super::{alive, leftovers};
use crate::project;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SLOW: &str = r#"
source "null" "a" { communicator = "none" }
source "null" "b" { communicator = "none" }
build {
  sources = ["source.null.a", "source.null.b"]
  provisioner "shell-local" {
    inline = ["echo $$ >> pids", "sleep 1000 & echo $! >> pids", "wait"]
  }
  provisioner "shell-local" {
    inline = ["echo never"]
  }
}
"#;

/// `kiln build -color=false TEMPLATE` in `dir` as a child the test can
/// signal, with TMPDIR pointed at `tmp`.
fn spawn_build(dir: &Path, template: &str, tmp: &Path, stdin: Stdio) -> std::process::Child {
    crate::kiln_command()
        .args(["build", "-color=false", template])
        .current_dir(dir)
        .env("TMPDIR", tmp)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kiln")
}

/// Start a build, wait until `ready` holds, send `signal`, return
/// (exit code, stdout).
fn interrupted(dir: &Path, tmp: &Path, signal: &str, ready: impl Fn() -> bool) -> (i32, String) {
    let child = spawn_build(dir, "t.pkr.hcl", tmp, Stdio::null());
    let start = Instant::now();
    while !ready() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "cleanup took too long"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn sigint_during_provisioning_cancels_and_leaves_nothing() {
    let dir = project(&[("t.pkr.hcl", SLOW)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let pids = dir.path().join("pids");
    let (code, out) = interrupted(dir.path(), tmp.path(), "-INT", || {
        std::fs::read_to_string(&pids)
            .map(|s| s.lines().count() >= 4)
            .unwrap_or(false)
    });
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Cleanly cancelled builds after being interrupted."),
        "{out}"
    );
    assert!(!out.contains("never"), "{out}");
    let pids = std::fs::read_to_string(&pids).expect("pids");
    for pid in pids.lines() {
        assert!(!alive(pid), "process {pid} survived the interrupt");
    }
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn sigterm_before_any_build_starts_still_exits_cleanly() {
    let dir = project(&[("t.pkr.hcl", SLOW)]);
    let tmp = tempfile::tempdir().expect("tmp");
    // Right away: the signal may land while the template loads or the
    // first script starts; either way nothing may survive.
    let (code, out) = interrupted(dir.path(), tmp.path(), "-TERM", || true);
    assert_ne!(code, 0, "{out}");
    std::thread::sleep(Duration::from_millis(200));
    if let Ok(pids) = std::fs::read_to_string(dir.path().join("pids")) {
        for pid in pids.lines() {
            assert!(!alive(pid), "process {pid} survived SIGTERM");
        }
    }
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn sigint_ends_a_wait_at_a_breakpoint() {
    let t = r#"
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "breakpoint" { note = "inspect things" }
  provisioner "shell-local" { inline = ["echo after breakpoint"] }
}
"#;
    let dir = project(&[("t.pkr.hcl", t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    // stdin stays open (a pipe nobody writes to): the breakpoint waits.
    let mut child = spawn_build(dir.path(), "t.pkr.hcl", tmp.path(), Stdio::piped());
    let stdin = child.stdin.take();
    std::thread::sleep(Duration::from_millis(1500));
    let start = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    drop(stdin);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Pausing at breakpoint provisioner"), "{text}");
    assert!(text.contains("Cleanly cancelled builds"), "{text}");
    assert!(!text.contains("after breakpoint"), "{text}");
}

/// Entries of `dir` other than `known`.
fn new_entries(dir: &Path, known: &[&str]) -> Vec<String> {
    leftovers(dir)
        .into_iter()
        .filter(|e| !known.contains(&e.as_str()))
        .collect()
}

#[test]
fn sigint_during_compression_leaves_no_partial_archive() {
    let t = r#"
source "file" "big" {
  source = "big.bin"
  target = "copy.bin"
}
build {
  sources = ["source.file.big"]
  post-processor "compress" {
    output            = "copy.tar.gz"
    compression_level = 9
  }
}
"#;
    let dir = project(&[("t.pkr.hcl", t)]);
    // 160 MiB that gzip -9 works hard on: a few seconds at least.
    let mut data = Vec::with_capacity(160 << 20);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while data.len() < 160 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&(x % 1000).to_le_bytes());
    }
    std::fs::write(dir.path().join("big.bin"), &data).expect("write input");
    drop(data);
    std::fs::rename(
        dir.path().join("t.pkr.hcl"),
        dir.path().join("template.pkr.hcl"),
    )
    .expect("mv");
    let tmp = tempfile::tempdir().expect("tmp");
    let known = ["template.pkr.hcl", "big.bin", "copy.bin"];
    let mut child = spawn_build(dir.path(), "template.pkr.hcl", tmp.path(), Stdio::null());
    // The archive is written under a temporary name next to its output:
    // once that appears, compression is under way.
    let start = Instant::now();
    let mut partial = Vec::new();
    while start.elapsed() < Duration::from_secs(60) {
        partial = new_entries(dir.path(), &known);
        if !partial.is_empty() || child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!partial.is_empty(), "compression never started");
    assert!(
        !partial.contains(&"copy.tar.gz".to_owned()),
        "finished too fast to interrupt"
    );
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    let out = child.wait_with_output().expect("wait");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Cleanly cancelled builds"), "{text}");
    assert_eq!(
        new_entries(dir.path(), &known),
        Vec::<String>::new(),
        "{text}"
    );
    assert!(leftovers(tmp.path()).is_empty());
}

#[test]
fn a_second_sigint_does_not_cut_cleanup_short() {
    // The script ignores SIGTERM, so stopping it takes the whole grace
    // period before SIGKILL; the second Ctrl-C lands inside it.
    let t = r#"
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    execute_command = ["/bin/sh", "-c", "trap '' TERM; {{.Vars}} {{.Script}}"]
    inline          = ["echo $$ >> pids", "sleep 1000 & echo $! >> pids", "wait"]
  }
}
"#;
    let dir = project(&[("t.pkr.hcl", t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let pids = dir.path().join("pids");
    let child = spawn_build(dir.path(), "t.pkr.hcl", tmp.path(), Stdio::null());
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20)
        && std::fs::read_to_string(&pids)
            .map(|s| s.lines().count() < 2)
            .unwrap_or(true)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    for _ in 0..2 {
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("kill");
        std::thread::sleep(Duration::from_millis(300));
    }
    let out = child.wait_with_output().expect("wait");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Cleanup in progress"), "{text}");
    for p in std::fs::read_to_string(&pids).expect("pids").lines() {
        assert!(!alive(p), "process {p} outlived kiln: {text}");
    }
    assert!(leftovers(tmp.path()).is_empty());
}
