//! Shutting the guest down: `shutdown_command` over SSH; without one,
//! `sync; poweroff` over SSH when it is connected (minimal images ignore
//! the ACPI button), else or when that fails an ACPI power-down through
//! QMP. Then up to `shutdown_timeout` (counted from the request) for qemu
//! to exit; a hard stop (the process group killed) only when that time is
//! up, which fails the build as Packer does, since the disk may be
//! inconsistent, with a hint naming `shutdown_command`.

use crate::error::{report, QemuError};
use crate::power::{self, Sent};
use crate::state::State;
use crate::vm::vm_exited;
use kiln_communicator_ssh::SshComm;
use kiln_core::communicator::{CommError, Output};
use kiln_core::duration::go_duration;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError, Communicator, UiLines};
use std::time::{Duration, Instant};

pub struct StepShutdown {
    pub command: Option<String>,
    pub timeout: Duration,
}

/// How the guest was asked to stop (for the timeout's hint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    ShutdownCommand,
    Poweroff,
    Acpi,
}

impl StepShutdown {
    fn request(
        &self,
        state: &State,
        ctx: &BuildCtx<'_>,
        deadline: Instant,
    ) -> Result<Asked, BuildError> {
        if let Some(cmd) = &self.command {
            ctx.ui.say("Gracefully halting virtual machine...");
            tracing::info!(command = %cmd, "executing shutdown command");
            if let Some(comm) = &state.ssh {
                let mut out = UiLines::new(ctx.ui);
                let r = comm.exec(cmd, &mut out as &mut dyn Output, ctx.cancel);
                out.flush();
                match r {
                    // The guest going away mid-command is the point.
                    Ok(_) | Err(CommError::Disconnected) => {}
                    Err(CommError::Cancelled) => return Err(BuildError::Cancelled),
                    Err(e) => return Err(report(ctx, QemuError::ShutdownCommand(e))),
                }
            }
            return Ok(Asked::ShutdownCommand);
        }
        if let Some(comm) = &state.ssh {
            match self.poweroff(comm, ctx, deadline) {
                Sent::PoweringOff => return Ok(Asked::Poweroff),
                Sent::Cancelled => return Err(BuildError::Cancelled),
                // Out of time already: the wait below fails with the hint.
                Sent::Refused(_) if Instant::now() >= deadline => return Ok(Asked::Poweroff),
                Sent::Refused(why) => ctx.ui.say(&format!(
                    "Powering off over SSH failed ({why}): falling back to an ACPI power-down"
                )),
            }
        } else {
            ctx.ui
                .say("Halting the virtual machine with an ACPI power-down...");
        }
        let Some(socket) = state.qmp_socket.clone() else {
            return Err(QemuError::MissingState {
                step: "StepShutdown",
                what: "QMP socket",
            }
            .into());
        };
        power::acpi_powerdown(&socket, ctx.cancel)
            .map_err(|e| report(ctx, QemuError::AcpiPowerdown(e)))?;
        Ok(Asked::Acpi)
    }

    /// `sync; poweroff` through the communicator, within the deadline.
    fn poweroff(&self, comm: &SshComm, ctx: &BuildCtx<'_>, deadline: Instant) -> Sent {
        let cancel = ctx
            .cancel
            .with_timeout(deadline.saturating_duration_since(Instant::now()));
        let root = power::is_root(comm, &comm.settings().username, &cancel);
        let cmd = power::poweroff_command(root);
        ctx.ui.say(&format!(
            "No shutdown_command: powering off the guest over SSH ({cmd})"
        ));
        let mut out = UiLines::new(ctx.ui);
        let r = comm.exec(cmd, &mut out as &mut dyn Output, &cancel);
        out.flush();
        if ctx.cancel.is_cancelled() {
            return Sent::Cancelled;
        }
        power::outcome(r)
    }

    fn timeout_hint(&self, asked: Asked) -> String {
        let t = go_duration(self.timeout);
        match asked {
            Asked::ShutdownCommand => format!(
                "The guest did not stop within shutdown_timeout ({t}) after shutdown_command: check that it powers the machine off, or raise shutdown_timeout."
            ),
            Asked::Poweroff => format!(
                "The guest did not power off within shutdown_timeout ({t}) after `sync; poweroff` over SSH: set shutdown_command to a command that halts it, or raise shutdown_timeout."
            ),
            Asked::Acpi => format!(
                "The guest ignored the ACPI power-down for shutdown_timeout ({t}) (images without systemd-logind or acpid do): set shutdown_command, for example \"sudo shutdown -P now\"."
            ),
        }
    }
}

impl Step<State> for StepShutdown {
    fn name(&self) -> &str {
        "StepShutdown"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let deadline = Instant::now() + self.timeout;
        let asked = self.request(state, ctx, deadline)?;
        // The session is of no use once the guest goes down.
        state.ssh = None;
        while !vm_exited(state) {
            if Instant::now() >= deadline {
                if let Some(mut child) = state.vm.take() {
                    kiln_core::process::kill_group(&mut child);
                }
                let e = QemuError::ShutdownTimeout {
                    hint: self.timeout_hint(asked),
                };
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
        let err = step
            .run(&mut state, &ctx)
            .expect_err("an error")
            .to_string();
        assert_eq!(
            err,
            "Timeout while waiting for machine to shut down. The guest ignored the ACPI power-down for shutdown_timeout (1.5s) (images without systemd-logind or acpid do): set shutdown_command, for example \"sudo shutdown -P now\"."
        );
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
