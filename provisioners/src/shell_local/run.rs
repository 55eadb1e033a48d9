//! Running shell-local's scripts: Packer's `shell-local.Run`, shared by the
//! provisioner and the post-processor.

use super::config::ShellLocalConfig;
use super::error::ShellLocalError;
use crate::env_vars::EnvVars;
use crate::exit_codes;
use crate::temp_script::TempScript;
use kiln_core::process::{self, ProcessError};
use kiln_core::{BuildError, BuildInfo, Cancel, Generated, Ui, UiLines};
use kiln_template::legacy::{self, LegacyContext};
use std::path::Path;
use std::process::Command;

/// What a run needs from its caller, provisioner or post-processor.
pub(crate) struct Local<'a> {
    pub info: &'a BuildInfo,
    pub ui: &'a dyn Ui,
    pub cancel: &'a Cancel,
    pub generated: &'a Generated,
}

impl Local<'_> {
    fn check_cancel(&self) -> Result<(), BuildError> {
        match self.cancel.reason() {
            Some(r) => Err(BuildError::from_reason(r, None)),
            None => Ok(()),
        }
    }

    fn template(&self, extra: &[(&str, &str)]) -> LegacyContext {
        crate::legacy_data::context(self.info, self.generated, extra)
    }
}

/// The `GOOS` name of this system, as `only_on` spells it.
fn go_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

/// Run every script of `config` through `execute_command`.
pub(crate) fn run(
    config: &ShellLocalConfig,
    execute_command: &[String],
    local: &Local<'_>,
) -> Result<(), BuildError> {
    if let Some(only_on) = config.only_on.as_ref().filter(|o| !o.is_empty()) {
        if !only_on.iter().any(|os| os == go_os()) {
            local.ui.say("Skipping shell-local due to runtime OS");
            return Ok(());
        }
    }
    local.check_cancel()?;
    let sources = config.sources();
    // Held until the end of the run; dropping it removes the file on every
    // way out of this function.
    let mut inline_script = None;
    let scripts = if !sources.scripts.is_empty() {
        sources.scripts
    } else if let Some(lines) = &sources.inline {
        let script = write_inline(config, lines, local).map_err(BuildError::failed)?;
        let path = script.path().display().to_string();
        inline_script = Some(script);
        vec![path]
    } else {
        Vec::new()
    };
    let vars = env_vars(config, local).map_err(BuildError::failed)?;
    for script in &scripts {
        local.check_cancel()?;
        run_script(config, execute_command, script, &vars, local)?;
    }
    drop(inline_script);
    Ok(())
}

/// The `inline` lines, each rendered, after a `#!` line, in a temporary
/// executable file.
fn write_inline(
    config: &ShellLocalConfig,
    lines: &[String],
    local: &Local<'_>,
) -> Result<TempScript, ShellLocalError> {
    let text = crate::inline::script_text(config.inline_shebang(), lines, &local.template(&[]))
        .map_err(ShellLocalError::Template)?;
    TempScript::create(
        &std::env::temp_dir(),
        "packer-shell",
        config.tempfile_extension(),
        text.as_bytes(),
    )
    .map_err(ShellLocalError::PrepareScript)
}

/// `{{ .Vars }}`: Packer's variables, then `environment_vars` (rendered),
/// then `env`.
fn env_vars(config: &ShellLocalConfig, local: &Local<'_>) -> Result<String, ShellLocalError> {
    let vars = EnvVars::for_build(
        local.info,
        local.generated,
        config.environment_vars.as_deref(),
        config.env.as_ref(),
        &local.template(&[]),
    )
    .map_err(ShellLocalError::Template)?;
    Ok(vars.flatten(config.env_var_format()))
}

fn run_script(
    config: &ShellLocalConfig,
    execute_command: &[String],
    script: &str,
    vars: &str,
    local: &Local<'_>,
) -> Result<(), BuildError> {
    let absolute = kiln_gocompat::path::abs(Path::new(script)).map_err(|cause| {
        BuildError::failed(ShellLocalError::AbsolutePath {
            script: script.to_owned(),
            cause,
        })
    })?;
    let absolute = absolute.display().to_string();
    let ctx = local.template(&[
        ("Vars", vars),
        ("Script", &absolute),
        ("Command", &absolute),
    ]);
    let argv = execute_command
        .iter()
        .map(|part| legacy::render(part, &ctx))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| BuildError::failed(ShellLocalError::ExecuteCommand(e)))?;
    local
        .ui
        .say(&format!("Running local shell script: {script}"));
    let failed = || {
        BuildError::failed(ShellLocalError::Execute {
            script: absolute.clone(),
        })
    };
    let Some((program, args)) = argv.split_first() else {
        return Err(failed());
    };
    let mut cmd = Command::new(program);
    cmd.args(args).envs(local.info.env());
    let mut out = UiLines::new(local.ui);
    let result = process::run(&mut cmd, &mut out, local.cancel);
    out.flush();
    let code = match result {
        Ok(code) => code,
        Err(ProcessError::Stopped { reason, .. }) => {
            return Err(BuildError::from_reason(reason, None))
        }
        Err(e) => {
            // Packer's message points at "the output above"; make sure
            // there is something there.
            local.ui.error(&e.to_string());
            return Err(failed());
        }
    };
    exit_codes::check(code, config.valid_exit_codes.as_deref())
        .map_err(|e| BuildError::failed(ShellLocalError::from(e)))
}
