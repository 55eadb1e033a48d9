//! `output_directory`: must not exist unless `-force` (Packer's rule); made
//! at the start, removed again when the build does not finish.

use crate::error::QemuError;
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::path::PathBuf;

pub struct StepPrepareOutputDir {
    pub dir: PathBuf,
}

impl Step<State> for StepPrepareOutputDir {
    fn name(&self) -> &str {
        "StepPrepareOutputDir"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if self.dir.exists() {
            if !ctx.info.force {
                let e = QemuError::OutputExists(self.dir.clone());
                ctx.ui.error(&e.to_string());
                return Err(e.into());
            }
            ctx.ui.say("Deleting previous output directory...");
            std::fs::remove_dir_all(&self.dir)
                .map_err(|e| QemuError::io(format!("removing {}", self.dir.display()), e))?;
        }
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| QemuError::io(format!("creating {}", self.dir.display()), e))?;
        state.created_output = true;
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if !state.created_output || state.image.is_some() {
            return Ok(());
        }
        ctx.ui.say("Deleting output directory...");
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(QemuError::io(format!("removing {}", self.dir.display()), e).into()),
        }
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        if !state.created_output || state.image.is_some() {
            return Vec::new();
        }
        vec![format!("output directory {}", self.dir.display())]
    }
}
