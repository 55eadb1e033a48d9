//! `post-processor "docker-tag"`: name the image in its layout
//! (`org.opencontainers.image.ref.name` entries of `index.json`), as
//! Packer's tags it in the Docker daemon.

use super::input;
use crate::error::OciError;
use crate::image::reload;
use crate::output::layout::index_json;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::{Artifact, BuildError, PostProcessCtx, PostProcessed, PostProcessor};
use serde::Deserialize;

pub const BUILDER_ID: &str = "packer.post-processor.docker-tag";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerTagConfig {
    pub repository: Option<String>,
    pub tags: Option<Vec<String>>,
    /// Deprecated spelling of `tags`.
    pub tag: Option<Vec<String>>,
    /// Packer's `docker tag --force`; tags always move in a layout.
    pub force: Option<bool>,
}

impl Validate for DockerTagConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        for t in self.all_tags() {
            if !crate::builder::common::valid_tag(&t) {
                out.push(ConfigProblem::field("tags", format!("invalid tag {t:?}")));
            }
        }
        out
    }
}

impl DockerTagConfig {
    fn all_tags(&self) -> Vec<String> {
        let mut all = self.tags.clone().unwrap_or_default();
        all.extend(self.tag.clone().unwrap_or_default());
        all
    }
}

pub struct DockerTag {
    config: DockerTagConfig,
}

impl From<DockerTagConfig> for DockerTag {
    fn from(config: DockerTagConfig) -> Self {
        DockerTag { config }
    }
}

impl PostProcessor for DockerTag {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        a: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        if self.config.tag.as_ref().is_some_and(|t| !t.is_empty()) {
            ctx.ui.say(
                "Deprecation warning: \"tag\" option has been replaced with \"tags\". In future versions of Packer, this configuration may not work. Please call `packer fix` on your template to update.",
            );
        }
        let img = input::image(a, "tag")?;
        let repo = self
            .config
            .repository
            .clone()
            .filter(|r| !r.is_empty())
            .unwrap_or(img.repository.clone());
        let tags = self.config.all_tags();
        let layout = img.layout(a)?;
        let built = reload::built(&img.stored, img.tag.as_deref())?;
        // Existing names stay; the new ones point at this image.
        let existing = existing_tags(layout, &built.manifest_digest)?;
        let mut names: Vec<String> = existing.into_iter().filter(|t| !tags.contains(t)).collect();
        let mut last = repo.clone();
        for t in &tags {
            ctx.ui.message(&format!("Tagging image: {}", a.id));
            ctx.ui.message(&format!("Repository: {repo}:{t}"));
            names.push(t.clone());
            last = format!("{repo}:{t}");
        }
        rewrite_index(
            layout,
            &built,
            &names,
            &existing_entries(layout, &tags, &built.manifest_digest)?,
        )?;
        let mut out = Artifact::new(BUILDER_ID, last, format!("Imported Docker image: {}", a.id))
            .with_files(a.files.clone());
        out.state = a.state.clone();
        out.state.insert("repository".into(), repo.into());
        out.state.insert("tags".into(), tags.clone().into());
        if let Some(t) = tags.first() {
            out.state.insert("oci_ref".into(), t.clone().into());
        }
        // A tag of a deleted image is no use: the input always stays.
        Ok(PostProcessed {
            artifact: Some(out),
            keep_input: true,
            force_keep: true,
        })
    }
}

fn index(layout: &std::path::Path) -> Result<oci_spec::image::ImageIndex, BuildError> {
    let bytes = std::fs::read(layout.join("index.json"))
        .map_err(|e| OciError::io(format!("read {}/index.json", layout.display()), e))?;
    Ok(crate::image::parse_json("index.json", &bytes)?)
}

/// Names this image already has in the layout.
fn existing_tags(layout: &std::path::Path, digest: &str) -> Result<Vec<String>, BuildError> {
    Ok(index(layout)?
        .manifests()
        .iter()
        .filter(|d| d.digest().to_string() == digest)
        .filter_map(|d| crate::image::layout::ref_name(d).map(str::to_owned))
        .collect())
}

/// Index entries of other images (tags not being moved), kept as they are.
fn existing_entries(
    layout: &std::path::Path,
    moving: &[String],
    digest: &str,
) -> Result<Vec<oci_spec::image::Descriptor>, BuildError> {
    Ok(index(layout)?
        .manifests()
        .iter()
        .filter(|d| d.digest().to_string() != digest)
        .filter(|d| {
            crate::image::layout::ref_name(d).is_none_or(|t| !moving.iter().any(|m| m == t))
        })
        .cloned()
        .collect())
}

/// Write `index.json` with this image under `names` plus `others`, through
/// a temporary file and a rename.
fn rewrite_index(
    layout: &std::path::Path,
    built: &crate::output::compose::Built,
    names: &[String],
    others: &[oci_spec::image::Descriptor],
) -> Result<(), BuildError> {
    let mine: oci_spec::image::ImageIndex =
        crate::image::parse_json("index.json", &index_json(built, names)?)?;
    let mut all = others.to_vec();
    all.extend(mine.manifests().iter().cloned());
    let mut idx = mine.clone();
    idx.set_manifests(all);
    let bytes = crate::canonical_json::to_vec("index.json", &idx)?;
    let dest = layout.join("index.json");
    let tmp = crate::output::stage::file_for(&dest)?;
    std::fs::write(tmp.path(), bytes)
        .map_err(|e| OciError::io(format!("write {}", tmp.path().display()), e))?;
    crate::output::stage::commit_file(tmp, &dest, true)?;
    Ok(())
}
