//! Writes the calls down instead of making them, for unit tests of the
//! set-up sequence (and of how a failure in its middle is reported).

use super::{Errno, MountFlags, Syscall, UnshareFlags};
use rustix::fs::{Gid, Uid};
use std::ffi::CStr;

#[derive(Debug, Default)]
pub struct RecordingSyscall {
    /// One line per call, e.g. `bind /dev/null dev/null`.
    pub calls: Vec<String>,
    /// Fail the call whose line starts with this, with `EPERM`.
    pub fail_on: Option<String>,
}

impl RecordingSyscall {
    pub fn new() -> RecordingSyscall {
        RecordingSyscall::default()
    }

    /// A recorder whose first call starting with `prefix` fails.
    pub fn failing_on(prefix: &str) -> RecordingSyscall {
        RecordingSyscall {
            calls: Vec::new(),
            fail_on: Some(prefix.to_owned()),
        }
    }

    fn record(&mut self, line: String) -> Result<(), Errno> {
        let fail = self.fail_on.as_deref().is_some_and(|p| line.starts_with(p));
        self.calls.push(line);
        if fail {
            self.fail_on = None;
            return Err(Errno::PERM);
        }
        Ok(())
    }
}

fn s(c: &CStr) -> String {
    c.to_string_lossy().into_owned()
}

impl Syscall for RecordingSyscall {
    fn unshare(&mut self, flags: UnshareFlags) -> Result<(), Errno> {
        self.record(format!("unshare {flags:?}"))
    }
    fn write_id_maps(&mut self, uid_map: &CStr, gid_map: &CStr) -> Result<(), Errno> {
        self.record(format!(
            "id maps uid {:?} gid {:?}",
            s(uid_map).trim(),
            s(gid_map).trim()
        ))
    }
    fn fork_into_pid_namespace(&mut self) -> Result<(), Errno> {
        self.record("fork into the PID namespace".into())
    }
    fn loopback_up(&mut self) -> Result<(), Errno> {
        self.record("loopback up".into())
    }
    fn make_mounts_private(&mut self) -> Result<(), Errno> {
        self.record("make mounts private".into())
    }
    fn bind_onto_itself(&mut self, rootfs: &CStr) -> Result<(), Errno> {
        self.record(format!("bind onto itself {}", s(rootfs)))
    }
    fn open_root(&mut self, rootfs: &CStr) -> Result<(), Errno> {
        self.record(format!("open root {}", s(rootfs)))
    }
    fn mount(
        &mut self,
        fstype: &CStr,
        target: &CStr,
        flags: MountFlags,
        data: &CStr,
    ) -> Result<(), Errno> {
        self.record(format!(
            "mount {} {} {flags:?} {}",
            s(fstype),
            s(target),
            s(data)
        ))
    }
    fn bind(&mut self, source: &CStr, target: &CStr, recursive: bool) -> Result<(), Errno> {
        let how = if recursive { "rbind" } else { "bind" };
        self.record(format!("{how} {} {}", s(source), s(target)))
    }
    fn remount_read_only(&mut self, target: &CStr) -> Result<(), Errno> {
        self.record(format!("remount ro {}", s(target)))
    }
    fn mkdir(&mut self, parent: &CStr, name: &CStr, mode: u32) -> Result<(), Errno> {
        self.record(format!("mkdir {}/{} {mode:o}", s(parent), s(name)))
    }
    fn mkfile(&mut self, parent: &CStr, name: &CStr) -> Result<(), Errno> {
        self.record(format!("mkfile {}/{}", s(parent), s(name)))
    }
    fn symlink(&mut self, parent: &CStr, name: &CStr, target: &CStr) -> Result<(), Errno> {
        self.record(format!(
            "symlink {}/{} -> {}",
            s(parent),
            s(name),
            s(target)
        ))
    }
    fn sethostname(&mut self, name: &CStr) -> Result<(), Errno> {
        self.record(format!("sethostname {}", s(name)))
    }
    fn pivot_root(&mut self) -> Result<(), Errno> {
        self.record("pivot_root".into())
    }
    fn drop_capability(&mut self, cap: u32) -> Result<(), Errno> {
        self.record(format!("drop capability {cap}"))
    }
    fn chdir(&mut self, path: &CStr) -> Result<(), Errno> {
        self.record(format!("chdir {}", s(path)))
    }
    fn set_user(&mut self, uid: Uid, gid: Gid, groups: &[Gid]) -> Result<(), Errno> {
        let groups: Vec<String> = groups.iter().map(|g| g.as_raw().to_string()).collect();
        self.record(format!(
            "set user {}:{} groups [{}]",
            uid.as_raw(),
            gid.as_raw(),
            groups.join(",")
        ))
    }
}
