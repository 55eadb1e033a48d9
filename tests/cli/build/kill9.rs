//! SIGKILL of `kiln build`, as a CI runner's timeout ends it: within 5 s
//! no process kiln started and no mount is left, and the next
//! `kiln build` removes the temporary files and directories it left.
//! Killed at several points: a shell-local script, qemu-img copying the
//! disk, a VM waiting for SSH, a sandboxed provisioner, layer writing.
//! And the other side of it: `-on-error=abort` still leaves its VM
//! running when kiln exits on its own.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use super::qemu::fixture;
use super::{build, leftovers};
use crate::project;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that marks every host process a test's kiln
/// starts (sandboxed commands get a clean environment: they are told by
/// their arguments).
const MARK: &str = "KILN_KILL9_TEST";

/// A test's directories and its running kiln.
struct Killed {
    project: tempfile::TempDir,
    tmp: tempfile::TempDir,
    /// Output of kiln, outside both directories (a pipe nobody reads could
    /// fill up and stop kiln before the kill point).
    log: tempfile::TempDir,
    mark: String,
    kiln: Child,
}

/// Start `kiln build -color=false t.pkr.hcl` on `template` with a TMPDIR of
/// its own; `setup` may add files to the project first.
fn start(template: &str, args: &[&str], setup: impl FnOnce(&Path) -> String) -> Killed {
    let project = project(&[]);
    let template = template.replace("@SETUP@", &setup(project.path()));
    std::fs::write(project.path().join("t.pkr.hcl"), template).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let log = tempfile::tempdir().unwrap();
    let mark = tmp.path().display().to_string();
    let out = std::fs::File::create(log.path().join("out")).unwrap();
    let kiln = crate::kiln_command()
        .args(["build", "-color=false"])
        .args(args)
        .arg("t.pkr.hcl")
        .current_dir(project.path())
        .env("TMPDIR", tmp.path())
        .env(MARK, &mark)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    Killed {
        project,
        tmp,
        log,
        mark,
        kiln,
    }
}

impl Killed {
    fn output(&self) -> String {
        std::fs::read_to_string(self.log.path().join("out")).unwrap_or_default()
    }

    /// Wait (at most `limit`) until `ready` holds; fails if kiln exits
    /// first.
    fn wait_for(&mut self, what: &str, limit: Duration, ready: impl Fn(&Killed) -> bool) {
        let start = Instant::now();
        while !ready(self) {
            if let Ok(Some(status)) = self.kiln.try_wait() {
                panic!("kiln exited ({status}) before {what}: {}", self.output());
            }
            assert!(
                start.elapsed() < limit,
                "no {what} after {limit:?}: {}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL kiln; then nothing of it may run after 5 s, and nothing
    /// may stay mounted under the test's directories.
    fn kill(&mut self, sandboxed: &[&str]) {
        let pid = self.kiln.id().to_string();
        assert!(Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success());
        let _ = self.kiln.wait();
        let start = Instant::now();
        let mut left = survivors(&self.mark, sandboxed);
        while !left.is_empty() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(50));
            left = survivors(&self.mark, sandboxed);
        }
        assert!(left.is_empty(), "survived the SIGKILL: {left:#?}");
        let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
        for dir in [self.tmp.path(), self.project.path()] {
            let dir = dir.display().to_string();
            assert!(
                !mounts.lines().any(|l| l.contains(&dir)),
                "a mount under {dir} survived: {mounts}"
            );
        }
    }

    /// What the killed kiln left in TMPDIR carries its PID, and the next
    /// `kiln build` (of another project) removes all of it.
    fn next_build_sweeps(&self, expected: &str) {
        let killed = format!("-{}-", self.kiln.id());
        let stale = leftovers(self.tmp.path());
        assert!(
            stale
                .iter()
                .any(|n| n.starts_with(expected) && n.contains(&killed)),
            "no {expected}*{killed}* in {stale:?}"
        );
        let other = project(&[(
            "t.pkr.hcl",
            r#"
source "null" "n" { communicator = "none" }
build { sources = ["source.null.n"] }
"#,
        )]);
        let r = build(other.path(), self.tmp.path(), &["t.pkr.hcl"]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert_eq!(leftovers(self.tmp.path()), Vec::<String>::new());
    }
}

/// Live processes (zombies aside) whose environment holds the test's mark,
/// or whose arguments are one of `argv` (NUL-separated).
fn survivors(mark: &str, argv: &[&str]) -> Vec<String> {
    let env = format!("{MARK}={mark}");
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let marked = environ.split(|b| *b == 0).any(|v| v == env.as_bytes());
        let named = argv.iter().any(|a| cmdline == format!("{a}\0").as_bytes());
        let zombie = std::fs::read_to_string(entry.path().join("stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true);
        if (marked || named) && !zombie {
            out.push(format!(
                "{pid}: {}",
                String::from_utf8_lossy(&cmdline).replace('\0', " ")
            ));
        }
    }
    out
}

/// Whether a live process has `needle` in its arguments and the mark.
fn running(k: &Killed, needle: &[&str]) -> bool {
    survivors(&k.mark, &[])
        .iter()
        .any(|p| needle.iter().all(|n| p.contains(n)))
}

#[test]
fn sigkill_during_a_shell_local_script() {
    let mut k = start(
        r#"
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo $$ >> pids", "sleep 1000 & echo $! >> pids", "wait"]
  }
}
"#,
        &[],
        |_| String::new(),
    );
    let pids = k.project.path().join("pids");
    k.wait_for("script", Duration::from_secs(30), |_| {
        std::fs::read_to_string(&pids).is_ok_and(|s| s.lines().count() >= 2)
    });
    k.kill(&[]);
    for pid in std::fs::read_to_string(&pids).unwrap().lines() {
        assert!(!super::alive(pid), "{pid} survived");
    }
    // The inline script and the marker that claims it.
    k.next_build_sweeps("kiln-owns-");
}

fn qemu_template(extra: &str) -> String {
    let (image, sum) = fixture();
    format!(
        r#"
source "qemu" "k" {{
  iso_url          = "{}"
  iso_checksum     = "sha256:{sum}"
  disk_image       = true
  accelerator      = "tcg"
  ssh_username     = "kiln"
  headless         = true
  memory           = 512
  output_directory = "out"
  {extra}
}}
build {{ sources = ["source.qemu.k"] }}
"#,
        image.display()
    )
}

#[test]
fn sigkill_while_qemu_img_copies_the_disk() {
    // A raw copy at 1 MB/s: qemu-img is still busy when the kill lands.
    let t = qemu_template(
        r#"format = "raw"
  ssh_timeout = "20m"
  qemu_img_args { convert = ["-r", "1M"] }"#,
    );
    let mut k = start(&t, &[], |_| String::new());
    k.wait_for("qemu-img convert", Duration::from_secs(60), |k| {
        running(k, &["qemu-img", "convert"])
    });
    k.kill(&[]);
    k.next_build_sweeps("kiln-qemu-");
}

#[test]
fn sigkill_while_the_vm_boots() {
    let t = qemu_template(r#"ssh_timeout = "20m""#);
    let mut k = start(&t, &[], |_| String::new());
    k.wait_for("qemu-system", Duration::from_secs(60), |k| {
        running(k, &["qemu-system"])
    });
    // Past the start-up watch, into the wait for SSH.
    std::thread::sleep(Duration::from_millis(1500));
    k.kill(&[]);
    k.next_build_sweeps("kiln-qemu-");
}

#[test]
fn on_error_abort_still_leaves_its_vm_running() {
    // SSH cannot answer within a second: the build fails with the VM up,
    // and abort skips the cleanup that would stop it.
    let t = qemu_template(r#"ssh_timeout = "1s""#);
    let mut k = start(&t, &["-on-error=abort"], |_| String::new());
    let status = k.kiln.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{}", k.output());
    assert!(k.output().contains("qemu process"), "{}", k.output());
    // Time for a watchdog that wrongly kills it.
    std::thread::sleep(Duration::from_secs(1));
    let vm = survivors(&k.mark, &[]);
    let pids: Vec<String> = vm
        .iter()
        .filter(|p| p.contains("qemu-system"))
        .filter_map(|p| p.split(':').next().map(str::to_owned))
        .collect();
    for pid in &pids {
        let _ = Command::new("kill").args(["-KILL", pid]).status();
    }
    assert_eq!(pids.len(), 1, "{vm:?}");
}

fn oci_template(provisioner: &str) -> String {
    format!(
        r#"
source "oci" "app" {{ image = "rootfs:@SETUP@" }}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{ inline = [{provisioner}] }}
}}
"#
    )
}

/// The OCI work directory (`kiln-oci-*` in TMPDIR).
fn work_dir(k: &Killed) -> Option<PathBuf> {
    std::fs::read_dir(k.tmp.path())
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("kiln-oci-"))
        })
}

fn rootfs(d: &Path) -> String {
    super::oci::busybox_rootfs(d).display().to_string()
}

#[test]
fn sigkill_during_a_sandboxed_provisioner() {
    let t = oci_template(r#""touch /started", "sleep 4711""#);
    let mut k = start(&t, &[], rootfs);
    k.wait_for("sandboxed sleep", Duration::from_secs(60), |k| {
        // kiln's overlay root filesystem is in its own mount namespace:
        // from here the file shows in the overlay's upper directory.
        work_dir(k)
            .is_some_and(|w| w.join("rootfs/started").exists() || w.join("upper/started").exists())
    });
    k.kill(&["sleep\u{0}4711"]);
    k.next_build_sweeps("kiln-oci-");
}

#[test]
fn sigkill_while_a_layer_is_written() {
    // 200 MiB nothing compresses: writing the layer takes a while.
    let t =
        oci_template(r#""/bin/busybox dd if=/dev/urandom of=/big bs=1M count=200 2>/dev/null""#);
    let mut k = start(&t, &[], rootfs);
    k.wait_for("layer file", Duration::from_secs(120), |k| {
        work_dir(k).is_some_and(|w| {
            std::fs::read_dir(w)
                .into_iter()
                .flatten()
                .flatten()
                .any(|e| {
                    e.file_name().to_string_lossy().starts_with(".tmp")
                        && e.metadata().is_ok_and(|m| m.len() > 0)
                })
        })
    });
    assert!(
        !k.project.path().join("output-app").exists(),
        "finished too fast to be killed while writing"
    );
    k.kill(&[]);
    k.next_build_sweeps("kiln-oci-");
}
