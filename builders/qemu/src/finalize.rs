//! The image: compacted (`qemu-img convert` drops unused clusters) and
//! optionally compressed into a temporary name beside it, then renamed to
//! `vm_name` in the output directory, and its sha256 taken.

use crate::config::Settings;
use crate::error::QemuError;
use crate::state::State;
use crate::tool;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepFinalizeDisk {
    pub settings: Settings,
}

impl StepFinalizeDisk {
    fn finalize(&self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), QemuError> {
        let s = &self.settings;
        let target = s.disk_path();
        // A disk made of snapshot layers (the step cache) is always
        // converted: its layers are temporary.
        let layered = state.resumed || !state.chain.is_empty();
        if layered && s.skip_compaction && !s.disk_compression {
            ctx.ui.message(
                "The disk is made of step-cache layers: converting it despite skip_compaction",
            );
        }
        if !s.skip_compaction || s.disk_compression || layered {
            ctx.ui.say("Converting hard drive...");
            let tmp = s.output_dir.join(format!(".{}.kiln-convert", s.vm_name));
            let mut args = tool::args(["convert"]);
            if s.disk_compression {
                // Compression is CPU-bound: coroutines writing out of order
                // keep every core busy (a quarter faster on two cores).
                args.extend(tool::args(["-c", "-W", "-m", "8"]));
            }
            args.extend(s.img_args.convert.iter().flatten().cloned());
            args.extend(tool::args([
                "-O",
                &s.format,
                &state.work_disk.display().to_string(),
                &tmp.display().to_string(),
            ]));
            let r = tool::run("qemu-img", &args, ctx.cancel);
            if let Err(e) = r {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
            std::fs::rename(&tmp, &target)
                .map_err(|e| QemuError::io("Error moving converted hard drive", e))?;
            let _ = std::fs::remove_file(&state.work_disk);
            // The layers under it (`state.chain`) go in the provisioning
            // step's cleanup, after the step cache's last save has read
            // the one it froze.
        } else {
            std::fs::rename(&state.work_disk, &target)
                .map_err(|e| QemuError::io("Error moving hard drive into place", e))?;
        }
        let sum = crate::source::sha256(&target, ctx.cancel)?;
        state.image = Some((target, sum));
        Ok(())
    }
}

impl Step<State> for StepFinalizeDisk {
    fn name(&self) -> &str {
        "stepConvertDisk"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        self.finalize(state, ctx).map_err(|e| {
            ctx.ui.error(&format!("Error converting hard drive: {e}"));
            e.into()
        })
    }
}
