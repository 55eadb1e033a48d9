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

/// Where a template's folder comes from in git, for provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitSource {
    pub commit: String,
    /// `origin`'s URL, else the first remote's; credentials in an HTTPS
    /// URL are dropped.
    pub remote: Option<String>,
    /// The folder has uncommitted changes.
    pub dirty: bool,
}

pub fn git_source(dir: &Path) -> Option<GitSource> {
    let commit = git(dir, &["rev-parse", "HEAD"])?;
    let dirty = git(dir, &["status", "--porcelain", "--", "."]).is_some_and(|s| !s.is_empty());
    let remote = git(dir, &["remote", "get-url", "origin"])
        .or_else(|| {
            let first = git(dir, &["remote"])?.lines().next()?.to_owned();
            git(dir, &["remote", "get-url", &first])
        })
        .filter(|r| !r.is_empty())
        .map(|r| without_credentials(&r));
    Some(GitSource {
        commit,
        remote,
        dirty,
    })
}

/// `https://user:token@host/x` → `https://host/x`.
fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('/') {
            Some((auth, path)) if auth.contains('@') => {
                let host = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
                format!("{scheme}://{host}/{path}")
            }
            _ => url.to_owned(),
        },
        None => url.to_owned(),
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
    fn remote_urls_lose_their_credentials() {
        assert_eq!(
            without_credentials("https://bot:s3cret@git.example/org/repo.git"),
            "https://git.example/org/repo.git"
        );
        assert_eq!(
            without_credentials("git@github.com:org/repo.git"),
            "git@github.com:org/repo.git"
        );
        assert_eq!(
            without_credentials("ssh://git@host/repo"),
            "ssh://host/repo"
        );
    }

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
