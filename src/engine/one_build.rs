//! One build from start to summary line: builder (with the provisioning
//! hook), then post-processor chains.

use super::error::EngineError;
use super::hook::EngineHook;
use super::{chains, image_tests, panic, Outcome, RunCtx};
use crate::registry;
use crate::ui::style_for_build;
use kiln_core::duration::human_duration;
use kiln_core::{Artifact, BuildCtx, BuildInfo, PostProcessCtx};
use kiln_template::plan::PlannedBuild;
use std::time::Instant;

pub fn run(ctx: &RunCtx<'_>, pb: &PlannedBuild, index: usize) -> Outcome {
    let color = style_for_build(index);
    let start = Instant::now();
    let info = BuildInfo {
        name: pb.name.clone(),
        source_name: pb.source_name.clone(),
        builder_type: pb.source_type.clone(),
        run_uuid: ctx.run_uuid.clone(),
        on_error: ctx.opts.on_error,
        force: ctx.opts.force,
        debug: ctx.opts.debug,
        artifact: ctx.opts.artifact.clone(),
    };
    tracing::info!(build = %pb.name, "starting build");
    // A panic is reported like any build error, so the user sees which
    // build hit it and the run goes on.
    let result = panic::catch(|| build_and_post_process(ctx, pb, &info, index))
        .unwrap_or_else(|p| Err(panic::internal_error(&p)));
    let (artifacts, error) = match result {
        Ok(artifacts) => (artifacts, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let took = human_duration(start.elapsed());
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
        artifacts,
        error,
    }
}

/// Run the builder and, if it produced an artifact, the post-processor
/// chains. `Err` holds the text Packer prints for the failed build.
fn build_and_post_process(
    ctx: &RunCtx<'_>,
    pb: &PlannedBuild,
    info: &BuildInfo,
    index: usize,
) -> Result<Vec<Artifact>, String> {
    let color = style_for_build(index);
    let ui = ctx.console.target(&pb.name, color);
    let render =
        |d: &kiln_template::Diagnostics| ctx.console.mask().apply(&d.render(ctx.cfg.sources()));
    let mut builder = match registry::make_builder(&pb.source_type, &pb.source_body) {
        None => return Err(format!("unknown builder type {:?}", pb.source_type)),
        Some(Err(d)) => return Err(render(&d)),
        Some(Ok(b)) => b,
    };
    let attest = match crate::attest::Plan::new(&ctx.opts.attest, &pb.supply) {
        Ok(p) => p,
        Err(e) => return Err(e.to_string()),
    };
    let started = jiff::Timestamp::now();
    let mut hook = EngineHook::new(ctx, &pb.name);
    hook.planned = pb.provisioners.clone();
    hook.wants_inventory = !attest.sbom.is_empty() && !ctx.opts.tests_only;
    let bctx = BuildCtx {
        info,
        ui: ui.as_ref(),
        cancel: &ctx.cancel,
        hook: &hook,
    };
    if ctx.opts.tests_only {
        let Some(artifact) = builder.existing_artifact(info).map_err(|e| e.to_string())? else {
            return Err(EngineError::NoExistingArtifact(pb.source_type.clone()).to_string());
        };
        image_tests::run(
            builder.as_ref(),
            &pb.source_type,
            &pb.tests,
            &artifact,
            &bctx,
            &hook,
            image_tests::OnFailure::Keep,
        )
        .map_err(|e| e.to_string())?;
        return Ok(Vec::new());
    }
    let Some(mut artifact) = builder.run(&bctx).map_err(|e| e.to_string())? else {
        return Ok(Vec::new());
    };
    let generated = hook.last_generated();
    let replanned = hook.replan(&generated).map_err(|e| e.to_string())?;
    // A builder that publishes in its own later steps tested already.
    if !hook.tested() {
        image_tests::run(
            builder.as_ref(),
            &pb.source_type,
            &replanned.tests,
            &artifact,
            &bctx,
            &hook,
            image_tests::OnFailure::Delete,
        )
        .map_err(|e| e.to_string())?;
    }
    let stage = crate::attest::Stage {
        run: ctx,
        build: pb,
        plan: &attest,
        facts: hook.facts.lock().map(|f| f.clone()).unwrap_or_default(),
        started,
    };
    let published = stage
        .run(ui.as_ref(), &mut artifact)
        .map_err(|e| e.to_string())?;
    // Packer names a post-processor's lines `BUILD (TYPE)`.
    let pp_ui = |kind: &str| ctx.console.target(&format!("{} ({kind})", pb.name), color);
    let pctx = PostProcessCtx {
        info,
        ui: ui.as_ref(),
        cancel: &ctx.cancel,
        generated: &generated,
        attestor: published
            .as_ref()
            .map(|p| p as &dyn kiln_core::attestor::Attestor),
    };
    let r = chains::run(&pctx, &pp_ui, &render, &replanned.post_processors, artifact);
    match multi_error(r.errors) {
        Some(e) => Err(e),
        None => Ok(r.artifacts),
    }
}

/// Packer's MultiError text for post-processor errors; nothing for none.
fn multi_error(errors: Vec<String>) -> Option<String> {
    if errors.is_empty() {
        return None;
    }
    let points: Vec<String> = errors.iter().map(|e| format!("* {e}")).collect();
    Some(format!(
        "{} error(s) occurred:\n\n{}",
        errors.len(),
        points.join("\n")
    ))
}
