//! Cancelling a sandboxed command kills its whole PID namespace and leaves
//! nothing behind on the host (needs root).

#![allow(clippy::unwrap_used)]

mod common;

use common::{busybox_rootfs, host_mounts_under, processes_with, sandbox, Captured};
use kiln_communicator_sandbox::SandboxConfig;
use kiln_core::cancel::Cancel;
use kiln_core::communicator::{CommError, Communicator};
use std::time::{Duration, Instant};

#[test]
fn cancel_kills_the_command_and_its_children_and_leaves_no_mount() {
    let (dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    let cancel = Cancel::new();
    let trigger = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        trigger.cancel();
    });
    let started = Instant::now();
    let mut out = Captured::default();
    // A child that ignores SIGTERM and a grandchild in a subshell.
    let r = comm.exec(
        "trap '' TERM; (sleep 1000 &); sleep 1000 & echo started; wait",
        &mut out,
        &cancel,
    );
    assert!(matches!(r, Err(CommError::Cancelled)), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(out.out(), "started\n");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(processes_with("sleep 1000"), Vec::<String>::new());
    assert_eq!(host_mounts_under(dir.path()), Vec::<String>::new());
}

#[test]
fn a_timeout_stops_the_command_too() {
    let (_dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    let cancel = Cancel::new().with_timeout(Duration::from_millis(300));
    let r = comm.exec("sleep 1001", &mut Captured::default(), &cancel);
    assert!(matches!(r, Err(CommError::Cancelled)), "{r:?}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(processes_with("sleep 1001").is_empty());
}

#[test]
fn sandboxes_run_side_by_side() {
    let (_dir, root) = busybox_rootfs();
    let comm = std::sync::Arc::new(sandbox(SandboxConfig::new(&root)));
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let comm = comm.clone();
            std::thread::spawn(move || {
                let mut out = Captured::default();
                let code = comm
                    .exec(&format!("echo $$ {i}"), &mut out, &Cancel::new())
                    .unwrap();
                (code, out.out())
            })
        })
        .collect();
    for (i, t) in threads.into_iter().enumerate() {
        assert_eq!(t.join().unwrap(), (0, format!("1 {i}\n")));
    }
}
