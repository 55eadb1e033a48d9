//! Connecting to the guest: SSH settings from the config plus what the run
//! step chose (forwarded port, temporary key), the `build.*` values, and a
//! watch on qemu so that a VM that dies while SSH is awaited ends the wait
//! at once instead of after `ssh_timeout`.

use crate::error::{report, QemuError};
use crate::state::State;
use crate::vm::tail;
use kiln_communicator_ssh::{CommConfig, StepConnectSsh};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub struct StepConnect {
    pub comm: CommConfig,
    pub skip_nat_mapping: bool,
    /// Instead of `ssh_timeout` (a test's `boot_timeout`).
    timeout: Option<Duration>,
    inner: Option<StepConnectSsh>,
}

impl StepConnect {
    pub fn new(comm: CommConfig, skip_nat_mapping: bool) -> StepConnect {
        StepConnect {
            comm,
            skip_nat_mapping,
            timeout: None,
            inner: None,
        }
    }

    pub fn with_timeout(mut self, timeout: Option<Duration>) -> StepConnect {
        self.timeout = timeout;
        self
    }
}

/// Whether process `pid` has ended (gone, or a zombie waiting for us).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => true,
    }
}

impl Step<State> for StepConnect {
    fn name(&self) -> &str {
        "StepConnect"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let mut settings = self.comm.ssh_settings();
        if settings.host.is_empty() {
            settings.host = "127.0.0.1".into();
        }
        if let Some(t) = self.timeout {
            settings.timeout = t;
        }
        if !self.skip_nat_mapping {
            if let Some(port) = state.ssh_host_port {
                settings.port = port;
            }
        }
        if let Some(key) = &state.key_pair {
            settings.private_key = Some(key.private_openssh().to_owned());
        }
        state
            .generated
            .extend(kiln_communicator_ssh::step::generated(
                &settings,
                state.key_pair.as_ref(),
            ));
        let watch = ctx.cancel.child();
        let died = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = state.vm.as_ref().map(|c| {
            let (pid, watch, died, stop) = (c.id(), watch.clone(), died.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    if ended(pid) {
                        died.store(true, Ordering::SeqCst);
                        watch.cancel();
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            })
        });
        let wctx = BuildCtx {
            cancel: &watch,
            ..*ctx
        };
        let inner = self.inner.insert(StepConnectSsh::new(settings));
        let r = inner.run(state, &wctx);
        stop.store(true, Ordering::SeqCst);
        if let Some(w) = watcher {
            let _ = w.join();
        }
        if died.load(Ordering::SeqCst) && !ctx.cancel.is_cancelled() {
            let serial = tail(&state.work_dir.join("serial.log"), 15);
            let qemu = tail(&state.work_dir.join("qemu.log"), 10);
            return Err(report(ctx, QemuError::ExitedBeforeSsh { qemu, serial }));
        }
        if r.is_err() && !ctx.cancel.is_cancelled() {
            tracing::info!(serial = %tail(&state.work_dir.join("serial.log"), 30), "no SSH");
        }
        r
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        match &mut self.inner {
            Some(inner) => inner.cleanup(state, ctx),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reaped_or_zombie_process_has_ended() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        std::thread::sleep(Duration::from_millis(200));
        assert!(ended(pid), "a zombie has ended");
        child.wait().unwrap();
        assert!(ended(pid));
        assert!(!ended(std::process::id()));
    }
}
