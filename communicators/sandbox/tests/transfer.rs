//! Uploads and downloads through the Communicator, checked from inside the
//! sandbox (needs root).

#![allow(clippy::unwrap_used)]

mod common;

use common::{busybox_rootfs, run, sandbox};
use kiln_communicator_sandbox::SandboxConfig;
use kiln_core::communicator::{Communicator, FileMode};
use std::os::unix::fs::{symlink, PermissionsExt};

#[test]
fn uploads_are_seen_inside_with_their_modes_and_owned_by_root() {
    let (dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    comm.upload("/tmp/a.txt", &mut &b"alpha\n"[..], FileMode(Some(0o600)))
        .unwrap();
    comm.upload("/tmp/b.txt", &mut &b"beta\n"[..], FileMode(None))
        .unwrap();
    let script = dir.path().join("script.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\necho \"script as $(id -u) in $(pwd)\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    comm.upload_file("/tmp", &script).unwrap();
    let (code, c) = run(
        &comm,
        "stat -c '%n %a %u:%g' /tmp/a.txt /tmp/b.txt /tmp/script.sh; cat /tmp/a.txt; /tmp/script.sh",
    );
    assert_eq!(code, 0, "{}", c.err());
    assert_eq!(
        c.out(),
        "/tmp/a.txt 600 0:0\n/tmp/b.txt 644 0:0\n/tmp/script.sh 755 0:0\nalpha\nscript as 0 in /\n"
    );
}

#[test]
fn symlinks_in_the_rootfs_never_lead_out_of_it() {
    let (dir, root) = busybox_rootfs();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("secret"), "host only").unwrap();
    symlink("/", root.join("tmp/slash")).unwrap();
    symlink("../../../../../../..", root.join("tmp/up")).unwrap();
    symlink(outside.join("secret"), root.join("tmp/abs-secret")).unwrap();
    let comm = sandbox(SandboxConfig::new(&root));

    comm.upload("/tmp/slash/etc/planted", &mut &b"x"[..], FileMode(None))
        .unwrap();
    assert!(root.join("etc/planted").exists());
    comm.upload("/tmp/up/etc/also", &mut &b"y"[..], FileMode(None))
        .unwrap();
    assert!(root.join("etc/also").exists());
    assert!(!std::path::Path::new("/etc/also").exists());
    assert!(comm
        .upload("/tmp/up/../outside/new", &mut &b"z"[..], FileMode(None))
        .is_err());
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);

    let mut buf = Vec::new();
    assert!(comm.download("/tmp/abs-secret", &mut buf).is_err());
    assert!(buf.is_empty());
    comm.download("/tmp/up/etc/passwd", &mut buf).unwrap();
    assert!(String::from_utf8(buf).unwrap().contains("app:x:1000"));

    let local = dir.path().join("downloaded");
    comm.download_dir("/tmp", &local).unwrap();
    assert_eq!(
        std::fs::read_link(local.join("tmp/slash")).unwrap(),
        std::path::Path::new("/"),
        "copied as a link, not followed"
    );
}

#[test]
fn directories_go_both_ways() {
    let (dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("assets")).unwrap();
    std::fs::write(site.join("index.html"), "<h1>hi</h1>\n").unwrap();
    std::fs::write(site.join("assets/run.sh"), "echo run\n").unwrap();
    std::fs::set_permissions(
        site.join("assets/run.sh"),
        std::fs::Permissions::from_mode(0o750),
    )
    .unwrap();
    comm.upload_dir("/srv", &site).unwrap();
    let (code, c) = run(&comm, "cat /srv/site/index.html; stat -c %a /srv/site/assets/run.sh; sh /srv/site/assets/run.sh; mkdir -p /out/sub; echo made > /out/sub/f");
    assert_eq!(code, 0, "{}", c.err());
    assert_eq!(c.out(), "<h1>hi</h1>\n750\nrun\n");

    let local = dir.path().join("back");
    comm.download_dir("/out", &local).unwrap();
    assert_eq!(
        std::fs::read_to_string(local.join("out/sub/f")).unwrap(),
        "made\n"
    );
}
