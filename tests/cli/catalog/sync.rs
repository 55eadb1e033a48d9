//! `kiln catalog sync` with a disk too large to hold in memory: the
//! containerDisk blob arrives whole at both ends, and the copy's memory
//! stays well below the blob's size.

use super::Store;
use crate::project;
use std::path::Path;
use std::time::Duration;

const DISK: u64 = 320 << 20;

/// Run `kiln catalog sync SRC DST` and return its peak resident set
/// (VmHWM, in bytes), read from /proc until it exits.
fn sync_peak(dir: &Path, src: &str, dst: &str) -> u64 {
    let mut child = crate::kiln_command()
        .current_dir(dir)
        .args(["catalog", "sync", src, dst])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        // The high-water mark only grows, so the last read before the
        // exit is the peak of all but its last few milliseconds.
        if let Ok(s) = std::fs::read_to_string(&status) {
            if let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb * 1024);
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            assert!(st.success(), "sync {src} {dst}: {err}");
            return peak;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The blob files of a directory store's bucket larger than `min`.
fn big_blobs(root: &Path, bucket: &str, min: u64) -> Vec<(String, u64)> {
    let dir = root.join(bucket).join("blobs/sha256");
    let mut out: Vec<(String, u64)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let len = e.metadata().ok()?.len();
            (len > min).then(|| (e.file_name().to_string_lossy().into_owned(), len))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_large_disk_syncs_to_a_registry_and_back_without_being_held_in_memory() {
    let p = project(&[(
        "t.pkr.hcl",
        r#"
source "file" "disk" {
  source = "disk.raw"
  target = "out.raw"
}
build {
  hcp_packer_registry {
    bucket_name = "synced"
    push_disk   = true
  }
  sources = ["source.file.disk"]
}
"#,
    )]);
    let d = p.path();
    // Distinct bytes per MiB, so that nothing along the way can store
    // it as a hole or dedupe it.
    let mut disk = Vec::with_capacity(DISK as usize);
    for i in 0..(DISK >> 20) {
        disk.extend(std::iter::repeat_n((i % 251) as u8, 1 << 20));
    }
    std::fs::write(d.join("disk.raw"), &disk).unwrap();
    drop(disk);
    let a = tempfile::tempdir().unwrap();
    let local = Store::dir(a.path());
    let r = local.build(d, "t.pkr.hcl", "s1");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let before = big_blobs(&a.path().join("catalog"), "synced", DISK);
    assert_eq!(before.len(), 1, "one containerDisk layer: {before:?}");

    let remote = Store::registry();
    let up = sync_peak(d, &local.spec, &remote.spec);
    let b = tempfile::tempdir().unwrap();
    let back = Store::dir(b.path());
    let down = sync_peak(d, &remote.spec, &back.spec);
    assert_eq!(big_blobs(&b.path().join("catalog"), "synced", DISK), before);
    assert_eq!(
        back.json(d, &["show", "synced:v1"])["builds"],
        local.json(d, &["show", "synced:v1"])["builds"]
    );
    for (way, peak) in [("up", up), ("down", down)] {
        assert!(
            peak > 0 && peak < DISK / 2,
            "sync {way} peaked at {} MiB for a {} MiB disk",
            peak >> 20,
            DISK >> 20
        );
    }
}
