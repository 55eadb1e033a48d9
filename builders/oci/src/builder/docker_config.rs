//! `source "docker"`: Packer's docker builder fields with their meaning,
//! served without a Docker daemon.

use super::common;
use super::settings::{Native, Output, Settings};
use crate::compression::Compression;
use crate::output::{Format, Names};
use crate::source::Source;
use kiln_core::component::{ConfigProblem, Validate};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Packer's docker builder id; post-processors and the manifest key on it.
pub const BUILDER_ID: &str = "packer.docker";

kiln_communicator_ssh::communicator_config! {
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct DockerConfig {
        pub author: Option<String>,
        pub changes: Option<Vec<String>>,
        /// Produce the image (an OCI layout in `output_directory`).
        pub commit: Option<bool>,
        pub container_dir: Option<String>,
        pub device: Option<Vec<String>>,
        pub discard: Option<bool>,
        pub cap_add: Option<Vec<String>>,
        pub cap_drop: Option<Vec<String>>,
        pub exec_user: Option<String>,
        /// `docker export`'s flat tar of the file system.
        pub export_path: Option<String>,
        pub image: Option<String>,
        pub message: Option<String>,
        pub privileged: Option<bool>,
        pub pty: Option<bool>,
        pub pull: Option<bool>,
        /// Ignored with a warning: kiln starts no container.
        pub run_command: Option<Vec<String>>,
        pub tmpfs: Option<Vec<String>>,
        /// Bind mounts while provisioning: host path → container path.
        pub volumes: Option<BTreeMap<String, String>>,
        pub fix_upload_owner: Option<bool>,
        pub windows_container: Option<bool>,
        pub login: Option<bool>,
        pub login_password: Option<String>,
        pub login_server: Option<String>,
        pub login_username: Option<String>,
        pub ecr_login: Option<bool>,
        pub aws_access_key: Option<String>,
        pub aws_secret_key: Option<String>,
        pub aws_token: Option<String>,
        pub aws_profile: Option<String>,
        /// kiln: `os/arch[/variant]` of the base image.
        pub platform: Option<String>,
        /// kiln: where `commit = true` writes the OCI layout (default `output-NAME`).
        pub output_directory: Option<String>,
        /// kiln: `gzip` (default) or `zstd`.
        pub compression: Option<String>,
        /// kiln: one layer per provisioner.
        pub layer_per_provisioner: Option<bool>,
    }
}

impl Validate for DockerConfig {
    /// Packer's checks and messages, then kiln's.
    fn validate(&self) -> Vec<ConfigProblem> {
        // Packer's docker builder talks to its container through the
        // `docker` communicator unless told otherwise; kiln's sandbox
        // stands in for it.
        let mut comm = self.communicator_config();
        if comm.communicator.is_none() {
            comm.communicator = Some("docker".into());
        }
        let mut out = comm.problems();
        common::check_image(self.image.as_deref(), "Image must be specified", &mut out);
        let commit = self.commit == Some(true);
        let discard = self.discard == Some(true);
        let export = self.export_path.as_deref().is_some_and(|p| !p.is_empty());
        if [export, commit, discard].iter().filter(|b| **b).count() > 1 {
            out.push(ConfigProblem::block(
                "Cannot specify more than one of commit, discard, and export_path",
            ));
        }
        if !export && !commit && !discard {
            out.push(ConfigProblem::block(
                "No instructions given for handling the artifact; expected commit, discard, or export_path",
            ));
        }
        if let Some(p) = self.export_path.as_deref().filter(|p| !p.is_empty()) {
            if std::fs::metadata(p).is_ok_and(|m| m.is_dir()) {
                out.push(ConfigProblem::field(
                    "export_path",
                    "export_path must be a file, not a directory",
                ));
            }
        }
        if self.ecr_login == Some(true) && self.login_server.as_deref().unwrap_or("").is_empty() {
            out.push(ConfigProblem::block(
                "ECR login requires login server to be provided.",
            ));
        }
        if self.windows_container == Some(true) {
            out.push(ConfigProblem::field(
                "windows_container",
                "kiln builds Linux containers only",
            ));
        }
        common::check_platform(self.platform.as_deref(), &mut out);
        common::check_compression(self.compression.as_deref(), &mut out);
        common::check_changes(self.changes.as_deref(), &mut out);
        out
    }

    fn resolve_settings(&self) {
        let _ = self.settings("validate");
    }
}

impl DockerConfig {
    /// Fields accepted for Packer templates that have no effect without a
    /// daemon, when set.
    pub fn ignored(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.run_command.is_some() {
            out.push("run_command");
        }
        if self.cap_add.is_some() {
            out.push("cap_add");
        }
        if self.cap_drop.is_some() {
            out.push("cap_drop");
        }
        if self.device.is_some() {
            out.push("device");
        }
        if self.tmpfs.is_some() {
            out.push("tmpfs");
        }
        out
    }

    pub fn settings(&self, source_name: &str) -> Settings {
        let output = if self.commit == Some(true) {
            Output::Image {
                format: Format::Layout,
                path: self
                    .output_directory
                    .clone()
                    .unwrap_or_else(|| format!("output-{source_name}"))
                    .into(),
            }
        } else if let Some(p) = self.export_path.as_deref().filter(|p| !p.is_empty()) {
            Output::Export(p.into())
        } else {
            Output::Discard
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
            native: Native::default(),
            author: self.author.clone().filter(|a| !a.is_empty()),
            message: self.message.clone().filter(|m| !m.is_empty()),
            output,
            // Packer's commit makes an untagged image and docker-tag names
            // it; a layout entry without a name is one most tools (umoci)
            // cannot pick, so it is `latest` until then.
            names: Names {
                repository: source_name.to_owned(),
                tags: vec!["latest".into()],
            },
            epoch: None,
            exec_user: self.exec_user.clone(),
            network: None,
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
