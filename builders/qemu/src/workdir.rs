//! The build's private scratch directory (under `TMPDIR`): QMP socket,
//! seed ISO, serial console log, qemu's own output. Short paths matter
//! here: a unix socket path must fit in 108 bytes.

use crate::error::QemuError;
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

#[derive(Default)]
pub struct StepWorkDir;

impl Step<State> for StepWorkDir {
    fn name(&self) -> &str {
        "StepWorkDir"
    }

    fn run(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        // Named for this process: a later run removes it if kiln is killed.
        let dir = kiln_core::tempdir::owned("qemu")
            .map_err(|e| QemuError::io("creating a temporary directory", e))?;
        state.work_dir = dir.keep();
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if state.work_dir.as_os_str().is_empty() {
            return Ok(());
        }
        match std::fs::remove_dir_all(&state.work_dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => {
                Err(QemuError::io(format!("removing {}", state.work_dir.display()), e).into())
            }
        }
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        if state.work_dir.as_os_str().is_empty() {
            return Vec::new();
        }
        vec![format!(
            "directory {} (QMP socket, seed, logs)",
            state.work_dir.display()
        )]
    }
}
