//! `provisioner "salt-masterless"`: upload a Salt state tree (plus pillar
//! roots, minion config, grains and git formulas) to the machine and run
//! `salt-call --local` there, through any [`Communicator`], as Packer's
//! plugin does. Unless `skip_bootstrap`, Salt is installed first, from
//! PyPI into a virtual environment (`bootstrap.sh`).

mod config;
mod error;
mod formulas;

#[cfg(test)]
mod tests;

pub use config::SaltMasterlessConfig;
pub use error::SaltError;

use crate::guest::{self, GuestCommands};
use config::{BOOTSTRAP_PREFIX, CONFIG_DIR};
use error::{INSTALL_SALT, INSTALL_SUDO};
use formulas::Formula;
use kiln_core::communicator::FileMode;
use kiln_core::{BuildError, CommError, Communicator, ProvisionCtx, Provisioner};
use std::path::Path;

/// The bootstrap script, uploaded and run with `bootstrap_args`.
pub const BOOTSTRAP_SCRIPT: &str = include_str!("bootstrap.sh");

/// Where the bootstrap script goes (Packer's was /tmp/install_salt.sh).
const BOOTSTRAP_PATH: &str = "/tmp/kiln-bootstrap-salt.sh";

/// How the bootstrap installs Salt, as the build output says.
pub fn bootstrap_method() -> String {
    format!(
        "python3 -m venv {BOOTSTRAP_PREFIX} && {BOOTSTRAP_PREFIX}/bin/pip install salt (from PyPI)"
    )
}

/// Why the bootstrap script failed, by its exit status.
pub fn bootstrap_failure(code: i32) -> String {
    match code {
        10 => "python3 is not installed on the machine, and there is no apt-get to install it: install python3 with its venv module first, or install Salt yourself and set skip_bootstrap = true (and salt_bin_dir)".to_owned(),
        11 => "python3's venv module is missing and could not be installed (Debian, Ubuntu: apt-get install python3-venv; see the output above)".to_owned(),
        12 => "pip could not install Salt (see its output above): the machine must reach PyPI (pypi.org), or pass pip options in bootstrap_args, such as --index-url URL or --no-index --find-links DIR".to_owned(),
        13 => format!("the installed {BOOTSTRAP_PREFIX}/bin/salt-call does not run (see the output above)"),
        guest::NOT_FOUND => "the bootstrap could not start (exit status 127): sudo or sh is missing on the machine; set disable_sudo = true when the commands already run as root".to_owned(),
        other => format!("the bootstrap script exited with status {other}"),
    }
}

pub struct SaltMasterless {
    config: SaltMasterlessConfig,
}

impl From<SaltMasterlessConfig> for SaltMasterless {
    fn from(config: SaltMasterlessConfig) -> SaltMasterless {
        SaltMasterless { config }
    }
}

impl Provisioner for SaltMasterless {
    /// The state tree, pillar roots, minion config and grains it
    /// uploads; formulas come from git remotes, whose content kiln cannot
    /// know without fetching it, so a step with formulas always runs.
    fn cache_inputs(&self) -> Option<Vec<std::path::PathBuf>> {
        let c = &self.config;
        if !c.formulas().is_empty() {
            return None;
        }
        Some(crate::cache_inputs::named([
            &c.local_state_tree,
            &c.local_pillar_roots,
            &c.minion_config,
            &c.grains_file,
        ]))
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
            (Err(SaltError::Cancelled), None) => Err(BuildError::Cancelled),
            (Err(e), None) => Err(BuildError::failed(e)),
            (Ok(()), _) => Ok(()),
        }
    }
}

struct Run<'a> {
    config: &'a SaltMasterlessConfig,
    ctx: &'a ProvisionCtx<'a>,
    comm: &'a dyn Communicator,
    commands: GuestCommands,
}

fn contents_of(src: &str) -> std::path::PathBuf {
    if src.ends_with('/') {
        src.into()
    } else {
        format!("{src}/").into()
    }
}

/// The parent directory of a remote path (`/` for a top-level one).
fn parent(path: &str) -> &str {
    match path.trim_end_matches('/').rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

impl Run<'_> {
    fn cancelled(&self) -> Result<(), SaltError> {
        if self.ctx.cancel.is_cancelled() {
            Err(SaltError::Cancelled)
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

    /// A helper command with its output shown; Packer's "Bad exit status".
    fn step(&self, command: &str) -> Result<(), String> {
        match guest::run(self.comm, self.ctx.ui, self.ctx.cancel, command) {
            Ok(0) => Ok(()),
            Ok(guest::NOT_FOUND) if self.sudo_missing() => Err(format!(
                "sudo was not found on the machine (the command exited with status 127): {INSTALL_SUDO}"
            )),
            Ok(code) => Err(format!("Bad exit status: {code}")),
            Err(e) => Err(e.to_string()),
        }
    }

    /// `mkdir -p`, then mode 0777 so that the connecting user can upload
    /// into a directory sudo made.
    fn create_dir(&self, dir: &str) -> Result<(), String> {
        self.ctx.ui.message(&format!("Creating directory: {dir}"));
        self.step(&self.commands.create_dir(dir))?;
        self.step(&self.commands.chmod(dir, "0777"))
    }

    fn move_path(&self, src: &str, dst: &str) -> Result<(), SaltError> {
        self.ctx.ui.message(&format!("Moving {src} to {dst}"));
        self.step(&self.commands.move_path(src, dst))
            .map_err(|why| SaltError::Move {
                src: src.to_owned(),
                dst: dst.to_owned(),
                why,
            })
    }

    /// Replace `dst` by `src`: what was at `dst` is removed first (Packer
    /// means to clear it; its check is inverted and can nest the tree
    /// inside an existing one).
    fn replace(&self, src: &str, dst: &str) -> Result<(), SaltError> {
        let err = |why| SaltError::Move {
            src: src.to_owned(),
            dst: dst.to_owned(),
            why,
        };
        self.ctx.ui.message(&format!("Removing directory: {dst}"));
        self.step(&self.commands.remove_dir(dst)).map_err(err)?;
        self.step(&self.commands.create_dir(parent(dst)))
            .map_err(err)?;
        self.move_path(src, dst)
    }

    fn provision(&self) -> Result<(), SaltError> {
        let ui = self.ctx.ui;
        // Held until the end: dropping it removes the clones.
        let formula_dir = self.fetch_formulas()?;
        self.cancelled()?;

        ui.say("Provisioning with Salt...");
        if self.config.bootstrap() {
            self.bootstrap()?;
        }
        self.cancelled()?;

        let temp = self.config.temp_dir();
        ui.message(&format!("Creating remote temporary directory: {temp}"));
        self.create_dir(temp).map_err(SaltError::TempDir)?;

        if let Some(minion) = self
            .config
            .minion_config
            .as_deref()
            .filter(|p| !p.is_empty())
        {
            ui.message(&format!("Uploading minion config: {minion}"));
            self.install_config_file(minion, "minion", SaltError::MinionConfig)?;
        }
        if let Some(grains) = self.config.grains_file.as_deref().filter(|p| !p.is_empty()) {
            ui.message(&format!("Uploading grains file: {grains}"));
            self.install_config_file(grains, "grains", SaltError::Grains)?;
        }
        self.cancelled()?;

        let tree = self.config.state_tree();
        ui.message(&format!("Uploading local state tree: {tree}"));
        let states = format!("{temp}/states");
        self.upload_tree(&states, tree)
            .map_err(SaltError::StateTree)?;
        if let Some((dir, formulas)) = &formula_dir {
            for f in formulas {
                let local = dir.path().join(&f.subdir).join(&f.subdir);
                let remote = format!("{states}/{}", f.subdir);
                ui.message(&format!("Uploading Salt formula {} to {remote}", f.subdir));
                self.create_dir(&remote)
                    .and_then(|()| {
                        self.comm
                            .upload_dir(&remote, &contents_of(&local.display().to_string()))
                            .map_err(|e| e.to_string())
                    })
                    .map_err(SaltError::StateTree)?;
            }
        }
        self.replace(&states, self.config.remote_state_tree())?;
        self.cancelled()?;

        if let Some(pillar) = self
            .config
            .local_pillar_roots
            .as_deref()
            .filter(|p| !p.is_empty())
        {
            ui.message(&format!("Uploading local pillar roots: {pillar}"));
            let remote = format!("{temp}/pillar");
            self.upload_tree(&remote, pillar)
                .map_err(SaltError::PillarRoots)?;
            self.replace(&remote, self.config.remote_pillar_roots())?;
        }
        self.cancelled()?;

        self.salt_call()
    }

    /// Clone each formula on the host into a temporary directory, unless
    /// the local state tree already has its directory (Packer's "Found
    /// existing formula").
    fn fetch_formulas(&self) -> Result<Option<(tempfile::TempDir, Vec<Formula>)>, SaltError> {
        let urls = self.config.formulas();
        if urls.is_empty() {
            return Ok(None);
        }
        let ui = self.ctx.ui;
        ui.say("Downloading Salt formulas...");
        let dir = tempfile::Builder::new()
            .prefix("kiln-salt-formulas")
            .tempdir()
            .map_err(SaltError::FormulaDir)?;
        let mut fetched = Vec::new();
        for url in urls {
            self.cancelled()?;
            let Some(f) = Formula::parse(url) else {
                return Err(SaltError::Formula {
                    url: url.clone(),
                    why: "not a git URL with a '//' subdir".to_owned(),
                });
            };
            let existing = Path::new(self.config.state_tree()).join(&f.subdir);
            if existing.exists() {
                ui.message(&format!(
                    "Found existing formula at: {}",
                    existing.display()
                ));
                continue;
            }
            ui.message(&format!("{url} => {}", f.subdir));
            f.fetch(&dir.path().join(&f.subdir), ui, self.ctx.cancel)
                .map_err(|why| SaltError::Formula {
                    url: url.clone(),
                    why,
                })?;
            fetched.push(f);
        }
        Ok(Some((dir, fetched)))
    }

    fn bootstrap(&self) -> Result<(), SaltError> {
        let ui = self.ctx.ui;
        let method = bootstrap_method();
        let fail = |why: String| SaltError::Bootstrap {
            method: method.clone(),
            why,
        };
        ui.message(&format!("Installing Salt with kiln's bootstrap: {method}"));
        let mut script = BOOTSTRAP_SCRIPT.as_bytes();
        self.comm
            .upload(BOOTSTRAP_PATH, &mut script, FileMode(Some(0o755)))
            .map_err(|e| fail(format!("uploading {BOOTSTRAP_PATH}: {e}")))?;
        let mut command = self.commands.sudo(&format!("sh {BOOTSTRAP_PATH}"));
        if !self.config.bootstrap_args().is_empty() {
            command = format!("{command} {}", self.config.bootstrap_args());
        }
        ui.message(&format!("Installing Salt with command {command}"));
        let code = match guest::run(self.comm, ui, self.ctx.cancel, &command) {
            Ok(code) => code,
            Err(CommError::Cancelled) => return Err(SaltError::Cancelled),
            Err(e) => return Err(fail(e.to_string())),
        };
        let _ = guest::quiet(
            self.comm,
            self.ctx.cancel,
            &format!("rm -f {BOOTSTRAP_PATH}"),
        );
        if code != 0 {
            return Err(fail(bootstrap_failure(code)));
        }
        Ok(())
    }

    /// Upload a file into the temporary directory, then move it into
    /// /etc/salt (Packer's way for `minion` and `grains`).
    fn install_config_file(
        &self,
        local: &str,
        name: &str,
        wrap: fn(String) -> SaltError,
    ) -> Result<(), SaltError> {
        let temp = format!("{}/{name}", self.config.temp_dir());
        self.comm
            .upload_file(&temp, Path::new(local))
            .map_err(|e| wrap(format!("Error uploading {local}: {e}")))?;
        self.ctx
            .ui
            .message(&format!("Make sure directory {CONFIG_DIR} exists"));
        self.step(&self.commands.create_dir(CONFIG_DIR))
            .map_err(SaltError::ConfigDir)?;
        self.move_path(&temp, &format!("{CONFIG_DIR}/{name}"))
    }

    /// Upload the contents of a local directory to `remote`, leaving out
    /// `.git` as Packer does.
    fn upload_tree(&self, remote: &str, local: &str) -> Result<(), String> {
        self.create_dir(remote)?;
        self.comm
            .upload_dir(remote, &contents_of(local))
            .map_err(|e| e.to_string())?;
        self.step(&self.commands.remove_dir(&format!("{remote}/.git")))
    }

    fn salt_call(&self) -> Result<(), SaltError> {
        let ui = self.ctx.ui;
        let command = self.config.salt_call_command();
        ui.message(&format!(
            "Running: salt-call --local {}",
            self.config.call_args()
        ));
        let code = match guest::run(self.comm, ui, self.ctx.cancel, &command) {
            Ok(code) => code,
            Err(CommError::Cancelled) => return Err(SaltError::Cancelled),
            Err(e) => return Err(SaltError::Start(e)),
        };
        if code == 0 || !self.config.exit_on_failure() {
            return Ok(());
        }
        if code == guest::NOT_FOUND {
            let program = self.config.salt_call();
            match guest::missing(self.comm, self.ctx.cancel, self.commands, &[&program]) {
                Some("sudo") => {
                    return Err(SaltError::Missing {
                        program: "sudo",
                        hint: INSTALL_SUDO,
                    })
                }
                Some(_) => {
                    return Err(SaltError::Missing {
                        program: "salt-call",
                        hint: INSTALL_SALT,
                    })
                }
                None => {}
            }
        }
        Err(SaltError::ExitStatus(code))
    }
}
