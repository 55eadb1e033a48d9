//! Before the launch: key the boot, and when the step cache holds an
//! intermediate AMI for a prefix of this build's provisioners that is
//! still there, launch from it instead of the source AMI (the
//! `SourceAMI` values stay the source's).

use super::inputs::boot_inputs;
use super::intermediate::{live, load};
use crate::config::AmazonConfig;
use crate::error::fail;
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepResumeFromCache {
    pub config: AmazonConfig,
}

impl Step<State> for StepResumeFromCache {
    fn name(&self) -> &str {
        "StepResumeFromCache"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let source = state
            .source_image
            .as_ref()
            .and_then(|i| i.image_id())
            .unwrap_or_default()
            .to_owned();
        let inputs = boot_inputs(&self.config, &source, &state.ec2.region);
        let Some(cache) = ctx.hook.step_cache(ctx, inputs) else {
            return Ok(());
        };
        // The boot has nothing to keep: its entry starts the chain.
        if cache.hit(0).is_none() {
            cache.save(ctx.ui, 0, std::time::Duration::ZERO, &mut |_| Ok(()));
        }
        for k in (1..=cache.provisioners()).rev() {
            let Some(hit) = cache.hit(k) else {
                continue;
            };
            // Most steps' entries hold no AMI.
            let Some(saved) = load(&hit.dir) else {
                continue;
            };
            match live(&state.ec2, ctx.cancel, &saved)
                .map_err(|e| fail(ctx, "Error looking up the step cache's AMI", e))?
            {
                Some(image) => {
                    cache.restored(ctx.ui, k, &hit, hit.took);
                    ctx.ui.say(&format!(
                        "Launching from the step cache's intermediate AMI {}",
                        saved.ami
                    ));
                    state.launch_image = Some(image);
                    state.resumed = k;
                    break;
                }
                None => {
                    ctx.ui.say(&format!(
                        "Step cache: the intermediate AMI {} of step {k} is gone; its entry is dropped",
                        saved.ami
                    ));
                    cache.discard(k);
                }
            }
        }
        state.cache = Some(cache);
        Ok(())
    }
}
