//! `provisioner "shell"`: upload scripts to the machine and run them
//! there, through any [`Communicator`] (SSH, the sandbox, …).

mod config;
mod error;
mod remote;
mod unix_lines;

#[cfg(test)]
mod tests;

pub use config::ShellConfig;
pub use error::ShellError;

use crate::env_vars::EnvVars;
use crate::exit_codes;
use crate::temp_script::TempScript;
use kiln_core::duration::go_duration;
use kiln_core::{go_error, BuildError, Communicator, ProvisionCtx, Provisioner};
use kiln_template::legacy::{self, LegacyContext};
use remote::{Remote, DISCONNECTED};
use unix_lines::unix_lines;

pub struct Shell {
    config: ShellConfig,
    /// Drawn once per provisioner, as Packer does when it prepares one:
    /// every script of the block goes to the same path.
    remote_path: String,
    env_var_file: String,
}

/// Packer's `rand.Intn(9999)` stand-in; any number does.
fn random() -> u32 {
    getrandom::u32().unwrap_or(0)
}

impl From<ShellConfig> for Shell {
    fn from(config: ShellConfig) -> Shell {
        let remote_path = config.remote_path(random());
        let env_var_file = format!("{}/varfile_{}.sh", config.remote_folder(), random() % 9999);
        Shell {
            config,
            remote_path,
            env_var_file,
        }
    }
}

impl Provisioner for Shell {
    /// The scripts it uploads; `inline` and the rest of its config are
    /// hashed by the engine.
    fn cache_inputs(&self) -> Option<Vec<std::path::PathBuf>> {
        let c = &self.config;
        Some(
            c.script
                .iter()
                .chain(c.scripts.iter().flatten())
                .filter(|s| !s.is_empty())
                .map(std::path::PathBuf::from)
                .collect(),
        )
    }

    fn provision(&self, ctx: &ProvisionCtx<'_>, comm: &dyn Communicator) -> Result<(), BuildError> {
        let remote = Remote {
            comm,
            ui: ctx.ui,
            cancel: ctx.cancel,
            start_retry_timeout: self.config.start_retry_timeout(),
        };
        let result = self.run(ctx, &remote);
        match (result, ctx.cancel.reason()) {
            (Err(_), Some(reason)) => Err(BuildError::from_reason(reason, None)),
            (Err(ShellError::Cancelled), None) => Err(BuildError::Cancelled),
            (Err(e), None) => Err(BuildError::failed(e)),
            (Ok(()), _) => Ok(()),
        }
    }
}

impl Shell {
    fn template(&self, ctx: &ProvisionCtx<'_>, extra: &[(&str, &str)]) -> LegacyContext {
        crate::legacy_data::context(ctx.info, ctx.generated, extra)
    }

    /// The text as uploaded: line ends made Unix unless `binary`.
    fn as_uploaded(&self, bytes: Vec<u8>) -> Vec<u8> {
        if self.config.binary == Some(true) {
            bytes
        } else {
            unix_lines(&bytes)
        }
    }

    fn skip_clean(&self) -> bool {
        self.config.skip_clean == Some(true)
    }

    fn run(&self, ctx: &ProvisionCtx<'_>, remote: &Remote<'_>) -> Result<(), ShellError> {
        let mut scripts = self.config.scripts();
        // Held until the end of the run; dropping it removes the file on
        // every way out.
        let mut _inline = None;
        if let Some(lines) = self.config.inline() {
            let text = crate::inline::script_text(
                self.config.inline_shebang(),
                lines,
                &self.template(ctx, &[]),
            )
            .map_err(ShellError::Inline)?;
            let file =
                TempScript::create(&std::env::temp_dir(), "packer-shell", "", text.as_bytes())
                    .map_err(ShellError::PrepareScript)?;
            scripts.push(file.path().display().to_string());
            _inline = Some(file);
        }
        let vars = EnvVars::for_build(
            ctx.info,
            ctx.generated,
            self.config.environment_vars.as_deref(),
            self.config.env.as_ref(),
            &self.template(ctx, &[]),
        )
        .map_err(ShellError::EnvVars)?
        .flatten(self.config.env_var_format());
        let mut env_var_file = "";
        if self.config.with_env_var_file() {
            let content = self.as_uploaded(vars.clone().into_bytes());
            remote.upload_env_var_file(&self.env_var_file, &content)?;
            env_var_file = &self.env_var_file;
        }
        let result = self.run_scripts(ctx, remote, &scripts, &vars, env_var_file);
        if !env_var_file.is_empty() && !self.skip_clean() {
            match &result {
                Ok(()) => remote.remove(env_var_file)?,
                Err(_) => remote.remove_after_failure(env_var_file),
            }
        }
        result?;
        if let Some(pause) = self.config.pause_after() {
            ctx.ui.say(&format!(
                "Pausing {} after this provisioner...",
                go_duration(pause)
            ));
            if ctx.cancel.sleep(pause).is_err() {
                return Err(ShellError::Cancelled);
            }
        }
        Ok(())
    }

    fn run_scripts(
        &self,
        ctx: &ProvisionCtx<'_>,
        remote: &Remote<'_>,
        scripts: &[String],
        vars: &str,
        env_var_file: &str,
    ) -> Result<(), ShellError> {
        for path in scripts {
            if ctx.cancel.is_cancelled() {
                return Err(ShellError::Cancelled);
            }
            ctx.ui
                .say(&format!("Provisioning with shell script: {path}"));
            let bytes = std::fs::read(path)
                .map_err(|e| ShellError::OpenScript(go_error::path_error("open", path, &e)))?;
            let script = self.as_uploaded(bytes);
            let data = [
                ("Vars", vars),
                ("EnvVarFile", env_var_file),
                ("Path", self.remote_path.as_str()),
            ];
            let command = legacy::render(self.config.execute_command(), &self.template(ctx, &data))
                .map_err(ShellError::ExecuteCommand)?;
            let code = remote
                .upload_and_run(&self.remote_path, &script, &command)
                .and_then(|code| self.check_exit(code));
            if let Err(e) = code {
                if !self.skip_clean() {
                    remote.remove_after_failure(&self.remote_path);
                }
                return Err(e);
            }
            if !self.skip_clean() {
                remote.remove(&self.remote_path)?;
            }
        }
        Ok(())
    }

    /// Packer's `packer.CmdDisconnect` status stands for a dropped connection: it
    /// passes only with `expect_disconnect`, whatever `valid_exit_codes` says
    /// (Packer checks it first).
    fn check_exit(&self, code: i32) -> Result<(), ShellError> {
        if code == DISCONNECTED {
            return match self.config.expect_disconnect {
                Some(true) => Ok(()),
                _ => Err(ShellError::Disconnected),
            };
        }
        exit_codes::check(code, self.config.valid_exit_codes.as_deref())?;
        Ok(())
    }
}
