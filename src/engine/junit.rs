//! `-test-report=FILE`: the test stage's results as JUnit XML, one test
//! suite per build and test block, one test case per step (a `check` by
//! its label, another provisioner by its type), written atomically.

use super::image_tests::{StepOutcome, TestRecord};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::path::Path;

pub fn write(path: &Path, records: &[TestRecord]) -> std::io::Result<()> {
    let mut report = Report::new("kiln");
    let mut suites: Vec<(String, TestSuite)> = Vec::new();
    for r in records {
        let key = format!("{}.{}", r.build, r.test);
        let at = match suites.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                suites.push((key.clone(), TestSuite::new(key.clone())));
                suites.len() - 1
            }
        };
        let status = match &r.outcome {
            StepOutcome::Passed => TestCaseStatus::success(),
            StepOutcome::Failed(message) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(message.clone());
                s
            }
            StepOutcome::Skipped => TestCaseStatus::skipped(),
        };
        let mut case = TestCase::new(r.step.clone(), status);
        case.set_classname(key.clone()).set_time(r.time);
        if let Some((_, suite)) = suites.get_mut(at) {
            suite.add_test_case(case);
        }
    }
    report.add_test_suites(suites.into_iter().map(|(_, s)| s));
    let xml = report
        .to_string()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    kiln_gocompat::atomic::write_file(path, 0o644, xml.as_bytes())
}
