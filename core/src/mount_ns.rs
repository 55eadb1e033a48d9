//! kiln's own mount namespace. A mount kiln makes for a build (the oci
//! builder's overlay root filesystem) must go when kiln goes, even on a
//! SIGKILL, which runs no cleanup: in a private mount namespace it does,
//! since the namespace ends with its last process. [`enter_private`] is
//! called first thing in `main`, while the process has one thread (a
//! mount namespace is a per-thread attribute). Mounts of the host still
//! propagate in (the namespace is a slave of the host's), none go out.

use std::sync::atomic::{AtomicBool, Ordering};

static PRIVATE: AtomicBool = AtomicBool::new(false);

/// Move this process into a mount namespace of its own; whether it is in
/// one now. Needs `CAP_SYS_ADMIN`; without it nothing changes.
pub fn enter_private() -> bool {
    use rustix::mount::{mount_change, MountPropagationFlags};
    use rustix::thread::UnshareFlags;
    // SAFETY: only CLONE_NEWNS, never CLONE_FILES (the flag that would let
    // threads see different descriptor tables); called while single-threaded.
    #[allow(unsafe_code)]
    let unshared = unsafe { rustix::thread::unshare_unsafe(UnshareFlags::NEWNS) };
    if unshared.is_err() {
        return false;
    }
    // Without this, mounts made here would propagate back to the host
    // where `/` is shared (systemd's default).
    if mount_change(
        "/",
        MountPropagationFlags::DOWNSTREAM | MountPropagationFlags::REC,
    )
    .is_err()
    {
        return false;
    }
    PRIVATE.store(true, Ordering::SeqCst);
    true
}

/// Whether [`enter_private`] succeeded: mounts made now end with kiln.
pub fn is_private() -> bool {
    PRIVATE.load(Ordering::SeqCst)
}
