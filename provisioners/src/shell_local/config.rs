//! `shell-local`'s configuration, shared by the provisioner and the
//! post-processor of that name, with Packer's defaults and validation.

use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::go_error;
use serde::Deserialize;
use std::collections::BTreeMap;

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
    /// Not in Packer 1.6.6 (it arrived in 1.7); accepted as later Packers
    /// do: these win over `environment_vars` of the same name.
    pub env: Option<BTreeMap<String, String>>,
    pub env_var_format: Option<String>,
    pub execute_command: Option<Vec<String>>,
    pub only_on: Option<Vec<String>>,
    /// For Windows Subsystem for Linux paths. Packer 1.6.6 on Linux turns
    /// it into an error for every `script` (its path conversion wants a
    /// drive letter); kiln accepts it and leaves paths alone.
    pub use_linux_pathing: Option<bool>,
    pub valid_exit_codes: Option<Vec<i64>>,
    pub tempfile_extension: Option<String>,
}

const NOTHING_TO_RUN: &str = "Command, Inline, Script and Scripts options cannot all be empty.";
const TOO_MANY: &str = "You may only specify one of the following options: Command, Inline, Script or Scripts. Please consolidate these options in your config.";
const WSL_INLINE: &str = "Packer is unable to use the Command and Inline features with the Windows Linux Subsystem. Please use the Script or Scripts options instead";

/// Operating systems `only_on` may name (Go's `GOOS` spelling).
const SUPPORTED_OS: [&str; 6] = [
    "darwin", "freebsd", "linux", "openbsd", "solaris", "windows",
];

/// What to run once Packer has folded `command` into `inline` and `script`
/// into `scripts`, with the problems that folding found.
pub(crate) struct Sources {
    pub inline: Option<Vec<String>>,
    pub scripts: Vec<String>,
    /// Which attribute the scripts came from, for diagnostics.
    pub scripts_field: &'static str,
    pub problems: Vec<ConfigProblem>,
}

impl ShellLocalConfig {
    /// Packer's folding, in its order (which is why mixing three sources
    /// reports the conflict twice, as Packer does).
    pub(crate) fn sources(&self) -> Sources {
        let mut inline = self.inline.clone();
        let mut scripts = self.scripts.clone().unwrap_or_default();
        let mut scripts_field = "scripts";
        let mut problems = Vec::new();
        let command = self.command.as_deref().unwrap_or("");
        let script = self.script.as_deref().unwrap_or("");
        let has_inline = |i: &Option<Vec<String>>| i.as_ref().is_some_and(|l| !l.is_empty());
        if command.is_empty() && !has_inline(&inline) && scripts.is_empty() && script.is_empty() {
            problems.push(ConfigProblem::block(NOTHING_TO_RUN));
        }
        if !command.is_empty() {
            if has_inline(&inline) || !scripts.is_empty() || !script.is_empty() {
                problems.push(ConfigProblem::block(TOO_MANY));
            } else {
                inline = Some(vec![command.to_owned()]);
            }
        }
        if !script.is_empty() {
            if !scripts.is_empty() || has_inline(&inline) {
                problems.push(ConfigProblem::block(TOO_MANY));
            } else {
                scripts = vec![script.to_owned()];
                scripts_field = "script";
            }
        }
        if !scripts.is_empty() && inline.is_some() {
            problems.push(ConfigProblem::block(TOO_MANY));
        }
        Sources {
            inline,
            scripts,
            scripts_field,
            problems,
        }
    }

    /// `inline_shebang`, `/bin/sh -e` when unset or empty.
    pub(crate) fn inline_shebang(&self) -> &str {
        match self.inline_shebang.as_deref() {
            Some(s) if !s.is_empty() => s,
            _ => "/bin/sh -e",
        }
    }

    /// `execute_command`, Packer's Unix default when unset or empty.
    pub(crate) fn execute_command(&self) -> Vec<String> {
        match &self.execute_command {
            Some(c) if !c.is_empty() => c.clone(),
            _ => ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]
                .map(str::to_owned)
                .to_vec(),
        }
    }

    /// `env_var_format`, `%s='%s' ` when unset or empty.
    pub(crate) fn env_var_format(&self) -> &str {
        match self.env_var_format.as_deref() {
            Some(f) if !f.is_empty() => f,
            _ => crate::env_vars::DEFAULT_FORMAT,
        }
    }

    /// `tempfile_extension` without one leading dot (Packer adds its own).
    pub(crate) fn tempfile_extension(&self) -> &str {
        let ext = self.tempfile_extension.as_deref().unwrap_or("");
        ext.strip_prefix('.').unwrap_or(ext)
    }
}

impl Validate for ShellLocalConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let sources = self.sources();
        let mut out = sources.problems;
        for path in &sources.scripts {
            if let Err(e) = std::fs::metadata(path) {
                out.push(ConfigProblem::field(
                    sources.scripts_field,
                    format!(
                        "Bad script '{path}': {}",
                        go_error::path_error("stat", path, &e)
                    ),
                ));
            }
        }
        // Packer returns this one alone, dropping what it found before.
        for os in self.only_on.iter().flatten() {
            if !SUPPORTED_OS.contains(&os.as_str()) {
                return vec![ConfigProblem::field(
                    "only_on",
                    format!(
                        "Invalid OS specified in only_on: '{os}'\nSupported OS names: {}",
                        SUPPORTED_OS.join(", ")
                    ),
                )];
            }
        }
        if self.use_linux_pathing == Some(true)
            && sources.inline.as_ref().is_some_and(|l| !l.is_empty())
        {
            out.push(ConfigProblem::field("use_linux_pathing", WSL_INLINE));
        }
        out.extend(crate::env_vars::problems(self.environment_vars.as_deref()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(c: &ShellLocalConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn exactly_one_source_of_commands() {
        assert_eq!(messages(&ShellLocalConfig::default()), [NOTHING_TO_RUN]);
        let empty_inline = ShellLocalConfig {
            inline: Some(vec![]),
            ..ShellLocalConfig::default()
        };
        assert_eq!(messages(&empty_inline), [NOTHING_TO_RUN]);
        let ok = ShellLocalConfig {
            inline: Some(vec!["true".into()]),
            ..ShellLocalConfig::default()
        };
        assert!(ok.validate().is_empty());
        // Packer reports this mix twice: once for `command`, once for
        // `script`.
        let three = ShellLocalConfig {
            inline: Some(vec!["echo".into()]),
            command: Some("x".into()),
            script: Some("nope.sh".into()),
            ..ShellLocalConfig::default()
        };
        assert_eq!(messages(&three), [TOO_MANY, TOO_MANY]);
    }

    #[test]
    fn command_becomes_inline_and_script_becomes_scripts() {
        let c = ShellLocalConfig {
            command: Some("echo hi".into()),
            ..ShellLocalConfig::default()
        };
        assert_eq!(c.sources().inline, Some(vec!["echo hi".to_owned()]));
        let s = ShellLocalConfig {
            script: Some("a.sh".into()),
            ..ShellLocalConfig::default()
        };
        let sources = s.sources();
        assert_eq!(sources.scripts, ["a.sh"]);
        assert_eq!(sources.scripts_field, "script");
    }

    #[test]
    fn missing_script_and_bad_env() {
        let c = ShellLocalConfig {
            script: Some("/nonexistent/x.sh".into()),
            environment_vars: Some(vec!["=x".into(), "y".into(), "A=".into()]),
            ..ShellLocalConfig::default()
        };
        let problems = c.validate();
        assert_eq!(problems.len(), 3);
        assert_eq!(problems[0].field, Some("script"));
        assert_eq!(
            problems[0].message,
            "Bad script '/nonexistent/x.sh': stat /nonexistent/x.sh: no such file or directory"
        );
        assert_eq!(
            problems[1].message,
            "Environment variable not in format 'key=value': =x"
        );
        assert_eq!(
            problems[2].message,
            "Environment variable not in format 'key=value': y"
        );
    }

    #[test]
    fn unknown_os_is_the_only_problem_reported() {
        let c = ShellLocalConfig {
            only_on: Some(vec!["linux".into(), "plan9".into()]),
            environment_vars: Some(vec!["bad".into()]),
            ..ShellLocalConfig::default()
        };
        assert_eq!(
            messages(&c),
            ["Invalid OS specified in only_on: 'plan9'\nSupported OS names: darwin, freebsd, linux, openbsd, solaris, windows"]
        );
    }

    #[test]
    fn linux_pathing_refuses_inline_but_not_scripts() {
        let inline = ShellLocalConfig {
            inline: Some(vec!["a".into()]),
            use_linux_pathing: Some(true),
            ..ShellLocalConfig::default()
        };
        assert_eq!(messages(&inline), [WSL_INLINE]);
        let dir = tempfile::tempdir().expect("test fixture");
        let script = dir.path().join("s.sh");
        std::fs::write(&script, "true\n").expect("test fixture");
        let scripts = ShellLocalConfig {
            script: Some(script.display().to_string()),
            use_linux_pathing: Some(true),
            ..ShellLocalConfig::default()
        };
        assert!(scripts.validate().is_empty());
    }

    #[test]
    fn defaults() {
        let c = ShellLocalConfig {
            tempfile_extension: Some(".sh".into()),
            inline_shebang: Some(String::new()),
            ..ShellLocalConfig::default()
        };
        assert_eq!(c.inline_shebang(), "/bin/sh -e");
        assert_eq!(
            c.execute_command(),
            ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]
        );
        assert_eq!(c.env_var_format(), "%s='%s' ");
        assert_eq!(c.tempfile_extension(), "sh");
    }
}
