//! `post-processor "docker-push"` (and its alias `oci-push`): the image
//! to its registry under every tag the artifact carries (a version and a
//! moving `blue`/`green`/`stable` at once), blobs checked before upload.
//! Any image the builder writes is pushed: a layout, an oci-archive or a
//! docker-archive (see `image::reload`).

use super::input;
use crate::error::OciError;
use crate::image::reload;
use crate::registry::{auth, push};
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::{Artifact, BuildError, PostProcessCtx, PostProcessed, PostProcessor};
use serde::Deserialize;

pub const BUILDER_ID: &str = "packer.post-processor.docker-push";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerPushConfig {
    pub login: Option<bool>,
    pub login_username: Option<String>,
    pub login_password: Option<String>,
    pub login_server: Option<String>,
    pub ecr_login: Option<bool>,
    pub aws_access_key: Option<String>,
    pub aws_secret_key: Option<String>,
    pub aws_token: Option<String>,
    pub aws_profile: Option<String>,
    /// kiln: push here instead of the artifact's repository.
    pub repository: Option<String>,
    /// kiln: push these tags instead of the artifact's.
    pub tags: Option<Vec<String>>,
    /// kiln: repositories of the same registry to mount blobs from.
    pub mount_from: Option<Vec<String>>,
}

impl Validate for DockerPushConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.ecr_login == Some(true) {
            out.push(ConfigProblem::field(
                "ecr_login",
                "ecr_login is not supported by kiln: use login_username/login_password",
            ));
        }
        for t in self.tags.iter().flatten() {
            if !crate::builder::common::valid_tag(t) {
                out.push(ConfigProblem::field("tags", format!("invalid tag {t:?}")));
            }
        }
        out
    }
}

pub struct DockerPush {
    config: DockerPushConfig,
}

impl From<DockerPushConfig> for DockerPush {
    fn from(config: DockerPushConfig) -> Self {
        DockerPush { config }
    }
}

impl PostProcessor for DockerPush {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        a: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        let img = input::image(a, "push")?;
        let repository = self
            .config
            .repository
            .clone()
            .filter(|r| !r.is_empty())
            .unwrap_or(img.repository.clone());
        if repository.is_empty() || !repository.contains('/') && !repository.contains('.') {
            return Err(OciError::NoRegistry(repository).into());
        }
        let tags: Vec<String> = match &self.config.tags {
            Some(t) => t.clone(),
            None => a
                .state
                .get("tags")
                .and_then(|v| v.as_array())
                .map(|t| {
                    t.iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let tags = if tags.is_empty() {
            vec!["latest".to_owned()]
        } else {
            tags
        };
        let built = reload::built(&img.stored, img.tag.as_deref())?;
        let creds = if self.config.login == Some(true) || self.config.login_username.is_some() {
            auth::from_login(
                self.config.login_username.as_deref(),
                self.config.login_password.as_deref(),
            )
        } else {
            auth::from_login(None, None)
        };
        let mut mount_from = self.config.mount_from.clone().unwrap_or_default();
        if let Some(base) = a.state.get("base_reference").and_then(|v| v.as_str()) {
            mount_from.push(base.to_owned());
        }
        for t in &tags {
            ctx.ui.message(&format!("Pushing: {repository}:{t}"));
        }
        push::push(
            &push::PushRequest {
                built: &built,
                repository: &repository,
                tags: &tags,
                auth: &creds,
                mount_from: &mount_from,
            },
            ctx.cancel,
            ctx.ui,
        )?;
        if let Some(attestor) = ctx.attestor {
            let references: Vec<String> =
                tags.iter().map(|t| format!("{repository}:{t}")).collect();
            let signatures = attestor.sign_image(&references, &built.manifest_digest);
            let attestations = attestor.attestations(&built.manifest_digest);
            crate::registry::attach::attach(
                &crate::registry::attach::AttachRequest {
                    repository: &repository,
                    digest: &built.manifest_digest,
                    manifest_size: built.manifest.len() as u64,
                    manifest_media_type: crate::image::MANIFEST,
                    signatures: &signatures,
                    attestations: &attestations,
                    auth: &creds,
                },
                ctx.cancel,
                ctx.ui,
            )?;
        }
        let mut out = Artifact::new(
            BUILDER_ID,
            built.manifest_digest.clone(),
            format!(
                "Pushed {repository} ({}): {}",
                tags.join(", "),
                built.manifest_digest
            ),
        );
        out.state = a.state.clone();
        out.state.insert("repository".into(), repository.into());
        out.state.insert("tags".into(), tags.into());
        out.state
            .insert("digest".into(), built.manifest_digest.into());
        Ok(PostProcessed {
            artifact: Some(out),
            keep_input: true,
            force_keep: false,
        })
    }
}
