//! `provisioner "puppet-masterless"`: upload manifests, modules and a hiera
//! configuration to a staging directory on the machine and run `puppet
//! apply` there, through any [`Communicator`], as Packer's plugin does.
//! Puppet itself must be on the machine already (as with Packer).

mod config;
mod error;

#[cfg(test)]
mod tests;

pub use config::{PuppetMasterlessConfig, DEFAULT_EXECUTE_COMMAND, DEFAULT_STAGING_DIR};
pub use error::PuppetError;

use crate::guest::{self, GuestCommands};
use config::{facter_vars, ExecuteData, MODULE_PATH_JOINER};
use error::{INSTALL_PUPPET, INSTALL_SUDO};
use kiln_core::{BuildError, CommError, Communicator, ProvisionCtx, Provisioner};
use kiln_template::legacy;
use std::path::Path;

pub struct PuppetMasterless {
    config: PuppetMasterlessConfig,
}

impl From<PuppetMasterlessConfig> for PuppetMasterless {
    fn from(config: PuppetMasterlessConfig) -> PuppetMasterless {
        PuppetMasterless { config }
    }
}

impl Provisioner for PuppetMasterless {
    /// Everything it uploads: the manifest (file or folder), the
    /// manifest folder, the module paths and the Hiera config.
    fn cache_inputs(&self) -> Option<Vec<std::path::PathBuf>> {
        let c = &self.config;
        let modules = c
            .module_paths
            .iter()
            .flatten()
            .map(|s| Some(s.clone()))
            .collect::<Vec<_>>();
        let mut all =
            crate::cache_inputs::named([&c.manifest_file, &c.manifest_dir, &c.hiera_config_path]);
        all.extend(crate::cache_inputs::named(&modules));
        Some(all)
    }

    fn provision(&self, ctx: &ProvisionCtx<'_>, comm: &dyn Communicator) -> Result<(), BuildError> {
        let result = Run {
            config: &self.config,
            ctx,
            comm,
            commands: self.config.commands(),
        }
        .provision();
        match (result, ctx.cancel.reason()) {
            (Err(_), Some(reason)) => Err(BuildError::from_reason(reason, None)),
            (Err(PuppetError::Cancelled), None) => Err(BuildError::Cancelled),
            (Err(e), None) => Err(BuildError::failed(e)),
            (Ok(()), _) => Ok(()),
        }
    }
}

/// One provisioning run.
struct Run<'a> {
    config: &'a PuppetMasterlessConfig,
    ctx: &'a ProvisionCtx<'a>,
    comm: &'a dyn Communicator,
    commands: GuestCommands,
}

/// A failed remote step as Packer words it: the communicator's error, or
/// a status that is not 0.
fn step_error(e: CommError) -> String {
    e.to_string()
}

/// `src` with a trailing slash: its contents are copied, not the
/// directory itself (Packer's rule for these uploads).
fn contents_of(src: &str) -> std::path::PathBuf {
    if src.ends_with('/') {
        src.into()
    } else {
        format!("{src}/").into()
    }
}

impl Run<'_> {
    fn staging(&self) -> &str {
        self.config.staging_dir()
    }

    fn cancelled(&self) -> Result<(), PuppetError> {
        if self.ctx.cancel.is_cancelled() {
            Err(PuppetError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// After a status of 127 from a helper command: whether `sudo` is what
    /// the machine lacks.
    fn sudo_missing(&self) -> bool {
        self.commands.sudo
            && guest::missing(self.comm, self.ctx.cancel, self.commands, &[]) == Some("sudo")
    }

    /// Run a helper command with its output shown; a status other than 0
    /// is Packer's "Non-zero exit status.".
    fn step(&self, command: &str) -> Result<(), String> {
        match guest::run(self.comm, self.ctx.ui, self.ctx.cancel, command) {
            Ok(0) => Ok(()),
            Ok(guest::NOT_FOUND) if self.sudo_missing() => Err(format!(
                "sudo was not found on the machine (the command exited with status 127): {INSTALL_SUDO}"
            )),
            Ok(_) => Err("Non-zero exit status. See output above for more info.".to_owned()),
            Err(e) => Err(step_error(e)),
        }
    }

    /// Packer's `createDir`: `mkdir -p`, then mode 0777 so that the
    /// connecting user can upload into it even when sudo made it.
    fn create_dir(&self, dir: &str) -> Result<(), String> {
        self.ctx.ui.message(&format!("Creating directory: {dir}"));
        self.step(&self.commands.create_dir(dir))?;
        self.step(&self.commands.chmod(dir, "0777"))
    }

    fn upload_dir(&self, dst: &str, src: &str) -> Result<(), String> {
        self.create_dir(dst)?;
        self.comm
            .upload_dir(dst, &contents_of(src))
            .map_err(step_error)
    }

    fn provision(&self) -> Result<(), PuppetError> {
        let ui = self.ctx.ui;
        let info = self.ctx.info;
        ui.say("Provisioning with Puppet...");
        ui.message("Creating Puppet staging directory...");
        self.create_dir(self.staging())
            .map_err(PuppetError::StagingDir)?;
        self.cancelled()?;

        let mut hiera = String::new();
        if let Some(path) = self
            .config
            .hiera_config_path
            .as_deref()
            .filter(|p| !p.is_empty())
        {
            ui.message("Uploading hiera configuration...");
            let remote = format!("{}/hiera.yaml", self.staging());
            self.comm
                .upload_file(&remote, Path::new(path))
                .map_err(PuppetError::Hiera)?;
            hiera = remote;
        }

        let mut manifest_dir = String::new();
        if let Some(dir) = self
            .config
            .manifest_dir
            .as_deref()
            .filter(|p| !p.is_empty())
        {
            ui.message(&format!("Uploading manifest directory from: {dir}"));
            let remote = format!("{}/manifests", self.staging());
            self.upload_dir(&remote, dir)
                .map_err(PuppetError::ManifestDir)?;
            manifest_dir = remote;
        }

        let mut module_paths = Vec::new();
        for (i, path) in self.config.module_paths.iter().flatten().enumerate() {
            self.cancelled()?;
            ui.message(&format!("Uploading local modules from: {path}"));
            let remote = format!("{}/module-{i}", self.staging());
            self.upload_dir(&remote, path)
                .map_err(PuppetError::Modules)?;
            module_paths.push(remote);
        }

        self.cancelled()?;
        let manifest_file = self.upload_manifests().map_err(PuppetError::Manifests)?;

        let facts = self.config.facts(&info.source_name, &info.builder_type);
        let mut data = ExecuteData {
            extra_arguments: String::new(),
            facter_vars: facter_vars(&facts),
            hiera_config_path: hiera,
            manifest_dir,
            manifest_file,
            module_path: module_paths.join(MODULE_PATH_JOINER),
            puppet_bin_dir: self.config.puppet_bin_dir().to_owned(),
            sudo: self.config.sudo(),
            working_dir: self.config.working_dir().to_owned(),
        };
        let extra = self
            .config
            .extra_arguments
            .clone()
            .unwrap_or_default()
            .join(" ");
        data.extra_arguments =
            legacy::render_once(&extra, &data.context(&info.source_name, &info.builder_type))
                .map_err(|source| PuppetError::Template {
                    field: "extra_arguments",
                    source,
                })?;
        let command = legacy::render_once(
            self.config.execute_command(),
            &data.context(&info.source_name, &info.builder_type),
        )
        .map_err(|source| PuppetError::Template {
            field: "execute_command",
            source,
        })?;

        self.cancelled()?;
        ui.message(&format!("Running Puppet: {command}"));
        let code = match guest::run(self.comm, ui, self.ctx.cancel, &command) {
            Ok(code) => code,
            Err(CommError::Cancelled) => return Err(PuppetError::Cancelled),
            Err(e) => return Err(PuppetError::Start(e)),
        };
        // Puppet's --detailed-exitcodes: 2 means changes were applied.
        if code != 0 && code != 2 && !self.config.ignore_exit_codes() {
            if code == guest::NOT_FOUND {
                let program = self.config.puppet_program();
                match guest::missing(self.comm, self.ctx.cancel, self.commands, &[&program]) {
                    Some("sudo") => {
                        return Err(PuppetError::Missing {
                            program: "sudo",
                            hint: INSTALL_SUDO,
                        })
                    }
                    Some(_) => {
                        return Err(PuppetError::Missing {
                            program: "puppet",
                            hint: INSTALL_PUPPET,
                        })
                    }
                    None => {}
                }
            }
            return Err(PuppetError::ExitStatus(code));
        }

        if self.config.clean_staging_dir() {
            self.step(&self.commands.remove_dir(self.staging()))
                .map_err(PuppetError::RemoveStaging)?;
        }
        Ok(())
    }

    /// Packer's `uploadManifests`: `manifest_file` is a file (uploaded into
    /// `manifests/`) or a directory (its contents uploaded there); the
    /// remote path is what `puppet apply` gets.
    fn upload_manifests(&self) -> Result<String, String> {
        let ui = self.ctx.ui;
        ui.message("Uploading manifests...");
        let remote_dir = format!("{}/manifests", self.staging());
        self.create_dir(&remote_dir)
            .map_err(|e| format!("Error creating manifests directory: {e}"))?;
        let local = self.config.manifest_file.as_deref().unwrap_or_default();
        let meta = std::fs::metadata(local).map_err(|e| {
            format!(
                "Error inspecting manifest file: {}",
                kiln_core::go_error::path_error("stat", local, &e)
            )
        })?;
        if meta.is_dir() {
            ui.message(&format!("Uploading manifest directory from: {local}"));
            self.upload_dir(&remote_dir, local)
                .map_err(|e| format!("Error uploading manifest dir: {e}"))?;
            return Ok(remote_dir);
        }
        ui.message(&format!("Uploading manifest file from: {local}"));
        let name = Path::new(local)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let remote = format!("{remote_dir}/{name}");
        self.comm
            .upload_file(&remote, Path::new(local))
            .map_err(step_error)?;
        Ok(remote)
    }
}
