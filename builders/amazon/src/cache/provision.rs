//! Provisioning with the step cache: the steps after the restored prefix
//! run, and after the last step of the stable prefix (every provisioner
//! but the last, up to the first one not cached) the instance is saved as
//! an intermediate AMI, unless the cache has that step already. The other
//! steps get entries without a machine, which only record their keys. A failed
//! save is reported, never fatal; the error-cleanup provisioner runs as
//! in kiln-core's `StepProvision`.

use super::intermediate::{self, create, delete_superseded};
use crate::error::AwsError;
use crate::poll::Polling;
use crate::state::State;
use kiln_core::step::{Provisionable, Step};
use kiln_core::step_cache::StepCache;
use kiln_core::{BuildCtx, BuildError};
use std::time::Instant;

pub struct StepProvisionCached {
    pub polling: Polling,
    failed: bool,
}

impl StepProvisionCached {
    pub fn new(polling: Polling) -> StepProvisionCached {
        StepProvisionCached {
            polling,
            failed: false,
        }
    }
}

/// The step after which the intermediate AMI is made: the last of the
/// provisioners before the last one that are all cached; 0 for none.
pub fn save_point(cache: &dyn StepCache) -> usize {
    let n = cache.provisioners();
    (1..n).take_while(|i| cache.saves(*i)).last().unwrap_or(0)
}

impl Step<State> for StepProvisionCached {
    fn name(&self) -> &str {
        "StepProvision"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let cache = state.cache.take();
        let first = state.resumed + 1;
        let save_at = cache
            .as_deref()
            .map(save_point)
            .filter(|k| *k >= first)
            .unwrap_or(0);
        let ec2 = state.ec2.clone();
        let instance = state.instance_id().map(str::to_owned);
        let build = intermediate::lineage(ctx.info, &ec2.region);
        let generated = state.generated();
        let comm = state.communicator();
        let has_shell = state.ssh.is_some();
        let started = Instant::now();
        let mut index = first - 1;
        let r = ctx
            .hook
            .provision_from(ctx, comm, &generated, first, &mut |_kind| {
                index += 1;
                let (Some(c), Some(instance)) = (cache.as_deref(), instance.as_deref()) else {
                    return Ok(());
                };
                if !c.saves(index) || c.hit(index).is_some() {
                    return Ok(());
                }
                let took = started.elapsed();
                if index != save_at {
                    // The other steps' entries hold no machine; they let
                    // `-explain-cache` say which input changed.
                    c.save(ctx.ui, index, took, &mut |_| Ok(()));
                    return Ok(());
                }
                let Some(key) = c.key(index) else {
                    return Ok(());
                };
                ctx.ui.say(&format!(
                    "Saving the machine after step {index} as an intermediate AMI for the step cache..."
                ));
                if has_shell {
                    // No reboot: what is written must be on the disk.
                    let mut sink = kiln_core::communicator::UiLines::new(ctx.ui);
                    let _ = comm.exec("sync", &mut sink, ctx.cancel);
                }
                match create(&ec2, &self.polling, ctx, instance, &key, index, &build) {
                    Ok(saved) => {
                        c.save(ctx.ui, index, took, &mut |dir| intermediate::write(dir, &saved));
                        match delete_superseded(&ec2, ctx.cancel, &build, &saved.ami) {
                            Ok(gone) => {
                                for ami in gone {
                                    ctx.ui.say(&format!(
                                        "Deleted the superseded intermediate AMI {ami}"
                                    ));
                                }
                            }
                            Err(AwsError::Cancelled) => return Err(BuildError::Cancelled),
                            Err(e) => ctx.ui.error(&format!(
                                "Warning: could not delete superseded intermediate AMIs: {e}"
                            )),
                        }
                    }
                    Err(AwsError::Cancelled) => return Err(BuildError::Cancelled),
                    Err(e) => ctx.ui.error(&format!(
                        "Warning: could not save the intermediate AMI for the step cache: {e}"
                    )),
                }
                Ok(())
            });
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
