//! Provisioning with `layer_per_provisioner = true`: after each
//! provisioner, what it changed becomes a layer of its own, with a
//! history entry naming it. The error-cleanup provisioner runs as in
//! kiln-core's `StepProvision`.

use super::settings::env_epoch;
use super::state::State;
use super::steps::add_layer;
use kiln_core::step::Provisionable;
use kiln_core::{BuildCtx, BuildError, NoneComm, Step};

#[derive(Debug, Default)]
pub struct StepProvisionLayers {
    failed: bool,
}

impl Step<State> for StepProvisionLayers {
    fn name(&self) -> &str {
        "provision"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let generated = state.generated();
        // The sandbox is lent to the provisioners while the state takes
        // the layers; it goes back whatever happens.
        let sandbox = state.sandbox.take();
        let epoch = state.settings.epoch.or_else(env_epoch);
        let mut count = 0usize;
        let r = {
            let comm: &dyn kiln_core::Communicator = match &sandbox {
                Some(s) => s,
                None => &NoneComm,
            };
            ctx.hook.provision_each(ctx, comm, &generated, &mut |kind| {
                count += 1;
                let ignore = match &sandbox {
                    Some(s) => {
                        s.remove_created_paths().map_err(BuildError::failed)?;
                        s.created_paths()
                            .iter()
                            .map(|p| p.trim_start_matches('/').into())
                            .collect()
                    }
                    None => Vec::new(),
                };
                let created_by = format!("kiln provisioner {count}: {kind}");
                add_layer(state, &ignore, &created_by, epoch, ctx)
            })
        };
        state.sandbox = sandbox;
        self.failed = matches!(&r, Err(e) if !e.is_cancelled());
        r
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if !self.failed {
            return Ok(());
        }
        ctx.ui
            .say("Provisioning step had errors: Running the cleanup provisioner, if present...");
        ctx.hook
            .provision_cleanup(ctx, state.communicator(), &state.generated())
    }

    fn runs_error_cleanup_provisioner(&self) -> bool {
        true
    }
}
