//! Shutting the guest down: `shutdown_command` over SSH, else an ACPI
//! power-down through QMP; then up to `shutdown_timeout` for qemu to exit;
//! a hard stop (the process group killed) only when that time is up, which
//! fails the build as Packer does, since the disk may be inconsistent.

use crate::error::QemuError;
use crate::state::State;
use crate::vm::vm_exited;
use kiln_core::communicator::Output;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError, Communicator, UiLines};
use std::time::{Duration, Instant};

pub struct StepShutdown {
    pub command: Option<String>,
    pub timeout: Duration,
}

impl StepShutdown {
    fn request(&self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(cmd) = &self.command {
            ctx.ui.say("Gracefully halting virtual machine...");
            tracing::info!(command = %cmd, "executing shutdown command");
            if let Some(comm) = &state.ssh {
                let mut out = UiLines::new(ctx.ui);
                let r = comm.exec(cmd, &mut out as &mut dyn Output, ctx.cancel);
                out.flush();
                match r {
                    // The guest going away mid-command is the point.
                    Ok(_) | Err(kiln_core::communicator::CommError::Disconnected) => {}
                    Err(kiln_core::communicator::CommError::Cancelled) => {
                        return Err(BuildError::Cancelled)
                    }
                    Err(e) => {
                        let msg = format!("Failed to send shutdown command: {e}");
                        ctx.ui.error(&msg);
                        return Err(BuildError::msg(msg));
                    }
                }
            }
            return Ok(());
        }
        ctx.ui
            .say("Halting the virtual machine with an ACPI power-down...");
        let Some(socket) = state.qmp_socket.clone() else {
            return Err(BuildError::msg("no QMP socket for the ACPI power-down"));
        };
        crate::power::acpi_powerdown(&socket, ctx.cancel).map_err(|e| {
            let msg = format!("Failed to send the ACPI power-down: {e}");
            ctx.ui.error(&msg);
            BuildError::msg(msg)
        })
    }
}

impl Step<State> for StepShutdown {
    fn name(&self) -> &str {
        "StepShutdown"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        self.request(state, ctx)?;
        // The session is of no use once the guest goes down.
        state.ssh = None;
        let deadline = Instant::now() + self.timeout;
        while !vm_exited(state) {
            if Instant::now() >= deadline {
                if let Some(mut child) = state.vm.take() {
                    kiln_core::process::kill_group(&mut child);
                }
                let e = QemuError::ShutdownTimeout;
                ctx.ui.error(&e.to_string());
                return Err(e.into());
            }
            ctx.cancel
                .sleep(Duration::from_millis(50))
                .map_err(|r| BuildError::from_reason(r, None))?;
        }
        state.vm = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guest_that_ignores_the_power_button_is_stopped_and_fails_the_build() {
        // No OS: nothing answers the ACPI power button, so the timeout
        // passes and the hard stop follows.
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("qmp.sock");
        let child = crate::test_vm::bare_qemu(&socket, &[]);
        let pid = child.id();
        let mut state = State {
            vm: Some(child),
            qmp_socket: Some(socket),
            ..State::default()
        };
        let t = kiln_core::StepTestCtx::default();
        let ctx = t.ctx();
        let mut step = StepShutdown {
            command: None,
            timeout: Duration::from_millis(1500),
        };
        let err = step.run(&mut state, &ctx).unwrap_err().to_string();
        assert_eq!(err, "Timeout while waiting for machine to shut down.");
        assert_eq!(
            t.ui.of("say"),
            ["Halting the virtual machine with an ACPI power-down..."]
        );
        assert!(state.vm.is_none());
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        assert!(
            stat.is_empty() || stat.contains(") Z "),
            "qemu still runs: {stat}"
        );
    }
}
