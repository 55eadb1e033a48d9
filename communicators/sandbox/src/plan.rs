//! The set-up of one sandboxed process as a list of operations, computed
//! (with all its strings) before the fork, then replayed in the child
//! through a [`Syscall`], where nothing may allocate.

use crate::syscall::{Errno, MountFlags, Syscall, UnshareFlags};
use rustix::fs::{Gid, Uid};
use std::ffi::{CStr, CString};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Unshare(UnshareFlags),
    WriteIdMaps {
        uid_map: CString,
        gid_map: CString,
    },
    ForkIntoPidNamespace,
    LoopbackUp,
    MakeMountsPrivate,
    BindOntoItself(CString),
    OpenRoot(CString),
    Mount {
        fstype: CString,
        target: CString,
        flags: MountFlags,
        data: CString,
    },
    Bind {
        source: CString,
        target: CString,
        recursive: bool,
    },
    RemountReadOnly(CString),
    MakeDir {
        parent: CString,
        name: CString,
        mode: u32,
    },
    MakeFile {
        parent: CString,
        name: CString,
    },
    Symlink {
        parent: CString,
        name: CString,
        target: CString,
    },
    SetHostname(CString),
    PivotRoot,
    DropCapability(u32),
    Chdir(CString),
    SetUser {
        uid: Uid,
        gid: Gid,
        groups: Vec<Gid>,
    },
}

/// `/` + a rootfs-relative path, for messages.
fn shown(rel: &CStr) -> String {
    let rel = rel.to_string_lossy();
    if rel == "." {
        "/".to_owned()
    } else {
        format!("/{rel}")
    }
}

fn joined(parent: &CStr, name: &CStr) -> String {
    let parent = shown(parent);
    format!(
        "{}/{}",
        parent.trim_end_matches('/'),
        name.to_string_lossy()
    )
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Unshare(flags) => write!(f, "create namespaces ({flags:?})"),
            Op::WriteIdMaps { uid_map, .. } => write!(
                f,
                "map root of the user namespace ({})",
                uid_map.to_string_lossy().trim()
            ),
            Op::ForkIntoPidNamespace => write!(f, "fork into the PID namespace"),
            Op::LoopbackUp => write!(f, "bring up the loopback interface"),
            Op::MakeMountsPrivate => write!(f, "make the mounts private"),
            Op::BindOntoItself(p) => write!(f, "bind-mount {} onto itself", p.to_string_lossy()),
            Op::OpenRoot(p) => write!(f, "open {}", p.to_string_lossy()),
            Op::Mount { fstype, target, .. } => {
                write!(f, "mount {} on {}", fstype.to_string_lossy(), shown(target))
            }
            Op::Bind { source, target, .. } => write!(
                f,
                "bind-mount {} on {}",
                source.to_string_lossy(),
                shown(target)
            ),
            Op::RemountReadOnly(t) => write!(f, "make {} read-only", shown(t)),
            Op::MakeDir { parent, name, .. } => write!(f, "create {}", joined(parent, name)),
            Op::MakeFile { parent, name } => write!(f, "create {}", joined(parent, name)),
            Op::Symlink { parent, name, .. } => write!(f, "create {}", joined(parent, name)),
            Op::SetHostname(h) => write!(f, "set the hostname {}", h.to_string_lossy()),
            Op::PivotRoot => write!(f, "pivot_root into the rootfs"),
            Op::DropCapability(c) => write!(f, "drop capability {c}"),
            Op::Chdir(p) => write!(f, "change to the directory {}", p.to_string_lossy()),
            Op::SetUser { uid, gid, .. } => {
                write!(f, "switch to user {}:{}", uid.as_raw(), gid.as_raw())
            }
        }
    }
}

/// Replay `ops`; on failure, the index of the failed one and its errno.
pub fn replay(sys: &mut dyn Syscall, ops: &[Op]) -> Result<(), (usize, Errno)> {
    for (i, op) in ops.iter().enumerate() {
        apply(sys, op).map_err(|e| (i, e))?;
    }
    Ok(())
}

fn apply(sys: &mut dyn Syscall, op: &Op) -> Result<(), Errno> {
    match op {
        Op::Unshare(flags) => sys.unshare(*flags),
        Op::WriteIdMaps { uid_map, gid_map } => sys.write_id_maps(uid_map, gid_map),
        Op::ForkIntoPidNamespace => sys.fork_into_pid_namespace(),
        Op::LoopbackUp => sys.loopback_up(),
        Op::MakeMountsPrivate => sys.make_mounts_private(),
        Op::BindOntoItself(p) => sys.bind_onto_itself(p),
        Op::OpenRoot(p) => sys.open_root(p),
        Op::Mount {
            fstype,
            target,
            flags,
            data,
        } => sys.mount(fstype, target, *flags, data),
        Op::Bind {
            source,
            target,
            recursive,
        } => sys.bind(source, target, *recursive),
        Op::RemountReadOnly(t) => sys.remount_read_only(t),
        Op::MakeDir { parent, name, mode } => sys.mkdir(parent, name, *mode),
        Op::MakeFile { parent, name } => sys.mkfile(parent, name),
        Op::Symlink {
            parent,
            name,
            target,
        } => sys.symlink(parent, name, target),
        Op::SetHostname(h) => sys.sethostname(h),
        Op::PivotRoot => sys.pivot_root(),
        Op::DropCapability(c) => sys.drop_capability(*c),
        Op::Chdir(p) => sys.chdir(p),
        Op::SetUser { uid, gid, groups } => sys.set_user(*uid, *gid, groups),
    }
}
