//! One build from start to summary line: builder (with the provisioning
//! hook), then post-processor chains.

use super::hook::EngineHook;
use super::{chains, Outcome, RunCtx};
use crate::registry;
use crate::ui::style_for_build;
use kiln_core::duration::human_duration;
use kiln_core::{BuildCtx, BuildInfo, PostProcessCtx};
use kiln_template::plan::PlannedBuild;
use std::time::Instant;

pub fn run(ctx: &RunCtx<'_>, pb: &PlannedBuild, index: usize) -> Outcome {
    let color = style_for_build(index);
    let ui = ctx.console.target(&pb.name, color);
    let start = Instant::now();
    let info = BuildInfo {
        name: pb.name.clone(),
        source_name: pb.source_name.clone(),
        builder_type: pb.source_type.clone(),
        run_uuid: ctx.run_uuid.clone(),
        on_error: ctx.opts.on_error,
        force: ctx.opts.force,
        debug: ctx.opts.debug,
    };
    tracing::info!(build = %pb.name, "starting build");
    let render =
        |d: &kiln_template::Diagnostics| ctx.console.mask().apply(&d.render(ctx.cfg.sources()));
    let (artifacts, errors) = match registry::make_builder(&pb.source_type, &pb.source_body) {
        None => (
            Vec::new(),
            vec![format!("unknown builder type {:?}", pb.source_type)],
        ),
        Some(Err(d)) => (Vec::new(), vec![render(&d)]),
        Some(Ok(mut builder)) => {
            let hook = EngineHook::new(ctx, &pb.name);
            let bctx = BuildCtx {
                info: &info,
                ui: ui.as_ref(),
                cancel: &ctx.cancel,
                hook: &hook,
            };
            match builder.run(&bctx) {
                Err(e) => (Vec::new(), vec![e.to_string()]),
                Ok(None) => (Vec::new(), Vec::new()),
                Ok(Some(artifact)) => {
                    let generated = hook.last_generated();
                    match hook.replan(&generated) {
                        Err(e) => (Vec::new(), vec![e.to_string()]),
                        Ok(replanned) => {
                            // Packer names a post-processor's lines `BUILD (TYPE)`.
                            let pp_ui = |kind: &str| {
                                ctx.console.target(&format!("{} ({kind})", pb.name), color)
                            };
                            let pctx = PostProcessCtx {
                                info: &info,
                                ui: ui.as_ref(),
                                cancel: &ctx.cancel,
                                generated: &generated,
                            };
                            let r = chains::run(
                                &pctx,
                                &pp_ui,
                                &render,
                                &replanned.post_processors,
                                artifact,
                            );
                            (r.artifacts, multi_error(r.errors))
                        }
                    }
                }
            }
        }
    };
    let took = human_duration(start.elapsed());
    let error = errors.into_iter().next();
    match &error {
        Some(e) => ctx
            .console
            .error(&format!("Build '{}' errored after {took}: {e}", pb.name)),
        None => ctx.console.say_colored(
            &format!("Build '{}' finished after {took}.", pb.name),
            color,
        ),
    }
    tracing::info!(build = %pb.name, ok = error.is_none(), "build done");
    Outcome {
        name: pb.name.clone(),
        artifacts: if error.is_none() {
            artifacts
        } else {
            Vec::new()
        },
        error,
    }
}

/// Packer's MultiError text for post-processor errors; nothing for none.
fn multi_error(errors: Vec<String>) -> Vec<String> {
    if errors.is_empty() {
        return errors;
    }
    let points: Vec<String> = errors.iter().map(|e| format!("* {e}")).collect();
    vec![format!(
        "{} error(s) occurred:\n\n{}",
        errors.len(),
        points.join("\n")
    )]
}
