//! A run's fingerprint, as HCP Packer takes it: `KILN_BUILD_FINGERPRINT`
//! or `HCP_PACKER_BUILD_FINGERPRINT`, else the git commit of the
//! template's folder (with `-dirty` when the folder has uncommitted
//! changes), else a new ULID.

use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub value: String,
    /// `env`, `git` or `ulid`.
    pub source: &'static str,
}

pub fn of_template(dir: &Path) -> Fingerprint {
    for var in ["KILN_BUILD_FINGERPRINT", "HCP_PACKER_BUILD_FINGERPRINT"] {
        if let Some(v) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
            return Fingerprint {
                value: v.trim().to_owned(),
                source: "env",
            };
        }
    }
    if let Some(commit) = git(dir, &["rev-parse", "HEAD"]) {
        let dirty = git(dir, &["status", "--porcelain", "--", "."]).is_some_and(|s| !s.is_empty());
        return Fingerprint {
            value: if dirty {
                format!("{commit}-dirty")
            } else {
                commit
            },
            source: "git",
        };
    }
    Fingerprint {
        value: ulid::Ulid::new().to_string(),
        source: "ulid",
    }
}

/// `git -C dir ARGS`' output, trimmed; `None` when git is missing or the
/// folder is not in a repository.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_git_it_is_a_fresh_ulid_and_inside_the_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The environment may carry a fingerprint (CI): only check the
        // fallbacks when it does not.
        if std::env::var_os("KILN_BUILD_FINGERPRINT").is_some()
            || std::env::var_os("HCP_PACKER_BUILD_FINGERPRINT").is_some()
        {
            return;
        }
        let a = of_template(dir.path());
        assert_eq!(a.source, "ulid");
        assert_eq!(a.value.len(), 26);
        assert_ne!(a, of_template(dir.path()));
        let run = |args: &[&str]| {
            Command::new("git")
                .arg("-C")
                .arg(dir.path())
                .args(args)
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        };
        assert!(run(&["init", "-q"]));
        std::fs::write(dir.path().join("t.pkr.hcl"), "x").expect("write");
        assert!(run(&["add", "."]));
        assert!(run(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-qm",
            "m"
        ]));
        let f = of_template(dir.path());
        assert_eq!(f.source, "git");
        assert_eq!(f.value.len(), 40, "{f:?}");
        std::fs::write(dir.path().join("t.pkr.hcl"), "y").expect("write");
        assert!(of_template(dir.path()).value.ends_with("-dirty"));
    }
}
