//! The time split of a build (start, boot to SSH, provisioning, shutdown,
//! compaction): each wrapped step's wall time goes to the log and, as a
//! `kiln-timing,PHASE,SECONDS` record, to `-machine-readable` output,
//! which `bench/qemu` reads.

use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::time::Instant;

pub struct Timed {
    pub phase: &'static str,
    pub inner: Box<dyn Step<State>>,
}

impl Timed {
    pub fn boxed(phase: &'static str, inner: impl Step<State> + 'static) -> Box<dyn Step<State>> {
        Box::new(Timed {
            phase,
            inner: Box::new(inner),
        })
    }
}

impl Step<State> for Timed {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let start = Instant::now();
        let r = self.inner.run(state, ctx);
        let took = start.elapsed();
        tracing::info!(
            phase = self.phase,
            seconds = took.as_secs_f64(),
            "phase done"
        );
        ctx.ui.machine(
            "kiln-timing",
            &[self.phase, &format!("{:.3}", took.as_secs_f64())],
        );
        state.timings.push((self.phase, took));
        r
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        self.inner.cleanup(state, ctx)
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        self.inner.left_behind(state)
    }

    fn runs_error_cleanup_provisioner(&self) -> bool {
        self.inner.runs_error_cleanup_provisioner()
    }
}
