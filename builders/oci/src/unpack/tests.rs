use super::*;
use std::os::unix::fs::{FileTypeExt, MetadataExt};

/// A raw tar entry: names go in as bytes, so malicious ones survive the
/// tar crate's own checks.
fn entry(
    out: &mut Vec<u8>,
    name: &[u8],
    kind: tar::EntryType,
    link: &[u8],
    data: &[u8],
    mode: u32,
) {
    let mut h = tar::Header::new_gnu();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        old.linkname[..link.len()].copy_from_slice(link);
    }
    h.set_entry_type(kind);
    h.set_size(data.len() as u64);
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_600_000_000);
    if matches!(kind, tar::EntryType::Char | tar::EntryType::Block) {
        h.set_device_major(1).unwrap();
        h.set_device_minor(3).unwrap();
    }
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    let pad = (512 - data.len() % 512) % 512;
    out.extend(std::iter::repeat_n(0u8, pad));
}

fn finish(mut out: Vec<u8>) -> Vec<u8> {
    out.extend(std::iter::repeat_n(0u8, 1024));
    out
}

fn apply(root: &Path, tar: &[u8]) -> Result<Applied, OciError> {
    apply_layer(
        root,
        tar,
        UnpackOptions::default(),
        &mut Contents::default(),
        &Cancel::new(),
    )
}

fn file(out: &mut Vec<u8>, name: &str, data: &str) {
    entry(
        out,
        name.as_bytes(),
        tar::EntryType::Regular,
        b"",
        data.as_bytes(),
        0o644,
    );
}

fn dir(out: &mut Vec<u8>, name: &str) {
    entry(
        out,
        name.as_bytes(),
        tar::EntryType::Directory,
        b"",
        b"",
        0o755,
    );
}

fn refused(tar: Vec<u8>, why: &str) {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("root");
    fs::create_dir(&root).unwrap();
    let err = apply(&root, &finish(tar))
        .expect_err("an error")
        .to_string();
    assert!(err.contains(why), "{err}");
    assert!(err.starts_with("refusing to unpack layer entry"), "{err}");
    // Nothing appeared next to the root.
    let names: Vec<_> = fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["root"]);
}

#[test]
fn absolute_paths_are_refused() {
    let mut t = Vec::new();
    file(&mut t, "/etc/evil", "x");
    refused(t, "absolute path");
}

#[test]
fn dot_dot_is_refused() {
    let mut t = Vec::new();
    file(&mut t, "a/../../evil", "x");
    refused(t, "\"..\"");
}

#[test]
fn writes_through_symlinks_are_refused() {
    let mut t = Vec::new();
    entry(&mut t, b"up", tar::EntryType::Symlink, b"/", b"", 0o777);
    file(&mut t, "up/evil", "x");
    refused(t, "is a symlink");
}

#[test]
fn escaping_symlinks_are_refused() {
    let mut t = Vec::new();
    dir(&mut t, "etc");
    entry(
        &mut t,
        b"etc/x",
        tar::EntryType::Symlink,
        b"../../outside",
        b"",
        0o777,
    );
    refused(t, "leaves the root");
}

#[test]
fn escaping_hard_links_are_refused() {
    let mut t = Vec::new();
    entry(
        &mut t,
        b"passwd",
        tar::EntryType::Link,
        b"../outside",
        b"",
        0o644,
    );
    refused(t, "leaves the root");
    let mut t = Vec::new();
    entry(
        &mut t,
        b"passwd",
        tar::EntryType::Link,
        b"/etc/passwd",
        b"",
        0o644,
    );
    refused(t, "leaves the root");
    let mut t = Vec::new();
    entry(&mut t, b"up", tar::EntryType::Symlink, b"/etc", b"", 0o777);
    entry(
        &mut t,
        b"passwd",
        tar::EntryType::Link,
        b"up/passwd",
        b"",
        0o644,
    );
    refused(t, "goes through a symlink");
}

#[test]
fn device_nodes_outside_dev_need_privileged() {
    let mut t = Vec::new();
    entry(&mut t, b"null", tar::EntryType::Char, b"", b"", 0o666);
    refused(t, "device node outside /dev");
    let mut t = Vec::new();
    dir(&mut t, "etc");
    entry(&mut t, b"./etc/evil", tar::EntryType::Char, b"", b"", 0o666);
    refused(t, "device node outside /dev");
    let mut t = Vec::new();
    entry(&mut t, b"./dev", tar::EntryType::Block, b"", b"", 0o660);
    refused(t, "device node outside /dev");
}

/// A debootstrap tree's `/dev`: character and block devices skipped and
/// counted, everything else unpacked as usual, the diff id still that of
/// the whole stream.
#[test]
fn device_nodes_under_dev_are_skipped_in_unprivileged_builds() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    let mut t = Vec::new();
    dir(&mut t, "./dev");
    for name in ["./dev/null", "./dev/full", "./dev/zero"] {
        entry(
            &mut t,
            name.as_bytes(),
            tar::EntryType::Char,
            b"",
            b"",
            0o666,
        );
    }
    dir(&mut t, "./dev/pts");
    entry(
        &mut t,
        b"./dev/pts/ptmx",
        tar::EntryType::Char,
        b"",
        b"",
        0o666,
    );
    entry(&mut t, b"dev/loop0", tar::EntryType::Block, b"", b"", 0o660);
    entry(
        &mut t,
        b"dev/initctl",
        tar::EntryType::Fifo,
        b"",
        b"",
        0o600,
    );
    entry(
        &mut t,
        b"dev/fd",
        tar::EntryType::Symlink,
        b"/proc/self/fd",
        b"",
        0o777,
    );
    dir(&mut t, "./etc");
    file(&mut t, "./etc/hostname", "debian\n");
    let tar = finish(t);
    let applied = apply(r, &tar).unwrap();
    assert_eq!(applied.skipped_devices, 5);
    assert_eq!(applied.diff_id, crate::digest::sha256_of(&tar));
    for skipped in [
        "dev/null",
        "dev/full",
        "dev/zero",
        "dev/pts/ptmx",
        "dev/loop0",
    ] {
        assert!(
            fs::symlink_metadata(r.join(skipped)).is_err(),
            "{skipped} was created"
        );
    }
    assert!(r.join("dev/pts").is_dir());
    assert_eq!(
        fs::read_link(r.join("dev/fd")).unwrap(),
        Path::new("/proc/self/fd")
    );
    assert!(fs::symlink_metadata(r.join("dev/initctl"))
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(
        fs::read_to_string(r.join("etc/hostname")).unwrap(),
        "debian\n"
    );
}

#[test]
fn a_skipped_device_node_still_replaces_what_was_there() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    let mut lower = Vec::new();
    dir(&mut lower, "dev");
    file(&mut lower, "dev/null", "not a device");
    apply(r, &finish(lower)).unwrap();
    let mut upper = Vec::new();
    entry(
        &mut upper,
        b"dev/null",
        tar::EntryType::Char,
        b"",
        b"",
        0o666,
    );
    assert_eq!(apply(r, &finish(upper)).unwrap().skipped_devices, 1);
    assert!(fs::symlink_metadata(r.join("dev/null")).is_err());
}

/// Skipping device nodes loosens nothing else: escaping symlinks and
/// writes through a symlinked `/dev` are still refused.
#[test]
fn other_unsafe_entries_next_to_dev_nodes_are_still_refused() {
    let mut t = Vec::new();
    dir(&mut t, "dev");
    entry(&mut t, b"dev/null", tar::EntryType::Char, b"", b"", 0o666);
    entry(
        &mut t,
        b"dev/escape",
        tar::EntryType::Symlink,
        b"../../outside",
        b"",
        0o777,
    );
    refused(t, "leaves the root");

    let mut t = Vec::new();
    entry(&mut t, b"dev", tar::EntryType::Symlink, b"/", b"", 0o777);
    entry(&mut t, b"dev/sda", tar::EntryType::Block, b"", b"", 0o660);
    refused(t, "is a symlink");
}

#[test]
fn privileged_builds_get_device_nodes() {
    let root = tempfile::tempdir().unwrap();
    let mut t = Vec::new();
    entry(&mut t, b"null", tar::EntryType::Char, b"", b"", 0o666);
    let opts = UnpackOptions { privileged: true };
    apply_layer(
        root.path(),
        finish(t).as_slice(),
        opts,
        &mut Contents::default(),
        &Cancel::new(),
    )
    .unwrap();
    let m = fs::symlink_metadata(root.path().join("null")).unwrap();
    assert_eq!(m.rdev(), rustix::fs::makedev(1, 3));
    assert_eq!(m.mode() & 0o7777, 0o666);
}

#[test]
fn whiteouts_and_opaque_directories() {
    let root = tempfile::tempdir().unwrap();
    let mut lower = Vec::new();
    dir(&mut lower, "a");
    file(&mut lower, "a/keep", "1");
    file(&mut lower, "a/gone", "2");
    dir(&mut lower, "b");
    file(&mut lower, "b/old", "3");
    dir(&mut lower, "c");
    file(&mut lower, "c/deep", "4");
    apply(root.path(), &finish(lower)).unwrap();

    let mut upper = Vec::new();
    file(&mut upper, "a/.wh.gone", "");
    file(&mut upper, "b/new", "5");
    file(&mut upper, "b/.wh..wh..opq", "");
    file(&mut upper, ".wh.c", "");
    apply(root.path(), &finish(upper)).unwrap();

    let r = root.path();
    assert!(r.join("a/keep").exists());
    assert!(!r.join("a/gone").exists());
    assert!(!r.join("a/.wh.gone").exists());
    assert!(
        r.join("b/new").exists(),
        "added in the same layer as the opaque marker"
    );
    assert!(!r.join("b/old").exists());
    assert!(!r.join("c").exists());
}

#[test]
fn owners_modes_times_links_and_content_digests() {
    let root = tempfile::tempdir().unwrap();
    let mut t = Vec::new();
    dir(&mut t, "bin");
    entry(
        &mut t,
        b"bin/su",
        tar::EntryType::Regular,
        b"",
        b"suid",
        0o4755,
    );
    entry(
        &mut t,
        b"bin/su2",
        tar::EntryType::Link,
        b"bin/su",
        b"",
        0o4755,
    );
    entry(
        &mut t,
        b"sh",
        tar::EntryType::Symlink,
        b"bin/su",
        b"",
        0o777,
    );
    let mut contents = Contents::default();
    let applied = apply_layer(
        root.path(),
        finish(t.clone()).as_slice(),
        UnpackOptions::default(),
        &mut contents,
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(applied.diff_id, crate::digest::sha256_of(&finish(t)));
    let su = fs::symlink_metadata(root.path().join("bin/su")).unwrap();
    assert_eq!(su.mode() & 0o7777, 0o4755);
    assert_eq!(su.mtime(), 1_600_000_000);
    assert_eq!(su.nlink(), 2);
    assert_eq!(
        fs::symlink_metadata(root.path().join("bin"))
            .unwrap()
            .mtime(),
        1_600_000_000
    );
    assert_eq!(
        fs::read_link(root.path().join("sh")).unwrap(),
        Path::new("bin/su")
    );
    let want: [u8; 32] = Sha256::digest(b"suid").into();
    assert_eq!(contents.0.get(Path::new("bin/su2")), Some(&want));
}

#[test]
fn a_file_replaces_a_directory_and_a_symlink_is_replaced_not_followed() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let mut t = Vec::new();
    dir(&mut t, "x");
    file(&mut t, "x/inner", "1");
    apply(root.path(), &finish(t)).unwrap();
    std::os::unix::fs::symlink(outside.path().join("target"), root.path().join("link")).unwrap();
    let mut t = Vec::new();
    file(&mut t, "x", "now a file");
    file(&mut t, "link", "replaces the link");
    apply(root.path(), &finish(t)).unwrap();
    assert_eq!(
        fs::read_to_string(root.path().join("x")).unwrap(),
        "now a file"
    );
    assert!(!outside.path().join("target").exists());
    assert!(fs::symlink_metadata(root.path().join("link"))
        .unwrap()
        .is_file());
}

#[test]
fn owners_and_xattrs_are_kept() {
    let root = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    b.append_pax_extensions([("SCHILY.xattr.user.kiln", &b"blue"[..])])
        .unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(2);
    h.set_mode(0o640);
    h.set_uid(1000);
    h.set_gid(1001);
    h.set_mtime(1);
    b.append_data(&mut h, "owned", &b"hi"[..]).unwrap();
    let tar = b.into_inner().unwrap();
    apply(root.path(), &tar).unwrap();
    let p = root.path().join("owned");
    let m = fs::symlink_metadata(&p).unwrap();
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (1000, 1001, 0o640));
    assert_eq!(
        meta::xattrs(&p).unwrap(),
        [("user.kiln".to_owned(), b"blue".to_vec())]
    );
}

#[test]
fn whiteouts_through_symlinks_are_refused() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("root");
    let victim = outer.path().join("victim");
    fs::create_dir_all(&root).unwrap();
    fs::create_dir_all(&victim).unwrap();
    fs::write(victim.join("precious"), "keep").unwrap();
    let mut t = Vec::new();
    entry(
        &mut t,
        b"up",
        tar::EntryType::Symlink,
        victim.to_str().unwrap().as_bytes(),
        b"",
        0o777,
    );
    file(&mut t, "up/.wh.precious", "");
    let err = apply(&root, &finish(t)).expect_err("an error").to_string();
    assert!(err.contains("is a symlink"), "{err}");
    assert!(victim.join("precious").exists());
    // A whiteout below a directory that does not exist removes nothing
    // and creates nothing.
    let mut t = Vec::new();
    file(&mut t, "nowhere/.wh.x", "");
    apply(&root, &finish(t)).unwrap();
    assert!(!root.join("nowhere").exists());
}
