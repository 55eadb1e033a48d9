//! `provisioner "shell-local"`: run commands on the machine running kiln.

use kiln_core::component::{ConfigProblem, Validate};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Packer's shell-local fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShellLocalConfig {
    pub command: Option<String>,
    pub inline: Option<Vec<String>>,
    pub inline_shebang: Option<String>,
    pub script: Option<String>,
    pub scripts: Option<Vec<String>>,
    pub environment_vars: Option<Vec<String>>,
    pub env: Option<BTreeMap<String, String>>,
    pub env_var_format: Option<String>,
    pub execute_command: Option<Vec<String>>,
    pub only_on: Option<Vec<String>>,
    pub use_linux_pathing: Option<bool>,
    pub valid_exit_codes: Option<Vec<i64>>,
    pub tempfile_extension: Option<String>,
}

impl Validate for ShellLocalConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        let given = [
            self.command.is_some(),
            self.inline.is_some(),
            self.script.is_some(),
            self.scripts.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given == 0 {
            out.push(ConfigProblem::block(
                "Command, Inline, Script and Scripts options cannot all be empty.",
            ));
        } else if given > 1 {
            out.push(ConfigProblem::block(
                "Only one of command, inline, script or scripts can be specified.",
            ));
        }
        let scripts = self.script.iter().chain(self.scripts.iter().flatten());
        for s in scripts {
            if !Path::new(s).is_file() {
                let field = if self.script.as_ref() == Some(s) {
                    "script"
                } else {
                    "scripts"
                };
                out.push(ConfigProblem::field(
                    field,
                    format!("Bad script '{s}': no such file"),
                ));
            }
        }
        for ev in self.environment_vars.iter().flatten() {
            if !ev.contains('=') || ev.starts_with('=') {
                out.push(ConfigProblem::field(
                    "environment_vars",
                    format!("Environment variable not in format 'key=value': {ev}"),
                ));
            }
        }
        out
    }
}

/// Runs the commands on the machine running kiln.
pub struct ShellLocal {
    pub config: ShellLocalConfig,
}

impl From<ShellLocalConfig> for ShellLocal {
    fn from(config: ShellLocalConfig) -> ShellLocal {
        ShellLocal { config }
    }
}

impl kiln_core::Provisioner for ShellLocal {
    fn provision(
        &self,
        _ctx: &kiln_core::ProvisionCtx<'_>,
        _comm: &dyn kiln_core::Communicator,
    ) -> Result<(), kiln_core::BuildError> {
        Err(kiln_core::BuildError::msg(
            "shell-local: not implemented yet",
        ))
    }
}

impl kiln_core::PostProcessor for ShellLocal {
    fn post_process(
        &self,
        _ctx: &kiln_core::PostProcessCtx<'_>,
        _input: &kiln_core::Artifact,
    ) -> Result<kiln_core::PostProcessed, kiln_core::BuildError> {
        Err(kiln_core::BuildError::msg(
            "shell-local: not implemented yet",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_source_of_commands() {
        assert_eq!(ShellLocalConfig::default().validate().len(), 1);
        let both = ShellLocalConfig {
            inline: Some(vec!["true".into()]),
            command: Some("true".into()),
            ..ShellLocalConfig::default()
        };
        assert_eq!(both.validate().len(), 1);
        let ok = ShellLocalConfig {
            inline: Some(vec!["true".into()]),
            ..ShellLocalConfig::default()
        };
        assert!(ok.validate().is_empty());
    }

    #[test]
    fn missing_script_and_bad_env() {
        let c = ShellLocalConfig {
            script: Some("/nonexistent/x.sh".into()),
            environment_vars: Some(vec!["NOEQUALS".into()]),
            ..ShellLocalConfig::default()
        };
        let problems = c.validate();
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].field, Some("script"));
    }
}
