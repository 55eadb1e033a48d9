//! Without root, the sandbox maps the caller to root of a user namespace.
//! The test (run as root, like the others) runs itself again as `nobody`
//! over a rootfs `nobody` owns.

#![allow(clippy::unwrap_used)]

mod common;

use common::{busybox_rootfs, processes_with, run, Captured};
use kiln_communicator_sandbox::{Network, SandboxComm, SandboxConfig, Volume};
use kiln_core::cancel::Cancel;
use kiln_core::communicator::{CommError, Communicator, FileMode};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const INNER: &str = "KILN_SANDBOX_TEST_UNPRIVILEGED_ROOTFS";
const NOBODY: u32 = 65534;
const TEST: &str = "without_root_the_caller_is_root_of_a_user_namespace";

fn chown_tree(path: &Path) {
    std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    if std::fs::symlink_metadata(path).unwrap().is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path());
        }
    }
}

#[test]
fn without_root_the_caller_is_root_of_a_user_namespace() {
    if let Ok(rootfs) = std::env::var(INNER) {
        as_nobody(Path::new(&rootfs));
        return;
    }
    let (dir, root) = busybox_rootfs();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    chown_tree(dir.path());
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(INNER, &root)
        .uid(NOBODY)
        .gid(NOBODY)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("unprivileged sandbox checked"), "{text}");
    assert_eq!(common::host_mounts_under(dir.path()), Vec::<String>::new());
}

fn as_nobody(root: &Path) {
    assert_eq!(rustix::process::geteuid().as_raw(), NOBODY);
    let shared = root.parent().unwrap().join("shared");
    let mut config = SandboxConfig::new(root);
    config.volumes = vec![format!("{}:/mnt:ro", shared.display())
        .parse::<Volume>()
        .unwrap()];
    let comm = SandboxComm::new(config).unwrap();
    let (code, c) = run(
        &comm,
        "id -u; id -g; echo $$; cat /proc/self/uid_map; hostname; \
         test -c /dev/null && echo dev; stat -c %u /bin/busybox; \
         touch /mnt/x 2>/dev/null || echo read-only",
    );
    assert_eq!(code, 0, "{}", c.err());
    let lines: Vec<String> = c
        .out()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        lines,
        ["0", "0", "1", "0 65534 1", "kiln", "dev", "0", "read-only"]
    );

    let (code, c) = run(&comm, "echo out; echo err >&2; exit 3");
    assert_eq!(
        (code, c.out().as_str(), c.err().as_str()),
        (3, "out\n", "err\n")
    );

    comm.upload("/root/up.txt", &mut &b"up"[..], FileMode(Some(0o600)))
        .unwrap();
    let (_, c) = run(&comm, "stat -c '%u %a' /root/up.txt; cat /root/up.txt");
    assert_eq!(c.out(), "0 600\nup");

    let mut none = SandboxConfig::new(root);
    none.network = Network::None;
    let (_, c) = run(
        &SandboxComm::new(none).unwrap(),
        "ip -o link | cut -d: -f2; ping -c 1 -W 2 127.0.0.1 > /dev/null && echo ping",
    );
    assert_eq!(c.out(), " lo\nping\n", "{}", c.err());

    let mut other = SandboxConfig::new(root);
    other.user = Some("app".into());
    let e = SandboxComm::new(other)
        .unwrap()
        .exec("true", &mut Captured::default(), &Cancel::new())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot run as user \"app\" in the sandbox without root: run kiln as root"
    );

    let cancel = Cancel::new().with_timeout(Duration::from_millis(500));
    let started = Instant::now();
    let r = comm.exec(
        "trap '' TERM; sleep 1002 & sleep 1002",
        &mut Captured::default(),
        &cancel,
    );
    assert!(matches!(r, Err(CommError::Cancelled)), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The middle process exits only once the namespace is empty.
    assert_eq!(processes_with("sleep 1002"), Vec::<String>::new());
    drop(comm);
    assert!(!root.join("proc").exists());
    println!("unprivileged sandbox checked");
}
