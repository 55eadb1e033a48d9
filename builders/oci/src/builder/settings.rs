//! What a build of either source type does, resolved from its config:
//! the two configs (`source "oci"`, `source "docker"`) differ in field
//! names and defaults, not in the work.

use crate::compression::Compression;
use crate::config::{changes, RunConfig};
use crate::image::platform::Platform;
use crate::output::{Format, Names};
use crate::source::Source;
use std::path::PathBuf;

/// Where the result goes.
#[derive(Debug, Clone)]
pub enum Output {
    /// An image in `format` at `path`.
    Image { format: Format, path: PathBuf },
    /// `docker export`'s flat tar of the root filesystem.
    Export(PathBuf),
    /// Nothing (Packer's `discard`).
    Discard,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub builder_id: &'static str,
    pub base: Source,
    pub platform: Platform,
    pub privileged: bool,
    pub compression: Compression,
    pub layer_per_provisioner: bool,
    /// Applied to the base's run config, in order.
    pub changes: Vec<String>,
    /// Native fields, applied after `changes`.
    pub native: Native,
    pub author: Option<String>,
    pub message: Option<String>,
    pub output: Output,
    pub names: Names,
    /// `source_date_epoch`, else `SOURCE_DATE_EPOCH` at run time.
    pub epoch: Option<i64>,
    /// Sandbox settings for provisioning.
    pub exec_user: Option<String>,
    pub network: Option<String>,
    pub volumes: Vec<(String, String)>,
    /// Registry credentials for a `docker://` base.
    pub login: Option<(String, String)>,
}

/// Image config fields set directly (`source "oci"`).
#[derive(Debug, Clone, Default)]
pub struct Native {
    pub env: Vec<(String, String)>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub labels: Vec<(String, String)>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub exposed_ports: Vec<String>,
    pub stop_signal: Option<String>,
}

impl Settings {
    /// The run config of the result.
    pub fn run_config(&self, base: RunConfig) -> Result<RunConfig, String> {
        let mut rc = base;
        for line in &self.changes {
            changes::apply(&mut rc, line)?;
        }
        let n = &self.native;
        for (k, v) in &n.env {
            rc.set_env(k, v);
        }
        if n.cmd.is_some() {
            rc.cmd.clone_from(&n.cmd);
        }
        if n.entrypoint.is_some() {
            rc.entrypoint.clone_from(&n.entrypoint);
        }
        for (k, v) in &n.labels {
            rc.labels.insert(k.clone(), v.clone());
        }
        if n.working_dir.is_some() {
            rc.working_dir.clone_from(&n.working_dir);
        }
        if n.user.is_some() {
            rc.user.clone_from(&n.user);
        }
        for p in &n.exposed_ports {
            rc.expose(p)?;
        }
        if n.stop_signal.is_some() {
            rc.stop_signal.clone_from(&n.stop_signal);
        }
        Ok(rc)
    }

    /// Check `changes` early, so `validate` reports them.
    pub fn check_changes(changes: &[String]) -> Vec<String> {
        let mut rc = RunConfig::default();
        changes
            .iter()
            .filter_map(|c| changes::apply(&mut rc, c).err())
            .collect()
    }
}

/// `SOURCE_DATE_EPOCH` from the environment, if it is a number.
pub fn env_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
}
