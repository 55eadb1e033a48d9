//! Commands in a real sandbox over a busybox rootfs (needs root).

#![allow(clippy::unwrap_used)]

mod common;

use common::{busybox_rootfs, host_mounts_under, run, sandbox};
use kiln_communicator_sandbox::SandboxConfig;

#[test]
fn smoke() {
    let (dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    let (code, c) = run(&comm, "echo hello; echo oops >&2; echo $$; exit 3");
    assert_eq!(
        (code, c.out().as_str(), c.err().as_str()),
        (3, "hello\n1\n", "oops\n")
    );
    assert!(host_mounts_under(dir.path()).is_empty());
}
