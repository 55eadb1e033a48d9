//! `kiln build`'s engine: runs the planned builds (in parallel up to
//! `-parallel-builds`), each builder with the engine's provisioning hook,
//! then the post-processor chains; prints Packer's summary.

mod chains;
mod error;
mod hook;
pub mod image_tests;
pub mod junit;
mod one_build;
mod panic;
mod schedule;
pub mod signals;
mod step_cache;
mod summary;

use crate::ui::Console;
use kiln_core::{Artifact, Cancel, Generated, OnError};
use kiln_template::config::Config;
use kiln_template::plan::PlannedBuild;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Options {
    /// 0 = unlimited.
    pub parallel_builds: usize,
    pub on_error: OnError,
    pub force: bool,
    pub debug: bool,
    /// `kiln test`: run only the test blocks, against the artifacts
    /// earlier builds left (nothing is built, deleted or post-processed).
    pub tests_only: bool,
    /// `kiln test -artifact=…`.
    pub artifact: Option<String>,
    /// `-cache=false` turns the step cache off.
    pub cache: bool,
    /// `-explain-cache`: a hit or miss line per step, with the reason.
    pub explain_cache: bool,
    /// `-sbom`, `-sign-key`.
    pub attest: crate::attest::RunSettings,
    /// What provenance records of the invocation.
    pub provenance: Invocation,
}

/// The run as provenance's external parameters name it.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// The template file or directory as given.
    pub template: Option<std::path::PathBuf>,
    pub git: Option<kiln_catalog::fingerprint::GitSource>,
    pub only: Vec<String>,
    pub except: Vec<String>,
}

/// What every build of one run shares.
pub struct RunCtx<'a> {
    pub cfg: &'a Config,
    pub console: Console,
    pub opts: Options,
    pub run_uuid: String,
    pub cancel: Cancel,
    /// Every test step's result, for `-test-report`.
    pub test_records: std::sync::Mutex<Vec<image_tests::TestRecord>>,
    /// What the step cache saved the run's builds, for the summary.
    pub cache_saved: std::sync::Arc<std::sync::Mutex<std::time::Duration>>,
}

impl RunCtx<'_> {
    /// `build.*` values the engine itself knows.
    pub fn base_generated(&self) -> Generated {
        let mut g = Generated::new();
        g.insert("PackerRunUUID".into(), self.run_uuid.clone());
        g
    }
}

/// How one build ended.
pub struct Outcome {
    pub name: String,
    pub artifacts: Vec<Artifact>,
    /// The error text Packer would print, `None` on success.
    pub error: Option<String>,
}

/// Run every build; the exit code is 1 if any failed or the run was
/// interrupted, with how each build ended (`None`: never started).
pub fn run(ctx: &RunCtx<'_>, builds: &[PlannedBuild]) -> (i32, Vec<Option<Outcome>>) {
    panic::install_hook();
    let start = Instant::now();
    summary::announce_colors(&ctx.console, builds);
    let limit = if ctx.opts.debug {
        1
    } else {
        ctx.opts.parallel_builds
    };
    let ended = schedule::run_all(builds.len(), limit, &ctx.cancel, |i| {
        one_build::run(ctx, &builds[i], i)
    });
    // `one_build::run` turns a panic of the build itself into its error;
    // one that escapes it (printing the result) still counts as failed.
    let outcomes: Vec<Option<Outcome>> = ended
        .into_iter()
        .zip(builds)
        .map(|(end, pb)| {
            end.map(|r| {
                r.unwrap_or_else(|p| Outcome {
                    name: pb.name.clone(),
                    artifacts: Vec::new(),
                    error: Some(panic::internal_error(&p)),
                })
            })
        })
        .collect();
    let code = summary::print(ctx, &outcomes, start.elapsed());
    (code, outcomes)
}
