//! The test stage's disks: a qcow2 overlay on each disk of the artifact,
//! in the test's own work directory. qemu opens the artifact read-only
//! as the backing file, so its bytes and digest stay as they were; the
//! overlays go with the work directory.

use crate::disk::image_format;
use crate::error::QemuError;
use crate::state::State;
use crate::tool;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError, Cancel};
use std::path::{Path, PathBuf};

pub struct StepTestOverlay {
    /// The artifact's disks: the first disk, then the additional ones.
    pub disks: Vec<PathBuf>,
}

fn overlay(disk: &Path, at: &Path, cancel: &Cancel) -> Result<(), QemuError> {
    let abs = std::fs::canonicalize(disk)
        .map_err(|e| QemuError::io(format!("opening the artifact {}", disk.display()), e))?;
    let format = image_format(&abs, cancel)?;
    tool::run(
        "qemu-img",
        &tool::args([
            "create",
            "-f",
            "qcow2",
            "-b",
            &abs.display().to_string(),
            "-F",
            &format,
            &at.display().to_string(),
        ]),
        cancel,
    )?;
    Ok(())
}

impl Step<State> for StepTestOverlay {
    fn name(&self) -> &str {
        "StepTestOverlay"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some((first, rest)) = self.disks.split_first() else {
            return Err(QemuError::MissingState {
                step: "StepTestOverlay",
                what: "disk in the artifact",
            }
            .into());
        };
        ctx.ui.say(&format!(
            "Creating a throw-away overlay of {} for the test...",
            first.display()
        ));
        state.work_disk = state.work_dir.join("test-disk.qcow2");
        overlay(first, &state.work_disk, ctx.cancel)?;
        for (i, disk) in rest.iter().enumerate() {
            let at = state.work_dir.join(format!("test-disk-{}.qcow2", i + 1));
            overlay(disk, &at, ctx.cancel)?;
            state.additional_disks.push(at);
        }
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let disks = std::iter::once(std::mem::take(&mut state.work_disk))
            .chain(std::mem::take(&mut state.additional_disks));
        for disk in disks.filter(|d| !d.as_os_str().is_empty()) {
            match std::fs::remove_file(&disk) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(QemuError::io(format!("removing {}", disk.display()), e).into())
                }
            }
        }
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        std::iter::once(&state.work_disk)
            .chain(&state.additional_disks)
            .filter(|d| !d.as_os_str().is_empty())
            .map(|d| format!("test overlay {}", d.display()))
            .collect()
    }
}
