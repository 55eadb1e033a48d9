//! `testinfra { files = [...] }`: pytest-testinfra test files run on the
//! machine running kiln against the machine under test.

use kiln_core::component::{ConfigProblem, Validate};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestinfraConfig {
    /// Test files or directories, handed to pytest in order.
    #[serde(default)]
    pub files: Vec<String>,
    /// More pytest arguments (`-k`, `--sudo`, `-v`), separate items.
    #[serde(default)]
    pub extra_arguments: Vec<String>,
    /// pytest with pytest-testinfra installed; see [`TestinfraConfig::pytest`].
    pub command: Option<String>,
    /// `KEY=VALUE` for pytest's environment.
    #[serde(default)]
    pub environment_vars: Vec<String>,
}

/// Where `scripts/setup.sh` installs pytest-testinfra.
fn setup_venv() -> PathBuf {
    std::env::var_os("KILN_TESTINFRA_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/kiln/testinfra"))
}

/// Whether `name` is an executable file on `PATH`.
fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|d| {
            std::fs::metadata(d.join(name)).is_ok_and(|m| {
                m.is_file()
                    && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
            })
        })
    })
}

impl TestinfraConfig {
    /// `command`, else `pytest` on `PATH`, else the venv the set-up script
    /// makes (`$KILN_TESTINFRA_VENV`, `/var/cache/kiln/testinfra`).
    pub fn pytest(&self) -> Option<String> {
        if let Some(c) = self.command.as_deref().filter(|c| !c.is_empty()) {
            return Some(c.to_owned());
        }
        if on_path("pytest") {
            return Some("pytest".into());
        }
        let venv = setup_venv().join("bin/pytest");
        venv.is_file().then(|| venv.display().to_string())
    }
}

impl Validate for TestinfraConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.files.is_empty() {
            out.push(ConfigProblem::field(
                "files",
                "testinfra needs at least one test file in files",
            ));
        }
        for f in &self.files {
            if !Path::new(f).exists() {
                out.push(ConfigProblem::field(
                    "files",
                    format!("testinfra test file {f} does not exist"),
                ));
            }
        }
        match self.pytest() {
            None => out.push(ConfigProblem::field(
                "command",
                "pytest with pytest-testinfra was not found: `python3 -m venv /var/cache/kiln/testinfra && /var/cache/kiln/testinfra/bin/pip install pytest-testinfra ansible-core` (scripts/setup.sh does this), put pytest on PATH, or set command",
            )),
            Some(c) if c.contains('/') && !Path::new(&c).is_file() => out.push(ConfigProblem::field(
                "command",
                format!("testinfra command {c} does not exist"),
            )),
            Some(_) => {}
        }
        for v in &self.environment_vars {
            if !v.contains('=') {
                out.push(ConfigProblem::field(
                    "environment_vars",
                    format!("environment variable not in format 'key=value': {v}"),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn messages(c: &TestinfraConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn files_must_exist_and_pytest_be_found() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("test_x.py");
        std::fs::write(&file, "def test_x(host): pass\n").unwrap();
        let pytest = dir.path().join("pytest");
        std::fs::write(&pytest, "").unwrap();
        let ok = TestinfraConfig {
            files: vec![file.display().to_string()],
            command: Some(pytest.display().to_string()),
            ..TestinfraConfig::default()
        };
        assert!(messages(&ok).is_empty(), "{:?}", messages(&ok));
        let bad = TestinfraConfig {
            files: vec!["nope.py".into()],
            command: Some("/nonexistent/pytest".into()),
            environment_vars: vec!["NOEQUALS".into()],
            ..TestinfraConfig::default()
        };
        assert_eq!(
            messages(&bad),
            [
                "testinfra test file nope.py does not exist",
                "testinfra command /nonexistent/pytest does not exist",
                "environment variable not in format 'key=value': NOEQUALS",
            ]
        );
        assert_eq!(
            messages(&TestinfraConfig {
                command: Some("pytest".into()),
                ..TestinfraConfig::default()
            }),
            ["testinfra needs at least one test file in files"]
        );
    }
}
