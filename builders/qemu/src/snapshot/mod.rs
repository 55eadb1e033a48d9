//! The step cache for QEMU builds. After the communicator first connects
//! (step 0, the boot) and after each provisioner, the running VM is
//! snapshotted into a cache entry: its device and memory state and the
//! disk layer the step wrote (the chain base → boot → step 1 → …). A
//! rebuild finds the longest cached prefix, starts QEMU from that
//! snapshot (`-incoming`, the disk an overlay on the cached chain),
//! reconnects SSH and runs the first changed provisioner: no boot. The
//! output is converted from the final chain, as a cold build's is.
//!
//! Builds whose machine has state outside the disk and the VM (EFI
//! variables, a vTPM, extra disks, a bridged NIC, `qemuargs` attaching
//! writable storage) or that keep a backing file (`use_backing_file`)
//! are not cached, and say why.

mod entry;
mod feed;
mod machine;
mod pending;
mod plan;
mod provision;
mod stream;

pub use feed::Feed;
pub use machine::finish_incoming;
pub use pending::Pending;
pub use plan::StepPlanCache;
pub use provision::StepProvisionSnapshots;

use crate::error::QemuError;
use crate::state::State;
use crate::tool;
use kiln_core::step_cache::Hit;
use kiln_core::Cancel;
use std::path::PathBuf;

/// A rebuild resuming from the snapshot after step `upto`.
pub struct Resume {
    pub upto: usize,
    pub hit: Hit,
}

impl Resume {
    pub fn disk(&self) -> PathBuf {
        self.hit.dir.join(entry::DISK)
    }

    pub fn state_file(&self) -> PathBuf {
        self.hit.dir.join(entry::STATE)
    }
}

/// Whether the saved state is one QEMU could load (checked before QEMU
/// is started on it).
pub fn check_state(r: &Resume) -> Result<(), QemuError> {
    stream::check(&r.state_file())
}

/// The work disk of a resumed build: a new overlay on the cached chain.
pub fn overlay_on_cache(state: &State, r: &Resume, cancel: &Cancel) -> Result<(), QemuError> {
    let backing =
        std::path::absolute(r.disk()).map_err(|e| QemuError::io("resolving the cached disk", e))?;
    tool::run(
        "qemu-img",
        &tool::args([
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            "qcow2",
            "-b",
            &backing.display().to_string(),
            &state.work_disk.display().to_string(),
        ]),
        cancel,
    )?;
    Ok(())
}

/// After a restore, the guest's clock is where it was when the snapshot
/// was taken: set it to now (as root, or through `sudo -n`), best effort.
pub fn set_guest_clock(state: &State, ui: &dyn kiln_core::Ui, cancel: &Cancel) {
    let Some(ssh) = state.ssh.as_ref() else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let cmd =
        format!("date -u -s @{now} >/dev/null 2>&1 || sudo -n date -u -s @{now} >/dev/null 2>&1");
    let ok = kiln_core::Communicator::exec(ssh, &cmd, &mut Discard, cancel).is_ok_and(|c| c == 0);
    if !ok {
        ui.message("Could not set the restored guest's clock (not root, no sudo): it runs behind until NTP corrects it");
    }
}

struct Discard;

impl kiln_core::communicator::Output for Discard {
    fn stdout(&mut self, _: &[u8]) {}
    fn stderr(&mut self, _: &[u8]) {}
}
