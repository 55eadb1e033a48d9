//! `post-processor "docker-save"`: the image as a docker-archive tarball
//! (`docker load`'s format).

use super::input;
use crate::image::reload;
use crate::output::{docker_archive, Names, WriteOptions};
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::{Artifact, BuildError, PostProcessCtx, PostProcessed, PostProcessor};
use serde::Deserialize;
use std::path::PathBuf;

pub const BUILDER_ID: &str = "packer.post-processor.docker-save";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerSaveConfig {
    pub path: Option<String>,
}

impl Validate for DockerSaveConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        match self.path.as_deref() {
            None | Some("") => vec![ConfigProblem::field("path", "path must be specified")],
            _ => Vec::new(),
        }
    }
}

pub struct DockerSave {
    config: DockerSaveConfig,
}

impl From<DockerSaveConfig> for DockerSave {
    fn from(config: DockerSaveConfig) -> Self {
        DockerSave { config }
    }
}

impl PostProcessor for DockerSave {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        a: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        let img = input::image(a, "save")?;
        let path = PathBuf::from(self.config.path.clone().unwrap_or_default());
        let built = reload::built(&img.stored, img.tag.as_deref())?;
        let tags: Vec<String> = a
            .state
            .get("tags")
            .and_then(|v| v.as_array())
            .map(|t| {
                t.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        ctx.ui.message(&format!("Saving image: {}", a.id));
        let names = Names {
            repository: if img.repository.is_empty() {
                ctx.info.source_name.clone()
            } else {
                img.repository.clone()
            },
            tags,
        };
        docker_archive::write(
            &built,
            &path,
            &names,
            &WriteOptions {
                force: true,
                epoch: 0,
            },
        )?;
        ctx.ui.message(&format!("Saved to: {}", path.display()));
        let mut out = Artifact::new(
            BUILDER_ID,
            path.display().to_string(),
            format!("Exported Docker file: {}", path.display()),
        )
        .with_files(vec![path.clone()]);
        out.state
            .insert("digest".into(), built.manifest_digest.clone().into());
        out.state
            .insert("docker_archive".into(), path.display().to_string().into());
        // What a following docker-push needs to name the image.
        out.state
            .insert("repository".into(), names.repository.clone().into());
        out.state.insert("tags".into(), names.tags.clone().into());
        Ok(PostProcessed {
            artifact: Some(out),
            keep_input: true,
            force_keep: false,
        })
    }
}
