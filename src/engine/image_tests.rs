//! The test stage: after the builder, before any post-processor, each
//! `test` block runs its checks against a machine the builder's
//! [`Tester`] starts afresh from the artifact. A failing test fails the
//! build and deletes the artifact (unless `keep_failed_artifact`); the
//! post-processors, and with them the manifest and any push, never run.

use super::error::EngineError;
use super::hook::EngineHook;
use kiln_core::tester::{TestCtx, Tester};
use kiln_core::{Artifact, BuildCtx, BuildError, Builder};
use kiln_template::plan::PlannedTest;

pub fn run(
    builder: &dyn Builder,
    source_type: &str,
    tests: &[PlannedTest],
    artifact: &Artifact,
    bctx: &BuildCtx<'_>,
    hook: &EngineHook<'_>,
) -> Result<(), BuildError> {
    if tests.is_empty() {
        return Ok(());
    }
    let Some(tester) = builder.tester() else {
        return Err(BuildError::failed(EngineError::NoTester(
            source_type.to_owned(),
        )));
    };
    for t in tests {
        bctx.ui
            .say(&format!("Testing the artifact: test '{}'...", t.name));
        match one(tester, t, artifact, bctx, hook) {
            Ok(()) => bctx.ui.say(&format!("Test '{}' passed", t.name)),
            Err(e) if e.is_cancelled() => return Err(e),
            Err(e) => {
                bctx.ui.error(&format!("Test '{}' failed: {e}", t.name));
                if t.settings.keep_failed_artifact {
                    bctx.ui.say(&format!(
                        "Keeping the artifact that failed its test (keep_failed_artifact): {}",
                        artifact.id
                    ));
                } else {
                    bctx.ui.say(&format!(
                        "Deleting the artifact that failed its test: {}",
                        artifact.id
                    ));
                    if let Err(d) = artifact.destroy() {
                        bctx.ui.error(&format!("Error deleting the artifact: {d}"));
                    }
                }
                return Err(BuildError::failed(EngineError::TestFailed {
                    name: t.name.clone(),
                    cause: e.to_string(),
                }));
            }
        }
    }
    Ok(())
}

fn one(
    tester: &dyn Tester,
    t: &PlannedTest,
    artifact: &Artifact,
    bctx: &BuildCtx<'_>,
    hook: &EngineHook<'_>,
) -> Result<(), BuildError> {
    let tctx = TestCtx {
        info: bctx.info,
        ui: bctx.ui,
        cancel: bctx.cancel,
        boot_timeout: t.settings.boot_timeout.and_then(|d| d.positive()),
    };
    tester.with_machine(artifact, &tctx, &mut |comm, generated| {
        hook.run_steps(bctx, &t.steps, comm, generated)
    })
}
