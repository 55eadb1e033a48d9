//! The post-processor seam: artifact in, artifact out.

use crate::artifact::Artifact;
use crate::build::{BuildInfo, Generated};
use crate::cancel::Cancel;
use crate::error::BuildError;
use crate::ui::Ui;

#[derive(Clone, Copy)]
pub struct PostProcessCtx<'a> {
    pub info: &'a BuildInfo,
    pub ui: &'a dyn Ui,
    pub cancel: &'a Cancel,
    pub generated: &'a Generated,
    /// Signatures and attestations for what a post-processor publishes
    /// (`None`: the build signs nothing).
    pub attestor: Option<&'a dyn crate::attestor::Attestor>,
}

/// What a post-processor returns (Packer's `(artifact, keep, forceOverride)`).
pub struct PostProcessed {
    /// `None` ends the chain without an artifact.
    pub artifact: Option<Artifact>,
    /// Whether the input artifact is kept when the user did not set
    /// `keep_input_artifact`.
    pub keep_input: bool,
    /// Keep the input even if the user set `keep_input_artifact = false`
    /// (for post-processors whose output is useless without it).
    pub force_keep: bool,
}

impl PostProcessed {
    /// Pass the input through unchanged and keep it (manifest, checksum
    /// side files, shell-local).
    pub fn passthrough(input: &Artifact) -> PostProcessed {
        PostProcessed {
            artifact: Some(input.clone()),
            keep_input: true,
            force_keep: true,
        }
    }
}

pub trait PostProcessor: Send + Sync {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
    ) -> Result<PostProcessed, BuildError>;
}
