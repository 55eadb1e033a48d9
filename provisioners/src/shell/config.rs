//! `provisioner "shell"`'s configuration, with Packer's defaults and
//! validation messages.

use crate::env_vars;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::go_error;
use kiln_gocompat::GoDuration;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Packer's shell fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShellConfig {
    pub inline: Option<Vec<String>>,
    pub script: Option<String>,
    pub scripts: Option<Vec<String>>,
    pub environment_vars: Option<Vec<String>>,
    /// Not in Packer 1.6.6 (it arrived in 1.7); accepted as later Packers
    /// do: these win over `environment_vars` of the same name.
    pub env: Option<BTreeMap<String, String>>,
    pub env_var_format: Option<String>,
    pub use_env_var_file: Option<bool>,
    pub execute_command: Option<String>,
    pub inline_shebang: Option<String>,
    pub remote_folder: Option<String>,
    pub remote_file: Option<String>,
    pub remote_path: Option<String>,
    pub skip_clean: Option<bool>,
    pub expect_disconnect: Option<bool>,
    pub valid_exit_codes: Option<Vec<i64>>,
    pub start_retry_timeout: Option<GoDuration>,
    pub pause_after: Option<GoDuration>,
    /// Upload scripts as they are, without turning CRLF line ends into LF.
    pub binary: Option<bool>,
}

const BOTH_SCRIPT_FIELDS: &str = "Only one of script or scripts can be specified.";
const NOTHING_TO_RUN: &str = "Either a script file or inline script must be specified.";
const SCRIPT_AND_INLINE: &str =
    "Only a script file or an inline script can be specified, not both.";

/// Packer's default `start_retry_timeout`.
const START_RETRY_TIMEOUT: Duration = Duration::from_secs(5 * 60);

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl ShellConfig {
    /// `inline`, where an empty list counts as none (Packer's rule).
    pub(crate) fn inline(&self) -> Option<&[String]> {
        self.inline.as_deref().filter(|l| !l.is_empty())
    }

    /// `scripts`, or `script` alone when it is set.
    pub(crate) fn scripts(&self) -> Vec<String> {
        match non_empty(&self.script) {
            Some(s) => vec![s.to_owned()],
            None => self.scripts.clone().unwrap_or_default(),
        }
    }

    pub(crate) fn with_env_var_file(&self) -> bool {
        self.use_env_var_file == Some(true)
    }

    /// `env_var_format`, `%s='%s' ` by default (`export %s='%s'\n` with
    /// `use_env_var_file`).
    pub(crate) fn env_var_format(&self) -> &str {
        match non_empty(&self.env_var_format) {
            Some(f) => f,
            None if self.with_env_var_file() => "export %s='%s'\n",
            None => env_vars::DEFAULT_FORMAT,
        }
    }

    /// `execute_command`, Packer's default when unset or empty.
    pub(crate) fn execute_command(&self) -> &str {
        match non_empty(&self.execute_command) {
            Some(c) => c,
            None if self.with_env_var_file() => {
                "chmod +x {{.Path}}; . {{.EnvVarFile}} && {{.Path}}"
            }
            None => "chmod +x {{.Path}}; {{.Vars}} {{.Path}}",
        }
    }

    pub(crate) fn inline_shebang(&self) -> &str {
        non_empty(&self.inline_shebang).unwrap_or("/bin/sh -e")
    }

    pub(crate) fn remote_folder(&self) -> &str {
        non_empty(&self.remote_folder).unwrap_or("/tmp")
    }

    /// Where scripts go on the machine: `remote_path`, else
    /// `remote_folder/remote_file`, with `script_NNNN.sh` (`NNNN` below
    /// 9999, as Packer draws it) when no file name is given.
    pub(crate) fn remote_path(&self, random: u32) -> String {
        if let Some(p) = non_empty(&self.remote_path) {
            return p.to_owned();
        }
        let file = match non_empty(&self.remote_file) {
            Some(f) => f.to_owned(),
            None => format!("script_{}.sh", random % 9999),
        };
        format!("{}/{file}", self.remote_folder())
    }

    pub(crate) fn start_retry_timeout(&self) -> Duration {
        self.start_retry_timeout
            .and_then(GoDuration::positive)
            .unwrap_or(START_RETRY_TIMEOUT)
    }

    pub(crate) fn pause_after(&self) -> Option<Duration> {
        self.pause_after.and_then(GoDuration::positive)
    }
}

impl Validate for ShellConfig {
    /// Packer's checks, in its order.
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        let has_scripts_list = self.scripts.as_ref().is_some_and(|s| !s.is_empty());
        if non_empty(&self.script).is_some() && has_scripts_list {
            out.push(ConfigProblem::field("script", BOTH_SCRIPT_FIELDS));
        }
        let scripts = self.scripts();
        if scripts.is_empty() && self.inline().is_none() {
            out.push(ConfigProblem::block(NOTHING_TO_RUN));
        } else if !scripts.is_empty() && self.inline().is_some() {
            out.push(ConfigProblem::block(SCRIPT_AND_INLINE));
        }
        let field = if non_empty(&self.script).is_some() {
            "script"
        } else {
            "scripts"
        };
        for path in &scripts {
            if let Err(e) = std::fs::metadata(path) {
                out.push(ConfigProblem::field(
                    field,
                    format!(
                        "Bad script '{path}': {}",
                        go_error::path_error("stat", path, &e)
                    ),
                ));
            }
        }
        out.extend(env_vars::problems(self.environment_vars.as_deref()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(c: &ShellConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    fn inline(lines: &[&str]) -> ShellConfig {
        ShellConfig {
            inline: Some(lines.iter().map(|l| (*l).to_owned()).collect()),
            ..ShellConfig::default()
        }
    }

    #[test]
    fn one_source_of_commands() {
        assert_eq!(messages(&ShellConfig::default()), [NOTHING_TO_RUN]);
        assert_eq!(messages(&inline(&[])), [NOTHING_TO_RUN]);
        assert!(messages(&inline(&["true"])).is_empty());
        let dir = tempfile::tempdir().expect("test fixture");
        let s = dir.path().join("s.sh");
        std::fs::write(&s, "true\n").expect("test fixture");
        let s = s.display().to_string();
        let both = ShellConfig {
            script: Some(s.clone()),
            scripts: Some(vec![s.clone()]),
            ..inline(&["true"])
        };
        assert_eq!(messages(&both), [BOTH_SCRIPT_FIELDS, SCRIPT_AND_INLINE]);
    }

    #[test]
    fn bad_scripts_and_env() {
        let c = ShellConfig {
            scripts: Some(vec!["/nonexistent/x.sh".into()]),
            environment_vars: Some(vec!["=x".into(), "A=".into()]),
            ..ShellConfig::default()
        };
        assert_eq!(
            messages(&c),
            [
                "Bad script '/nonexistent/x.sh': stat /nonexistent/x.sh: no such file or directory",
                "Environment variable not in format 'key=value': =x",
            ]
        );
    }

    #[test]
    fn packers_defaults() {
        let c = inline(&["true"]);
        assert_eq!(
            c.execute_command(),
            "chmod +x {{.Path}}; {{.Vars}} {{.Path}}"
        );
        assert_eq!(c.env_var_format(), "%s='%s' ");
        assert_eq!(c.inline_shebang(), "/bin/sh -e");
        assert_eq!(c.start_retry_timeout(), Duration::from_secs(300));
        assert_eq!(c.pause_after(), None);
        assert_eq!(c.remote_path(1234), "/tmp/script_1234.sh");
        assert_eq!(c.remote_path(9999), "/tmp/script_0.sh");
        let file = ShellConfig {
            use_env_var_file: Some(true),
            remote_folder: Some("/var/tmp".into()),
            remote_file: Some("x.sh".into()),
            start_retry_timeout: "10s".parse().ok(),
            ..c.clone()
        };
        assert_eq!(
            file.execute_command(),
            "chmod +x {{.Path}}; . {{.EnvVarFile}} && {{.Path}}"
        );
        assert_eq!(file.env_var_format(), "export %s='%s'\n");
        assert_eq!(file.remote_path(1), "/var/tmp/x.sh");
        assert_eq!(file.start_retry_timeout(), Duration::from_secs(10));
        let path = ShellConfig {
            remote_path: Some("/root/run.sh".into()),
            ..file
        };
        assert_eq!(path.remote_path(1), "/root/run.sh");
    }
}
