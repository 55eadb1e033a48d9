//! `post-processor "manifest"`: record each build's artifact in Packer's
//! `packer-manifest.json`.
//!
//! The file format is Packer's exactly (`{"builds": [...], "last_run_uuid"}`,
//! Go's two-space indentation, no trailing newline), so tools reading
//! Packer manifests read kiln's. kiln adds a `sha256` to each file entry;
//! Packer's reader ignores fields it does not know.

mod entry;
mod file;

use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::{Artifact, BuildError, PostProcessCtx, PostProcessed, PostProcessor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::PostProcessError;
use crate::output_template;
use crate::watch::fail;

pub const DEFAULT_OUTPUT: &str = "packer-manifest.json";

/// Packer's manifest fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestConfig {
    /// The manifest file; `packer-manifest.json` by default.
    pub output: Option<String>,
    /// Record file names without their directories.
    pub strip_path: Option<bool>,
    /// Leave `build_time` out.
    pub strip_time: Option<bool>,
    /// Extra strings recorded with the build; legacy templates over the
    /// build's generated values (`{{ .ID }}`).
    pub custom_data: Option<BTreeMap<String, String>>,
}

impl Validate for ManifestConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if let Some(o) = &self.output {
            out.extend(output_template::check("output", o));
        }
        for v in self.custom_data.iter().flat_map(|m| m.values()) {
            out.extend(output_template::check("custom_data", v));
        }
        out
    }
}

pub struct Manifest {
    pub config: ManifestConfig,
}

impl From<ManifestConfig> for Manifest {
    fn from(config: ManifestConfig) -> Manifest {
        Manifest { config }
    }
}

impl Manifest {
    /// Packer renders `output` when it configures the post-processor, before
    /// any build has generated values: only functions such as `build_name`
    /// mean anything there.
    fn output_path(&self, ctx: &PostProcessCtx<'_>) -> Result<PathBuf, PostProcessError> {
        let template = self.config.output.as_deref().unwrap_or(DEFAULT_OUTPUT);
        let tctx = output_template::context(ctx.info, &Default::default(), &[]);
        let rendered =
            output_template::render(template, &tctx).map_err(PostProcessError::Output)?;
        Ok(PathBuf::from(rendered))
    }
}

impl PostProcessor for Manifest {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        let run = || -> Result<(), PostProcessError> {
            let path = self.output_path(ctx)?;
            // Hash before taking the lock: parallel builds should wait only
            // for each other's small rewrite, never for a hash.
            let entry = entry::build_entry(&self.config, ctx, input)?;
            file::append(&path, entry, ctx.info, ctx.cancel)
        };
        run().map_err(|e| fail(ctx.cancel, e))?;
        // The manifest never deletes what it records (Packer returns its
        // input with keep and force-keep set).
        Ok(PostProcessed::passthrough(input))
    }
}

#[cfg(test)]
mod tests;
