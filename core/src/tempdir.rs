//! Temporary directories and files that name their owner, so that what a
//! killed kiln left in `TMPDIR` is removed by the next `kiln build`.
//!
//! An owned name is `kiln-LABEL-PID-START-REST`: the owner's PID and its
//! start time (field 22 of `/proc/PID/stat`, clock ticks since boot), so a
//! PID reused by another process does not pass for the owner. Directories
//! carry it themselves; a file whose name is not kiln's to choose (Packer's
//! `packer-shell123` scripts) gets a marker file `kiln-owns-PID-START-NAME`
//! beside it, created before the file and removed after it.
//!
//! [`sweep`] removes entries of our user whose owner is gone. It never
//! follows a symbolic link, and detaches what is mounted under a
//! directory before removing it (removing the mounted files would reach
//! beyond it); a directory whose mounts will not go is left alone.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
/// What [`owned`] returns, so that callers need no `tempfile` of their own.
pub use tempfile::TempDir;

/// The label of marker files.
const MARKER: &str = "owns";

/// A process, told apart from a later one with the same PID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    pub start: u64,
}

impl Owner {
    /// This process.
    pub fn current() -> Owner {
        static CURRENT: OnceLock<Owner> = OnceLock::new();
        *CURRENT.get_or_init(|| {
            let pid = std::process::id();
            Owner {
                pid,
                start: start_time(pid).unwrap_or(0),
            }
        })
    }

    /// Whether the process still runs (a zombie does not).
    pub fn is_alive(&self) -> bool {
        if self.pid == std::process::id() {
            return true;
        }
        match fs::read_to_string(format!("/proc/{}/stat", self.pid)) {
            Ok(stat) => parse_stat(&stat).is_some_and(|(state, start)| {
                !matches!(state, 'Z' | 'X') && (self.start == 0 || start == self.start)
            }),
            // No /proc entry to read (not mounted, hidden): ask the kernel.
            Err(_) => {
                let Some(pid) = rustix::process::Pid::from_raw(self.pid as i32) else {
                    return false;
                };
                !matches!(
                    rustix::process::test_kill_process(pid),
                    Err(rustix::io::Errno::SRCH)
                )
            }
        }
    }

    fn tag(&self) -> String {
        format!("{}-{}", self.pid, self.start)
    }
}

/// State letter and start time from the text of `/proc/PID/stat`.
fn parse_stat(stat: &str) -> Option<(char, u64)> {
    // The command name (field 2) may hold spaces and parentheses: fields
    // are counted from its closing parenthesis, the last one.
    let (_, rest) = stat.rsplit_once(") ")?;
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    let start = fields.nth(18)?.parse().ok()?;
    Some((state, start))
}

fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&stat).map(|(_, start)| start)
}

/// An owned name's parts: label, owner, the rest.
fn parse_name(name: &str) -> Option<(&str, Owner, &str)> {
    let mut parts = name.strip_prefix("kiln-")?.splitn(4, '-');
    let label = parts.next()?;
    let pid = parts.next()?;
    let start = parts.next()?;
    let rest = parts.next()?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if label.is_empty() || !label.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    if !digits(pid) || !digits(start) || rest.is_empty() {
        return None;
    }
    let owner = Owner {
        pid: pid.parse().ok()?,
        start: start.parse().ok()?,
    };
    Some((label, owner, rest))
}

/// The prefix of this process's directories labelled `label`.
fn prefix(label: &str) -> String {
    format!("kiln-{label}-{}-", Owner::current().tag())
}

/// A new directory `TMPDIR/kiln-LABEL-PID-START-XXXXXX`, removed when the
/// value is dropped (or by a later [`sweep`] if this process is killed).
/// `label` is lowercase ASCII letters.
pub fn owned(label: &str) -> io::Result<TempDir> {
    owned_in(&std::env::temp_dir(), label)
}

/// [`owned`] in `dir`.
pub fn owned_in(dir: &Path, label: &str) -> io::Result<TempDir> {
    if label.is_empty() || !label.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("temporary directory label {label:?} is not lowercase letters"),
        ));
    }
    tempfile::Builder::new()
        .prefix(&prefix(label))
        .tempdir_in(dir)
}

/// The marker that claims the file `name` in `dir` for this process;
/// removes the marker when dropped.
#[derive(Debug)]
pub struct Claim {
    marker: PathBuf,
}

/// Claim `dir/name` before creating it: a marker file is created next to
/// it (`AlreadyExists` when the name is claimed already). Drop the claim
/// after removing the file.
pub fn claim(dir: &Path, name: &str) -> io::Result<Claim> {
    let marker = dir.join(format!("{}{name}", prefix(MARKER)));
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&marker)?;
    Ok(Claim { marker })
}

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.marker);
    }
}

/// Remove what dead kiln processes left in `TMPDIR`; returns what was
/// removed. Errors are skipped: another kiln may be sweeping as well.
pub fn sweep() -> Vec<PathBuf> {
    sweep_in(&std::env::temp_dir())
}

/// [`sweep`] in `dir`.
pub fn sweep_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let uid = rustix::process::geteuid().as_raw();
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((label, owner, rest)) = name.to_str().and_then(parse_name) else {
            continue;
        };
        // Not following links: a link is never one of ours.
        let Ok(meta) = fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if meta.uid() != uid || owner.is_alive() {
            continue;
        }
        let path = entry.path();
        if label == MARKER && meta.is_file() {
            let file = dir.join(rest);
            let ours = fs::symlink_metadata(&file).is_ok_and(|m| !m.is_dir() && m.uid() == uid);
            if ours && fs::remove_file(&file).is_ok() {
                removed.push(file);
            }
            if fs::remove_file(&path).is_ok() {
                removed.push(path);
            }
        } else if meta.is_dir()
            && detach_mounts_under(&mountinfo, &path)
            && fs::remove_dir_all(&path).is_ok()
        {
            removed.push(path);
        }
    }
    removed
}

/// The mount points `/proc/self/mountinfo` (its text) lists at or under
/// `path`, deepest first; `None` when `path` cannot be compared.
fn mounts_under(mountinfo: &str, path: &Path) -> Option<Vec<String>> {
    let path = path.to_str()?;
    let mut points: Vec<String> = mountinfo
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(unescape)
        .filter(|point| {
            point == path
                || point
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    Some(points)
}

/// Detach what a killed build left mounted in its directory (the oci
/// builder's overlay root filesystem), so that removing the directory
/// never reaches through a mount into what is below it. Whether nothing
/// is mounted there any more.
fn detach_mounts_under(mountinfo: &str, path: &Path) -> bool {
    match mounts_under(mountinfo, path) {
        None => false,
        Some(points) if points.is_empty() => true,
        Some(points) => {
            for p in &points {
                let _ = rustix::mount::unmount(p.as_str(), rustix::mount::UnmountFlags::DETACH);
            }
            let now = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
            mounts_under(&now, path).is_some_and(|p| p.is_empty())
        }
    }
}

/// A mountinfo field with its octal escapes (`\040` for a space) decoded.
fn unescape(field: &str) -> String {
    let mut out = Vec::with_capacity(field.len());
    let bytes = field.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|d| {
            let s = std::str::from_utf8(d).ok()?;
            u8::from_str_radix(s, 8).ok()
        });
        match (bytes[i], octal) {
            (b'\\', Some(b)) => {
                out.push(b);
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An owner that has exited: a reaped child.
    fn dead_owner() -> Owner {
        let mut child = std::process::Command::new("true").spawn().expect("true");
        let pid = child.id();
        let _ = child.wait();
        Owner { pid, start: 1 }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("read_dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn owned_names_carry_this_process() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = owned_in(tmp.path(), "qemu").expect("owned");
        let name = d.path().file_name().and_then(|n| n.to_str()).expect("name");
        let (label, owner, rest) = parse_name(name).expect("an owned name");
        assert_eq!(label, "qemu");
        assert_eq!(owner, Owner::current());
        assert!(owner.start > 0);
        assert_eq!(rest.len(), 6, "{name}");
        assert!(owned_in(tmp.path(), "Bad-Label").is_err());
    }

    #[test]
    fn owners_are_told_apart_by_start_time() {
        let me = Owner::current();
        assert!(me.is_alive());
        // PID 1 runs, but not since the start time recorded here.
        let init = Owner { pid: 1, start: 0 };
        assert!(init.is_alive());
        let start = start_time(1).expect("init's start time");
        assert!(Owner { pid: 1, start }.is_alive());
        assert!(!Owner {
            pid: 1,
            start: start + 1
        }
        .is_alive());
        assert!(!dead_owner().is_alive());
    }

    #[test]
    fn sweep_removes_what_dead_owners_left_and_nothing_else() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let t = tmp.path();
        let dead = dead_owner().tag();
        // A dead owner's directory (with contents), file and marker.
        fs::create_dir_all(t.join(format!("kiln-qemu-{dead}-abc123/sub"))).expect("mkdir");
        fs::write(t.join(format!("kiln-qemu-{dead}-abc123/sub/f")), "x").expect("write");
        fs::write(t.join("packer-shell42"), "#!/bin/sh").expect("write");
        fs::write(t.join(format!("kiln-owns-{dead}-packer-shell42")), "").expect("write");
        // A dead owner's link to a directory that must survive.
        fs::create_dir(t.join("precious")).expect("mkdir");
        std::os::unix::fs::symlink(
            t.join("precious"),
            t.join(format!("kiln-oci-{dead}-lnk123")),
        )
        .expect("symlink");
        // Live ones and strangers.
        let live = owned_in(t, "oci").expect("owned");
        let _claim = claim(t, "packer-shell7").expect("claim");
        fs::write(t.join("packer-shell7"), "").expect("write");
        fs::create_dir(t.join("kiln-qemu-abcdef")).expect("mkdir");
        fs::create_dir(t.join("unrelated")).expect("mkdir");

        let removed = sweep_in(t);
        assert_eq!(removed.len(), 3, "{removed:?}");
        let live_name = live
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        let mut want = vec![
            format!("kiln-oci-{dead}-lnk123"),
            format!("kiln-owns-{}-packer-shell7", Owner::current().tag()),
            "kiln-qemu-abcdef".to_owned(),
            live_name,
            "packer-shell7".to_owned(),
            "precious".to_owned(),
            "unrelated".to_owned(),
        ];
        want.sort();
        assert_eq!(names(t), want);
    }

    #[test]
    fn a_claim_is_exclusive_and_goes_with_its_value() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let c = claim(tmp.path(), "packer-shell9").expect("claim");
        assert_eq!(
            claim(tmp.path(), "packer-shell9")
                .map(|_| ())
                .map_err(|e| e.kind()),
            Err(io::ErrorKind::AlreadyExists)
        );
        drop(c);
        assert!(names(tmp.path()).is_empty());
    }

    #[test]
    fn mounts_under_a_directory_are_found_deepest_first() {
        let info = "36 35 98:0 / /tmp/kiln-oci-1-2-ab/rootfs rw - overlay overlay rw\n\
                    38 36 98:0 / /tmp/kiln-oci-1-2-ab/rootfs/proc rw - proc proc rw\n\
                    37 35 98:0 / /tmp/with\\040space rw - tmpfs tmpfs rw\n";
        assert_eq!(
            mounts_under(info, Path::new("/tmp/kiln-oci-1-2-ab")).expect("utf-8"),
            [
                "/tmp/kiln-oci-1-2-ab/rootfs/proc",
                "/tmp/kiln-oci-1-2-ab/rootfs"
            ]
        );
        assert_eq!(
            mounts_under(info, Path::new("/tmp/with space")).expect("utf-8"),
            ["/tmp/with space"]
        );
        assert!(mounts_under(info, Path::new("/tmp/kiln-oci-1-2-a"))
            .expect("utf-8")
            .is_empty());
        assert!(mounts_under(info, Path::new("/tmp/kiln-oci-1-2-abc"))
            .expect("utf-8")
            .is_empty());
    }

    /// What a kill -9 leaves of an oci build: an overlay mounted in its
    /// directory. The sweep detaches it and removes the directory, and
    /// the lower directory (the cached base) keeps every file. Mounting
    /// needs root, as CI runs.
    #[test]
    fn a_dead_owners_directory_with_an_overlay_in_it_is_swept_without_touching_the_lower() {
        let t = tempfile::tempdir().expect("tempdir");
        let lower = t.path().join("lower");
        fs::create_dir(&lower).expect("mkdir");
        fs::write(lower.join("keep.txt"), "keep").expect("write");
        let owner = dead_owner();
        let dir = t
            .path()
            .join(format!("kiln-oci-{}-{}-xyz", owner.pid, owner.start));
        for d in ["upper", "work", "rootfs"] {
            fs::create_dir_all(dir.join(d)).expect("mkdir");
        }
        let data = std::ffi::CString::new(format!(
            "lowerdir={},upperdir={},workdir={}",
            lower.display(),
            dir.join("upper").display(),
            dir.join("work").display()
        ))
        .expect("options");
        rustix::mount::mount(
            "overlay",
            dir.join("rootfs"),
            "overlay",
            rustix::mount::MountFlags::empty(),
            data.as_c_str(),
        )
        .expect("mount an overlay (root)");
        assert!(dir.join("rootfs/keep.txt").exists());
        let removed = sweep_in(t.path());
        assert_eq!(removed, std::slice::from_ref(&dir));
        assert!(!dir.exists());
        assert_eq!(
            fs::read_to_string(lower.join("keep.txt")).expect("kept"),
            "keep"
        );
    }

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        let stat = "1234 (a) b (c) S 1 1234 1234 0 -1 4194304 1 0 0 0 0 0 0 0 20 0 1 0 987654 0";
        assert_eq!(parse_stat(stat), Some(('S', 987654)));
        assert_eq!(
            parse_name("kiln-qemu-12-34-x-y"),
            Some(("qemu", Owner { pid: 12, start: 34 }, "x-y"))
        );
        assert_eq!(parse_name("kiln-qemu-ab-34-x"), None);
        assert_eq!(parse_name("kiln-qemu-12-34-"), None);
        assert_eq!(parse_name("packer-shell1"), None);
    }
}
