//! Starting the VM: accelerator, forwarded SSH port, VNC port, QMP socket,
//! then qemu in its own process group, watched for an early exit (another
//! process can take the chosen port between the check and qemu's bind:
//! then the step picks another one). The cleanup kills and reaps the
//! whole group.

use crate::args::{command_line, Runtime};
use crate::config::Settings;
use crate::error::QemuError;
use crate::ports::free_port;
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long qemu is watched for an early exit (a port lost to a race, a
/// bad argument) before the VM counts as started.
const STARTUP_WATCH: Duration = Duration::from_millis(400);
const PORT_ATTEMPTS: usize = 5;

pub struct StepRun {
    pub settings: Settings,
    /// Forward a host port to the guest's SSH port (SSH and no
    /// `skip_nat_mapping`).
    pub forward_ssh: bool,
    pub guest_port: u16,
}

impl StepRun {
    fn runtime(&self, state: &State) -> Runtime {
        let s = &self.settings;
        let (bios, pflash) = firmware_args(s, &state.work_dir);
        Runtime {
            accelerator: state.accelerator.clone(),
            disk: state.work_disk.clone(),
            additional_disks: state.additional_disks.clone(),
            iso: if s.disk_image {
                None
            } else {
                state.source_path.clone()
            },
            cd: state.cd_path.clone(),
            floppy: state.floppy_path.clone(),
            ssh_host_port: state.ssh_host_port,
            guest_port: self.guest_port,
            vnc_port: state.vnc_port,
            no_window: state.no_window,
            qmp_socket: state.qmp_socket.clone(),
            serial_log: Some(state.work_dir.join("serial.log")),
            http_ip: state.http_ip.clone(),
            http_port: state.http_port,
            bios,
            pflash,
            vtpm_socket: state.vtpm_socket.clone(),
            incoming: state.incoming.as_ref().map(crate::snapshot::Feed::uri),
        }
    }

    fn launch(&self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), QemuError> {
        let s = &self.settings;
        if state.accelerator.is_empty() {
            state.accelerator = match &s.accelerator {
                Some(a) => a.clone(),
                None => match state.accel_probe.take().map(|h| h.join()) {
                    Some(Ok(found)) => found,
                    _ => crate::accel::detect(&s.qemu_binary, &state.work_dir, ctx.cancel).into(),
                },
            };
            tracing::info!(accelerator = %state.accelerator, "accelerator");
        }
        if state.qmp_socket.is_none() {
            state.qmp_socket = Some(
                s.qmp_socket_path
                    .clone()
                    .unwrap_or_else(|| state.work_dir.join("qmp.sock")),
            );
        }
        if self.forward_ssh {
            let port = free_port("127.0.0.1", s.host_port_min, s.host_port_max, "SSH")?;
            state.ssh_host_port = Some(port);
            ctx.ui.say(&format!(
                "Found port for communicator (SSH, WinRM, etc): {port}."
            ));
        }
        if !s.disable_vnc {
            ctx.ui.say(&format!(
                "Looking for available port between {} and {} on {}",
                s.vnc_port_min, s.vnc_port_max, s.vnc_bind_address
            ));
            state.vnc_port = Some(free_port(
                &s.vnc_bind_address,
                s.vnc_port_min,
                s.vnc_port_max,
                "VNC",
            )?);
        }
        ctx.ui.say(if s.disk_image {
            "Starting VM, booting disk image"
        } else {
            "Starting VM, booting from CD-ROM"
        });
        state.no_window = crate::display::headless_fallback(s, ctx.ui, ctx.cancel);
        let vnc_password = match state.vnc_port {
            Some(_) => crate::vnc_password::password(s)
                .map_err(|e| QemuError::VncPassword(e.to_string()))?,
            None => None,
        };
        if s.headless || state.no_window {
            if let Some(port) = state.vnc_port {
                ctx.ui.message(&crate::display::vnc_hint(
                    &s.vnc_bind_address,
                    port,
                    vnc_password.as_deref(),
                ));
            }
        }
        if !s.qemuargs.is_empty() {
            ctx.ui
                .say("Overriding default Qemu arguments with qemuargs template option...");
        }
        let mut last = None;
        for attempt in 0..PORT_ATTEMPTS {
            if self.forward_ssh && attempt > 0 {
                let port = free_port("127.0.0.1", s.host_port_min, s.host_port_max, "SSH")?;
                tracing::info!(port, "the SSH port was taken meanwhile; trying another");
                state.ssh_host_port = Some(port);
            }
            match self.start_once(state, ctx) {
                Ok(()) => return set_vnc_password(state, vnc_password.as_deref(), ctx),
                Err(e @ QemuError::QemuExited { .. }) if lost_port_race(&e) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(QemuError::NoFreePort {
            what: "SSH",
            min: s.host_port_min,
            max: s.host_port_max,
        }))
    }

    fn start_once(&self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), QemuError> {
        let s = &self.settings;
        let args = command_line(s, &self.runtime(state))?;
        let log_path = state.work_dir.join("qemu.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| QemuError::io(format!("creating {}", log_path.display()), e))?;
        let log2 = log
            .try_clone()
            .map_err(|e| QemuError::io("duplicating the qemu log", e))?;
        let mut cmd = Command::new(&s.qemu_binary);
        cmd.args(&args)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        tracing::info!(command = ?cmd, "starting qemu");
        let child = kiln_core::process::spawn(&mut cmd).map_err(|source| {
            QemuError::Process(kiln_core::process::ProcessError::Spawn {
                program: s.qemu_binary.clone(),
                source,
            })
        })?;
        // Registered at once: from here on the cleanup kills it.
        state.vm = Some(child);
        let started = Instant::now();
        while started.elapsed() < STARTUP_WATCH {
            let exited = match state.vm.as_mut().map(|c| c.try_wait()) {
                Some(Ok(Some(status))) => Some(kiln_core::process::exit_code(status)),
                _ => None,
            };
            if let Some(code) = exited {
                state.vm = None;
                return Err(QemuError::QemuExited {
                    code,
                    stderr: tail(&log_path, 20),
                });
            }
            if ctx.cancel.sleep(Duration::from_millis(50)).is_err() {
                return Ok(());
            }
        }
        Ok(())
    }
}

impl StepRun {
    /// Wait for the snapshot's state to load, then let the guest run.
    fn finish_restore(&self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), QemuError> {
        if crate::vm::vm_exited(state) {
            return Err(QemuError::Snapshot(format!(
                "qemu exited: {}",
                tail(&state.work_dir.join("qemu.log"), 5)
            )));
        }
        let socket = state
            .qmp_socket
            .clone()
            .ok_or_else(|| QemuError::Snapshot("no QMP socket".into()))?;
        let mut qmp = crate::qmp::Qmp::connect(&socket, Duration::from_secs(60), ctx.cancel)
            .map_err(QemuError::QmpConnect)?;
        crate::snapshot::finish_incoming(&mut qmp, ctx.cancel).map_err(|e| {
            match crate::vm::vm_exited(state) {
                true => QemuError::Snapshot(format!(
                    "{e}; qemu: {}",
                    tail(&state.work_dir.join("qemu.log"), 5)
                )),
                false => e,
            }
        })?;
        match state.incoming.take() {
            Some(feed) => feed.finish(),
            None => Ok(()),
        }
    }
}

/// `vnc_use_password`: the display stays locked until QMP sets this.
fn set_vnc_password(
    state: &State,
    password: Option<&str>,
    ctx: &BuildCtx<'_>,
) -> Result<(), QemuError> {
    let (Some(password), Some(socket)) = (password, state.qmp_socket.as_ref()) else {
        return Ok(());
    };
    let mut qmp = crate::qmp::Qmp::connect(socket, Duration::from_secs(30), ctx.cancel)
        .map_err(QemuError::QmpConnect)?;
    crate::vnc_password::set(&mut qmp, password).map_err(|e| QemuError::VncPassword(e.to_string()))
}

fn lost_port_race(e: &QemuError) -> bool {
    matches!(e, QemuError::QemuExited { stderr, .. } if stderr.contains("host forwarding"))
}

/// The last `n` lines of a file (qemu's output, the serial console).
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// `-bios` for `firmware` (a read-only pflash drive with `use_pflash`);
/// OVMF's pflash pair for `efi_boot`, with the variable store copied into
/// the work directory (the VM writes to it).
fn firmware_args(s: &Settings, work_dir: &Path) -> (Option<String>, Vec<String>) {
    if !s.efi_boot {
        return match (&s.firmware, s.use_pflash) {
            (Some(f), true) => (None, crate::firmware::pflash_drives(Path::new(f), None)),
            (f, _) => (f.clone(), Vec::new()),
        };
    }
    let code = s
        .efi_firmware_code
        .clone()
        .map(PathBuf::from)
        .or_else(|| s.firmware.clone().map(PathBuf::from))
        .or_else(crate::firmware::ovmf_code);
    let Some(code) = code else {
        return (None, Vec::new());
    };
    let vars = if s.efi_drop_efivars {
        None
    } else {
        s.efi_firmware_vars
            .clone()
            .map(PathBuf::from)
            .or_else(crate::firmware::ovmf_vars)
            .and_then(|v| {
                let copy = work_dir.join("efivars.fd");
                std::fs::copy(&v, &copy).ok().map(|_| copy)
            })
    };
    (None, crate::firmware::pflash_drives(&code, vars.as_deref()))
}

impl Step<State> for StepRun {
    fn name(&self) -> &str {
        "stepRun"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(r) = &state.resume {
            ctx.ui.say(&format!(
                "Starting VM from the step cache's snapshot after step {}",
                r.upto
            ));
            let zst = r.state_file();
            let restored = crate::snapshot::check_state(r)
                .and_then(|()| {
                    let feed = crate::snapshot::Feed::start(&zst, &state.work_dir, ctx.cancel)?;
                    state.incoming = Some(feed);
                    self.launch(state, ctx)
                })
                .and_then(|()| self.finish_restore(state, ctx));
            match restored {
                Ok(()) => {
                    state.resumed = true;
                    return Ok(());
                }
                Err(e) if !ctx.cancel.is_cancelled() => {
                    ctx.ui.message(&format!(
                        "Step cache: the snapshot cannot be restored ({e}): building from scratch"
                    ));
                    self.cleanup(state, ctx)?;
                    state.incoming = None;
                    // Entries that do not load would only fail the next
                    // build too.
                    if let (Some(c), Some(r)) = (&state.cache, state.resume.take()) {
                        for i in 0..=r.upto {
                            c.discard(i);
                        }
                    }
                    crate::disk::StepDisks {
                        settings: self.settings.clone(),
                    }
                    .make_cold(state, ctx)
                    .map_err(|e| {
                        ctx.ui.error(&e.to_string());
                        BuildError::from(e)
                    })?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.launch(state, ctx).map_err(|e| {
            ctx.ui.error(&format!("Error launching VM: {e}"));
            e.into()
        })
    }

    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(mut child) = state.vm.take() {
            // An exited child is reaped by try_wait; its pid (and group id)
            // may belong to someone else by now, so only a live one is
            // signalled.
            if let Ok(None) = child.try_wait() {
                tracing::info!(pid = child.id(), "stopping qemu");
                kiln_core::process::kill_group(&mut child);
            }
        }
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        state
            .vm
            .iter()
            .map(|c| format!("qemu process {} (process group {})", c.id(), c.id()))
            .collect()
    }
}

/// Whether the VM's process has ended (it is reaped when it has).
pub fn vm_exited(state: &mut State) -> bool {
    match state.vm.as_mut().map(|c| c.try_wait()) {
        None | Some(Ok(Some(_))) | Some(Err(_)) => true,
        Some(Ok(None)) => false,
    }
}

#[cfg(test)]
mod firmware_tests {
    use super::*;
    use crate::config::QemuConfig;

    #[test]
    fn use_pflash_puts_the_firmware_on_a_pflash_drive() {
        let s = QemuConfig {
            firmware: Some("/fw/bios.bin".into()),
            ..QemuConfig::default()
        }
        .settings("x");
        let dir = Path::new("/nonexistent");
        assert_eq!(
            firmware_args(&s, dir),
            (Some("/fw/bios.bin".to_owned()), Vec::new())
        );
        let s = QemuConfig {
            firmware: Some("/fw/bios.bin".into()),
            use_pflash: Some(true),
            ..QemuConfig::default()
        }
        .settings("x");
        assert_eq!(
            firmware_args(&s, dir),
            (
                None,
                vec!["file=/fw/bios.bin,if=pflash,unit=0,format=raw,readonly=on".to_owned()]
            )
        );
    }
}
