use super::*;
use crate::build::BuildInfo;
use crate::ui::RecordingUi;

/// Records runs and cleanups into the state; fails on demand.
struct Rec {
    name: &'static str,
    fail_times: u32,
}

impl Step<Vec<String>> for Rec {
    fn name(&self) -> &str {
        self.name
    }
    fn run(&mut self, s: &mut Vec<String>, _: &BuildCtx<'_>) -> Result<(), BuildError> {
        s.push(format!("run {}", self.name));
        if self.fail_times > 0 {
            self.fail_times -= 1;
            return Err(BuildError::failed(format!("{} broke", self.name)));
        }
        Ok(())
    }
    fn cleanup(&mut self, s: &mut Vec<String>, _: &BuildCtx<'_>) -> Result<(), BuildError> {
        s.push(format!("clean {}", self.name));
        Ok(())
    }
    fn left_behind(&self, _: &Vec<String>) -> Vec<String> {
        vec![format!("thing of {}", self.name)]
    }
}

fn steps(fail_b: u32) -> Vec<Box<dyn Step<Vec<String>>>> {
    vec![
        Box::new(Rec {
            name: "a",
            fail_times: 0,
        }),
        Box::new(Rec {
            name: "b",
            fail_times: fail_b,
        }),
        Box::new(Rec {
            name: "c",
            fail_times: 0,
        }),
    ]
}

fn run(on_error: OnError, fail_b: u32, ui: &RecordingUi, cancel: &Cancel) -> (Vec<String>, bool) {
    let info = BuildInfo {
        on_error,
        ..BuildInfo::default()
    };
    let ctx = BuildCtx {
        info: &info,
        ui,
        cancel,
        hook: &crate::NoProvisioners,
    };
    let mut state = Vec::new();
    let ok = run_steps(&mut steps(fail_b), &mut state, &ctx).is_ok();
    (state, ok)
}

#[test]
fn success_cleans_up_in_reverse() {
    let ui = RecordingUi::default();
    let (s, ok) = run(OnError::Cleanup, 0, &ui, &Cancel::new());
    assert!(ok);
    assert_eq!(
        s,
        ["run a", "run b", "run c", "clean c", "clean b", "clean a"]
    );
}

#[test]
fn failure_cleans_up_started_steps_including_the_failed_one() {
    let ui = RecordingUi::default();
    let (s, ok) = run(OnError::Cleanup, 1, &ui, &Cancel::new());
    assert!(!ok);
    assert_eq!(s, ["run a", "run b", "clean b", "clean a"]);
}

#[test]
fn abort_cleans_nothing_and_reports_what_is_left() {
    let ui = RecordingUi::default();
    let (s, ok) = run(OnError::Abort, 1, &ui, &Cancel::new());
    assert!(!ok);
    assert_eq!(s, ["run a", "run b"]);
    let errors = ui.of("error").join("\n");
    assert!(
        errors.contains("thing of b") && errors.contains("thing of a"),
        "{errors}"
    );
}

#[test]
fn ask_can_retry_then_succeed() {
    let ui = RecordingUi::default();
    ui.answers.lock().map(|mut a| a.push("r".into())).ok();
    let (s, ok) = run(OnError::Ask, 1, &ui, &Cancel::new());
    assert!(ok);
    assert_eq!(s[..4], ["run a", "run b", "run b", "run c"]);
}

#[test]
fn ask_without_an_answer_cleans_up() {
    let ui = RecordingUi::default();
    let (s, ok) = run(OnError::Ask, 1, &ui, &Cancel::new());
    assert!(!ok);
    assert_eq!(s, ["run a", "run b", "clean b", "clean a"]);
}

#[test]
fn cancelled_before_start_runs_nothing() {
    let ui = RecordingUi::default();
    let c = Cancel::new();
    c.cancel();
    let (s, ok) = run(OnError::Abort, 0, &ui, &c);
    assert!(!ok);
    assert!(s.is_empty());
}

/// Panics in `run`; records its cleanup.
struct Panics;

impl Step<Vec<String>> for Panics {
    fn name(&self) -> &str {
        "p"
    }
    fn run(&mut self, s: &mut Vec<String>, _: &BuildCtx<'_>) -> Result<(), BuildError> {
        s.push("run p".into());
        panic!("step p has a bug");
    }
    fn cleanup(&mut self, s: &mut Vec<String>, _: &BuildCtx<'_>) -> Result<(), BuildError> {
        s.push("clean p".into());
        Ok(())
    }
}

fn run_panicking(on_error: OnError, ui: &RecordingUi) -> (Vec<String>, String) {
    let info = BuildInfo {
        on_error,
        ..BuildInfo::default()
    };
    let cancel = Cancel::new();
    let ctx = BuildCtx {
        info: &info,
        ui,
        cancel: &cancel,
        hook: &crate::NoProvisioners,
    };
    let mut steps: Vec<Box<dyn Step<Vec<String>>>> = vec![
        Box::new(Rec {
            name: "a",
            fail_times: 0,
        }),
        Box::new(Panics),
        Box::new(Rec {
            name: "c",
            fail_times: 0,
        }),
    ];
    let mut state = Vec::new();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_steps(&mut steps, &mut state, &ctx)
    }));
    let payload = caught.expect_err("the panic must reach the caller");
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .unwrap_or_default();
    (state, message)
}

#[test]
fn a_panicking_step_still_cleans_up_then_panics_on() {
    let ui = RecordingUi::default();
    let (s, message) = run_panicking(OnError::Cleanup, &ui);
    assert_eq!(s, ["run a", "run p", "clean p", "clean a"]);
    assert_eq!(message, "step p has a bug");
}

#[test]
fn a_panicking_step_with_abort_leaves_things_and_says_so() {
    let ui = RecordingUi::default();
    let (s, _) = run_panicking(OnError::Abort, &ui);
    assert_eq!(s, ["run a", "run p"]);
    let said: Vec<String> = ui
        .lines
        .lock()
        .map(|l| l.iter().map(|(_, m)| m.clone()).collect())
        .unwrap_or_default();
    let said = said.join("\n");
    assert!(said.contains("thing of a"), "{said}");
}
