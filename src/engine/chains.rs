//! Post-processor chains with Packer's keep rules: each chain starts from
//! the builder's artifact; a post-processor's input is kept if it asks to
//! (or the user's `keep_input_artifact` says so, unless the
//! post-processor forces keeping); the builder's artifact survives if any
//! chain's first post-processor keeps it, or if there are no chains.

use crate::registry;
use kiln_core::{Artifact, BuildError, PostProcessCtx, Ui};
use kiln_template::plan::PlannedComponent;
use std::sync::Arc;

pub struct ChainResult {
    pub artifacts: Vec<Artifact>,
    pub errors: Vec<String>,
}

pub fn run(
    ctx: &PostProcessCtx<'_>,
    pp_ui: &dyn Fn(&str) -> Arc<dyn Ui>,
    render_diags: &dyn Fn(&kiln_template::Diagnostics) -> String,
    chains: &[Vec<PlannedComponent>],
    builder_artifact: Artifact,
) -> ChainResult {
    let mut artifacts = Vec::new();
    let mut errors = Vec::new();
    let mut keep_original = chains.is_empty();
    'chains: for chain in chains {
        let mut prior = builder_artifact.clone();
        for (i, pc) in chain.iter().enumerate() {
            if ctx.cancel.is_cancelled() {
                errors.push(BuildError::Cancelled.to_string());
                break 'chains;
            }
            let label = pc.meta.name.as_deref().unwrap_or(&pc.kind);
            ctx.ui.say(&format!(
                "Running post-processor: {label} (type {})",
                pc.kind
            ));
            let pp = match registry::make_post_processor(&pc.kind, &pc.body) {
                Some(Ok(pp)) => pp,
                Some(Err(d)) => {
                    errors.push(format!("Post-processor failed: {}", render_diags(&d)));
                    continue 'chains;
                }
                None => {
                    errors.push(format!("unknown post-processor type {:?}", pc.kind));
                    continue 'chains;
                }
            };
            let ui = pp_ui(&pc.kind);
            let pctx = PostProcessCtx {
                ui: ui.as_ref(),
                ..*ctx
            };
            let out = match pp.post_process(&pctx, &prior) {
                Ok(out) => out,
                Err(e) => {
                    errors.push(format!("Post-processor failed: {e}"));
                    continue 'chains;
                }
            };
            let Some(mut artifact) = out.artifact else {
                // A post-processor without output ends its chain quietly.
                continue 'chains;
            };
            // The build's attestations describe what the chain started
            // from; they stay with what it makes (a manifest at the end
            // of a chain records them).
            for key in [crate::attest::STATE_KEY, kiln_core::artifact::BASE_IMAGE] {
                if let Some(v) = prior.state.get(key) {
                    artifact
                        .state
                        .entry(key.to_owned())
                        .or_insert_with(|| v.clone());
                }
            }
            let mut keep = out.keep_input;
            if let Some(user) = pc.meta.keep_input_artifact {
                if !(out.keep_input && !user && out.force_keep) {
                    keep = user;
                }
            }
            if i == 0 {
                keep_original |= keep;
            } else if keep {
                artifacts.push(prior.clone());
            } else if let Err(e) = prior.destroy() {
                errors.push(format!(
                    "Failed cleaning up prior artifact: {e}; pp is {}",
                    pc.kind
                ));
            }
            prior = artifact;
        }
        artifacts.push(prior);
    }
    if keep_original {
        artifacts.insert(0, builder_artifact);
    } else if let Err(e) = builder_artifact.destroy() {
        errors.push(format!("Error destroying builder artifact: {e}"));
    }
    ChainResult { artifacts, errors }
}
