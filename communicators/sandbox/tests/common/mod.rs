//! A busybox rootfs to run sandboxes on, and helpers the tests share.

// Each test binary uses its own subset of the helpers.
#![allow(dead_code)]

use kiln_communicator_sandbox::{SandboxComm, SandboxConfig};
use kiln_core::cancel::Cancel;
use kiln_core::communicator::{Communicator, Output};
use std::path::{Path, PathBuf};

const BUSYBOX: &str = "/bin/busybox";

/// A fresh rootfs: busybox-static and its applet links in /bin, a passwd
/// and group with root and `app`, /tmp and /root. No /proc, /dev,
/// /etc/hosts or /etc/resolv.conf: the sandbox must supply them.
pub fn busybox_rootfs() -> (tempfile::TempDir, PathBuf) {
    assert!(
        Path::new(BUSYBOX).exists(),
        "{BUSYBOX} is missing: run scripts/setup.sh (package busybox-static)"
    );
    assert!(
        rustix::process::geteuid().is_root(),
        "the sandbox tests need root (this machine and CI run them as root)"
    );
    // Under /var/tmp rather than /tmp: a tmpfs /tmp may be mounted noexec.
    let dir = tempfile::Builder::new()
        .prefix("kiln-sandbox-test-")
        .tempdir_in("/var/tmp")
        .unwrap();
    let root = dir.path().join("rootfs");
    for d in ["bin", "etc", "tmp", "root", "home/app"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::copy(BUSYBOX, root.join("bin/busybox")).unwrap();
    let list = std::process::Command::new(BUSYBOX)
        .arg("--list")
        .output()
        .unwrap();
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        if applet != "busybox" && !applet.contains('/') {
            std::os::unix::fs::symlink("busybox", root.join("bin").join(applet)).unwrap();
        }
    }
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/group"),
        "root:x:0:\nwheel:x:10:app\napp:x:1000:\n",
    )
    .unwrap();
    std::fs::set_permissions(
        root.join("tmp"),
        std::os::unix::fs::PermissionsExt::from_mode(0o1777),
    )
    .unwrap();
    (dir, root)
}

pub fn sandbox(config: SandboxConfig) -> SandboxComm {
    SandboxComm::new(config).unwrap()
}

#[derive(Default)]
pub struct Captured {
    pub out: Vec<u8>,
    pub err: Vec<u8>,
}

impl Captured {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.err).into_owned()
    }
}

impl Output for Captured {
    fn stdout(&mut self, chunk: &[u8]) {
        self.out.extend_from_slice(chunk);
    }
    fn stderr(&mut self, chunk: &[u8]) {
        self.err.extend_from_slice(chunk);
    }
}

/// Run `command`, returning its exit code and output.
pub fn run(comm: &dyn Communicator, command: &str) -> (i32, Captured) {
    let mut c = Captured::default();
    let code = comm.exec(command, &mut c, &Cancel::new()).unwrap();
    (code, c)
}

/// Host mounts at or under `path` (there must never be any).
pub fn host_mounts_under(path: &Path) -> Vec<String> {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let prefix = path.to_string_lossy().into_owned();
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| l.split(' ').nth(4).is_some_and(|m| m.starts_with(&prefix)))
        .map(str::to_owned)
        .collect()
}

/// Processes on the host whose command line contains `needle`.
pub fn processes_with(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.parse::<u32>().is_err() {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let zombie = std::fs::read_to_string(entry.path().join("stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true);
        if cmdline.contains(needle) && !zombie {
            found.push(format!("{name}: {cmdline}"));
        }
    }
    found
}
