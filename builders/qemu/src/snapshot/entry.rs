//! What a QEMU step-cache entry holds, in its directory:
//! - `disk.qcow2`: the disk layer the step wrote, a qcow2 whose backing
//!   file is the previous step's entry (`../KEY/disk.qcow2`, relative, so
//!   that the chain stays whole wherever the cache lives) or, for the
//!   boot, the source image it was an overlay of;
//! - `state.zst`: the guest's devices and memory (a QEMU migration
//!   stream, zstd-compressed: `stream.rs`); `state.raw`, the stream as
//!   QEMU wrote it, is there only while the entry is staged;
//! - `id` and `backing-id`: a random id of this entry and of the entry its
//!   layer was written against. An entry saved again under the same key
//!   by another build has other bytes, so a layer only stacks on the
//!   very entry it was written against;
//! - `key` (boot only): the build's temporary SSH key, which the guest
//!   in these snapshots trusts.

use crate::error::QemuError;
use crate::tool;
use kiln_core::Cancel;
use std::path::{Path, PathBuf};

pub const DISK: &str = "disk.qcow2";
pub const STATE: &str = "state.zst";
pub const RAW_STATE: &str = "state.raw";
const ID: &str = "id";
const BACKING_ID: &str = "backing-id";
const KEY: &str = "key";

fn io(what: &str, p: &Path, e: std::io::Error) -> QemuError {
    QemuError::io(format!("{what} {}", p.display()), e)
}

fn read(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok().map(|s| s.trim().to_owned())
}

/// Fill `dir` with step `frozen`'s layer and the identity files (the
/// state is written there by the migration and compressed beside). `previous`
/// is the entry this layer stacks on (`None` for the boot, whose layer
/// keeps the backing file it has, if any).
pub fn write(
    dir: &Path,
    id: &str,
    frozen: &Path,
    previous: Option<&Path>,
    key: Option<&str>,
    cancel: &Cancel,
) -> Result<(), QemuError> {
    let disk = dir.join(DISK);
    // A copy: the layer's header is rewritten below, and the build's own
    // chain still opens the original.
    if previous.is_none() && !has_backing(frozen, cancel)? {
        inflate(frozen, &disk, cancel)?;
    } else {
        std::fs::copy(frozen, &disk).map_err(|e| io("copying", frozen, e))?;
    }
    if let Some(prev) = previous {
        let name = prev
            .file_name()
            .ok_or_else(|| QemuError::Snapshot(format!("entry {}", prev.display())))?;
        let backing = Path::new("..").join(name).join(DISK);
        tool::run(
            "qemu-img",
            &tool::args([
                "rebase",
                "-u",
                "-F",
                "qcow2",
                "-b",
                &backing.display().to_string(),
                &disk.display().to_string(),
            ]),
            cancel,
        )?;
        let prev_id = read(&prev.join(ID))
            .ok_or_else(|| QemuError::Snapshot(format!("entry {} has no id", prev.display())))?;
        std::fs::write(dir.join(BACKING_ID), prev_id)
            .map_err(|e| io("writing", &dir.join(BACKING_ID), e))?;
    }
    std::fs::write(dir.join(ID), id).map_err(|e| io("writing", &dir.join(ID), e))?;
    if let Some(k) = key {
        use std::os::unix::fs::OpenOptionsExt;
        let path = dir.join(KEY);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| io("writing", &path, e))?;
        std::io::Write::write_all(&mut f, k.as_bytes()).map_err(|e| io("writing", &path, e))?;
    }
    Ok(())
}

/// Whether the qcow2 `p` has a backing file.
fn has_backing(p: &Path, cancel: &Cancel) -> Result<bool, QemuError> {
    let info = tool::run(
        "qemu-img",
        &tool::args(["info", "-U", "--output=json", &p.display().to_string()]),
        cancel,
    )?;
    let doc: serde_json::Value = serde_json::from_str(&info)
        .map_err(|e| QemuError::Snapshot(format!("qemu-img info {}: {e}", p.display())))?;
    Ok(doc.get("backing-filename").is_some())
}

/// The boot layer holds the whole source image, whose clusters a cloud
/// image ships compressed: every rebuild's compaction would inflate them
/// again (seconds under these disks; more than the rest of the
/// conversion). Written uncompressed once here instead, the layer shows
/// the guest the same bytes, so the output converted from the chain is
/// the same file, and each warm rebuild converts about twice as fast.
/// `-U`: the running QEMU holds the frozen layer open (read-only).
fn inflate(frozen: &Path, disk: &Path, cancel: &Cancel) -> Result<(), QemuError> {
    tool::run(
        "qemu-img",
        &tool::args([
            "convert",
            "-U",
            "-O",
            "qcow2",
            &frozen.display().to_string(),
            &disk.display().to_string(),
        ]),
        cancel,
    )?;
    Ok(())
}

/// How many of `dirs` (entries 0, 1, …) form a whole chain: each has
/// its layer and state, and stacks on the one before it.
pub fn whole_prefix(dirs: &[PathBuf]) -> usize {
    let mut prev_id: Option<String> = None;
    for (i, d) in dirs.iter().enumerate() {
        let id = read(&d.join(ID));
        let ok = d.join(DISK).is_file()
            && d.join(STATE).is_file()
            && id.is_some()
            && (i == 0 || read(&d.join(BACKING_ID)) == prev_id);
        if !ok {
            return i;
        }
        prev_id = id;
    }
    dirs.len()
}

/// The id of the entry in `dir`.
pub fn id(dir: &Path) -> Option<String> {
    read(&dir.join(ID))
}

/// A new entry id.
pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

/// The temporary key a boot entry keeps.
pub fn key(boot: &Path) -> Option<String> {
    std::fs::read_to_string(boot.join(KEY)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qcow2(p: &Path) {
        tool::run(
            "qemu-img",
            &tool::args([
                "create",
                "-q",
                "-f",
                "qcow2",
                &p.display().to_string(),
                "16M",
            ]),
            &Cancel::new(),
        )
        .unwrap();
    }

    fn img(args: &[&str]) -> String {
        tool::run(
            "qemu-img",
            &tool::args(args.iter().copied()),
            &Cancel::new(),
        )
        .unwrap()
    }

    /// A boot layer with compressed clusters (a cloud image's) is stored
    /// inflated: the guest sees the same bytes and the output converted
    /// from it is the same file.
    #[test]
    fn a_compressed_boot_layer_is_stored_inflated_and_converts_the_same() {
        let t = tempfile::tempdir().unwrap();
        let p = |n: &str| t.path().join(n).display().to_string();
        let mut raw = vec![0u8; 8 << 20];
        for (i, b) in raw.iter_mut().enumerate().take(3 << 20) {
            *b = (i % 251) as u8;
        }
        std::fs::write(t.path().join("disk.raw"), &raw).unwrap();
        img(&[
            "convert",
            "-c",
            "-f",
            "raw",
            "-O",
            "qcow2",
            &p("disk.raw"),
            &p("cloud.qcow2"),
        ]);
        let map = img(&["map", "--output=json", &p("cloud.qcow2")]);
        assert!(map.contains("\"compressed\": true"), "{map}");
        let entry = t.path().join("boot");
        std::fs::create_dir(&entry).unwrap();
        write(
            &entry,
            &new_id(),
            &t.path().join("cloud.qcow2"),
            None,
            None,
            &Cancel::new(),
        )
        .unwrap();
        let stored = entry.join(DISK).display().to_string();
        let map = img(&["map", "--output=json", &stored]);
        assert!(!map.contains("\"compressed\": true"), "{map}");
        img(&["compare", &p("cloud.qcow2"), &stored]);
        img(&["convert", "-O", "qcow2", &p("cloud.qcow2"), &p("a.qcow2")]);
        img(&["convert", "-O", "qcow2", &stored, &p("b.qcow2")]);
        assert!(
            std::fs::read(p("a.qcow2")).unwrap() == std::fs::read(p("b.qcow2")).unwrap(),
            "the outputs differ"
        );
    }

    #[test]
    fn entries_stack_only_on_the_entry_they_were_written_against() {
        let t = tempfile::tempdir().unwrap();
        let cancel = Cancel::new();
        let dirs: Vec<PathBuf> = (0..3).map(|i| t.path().join(format!("k{i}"))).collect();
        let layer = t.path().join("layer.qcow2");
        qcow2(&layer);
        for (i, d) in dirs.iter().enumerate() {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join(STATE), "state").unwrap();
            let prev = i.checked_sub(1).map(|p| dirs[p].as_path());
            let id = new_id();
            write(d, &id, &layer, prev, (i == 0).then_some("KEY"), &cancel).unwrap();
            assert_eq!(super::id(d), Some(id));
        }
        assert_eq!(whole_prefix(&dirs), 3);
        assert_eq!(key(&dirs[0]).as_deref(), Some("KEY"));
        let info = tool::run(
            "qemu-img",
            &tool::args([
                "info",
                "--output=json",
                &dirs[2].join(DISK).display().to_string(),
            ]),
            &cancel,
        )
        .unwrap();
        assert!(
            info.contains("\"backing-filename\": \"../k1/disk.qcow2\""),
            "{info}"
        );
        // Entry 1 saved again by another build: entry 2 no longer fits.
        std::fs::write(dirs[1].join(ID), "another").unwrap();
        assert_eq!(whole_prefix(&dirs), 2);
        std::fs::remove_file(dirs[0].join(STATE)).unwrap();
        assert_eq!(whole_prefix(&dirs), 0);
    }
}
