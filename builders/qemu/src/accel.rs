//! The default accelerator: KVM only when a probe shows that a guest makes
//! progress under it, else TCG.
//!
//! `/dev/kvm` being there proves little: under nested virtualisation on
//! the CI machines KVM starts, runs SeaBIOS slowly (seconds) or not at
//! all, and hangs in GRUB right after "GRUB loading.". So the probe boots
//! a 512-byte boot sector through SeaBIOS that does what early boot code
//! does (real → 32-bit protected → real mode, a BIOS call) and then writes
//! to QEMU's `isa-debug-exit` port, which ends QEMU with exit code 3.
//! Anything else within [`PROBE_TIMEOUT`] (an error, a hang, a guest too
//! slow to be usable) means TCG. The probe runs in its own
//! process group and is killed and reaped when it overstays.

use crate::state::State;
use kiln_core::communicator::Output;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError, Cancel};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Under working KVM the probe finishes in well under a second (TCG takes
/// about 0.2 s). Nested KVM on the CI machines is erratic: the same probe
/// took 3.8 s, 7.4 s, or hung; and where it finished, GRUB then hung. A
/// tight limit errs towards TCG, which is slow but always finishes.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// `isa-debug-exit` turns the byte 1 written to its port into exit code
/// (1 << 1) | 1.
const PROBE_EXIT: i32 = 3;

/// The boot sector, assembled from `accel_probe.S` (GNU as, `.code16`,
/// linked at 0x7c00): cli; load a GDT; enter 32-bit protected mode; write
/// above 1 MiB; drop to a 16-bit segment; back to real mode; print "A"
/// through the BIOS; `out 0xf4, 1`; hlt.
const CODE: &[u8] = &[
    0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x7c, 0x0f, 0x01, 0x16, 0x88, 0x7c, 0x0f,
    0x20, 0xc0, 0x66, 0x83, 0xc8, 0x01, 0x0f, 0x22, 0xc0, 0xea, 0x1e, 0x7c, 0x08, 0x00, 0x66, 0xb8,
    0x10, 0x00, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0, 0xb8, 0x78, 0x56, 0x34, 0x12, 0xa3, 0x00, 0x00,
    0x10, 0x00, 0xea, 0x39, 0x7c, 0x00, 0x00, 0x18, 0x00, 0xb8, 0x20, 0x00, 0x8e, 0xd8, 0x0f, 0x20,
    0xc0, 0x66, 0x83, 0xe0, 0xfe, 0x0f, 0x22, 0xc0, 0xea, 0x4d, 0x7c, 0x00, 0x00, 0x31, 0xc0, 0x8e,
    0xd8, 0x8e, 0xd0, 0xfb, 0xb8, 0x41, 0x0e, 0xcd, 0x10, 0xb0, 0x01, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0x00, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0x8f, 0x00, 0x27, 0x00, 0x60, 0x7c, 0x00, 0x00,
];

/// The 512-byte sector: code, zero padding, the 0x55AA signature.
pub fn boot_sector() -> Vec<u8> {
    let mut s = CODE.to_vec();
    s.resize(510, 0);
    s.extend_from_slice(&[0x55, 0xaa]);
    s
}

struct Discard;
impl Output for Discard {
    fn stdout(&mut self, _: &[u8]) {}
    fn stderr(&mut self, _: &[u8]) {}
}

/// Whether `accel` runs the probe guest to its end in time. `dir` holds
/// the probe's disk for the duration of the call.
pub fn works(qemu_binary: &str, accel: &str, dir: &Path, cancel: &Cancel) -> bool {
    let disk = dir.join(format!("accel-probe-{accel}.img"));
    if std::fs::write(&disk, boot_sector()).is_err() {
        return false;
    }
    let mut cmd = Command::new(qemu_binary);
    cmd.args([
        "-machine",
        &format!("pc,accel={accel}"),
        "-m",
        "16",
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-drive",
        &format!("file={},format=raw,if=ide", disk.display()),
        "-device",
        "isa-debug-exit,iobase=0xf4,iosize=0x04",
    ]);
    let limit = cancel.with_timeout(PROBE_TIMEOUT);
    let code = kiln_core::process::run(&mut cmd, &mut Discard, &limit);
    let _ = std::fs::remove_file(&disk);
    tracing::info!(accel, result = ?code.as_ref().ok(), "accelerator probe");
    matches!(code, Ok(PROBE_EXIT))
}

/// `kvm` when it works, else `tcg`. Erratic nested KVM sometimes passes
/// one probe; it must pass two in a row (free on real KVM: well under a
/// second, while the disk is being copied).
pub fn detect(qemu_binary: &str, dir: &Path, cancel: &Cancel) -> &'static str {
    if Path::new("/dev/kvm").exists()
        && works(qemu_binary, "kvm", dir, cancel)
        && works(qemu_binary, "kvm", dir, cancel)
    {
        "kvm"
    } else {
        "tcg"
    }
}

/// Runs the probe on a thread of its own while the disk is being copied,
/// so that it costs no wall time; the run step takes the answer.
pub struct StepProbeAccelerator {
    pub qemu_binary: String,
}

impl Step<State> for StepProbeAccelerator {
    fn name(&self) -> &str {
        "StepProbeAccelerator"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let (binary, dir, cancel) = (
            self.qemu_binary.clone(),
            state.work_dir.clone(),
            ctx.cancel.clone(),
        );
        state.accel_probe = Some(std::thread::spawn(move || {
            detect(&binary, &dir, &cancel).to_owned()
        }));
        Ok(())
    }

    // The probe's qemu is bounded by PROBE_TIMEOUT; waiting for it here
    // means it never outlives the build.
    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(h) = state.accel_probe.take() {
            let _ = h.join();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_guest_ends_qemu_under_tcg() {
        // TCG always works: the probe itself must be a correct guest, or
        // KVM would never be chosen.
        let dir = tempfile::tempdir().unwrap();
        let started = std::time::Instant::now();
        assert!(
            works("qemu-system-x86_64", "tcg", dir.path(), &Cancel::new()),
            "qemu-system-x86_64 missing? run scripts/setup.sh"
        );
        assert!(started.elapsed() < PROBE_TIMEOUT);
        assert_eq!(boot_sector().len(), 512);
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }

    #[test]
    fn a_missing_accelerator_or_binary_is_not_chosen() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!works(
            "qemu-system-x86_64",
            "nosuchaccel",
            dir.path(),
            &Cancel::new()
        ));
        assert!(!works("no-such-qemu", "tcg", dir.path(), &Cancel::new()));
    }
}
