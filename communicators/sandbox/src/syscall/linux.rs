//! The real calls. Runs between `fork` and `exec`: no allocation, no locks.

use super::{Errno, MountFlags, Syscall, UnshareFlags};
use crate::netlink;
use rustix::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use rustix::fs::{Gid, Mode, OFlags, Uid};
use rustix::mount::{MountPropagationFlags, UnmountFlags};
use rustix::thread::CapabilitySet;
use std::ffi::CStr;

#[derive(Debug, Default)]
pub struct LinuxSyscall<'r> {
    root: Option<OwnedFd>,
    /// Where the middle process of an unprivileged sandbox reports the
    /// PID of the namespace's init (see [`crate::spawn`]).
    report: Option<BorrowedFd<'r>>,
}

/// The first word of a report record that carries the PID of the
/// namespace's init (other records carry the index of a failed op).
pub const PID1_RECORD: u32 = u32::MAX;

/// One 8-byte record of the report pipe.
pub fn record(tag: u32, value: i32) -> [u8; 8] {
    let mut r = [0u8; 8];
    let (t, v) = r.split_at_mut(4);
    t.copy_from_slice(&tag.to_ne_bytes());
    v.copy_from_slice(&value.to_ne_bytes());
    r
}

/// `/proc/self/fd/N` for `fd`, written into `buf`: mounting onto this
/// magic link mounts onto exactly the file `fd` resolved to.
fn fd_path<'b>(fd: BorrowedFd<'_>, buf: &'b mut [u8; 32]) -> Result<&'b CStr, Errno> {
    const PREFIX: &[u8] = b"/proc/self/fd/";
    let mut digits = [0u8; 12];
    let mut n = u32::try_from(fd.as_raw_fd()).map_err(|_| Errno::BADF)?;
    let mut len = 0;
    loop {
        let slot = digits.get_mut(len).ok_or(Errno::NAMETOOLONG)?;
        *slot = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let total = PREFIX.len() + len;
    let (head, tail) = buf.split_at_mut(PREFIX.len());
    head.copy_from_slice(PREFIX);
    for (i, d) in digits.iter().take(len).rev().enumerate() {
        *tail.get_mut(i).ok_or(Errno::NAMETOOLONG)? = *d;
    }
    *buf.get_mut(total).ok_or(Errno::NAMETOOLONG)? = 0;
    CStr::from_bytes_with_nul(buf.get(..=total).ok_or(Errno::NAMETOOLONG)?)
        .map_err(|_| Errno::INVAL)
}

/// errno after a libc call (reading it allocates nothing).
fn last_errno() -> Errno {
    Errno::from_raw_os_error(
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO),
    )
}

fn write_file(path: &CStr, contents: &CStr) -> Result<(), Errno> {
    let fd = rustix::fs::open(path, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty())?;
    let bytes = contents.to_bytes();
    if rustix::io::write(&fd, bytes)? != bytes.len() {
        return Err(Errno::IO);
    }
    Ok(())
}

/// The middle process of an unprivileged sandbox: hold no descriptor
/// (std's exec-status pipe included, or the spawn would wait for this
/// process), wait for PID 1 of the namespace and exit with its status.
fn wait_and_exit(child: libc::pid_t) -> ! {
    // SAFETY: raw system calls on plain integers, then `_exit`, which is
    // async-signal-safe and runs no destructor or atexit handler.
    #[allow(unsafe_code)]
    unsafe {
        libc::syscall(libc::SYS_close_range, 0u32, u32::MAX, 0u32);
        let mut status = 0;
        let code = loop {
            let r = libc::waitpid(child, &mut status, 0);
            if r == child {
                break if libc::WIFEXITED(status) {
                    libc::WEXITSTATUS(status)
                } else if libc::WIFSIGNALED(status) {
                    128 + libc::WTERMSIG(status)
                } else {
                    continue;
                };
            }
            if r == -1 && last_errno() != Errno::INTR {
                break 255;
            }
        };
        libc::_exit(code)
    }
}

impl<'r> LinuxSyscall<'r> {
    pub fn new() -> LinuxSyscall<'r> {
        LinuxSyscall::default()
    }

    pub fn reporting_to(report: BorrowedFd<'r>) -> LinuxSyscall<'r> {
        LinuxSyscall {
            root: None,
            report: Some(report),
        }
    }

    fn root(&self) -> Result<BorrowedFd<'_>, Errno> {
        self.root.as_ref().map(|f| f.as_fd()).ok_or(Errno::BADF)
    }

    /// Open `path` inside the rootfs: `..` and symlinks (absolute ones
    /// included) resolve as if the rootfs were `/`.
    fn resolve(&self, path: &CStr, flags: OFlags) -> Result<OwnedFd, Errno> {
        crate::root::open_in_root(self.root()?, path, flags, Mode::empty())
    }

    fn resolve_dir(&self, path: &CStr) -> Result<OwnedFd, Errno> {
        self.resolve(path, OFlags::PATH | OFlags::DIRECTORY)
    }
}

impl Syscall for LinuxSyscall<'_> {
    fn unshare(&mut self, flags: UnshareFlags) -> Result<(), Errno> {
        // SAFETY: the flags never include CLONE_FILES (checked here), the
        // one that would let threads see different descriptor tables.
        if flags.contains(UnshareFlags::FILES) {
            return Err(Errno::INVAL);
        }
        #[allow(unsafe_code)]
        let unshared = unsafe { rustix::thread::unshare_unsafe(flags) };
        unshared
    }

    fn write_id_maps(&mut self, uid_map: &CStr, gid_map: &CStr) -> Result<(), Errno> {
        write_file(c"/proc/self/setgroups", c"deny")?;
        write_file(c"/proc/self/uid_map", uid_map)?;
        write_file(c"/proc/self/gid_map", gid_map)
    }

    fn fork_into_pid_namespace(&mut self) -> Result<(), Errno> {
        // SAFETY: fork is async-signal-safe; the parent below only makes
        // system calls and leaves with `_exit`, the child carries on with
        // the same allocation-free replay.
        #[allow(unsafe_code)]
        let pid = unsafe { libc::fork() };
        match pid {
            -1 => Err(last_errno()),
            0 => {
                // Should the middle process die (kiln killed), this
                // process, PID 1 of the namespace, and so all of it, dies.
                rustix::process::set_parent_process_death_signal(Some(
                    rustix::process::Signal::KILL,
                ))
            }
            child => {
                if let Some(report) = self.report {
                    let _ = rustix::io::write(report, &record(PID1_RECORD, child));
                }
                wait_and_exit(child)
            }
        }
    }

    fn loopback_up(&mut self) -> Result<(), Errno> {
        netlink::loopback_up()
    }

    fn make_mounts_private(&mut self) -> Result<(), Errno> {
        rustix::mount::mount_change(
            c"/",
            MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
        )
    }

    fn bind_onto_itself(&mut self, rootfs: &CStr) -> Result<(), Errno> {
        rustix::mount::mount_bind_recursive(rootfs, rootfs)
    }

    fn open_root(&mut self, rootfs: &CStr) -> Result<(), Errno> {
        let fd = rustix::fs::open(
            rootfs,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        self.root = Some(fd);
        Ok(())
    }

    fn mount(
        &mut self,
        fstype: &CStr,
        target: &CStr,
        flags: MountFlags,
        data: &CStr,
    ) -> Result<(), Errno> {
        let fd = self.resolve(target, OFlags::PATH)?;
        let mut buf = [0u8; 32];
        let at = fd_path(fd.as_fd(), &mut buf)?;
        rustix::mount::mount(fstype, at, fstype, flags, Some(data))
    }

    fn bind(&mut self, source: &CStr, target: &CStr, recursive: bool) -> Result<(), Errno> {
        let fd = self.resolve(target, OFlags::PATH)?;
        let mut buf = [0u8; 32];
        let at = fd_path(fd.as_fd(), &mut buf)?;
        if recursive {
            rustix::mount::mount_bind_recursive(source, at)
        } else {
            rustix::mount::mount_bind(source, at)
        }
    }

    fn remount_read_only(&mut self, target: &CStr) -> Result<(), Errno> {
        // Opened again: the descriptor must name the bind mount now on top.
        let fd = self.resolve(target, OFlags::PATH)?;
        let mut buf = [0u8; 32];
        let at = fd_path(fd.as_fd(), &mut buf)?;
        // A remount must repeat the flags it keeps: in a user namespace
        // the kernel refuses to clear the ones it locked (nosuid, nodev…).
        let kept = kept_flags(rustix::fs::fstatvfs(&fd)?.f_flag);
        rustix::mount::mount_remount(at, MountFlags::BIND | MountFlags::RDONLY | kept, c"")
    }

    fn mkdir(&mut self, parent: &CStr, name: &CStr, mode: u32) -> Result<(), Errno> {
        let dir = self.resolve_dir(parent)?;
        rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(mode))
    }

    fn mkfile(&mut self, parent: &CStr, name: &CStr) -> Result<(), Errno> {
        let dir = self.resolve_dir(parent)?;
        rustix::fs::openat(
            &dir,
            name,
            OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        )
        .map(drop)
    }

    fn symlink(&mut self, parent: &CStr, name: &CStr, target: &CStr) -> Result<(), Errno> {
        let dir = self.resolve_dir(parent)?;
        rustix::fs::symlinkat(target, &dir, name)
    }

    fn sethostname(&mut self, name: &CStr) -> Result<(), Errno> {
        rustix::system::sethostname(name.to_bytes())
    }

    fn pivot_root(&mut self) -> Result<(), Errno> {
        rustix::process::fchdir(self.root()?)?;
        // pivot_root(".", ".") stacks the old root on the new one; the
        // detach then takes it away without needing a directory for it
        // inside the rootfs (which would be a trace in the image).
        rustix::process::pivot_root(c".", c".")?;
        rustix::mount::unmount(c".", UnmountFlags::DETACH)?;
        self.root = None;
        rustix::process::chdir(c"/")
    }

    fn drop_capability(&mut self, cap: u32) -> Result<(), Errno> {
        let bit = 1u64.checked_shl(cap).ok_or(Errno::INVAL)?;
        rustix::thread::remove_capability_from_bounding_set(CapabilitySet::from_bits_retain(bit))
    }

    fn chdir(&mut self, path: &CStr) -> Result<(), Errno> {
        rustix::process::chdir(path)
    }

    fn set_user(&mut self, uid: Uid, gid: Gid, groups: &[Gid]) -> Result<(), Errno> {
        rustix::thread::set_thread_groups(groups)?;
        rustix::thread::set_thread_res_gid(gid, gid, gid)?;
        rustix::thread::set_thread_res_uid(uid, uid, uid)
    }
}

/// The flags of a mounted file system that a remount has to repeat.
fn kept_flags(have: rustix::fs::StatVfsMountFlags) -> MountFlags {
    use rustix::fs::StatVfsMountFlags as S;
    [
        (S::NOSUID, MountFlags::NOSUID),
        (S::NODEV, MountFlags::NODEV),
        (S::NOEXEC, MountFlags::NOEXEC),
        (S::NOATIME, MountFlags::NOATIME),
        (S::NODIRATIME, MountFlags::NODIRATIME),
        (S::RELATIME, MountFlags::RELATIME),
    ]
    .into_iter()
    .filter(|(s, _)| have.contains(*s))
    .fold(MountFlags::empty(), |acc, (_, m)| acc | m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remounts_keep_the_locked_flags() {
        use rustix::fs::StatVfsMountFlags as S;
        assert_eq!(
            kept_flags(S::NOSUID | S::NODEV | S::RDONLY | S::RELATIME),
            MountFlags::NOSUID | MountFlags::NODEV | MountFlags::RELATIME
        );
    }

    #[test]
    fn fd_paths_are_written_without_allocating() {
        let fd = rustix::fs::open(c"/", OFlags::PATH | OFlags::CLOEXEC, Mode::empty()).unwrap();
        let mut buf = [0u8; 32];
        let p = fd_path(fd.as_fd(), &mut buf).unwrap();
        assert_eq!(
            p.to_str().unwrap(),
            format!("/proc/self/fd/{}", fd.as_raw_fd())
        );
    }
}
