//! `vtpm`: an emulated TPM for the VM, served by `swtpm` (Debian package
//! `swtpm`) on a control socket in the work directory, which qemu's
//! `-tpmdev emulator` connects to (`args.rs`). TPM 2.0 unless `use_tpm1`.
//!
//! swtpm runs with `--terminate`, so it also ends when qemu closes the
//! socket; the step's cleanup kills it in any case.

use crate::error::{report, QemuError};
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// swtpm creates its socket at once; this only bounds a broken install.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(10);

/// swtpm's arguments for a state directory and control socket.
pub fn swtpm_args(state_dir: &Path, socket: &Path, use_tpm1: bool) -> Vec<String> {
    let mut args = vec![
        "socket".to_owned(),
        "--tpmstate".to_owned(),
        format!("dir={}", state_dir.display()),
        "--ctrl".to_owned(),
        format!("type=unixio,path={}", socket.display()),
        "--terminate".to_owned(),
    ];
    if !use_tpm1 {
        args.push("--tpm2".to_owned());
    }
    args
}

pub struct StepCreateVtpm {
    pub use_tpm1: bool,
    child: Option<Child>,
}

impl StepCreateVtpm {
    pub fn new(use_tpm1: bool) -> StepCreateVtpm {
        StepCreateVtpm {
            use_tpm1,
            child: None,
        }
    }

    fn start(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<PathBuf, BuildError> {
        let fail = |e: QemuError| report(ctx, e);
        let dir = state.work_dir.join("vtpm");
        std::fs::create_dir_all(&dir)
            .map_err(|e| fail(QemuError::io("vtpm state directory", e)))?;
        let socket = dir.join("vtpm.sock");
        let log = std::fs::File::create(dir.join("swtpm.log"))
            .map_err(|e| fail(QemuError::io("swtpm log", e)))?;
        let log_err = log
            .try_clone()
            .map_err(|e| fail(QemuError::io("swtpm log", e)))?;
        let child = Command::new("swtpm")
            .args(swtpm_args(&dir, &socket, self.use_tpm1))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| {
                fail(QemuError::Vtpm(format!(
                    "cannot run swtpm (Debian package swtpm): {e}"
                )))
            })?;
        self.child = Some(child);
        let deadline = Instant::now() + SOCKET_TIMEOUT;
        while !socket.exists() {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    let out = std::fs::read_to_string(dir.join("swtpm.log")).unwrap_or_default();
                    return Err(fail(QemuError::Tool {
                        tool: "swtpm".into(),
                        code: status.code().unwrap_or(-1),
                        stderr: out.trim().to_owned(),
                    }));
                }
            }
            if Instant::now() > deadline {
                return Err(fail(QemuError::Vtpm(format!(
                    "swtpm did not create {} within {}s",
                    socket.display(),
                    SOCKET_TIMEOUT.as_secs()
                ))));
            }
            ctx.cancel
                .sleep(Duration::from_millis(50))
                .map_err(|r| BuildError::from_reason(r, None))?;
        }
        Ok(socket)
    }
}

impl Step<State> for StepCreateVtpm {
    fn name(&self) -> &str {
        "stepCreatevTPM"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        ctx.ui.say("Starting the emulated TPM (swtpm)...");
        let socket = self.start(state, ctx)?;
        state.vtpm_socket = Some(socket);
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        state.vtpm_socket = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swtpm_command_line() {
        let a = swtpm_args(Path::new("/w/vtpm"), Path::new("/w/vtpm/vtpm.sock"), false);
        assert_eq!(
            a.join(" "),
            "socket --tpmstate dir=/w/vtpm --ctrl type=unixio,path=/w/vtpm/vtpm.sock --terminate --tpm2"
        );
        let a = swtpm_args(Path::new("/d"), Path::new("/d/s"), true);
        assert!(!a.contains(&"--tpm2".to_owned()), "TPM 1.2: {a:?}");
    }
}
