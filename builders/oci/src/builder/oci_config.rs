//! `source "oci"`: kiln's own container image source.

use super::common;
use super::settings::{Native, Output, Settings};
use crate::compression::Compression;
use crate::output::{Format, Names};
use crate::source::Source;
use kiln_core::component::{ConfigProblem, Validate};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const BUILDER_ID: &str = "kiln.oci";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OciConfig {
    /// Base image: `oci:PATH[:TAG]`, `oci-archive:PATH[:TAG]`,
    /// `docker-archive:PATH[:REPO:TAG]`, `rootfs:PATH.tar[.gz|.zst]`,
    /// `docker://REGISTRY/REPO:TAG` or `scratch`.
    pub image: Option<String>,
    /// `os/arch[/variant]` of the base to pick from a multi-platform image.
    pub platform: Option<String>,
    /// Create device nodes from layers; full capabilities while provisioning.
    pub privileged: Option<bool>,
    /// `host` (default) or `none` while provisioning.
    pub network: Option<String>,
    /// User provisioning commands run as (`USER[:GROUP]`).
    pub exec_user: Option<String>,
    /// Bind mounts while provisioning: host path → container path.
    pub volumes: Option<BTreeMap<String, String>>,
    /// Dockerfile instructions applied to the image config.
    pub changes: Option<Vec<String>>,
    pub env: Option<BTreeMap<String, String>>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub labels: Option<BTreeMap<String, String>>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub exposed_ports: Option<Vec<String>>,
    pub stop_signal: Option<String>,
    pub author: Option<String>,
    /// History comment of the new layers.
    pub message: Option<String>,
    /// `gzip` (default) or `zstd`.
    pub compression: Option<String>,
    /// One layer per provisioner instead of one per build.
    pub layer_per_provisioner: Option<bool>,
    /// `oci` (a layout directory, default), `oci-archive` or `docker-archive`.
    pub output_format: Option<String>,
    /// The layout directory (default `output-NAME`).
    pub output_directory: Option<String>,
    /// The archive file (default `output-NAME.tar`).
    pub output_file: Option<String>,
    /// Repository name recorded with the tags (default: the source name).
    pub repository: Option<String>,
    /// Tags of the image (default `["latest"]`).
    pub tags: Option<Vec<String>>,
    /// mtime bound of new files and the image's creation time; defaults to
    /// the `SOURCE_DATE_EPOCH` environment variable.
    pub source_date_epoch: Option<i64>,
    /// Credentials for a `docker://` base (basic, or for the registry's
    /// token service).
    pub login_username: Option<String>,
    pub login_password: Option<String>,
}

impl Validate for OciConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        common::check_image(self.image.as_deref(), "image must be specified", &mut out);
        common::check_platform(self.platform.as_deref(), &mut out);
        common::check_compression(self.compression.as_deref(), &mut out);
        common::check_changes(self.changes.as_deref(), &mut out);
        common::network_ok(self.network.as_deref(), &mut out);
        let format = match self.output_format.as_deref().map(Format::parse) {
            Some(None) => {
                out.push(ConfigProblem::field(
                    "output_format",
                    "output_format must be \"oci\", \"oci-archive\" or \"docker-archive\"",
                ));
                Format::Layout
            }
            Some(Some(f)) => f,
            None => Format::Layout,
        };
        if format == Format::Layout && self.output_file.is_some() {
            out.push(ConfigProblem::field(
                "output_file",
                "output_file is for archives; a layout goes to output_directory",
            ));
        }
        if format != Format::Layout && self.output_directory.is_some() {
            out.push(ConfigProblem::field(
                "output_directory",
                "output_directory is for a layout; an archive goes to output_file",
            ));
        }
        for t in self.tags.iter().flatten() {
            if !common::valid_tag(t) {
                out.push(ConfigProblem::field("tags", format!("invalid tag {t:?}")));
            }
        }
        if self.tags.as_ref().is_some_and(Vec::is_empty) {
            out.push(ConfigProblem::field("tags", "tags must not be empty"));
        }
        for p in self.exposed_ports.iter().flatten() {
            let mut rc = crate::config::RunConfig::default();
            if let Err(e) = rc.expose(p) {
                out.push(ConfigProblem::field("exposed_ports", e));
            }
        }
        out
    }

    fn resolve_settings(&self) {
        let _ = self.settings("validate");
    }
}

impl OciConfig {
    pub fn settings(&self, source_name: &str) -> Settings {
        let format = self
            .output_format
            .as_deref()
            .and_then(Format::parse)
            .unwrap_or_default();
        let path = match format {
            Format::Layout => self
                .output_directory
                .clone()
                .unwrap_or_else(|| format!("output-{source_name}")),
            _ => self
                .output_file
                .clone()
                .unwrap_or_else(|| format!("output-{source_name}.tar")),
        };
        Settings {
            builder_id: BUILDER_ID,
            base: Source::parse(self.image.as_deref().unwrap_or_default())
                .unwrap_or(Source::Scratch),
            platform: common::platform(self.platform.as_deref()),
            privileged: self.privileged.unwrap_or(false),
            compression: self
                .compression
                .as_deref()
                .and_then(Compression::parse)
                .unwrap_or_default(),
            layer_per_provisioner: self.layer_per_provisioner.unwrap_or(false),
            changes: self.changes.clone().unwrap_or_default(),
            native: Native {
                env: self.env.clone().unwrap_or_default().into_iter().collect(),
                cmd: self.cmd.clone(),
                entrypoint: self.entrypoint.clone(),
                labels: self
                    .labels
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
                working_dir: self.working_dir.clone(),
                user: self.user.clone(),
                exposed_ports: self.exposed_ports.clone().unwrap_or_default(),
                stop_signal: self.stop_signal.clone(),
            },
            author: self.author.clone(),
            message: self.message.clone(),
            output: Output::Image {
                format,
                path: path.into(),
            },
            names: Names {
                repository: self
                    .repository
                    .clone()
                    .unwrap_or_else(|| source_name.to_owned()),
                tags: self.tags.clone().unwrap_or_else(|| vec!["latest".into()]),
            },
            epoch: self.source_date_epoch,
            exec_user: self.exec_user.clone(),
            network: self.network.clone(),
            volumes: self
                .volumes
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            login: self.login_username.clone().zip(self.login_password.clone()),
        }
    }
}
