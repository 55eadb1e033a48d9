//! The privileged Linux calls the sandbox makes, behind one small trait
//! (youki's pattern): [`LinuxSyscall`] makes them, [`RecordingSyscall`]
//! writes them down, so the set-up sequence is unit-tested without root.
//!
//! The real implementation runs in the forked child between `fork` and
//! `exec`, where only async-signal-safe work is allowed: every method takes
//! ready-made C strings and allocates nothing.
//!
//! Paths called `target`, `parent` and `dir` are relative to the rootfs
//! opened by [`Syscall::open_root`] and are resolved inside it (symlinks
//! included), so nothing the rootfs contains can point a mount outside it.

mod linux;
mod recording;

pub use linux::{record, LinuxSyscall, PID1_RECORD};
pub use recording::RecordingSyscall;

use rustix::fs::{Gid, Uid};
pub use rustix::io::Errno;
pub use rustix::mount::MountFlags;
pub use rustix::thread::UnshareFlags;
use std::ffi::CStr;

pub trait Syscall {
    /// `unshare(2)` for the calling thread.
    fn unshare(&mut self, flags: UnshareFlags) -> Result<(), Errno>;
    /// Map root of the (new) user namespace to the caller's uid and gid
    /// (`uid_map`/`gid_map` contents), after denying `setgroups`, as an
    /// unprivileged process must.
    fn write_id_maps(&mut self, uid_map: &CStr, gid_map: &CStr) -> Result<(), Errno>;
    /// Fork, so that the child enters the PID namespace unshared before
    /// (and is its PID 1); the parent waits for it and exits with its
    /// status, never returning. The child dies with its parent.
    fn fork_into_pid_namespace(&mut self) -> Result<(), Errno>;
    /// Bring up `lo` in the current (new) network namespace.
    fn loopback_up(&mut self) -> Result<(), Errno>;
    /// Make every mount of the current namespace private (recursively), so
    /// that nothing mounted from here on propagates to the host.
    fn make_mounts_private(&mut self) -> Result<(), Errno>;
    /// Bind-mount the host directory `rootfs` onto itself (recursively), so
    /// that it is a mount point `pivot_root` accepts.
    fn bind_onto_itself(&mut self, rootfs: &CStr) -> Result<(), Errno>;
    /// Open `rootfs`: later paths are relative to it and resolved in it.
    fn open_root(&mut self, rootfs: &CStr) -> Result<(), Errno>;
    /// Mount a new `fstype` file system on `target`.
    fn mount(
        &mut self,
        fstype: &CStr,
        target: &CStr,
        flags: MountFlags,
        data: &CStr,
    ) -> Result<(), Errno>;
    /// Bind-mount the host path `source` onto `target`.
    fn bind(&mut self, source: &CStr, target: &CStr, recursive: bool) -> Result<(), Errno>;
    /// Make the bind mount on `target` read-only.
    fn remount_read_only(&mut self, target: &CStr) -> Result<(), Errno>;
    /// `mkdir` `name` in the directory `parent`.
    fn mkdir(&mut self, parent: &CStr, name: &CStr, mode: u32) -> Result<(), Errno>;
    /// Create the empty file `name` in `parent` (a bind-mount target).
    fn mkfile(&mut self, parent: &CStr, name: &CStr) -> Result<(), Errno>;
    /// Create the symbolic link `name` → `target` in `parent`.
    fn symlink(&mut self, parent: &CStr, name: &CStr, target: &CStr) -> Result<(), Errno>;
    fn sethostname(&mut self, name: &CStr) -> Result<(), Errno>;
    /// Make the opened rootfs `/` and the current directory, and detach
    /// the old root.
    fn pivot_root(&mut self) -> Result<(), Errno>;
    /// Remove capability number `cap` from the bounding set.
    fn drop_capability(&mut self, cap: u32) -> Result<(), Errno>;
    /// `chdir` to an absolute path of the (new) root.
    fn chdir(&mut self, path: &CStr) -> Result<(), Errno>;
    /// Supplementary groups, then gid, then uid (the order that keeps the
    /// right to change the next one).
    fn set_user(&mut self, uid: Uid, gid: Gid, groups: &[Gid]) -> Result<(), Errno>;
}
