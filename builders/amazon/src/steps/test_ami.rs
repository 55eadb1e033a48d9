//! The test stage inside the build: once the AMI exists in the build
//! region, and before it is copied to other regions or shared, the
//! build's `test` blocks run against instances launched from it. A
//! failure stops the build there; the engine has then deleted the AMI
//! and its snapshots (or kept them, `keep_failed_artifact`), so the AMI
//! step's own cleanup leaves them alone.

use crate::artifact::artifact;
use crate::session::Session;
use crate::state::State;
use crate::tester::AmazonTester;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::sync::Arc;

pub struct StepTestAmi {
    pub tester: AmazonTester,
    pub session: Arc<Session>,
}

impl Step<State> for StepTestAmi {
    fn name(&self) -> &str {
        "StepTestAmi"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if state.amis.is_empty() {
            return Ok(());
        }
        let built = artifact(Arc::clone(&self.session), state.amis.clone());
        let r = ctx.hook.test_artifact(ctx, &self.tester, &built);
        if r.as_ref().is_err_and(|e| !e.is_cancelled()) {
            state.amis_settled = true;
        }
        r
    }
}
