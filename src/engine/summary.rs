//! The lines around the builds: colour announcements before, and Packer's
//! summary of errors and artifacts after.

use super::{Outcome, RunCtx};
use crate::ui::{style_for_build, Console};
use kiln_core::duration::human_duration;
use kiln_template::plan::PlannedBuild;
use std::time::Duration;

/// `null.a: output will be in this color.`, only when colouring.
pub fn announce_colors(console: &Console, builds: &[PlannedBuild]) {
    if !console.colored() {
        return;
    }
    for (i, b) in builds.iter().enumerate() {
        console.say_colored(
            &format!("{}: output will be in this color.", b.name),
            style_for_build(i),
        );
    }
    if !builds.is_empty() {
        console.say("");
    }
}

/// Print the summary; returns the exit code.
pub fn print(ctx: &RunCtx<'_>, outcomes: &[Option<Outcome>], took: Duration) -> i32 {
    let console = &ctx.console;
    console.say(&format!(
        "\n==> Wait completed after {}",
        human_duration(took)
    ));
    let saved = ctx.cache_saved.lock().map(|d| *d).unwrap_or_default();
    if !saved.is_zero() {
        console.say(&format!(
            "==> The step cache saved about {} of build time",
            human_duration(saved)
        ));
    }
    let interrupted = ctx.cancel.is_cancelled();
    let failed: Vec<&Outcome> = outcomes
        .iter()
        .flatten()
        .filter(|o| o.error.is_some())
        .collect();
    if !failed.is_empty() {
        console.machine("", "error-count", &[&failed.len().to_string()]);
        console.error("\n==> Some builds didn't complete successfully and had errors:");
        for o in &failed {
            let e = o.error.as_deref().unwrap_or_default();
            console.machine(&o.name, "error", &[e]);
            console.error(&format!("--> {}: {e}", o.name));
        }
    }
    let with_artifacts: Vec<&Outcome> = outcomes
        .iter()
        .flatten()
        .filter(|o| o.error.is_none() && !o.artifacts.is_empty())
        .collect();
    if with_artifacts.is_empty() {
        console.say("\n==> Builds finished but no artifacts were created.");
    } else {
        console.say("\n==> Builds finished. The artifacts of successful builds are:");
        for o in with_artifacts {
            console.machine(&o.name, "artifact-count", &[&o.artifacts.len().to_string()]);
            for (i, a) in o.artifacts.iter().enumerate() {
                let i = i.to_string();
                console.machine(&o.name, "artifact", &[&i, "builder-id", &a.builder_id]);
                console.machine(&o.name, "artifact", &[&i, "id", &a.id]);
                console.machine(&o.name, "artifact", &[&i, "string", &a.description]);
                console.machine(
                    &o.name,
                    "artifact",
                    &[&i, "files-count", &a.files.len().to_string()],
                );
                for (fi, f) in a.files.iter().enumerate() {
                    let f = f.display().to_string();
                    console.machine(&o.name, "artifact", &[&i, "file", &fi.to_string(), &f]);
                }
                console.machine(&o.name, "artifact", &[&i, "end"]);
                console.say(&format!("--> {}: {}", o.name, a.description));
            }
        }
    }
    if interrupted {
        console.say("Cleanly cancelled builds after being interrupted.");
        return 1;
    }
    i32::from(!failed.is_empty() || outcomes.iter().any(Option::is_none))
}
