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

/// What a failed test does to the artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// `kiln build`: delete it, unless `keep_failed_artifact`.
    Delete,
    /// `kiln test`: an existing artifact is only reported on.
    Keep,
}

pub fn run(
    builder: &dyn Builder,
    source_type: &str,
    tests: &[PlannedTest],
    artifact: &Artifact,
    bctx: &BuildCtx<'_>,
    hook: &EngineHook<'_>,
    on_failure: OnFailure,
) -> Result<(), BuildError> {
    if tests.is_empty() {
        return Ok(());
    }
    let Some(tester) = builder.tester() else {
        return Err(BuildError::failed(EngineError::NoTester(
            source_type.to_owned(),
        )));
    };
    run_with(tester, tests, artifact, bctx, hook, on_failure)
}

/// The tests against machines `tester` starts: from [`run`], or from
/// inside a builder (`ProvisionHook::test_artifact`).
pub fn run_with(
    tester: &dyn Tester,
    tests: &[PlannedTest],
    artifact: &Artifact,
    bctx: &BuildCtx<'_>,
    hook: &EngineHook<'_>,
    on_failure: OnFailure,
) -> Result<(), BuildError> {
    if tests.is_empty() {
        return Ok(());
    }
    // The closing line: how many tests passed, failed, never ran.
    let summary = |passed: usize, failed: usize| {
        let not_run = tests.len() - passed - failed;
        bctx.ui.say(&format!(
            "Tests: {passed} passed, {failed} failed{}",
            if not_run > 0 {
                format!(", {not_run} not run")
            } else {
                String::new()
            }
        ));
    };
    for (passed, t) in tests.iter().enumerate() {
        bctx.ui
            .say(&format!("Testing the artifact: test '{}'...", t.name));
        match one(tester, t, artifact, bctx, hook) {
            Ok(()) => bctx.ui.say(&format!("Test '{}' passed", t.name)),
            Err(e) if e.is_cancelled() => return Err(e),
            Err(e) => {
                bctx.ui.error(&format!("Test '{}' failed: {e}", t.name));
                summary(passed, 1);
                if on_failure == OnFailure::Keep {
                } else if t.settings.keep_failed_artifact {
                    bctx.ui.say(&format!(
                        "Keeping the artifact that failed its test (keep_failed_artifact): {}",
                        artifact.description
                    ));
                } else {
                    bctx.ui.say(&format!(
                        "Deleting the artifact that failed its test: {}",
                        artifact.description
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
    summary(tests.len(), 0);
    Ok(())
}

/// One step's result, for the JUnit report.
#[derive(Debug, Clone)]
pub struct TestRecord {
    pub build: String,
    pub test: String,
    /// A check's label, else the provisioner's type.
    pub step: String,
    pub time: std::time::Duration,
    pub outcome: StepOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    Passed,
    Failed(String),
    /// After a failed step, or the machine did not start.
    Skipped,
}

fn step_name(pc: &kiln_template::plan::PlannedComponent) -> String {
    match pc.body.attrs.get("label").map(|a| &a.value) {
        Some(kiln_template::value::Value::String(l)) if pc.kind == "check" => l.clone(),
        _ => pc.kind.clone(),
    }
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
    let record = |step: String, time: std::time::Duration, outcome: StepOutcome| {
        // `-machine-readable`: TEST, STEP, pass|fail|skip, seconds[, why].
        let verdict = match &outcome {
            StepOutcome::Passed => "pass",
            StepOutcome::Failed(_) => "fail",
            StepOutcome::Skipped => "skip",
        };
        let seconds = format!("{:.3}", time.as_secs_f64());
        let mut data = vec![t.name.as_str(), step.as_str(), verdict, seconds.as_str()];
        if let StepOutcome::Failed(why) = &outcome {
            data.push(why);
        }
        bctx.ui.machine("test-result", &data);
        hook.record_test(TestRecord {
            build: bctx.info.name.clone(),
            test: t.name.clone(),
            step,
            time,
            outcome,
        });
    };
    let mut ran = 0;
    let result = tester.with_machine(artifact, &tctx, &mut |comm, generated| {
        // `build.*` in a test means the test machine (its ID, host, key),
        // not the build's: the steps are planned again with its values.
        let steps = hook.test_steps(&t.name, generated)?;
        for pc in &steps {
            let start = std::time::Instant::now();
            let r = hook.run_step(bctx, pc, comm, generated);
            ran += 1;
            let outcome = match &r {
                Ok(()) => StepOutcome::Passed,
                Err(e) => StepOutcome::Failed(e.to_string()),
            };
            record(step_name(pc), start.elapsed(), outcome);
            r?;
        }
        Ok(())
    });
    for pc in t.steps.iter().skip(ran) {
        record(
            step_name(pc),
            std::time::Duration::ZERO,
            StepOutcome::Skipped,
        );
    }
    result
}
