//! `check "NAME" { … }` in a `test` block (kiln's test stage; usable as a
//! provisioner too): run a command on the machine and compare its exit
//! status and output with what is expected, retrying until they match or
//! `retry_timeout` passes.

use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::tester::{IMAGE_CMD, IMAGE_ENTRYPOINT};
use kiln_core::{BuildError, Communicator, Output, ProvisionCtx, Provisioner, UiLines};
use kiln_gocompat::GoDuration;
use regex::Regex;
use serde::Deserialize;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// The block's label (`check "LABEL"`), which kiln passes on.
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub expect_exit: i32,
    /// Regular expressions the output must match (anywhere).
    pub expect_stdout: Option<String>,
    pub expect_stderr: Option<String>,
    /// Keep trying for this long (a service still starting).
    pub retry_timeout: Option<GoDuration>,
    pub description: Option<String>,
    /// Run the container image as `docker run` would: its Entrypoint with
    /// its Cmd, or with `command` (shell words) in place of the Cmd.
    #[serde(default)]
    pub run_image: bool,
}

impl Validate for CheckConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.command.trim().is_empty() && !self.run_image {
            out.push(ConfigProblem::field(
                "command",
                "a check needs a command (or run_image = true)",
            ));
        }
        for (field, value) in [
            ("expect_stdout", &self.expect_stdout),
            ("expect_stderr", &self.expect_stderr),
        ] {
            if let Some(re) = value {
                if let Err(e) = compile(re) {
                    out.push(ConfigProblem::field(
                        field,
                        format!("{field} is not a regular expression: {e}"),
                    ));
                }
            }
        }
        out
    }
}

/// An `expect_*` expression, matched anywhere in the output, with `^`
/// and `$` at line boundaries (as grep reads a line): output ends in a
/// newline, and `^active$` should match `active\n`.
fn compile(re: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(re).multi_line(true).build()
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("check {label:?} failed: {why}")]
    Failed { label: String, why: String },
    #[error("check {label:?}: run_image needs a container image (the oci and docker builders)")]
    NotAnImage { label: String },
    #[error("check {label:?}: the image has neither Entrypoint nor Cmd to run")]
    NothingToRun { label: String },
    #[error("check {label:?} could not run: {source}")]
    Run {
        label: String,
        #[source]
        source: kiln_core::CommError,
    },
}

pub struct Check {
    config: CheckConfig,
    stdout: Option<Regex>,
    stderr: Option<Regex>,
}

impl From<CheckConfig> for Check {
    fn from(config: CheckConfig) -> Check {
        // Validated already; an invalid expression matches nothing.
        let compile = |r: &Option<String>| r.as_deref().and_then(|r| compile(r).ok());
        Check {
            stdout: compile(&config.expect_stdout),
            stderr: compile(&config.expect_stderr),
            config,
        }
    }
}

/// The output shown as it comes and kept for the comparison.
struct Captured<'a> {
    lines: UiLines<'a>,
    out: Vec<u8>,
    err: Vec<u8>,
}

impl Output for Captured<'_> {
    fn stdout(&mut self, chunk: &[u8]) {
        self.out.extend_from_slice(chunk);
        self.lines.stdout(chunk);
    }
    fn stderr(&mut self, chunk: &[u8]) {
        self.err.extend_from_slice(chunk);
        self.lines.stderr(chunk);
    }
}

impl Check {
    /// Why one run does not meet the expectations; `None` when it does.
    fn verdict(&self, code: i32, out: &[u8], err: &[u8]) -> Option<String> {
        let c = &self.config;
        if code != c.expect_exit {
            return Some(format!("exit status {code}, expected {}", c.expect_exit));
        }
        for (what, re, text) in [("stdout", &self.stdout, out), ("stderr", &self.stderr, err)] {
            if let Some(re) = re {
                if !re.is_match(&String::from_utf8_lossy(text)) {
                    return Some(format!("{what} does not match /{}/", re.as_str()));
                }
            }
        }
        None
    }
}

/// `s` as one word for `/bin/sh`.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl Check {
    /// The command line to run: `command`, or with `run_image` the image's
    /// Entrypoint followed by `command` or else its Cmd.
    fn command_line(&self, g: &kiln_core::Generated) -> Result<String, CheckError> {
        let c = &self.config;
        if !c.run_image {
            return Ok(c.command.clone());
        }
        let list = |key: &str| -> Option<Vec<String>> {
            g.get(key)
                .map(|v| serde_json::from_str(v).unwrap_or_default())
        };
        let (Some(entrypoint), Some(cmd)) = (list(IMAGE_ENTRYPOINT), list(IMAGE_CMD)) else {
            return Err(CheckError::NotAnImage {
                label: c.label.clone(),
            });
        };
        let mut words: Vec<String> = entrypoint.iter().map(|w| quote(w)).collect();
        if c.command.trim().is_empty() {
            words.extend(cmd.iter().map(|w| quote(w)));
        } else {
            words.push(c.command.clone());
        }
        if words.is_empty() {
            return Err(CheckError::NothingToRun {
                label: c.label.clone(),
            });
        }
        Ok(words.join(" "))
    }
}

impl Provisioner for Check {
    fn provision(&self, ctx: &ProvisionCtx<'_>, comm: &dyn Communicator) -> Result<(), BuildError> {
        let c = &self.config;
        let command = self
            .command_line(ctx.generated)
            .map_err(BuildError::failed)?;
        let about = c
            .description
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        ctx.ui
            .say(&format!("Check '{}'{about}: {command}", c.label));
        let deadline = c
            .retry_timeout
            .and_then(GoDuration::positive)
            .map(|d| Instant::now() + d);
        loop {
            let mut captured = Captured {
                lines: UiLines::new(ctx.ui),
                out: Vec::new(),
                err: Vec::new(),
            };
            let code = comm
                .exec(&command, &mut captured, ctx.cancel)
                .map_err(|source| match (&source, ctx.cancel.reason()) {
                    // A Ctrl-C or a timeout, not a failed check.
                    (kiln_core::CommError::Cancelled, Some(r)) => BuildError::from_reason(r, None),
                    _ => BuildError::failed(CheckError::Run {
                        label: c.label.clone(),
                        source,
                    }),
                })?;
            captured.lines.flush();
            let Some(why) = self.verdict(code, &captured.out, &captured.err) else {
                ctx.ui.message(&format!("Check '{}' passed", c.label));
                return Ok(());
            };
            match deadline {
                Some(d) if Instant::now() < d => {
                    ctx.ui
                        .message(&format!("Check '{}': {why}; trying again", c.label));
                    ctx.cancel
                        .sleep(Duration::from_secs(2))
                        .map_err(|r| BuildError::from_reason(r, None))?;
                }
                _ => {
                    return Err(BuildError::failed(CheckError::Failed {
                        label: c.label.clone(),
                        why,
                    }))
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check(cfg: CheckConfig) -> Check {
        Check::from(cfg)
    }

    #[test]
    fn the_exit_status_and_both_outputs_are_compared() {
        let c = check(CheckConfig {
            label: "web".into(),
            command: "x".into(),
            expect_stdout: Some("^active".into()),
            ..CheckConfig::default()
        });
        assert_eq!(c.verdict(0, b"active\n", b""), None);
        assert_eq!(
            c.verdict(3, b"active\n", b"").as_deref(),
            Some("exit status 3, expected 0")
        );
        assert_eq!(
            c.verdict(0, b"inactive\n", b"").as_deref(),
            Some("stdout does not match /^active/")
        );
        let c = check(CheckConfig {
            command: "x".into(),
            expect_exit: 1,
            expect_stderr: Some("denied".into()),
            ..CheckConfig::default()
        });
        assert_eq!(c.verdict(1, b"", b"permission denied"), None);
        assert!(c.verdict(0, b"", b"permission denied").is_some());
        // ^ and $ hold at line boundaries, as grep reads lines.
        let c = check(CheckConfig {
            command: "x".into(),
            expect_stdout: Some("^2$".into()),
            ..CheckConfig::default()
        });
        assert_eq!(c.verdict(0, b"2\n", b""), None);
        assert_eq!(c.verdict(0, b"one\n2\nthree\n", b""), None);
        assert!(c.verdict(0, b"12\n", b"").is_some());
    }

    #[test]
    fn run_image_runs_the_entrypoint_with_the_cmd_or_the_command() {
        let image = |entrypoint: &str, cmd: &str| -> kiln_core::Generated {
            [
                (IMAGE_ENTRYPOINT.to_owned(), entrypoint.to_owned()),
                (IMAGE_CMD.to_owned(), cmd.to_owned()),
            ]
            .into_iter()
            .collect()
        };
        let run = |command: &str| {
            check(CheckConfig {
                label: "run".into(),
                command: command.into(),
                run_image: true,
                ..CheckConfig::default()
            })
        };
        let g = image(r#"["/bin/app","--flag"]"#, r#"["serve","it's"]"#);
        assert_eq!(
            run("").command_line(&g).unwrap(),
            r#"'/bin/app' '--flag' 'serve' 'it'\''s'"#
        );
        assert_eq!(
            run("--version").command_line(&g).unwrap(),
            "'/bin/app' '--flag' --version"
        );
        assert_eq!(
            run("")
                .command_line(&image("[]", r#"["echo","hi"]"#))
                .unwrap(),
            "'echo' 'hi'"
        );
        assert!(matches!(
            run("").command_line(&image("[]", "[]")),
            Err(CheckError::NothingToRun { .. })
        ));
        assert!(matches!(
            run("").command_line(&kiln_core::Generated::new()),
            Err(CheckError::NotAnImage { .. })
        ));
        assert!(run("").config.validate().is_empty());
    }

    #[test]
    fn a_bad_expression_or_no_command_is_a_config_problem() {
        let problems = CheckConfig {
            expect_stdout: Some("(".into()),
            ..CheckConfig::default()
        }
        .validate();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
