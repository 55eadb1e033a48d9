//! The step runner every builder uses: steps run in order; the cleanups of
//! every started step run in reverse order on success, failure and
//! cancellation, unless `-on-error` says otherwise.

use crate::build::{BuildCtx, Generated, OnError};
use crate::cancel::Cancel;
use crate::communicator::Communicator;
use crate::error::BuildError;

/// One step of a builder, over the builder's own typed state `S`.
pub trait Step<S>: Send {
    /// Shown by `-debug` pauses and in error reports.
    fn name(&self) -> &str;
    fn run(&mut self, state: &mut S, ctx: &BuildCtx<'_>) -> Result<(), BuildError>;
    /// Undo what `run` created. Called for every step whose `run` was
    /// entered, even when it failed, so it must cope with partial work.
    fn cleanup(&mut self, _state: &mut S, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        Ok(())
    }
    /// What `cleanup` would remove, in words a user can act on ("qemu
    /// process 1234", "directory /tmp/x"), for `-on-error=abort`.
    fn left_behind(&self, _state: &S) -> Vec<String> {
        Vec::new()
    }
    /// Whether the cleanup still runs under
    /// `-on-error=run-cleanup-provisioner` (only the provisioning step).
    fn runs_error_cleanup_provisioner(&self) -> bool {
        false
    }
}

/// Run `steps` over `state`.
pub fn run_steps<S>(
    steps: &mut [Box<dyn Step<S>>],
    state: &mut S,
    ctx: &BuildCtx<'_>,
) -> Result<(), BuildError> {
    let mut started = 0;
    let mut i = 0;
    let mut result = Ok(());
    let mut cleanup = Cleanup::All;
    let mut panicked = None;
    let count = steps.len();
    while i < count {
        if let Some(r) = ctx.cancel.reason() {
            result = Err(BuildError::from_reason(r, None));
            break;
        }
        started = started.max(i + 1);
        let step = &mut steps[i];
        // A panicking step is a bug in kiln, but what the earlier steps
        // made (a VM, a temp dir, an instance) must still be cleaned up:
        // catch it here, clean up, then let it go on to the engine, which
        // reports it as the build's internal error. `AssertUnwindSafe`:
        // after a panic the state is only handed to the cleanups.
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| step.run(state, ctx)));
        let ran = match ran {
            Ok(r) => r,
            Err(payload) => {
                panicked = Some(payload);
                if ctx.info.on_error == OnError::Abort {
                    cleanup = Cleanup::None;
                }
                break;
            }
        };
        match ran {
            Ok(()) => {
                if ctx.info.debug && i + 1 < count {
                    ctx.ui.ask(&format!(
                        "Pausing after run of step '{}'. Press enter to continue.",
                        step.name()
                    ));
                }
                i += 1;
            }
            Err(e) => {
                if e.is_cancelled() || ctx.cancel.is_cancelled() {
                    result = Err(e);
                    break;
                }
                match decide(ctx, step.name(), &e) {
                    Decision::Retry => continue,
                    Decision::Cleanup => cleanup = Cleanup::All,
                    Decision::Abort => cleanup = Cleanup::None,
                    Decision::RunCleanupProvisioner => cleanup = Cleanup::ProvisionerOnly,
                }
                result = Err(e);
                break;
            }
        }
    }
    // Cleanups must be able to wait for what they remove even after a
    // Ctrl-C, so they get a token of their own that nothing cancels.
    let quiet = Cancel::new();
    let cctx = BuildCtx {
        cancel: &quiet,
        ..*ctx
    };
    let mut left = Vec::new();
    for step in steps[..started].iter_mut().rev() {
        let run = match cleanup {
            Cleanup::All => true,
            Cleanup::None => false,
            Cleanup::ProvisionerOnly => step.runs_error_cleanup_provisioner(),
        };
        if !run {
            left.extend(step.left_behind(state));
            continue;
        }
        if ctx.info.debug {
            ctx.ui.ask(&format!(
                "Pausing before cleanup of step '{}'. Press enter to continue.",
                step.name()
            ));
        }
        if let Err(e) = step.cleanup(state, &cctx) {
            ctx.ui
                .error(&format!("Error cleaning up step '{}': {e}", step.name()));
        }
    }
    if cleanup != Cleanup::All {
        report_left_behind(ctx, left);
    }
    if let Some(payload) = panicked {
        std::panic::resume_unwind(payload);
    }
    result
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cleanup {
    All,
    None,
    ProvisionerOnly,
}

enum Decision {
    Cleanup,
    Abort,
    Retry,
    RunCleanupProvisioner,
}

fn decide(ctx: &BuildCtx<'_>, step: &str, err: &BuildError) -> Decision {
    match ctx.info.on_error {
        OnError::Cleanup => Decision::Cleanup,
        OnError::Abort => Decision::Abort,
        OnError::RunCleanupProvisioner => Decision::RunCleanupProvisioner,
        OnError::Ask => {
            ctx.ui.error(&format!("Step \"{step}\" failed: {err}"));
            loop {
                let answer = ctx.ui.ask(
                    "[c] Clean up and exit, [a] abort without cleanup, or [r] retry step (build may fail even if retry succeeds)?",
                );
                // Nobody to answer (no terminal, end of input): the safe
                // choice is to clean up.
                let Some(answer) = answer else {
                    return Decision::Cleanup;
                };
                match answer.trim() {
                    "c" | "C" => return Decision::Cleanup,
                    "a" | "A" => return Decision::Abort,
                    "r" | "R" => return Decision::Retry,
                    _ => ctx.ui.error("Incorrect input, please choose c, a or r."),
                }
            }
        }
    }
}

fn report_left_behind(ctx: &BuildCtx<'_>, left: Vec<String>) {
    if left.is_empty() {
        ctx.ui
            .error("Build aborted without cleanup; it had created nothing that needs removing.");
        return;
    }
    ctx.ui
        .error("Build aborted without cleanup. Left behind (remove by hand when done):");
    for item in left {
        ctx.ui.error(&format!("  - {item}"));
        ctx.ui.machine("left-behind", &[&item]);
    }
}

/// What a builder's state offers the provisioning step.
pub trait Provisionable {
    fn communicator(&self) -> &dyn Communicator;
    fn generated(&self) -> Generated;
}

/// Runs the build's provisioners through the engine's hook, and its
/// `error-cleanup-provisioner` during cleanup when provisioning failed.
#[derive(Debug, Default)]
pub struct StepProvision {
    failed: bool,
}

impl<S: Provisionable + Send> Step<S> for StepProvision {
    fn name(&self) -> &str {
        "provision"
    }

    fn run(&mut self, state: &mut S, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let r = ctx
            .hook
            .provision(ctx, state.communicator(), &state.generated());
        self.failed = matches!(&r, Err(e) if !e.is_cancelled());
        r
    }

    fn cleanup(&mut self, state: &mut S, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
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

#[cfg(test)]
mod tests;
