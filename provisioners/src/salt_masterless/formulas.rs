//! `formulas`: Salt formulas from git repositories, fetched on the host
//! with the `git` program as Packer's go-getter does (`[git::]URL.git//DIR`
//! with an optional `?ref=`), so that DIR joins the state tree.

use kiln_core::{process, Cancel, Ui, UiLines};
use std::path::Path;
use std::process::Command;

/// One parsed `formulas` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Formula {
    /// What `git clone` gets (without go-getter's `git::`).
    pub repo: String,
    /// The directory of the repository that becomes `DIR` in the tree.
    pub subdir: String,
    pub git_ref: Option<String>,
    /// Query parameters other than `ref`.
    unknown: Vec<String>,
}

impl Formula {
    /// Packer's rule (`^(.*).git//[a-zA-Z0-9-_]+(\?.*)?$`): a `.git`
    /// repository, `//`, a directory name, maybe a query.
    pub fn parse(url: &str) -> Option<Formula> {
        let at = url.rfind("//")?;
        let (head, tail) = (&url[..at], &url[at + 2..]);
        // The `.` of Packer's pattern is any character.
        if head.len() < 4 || !head.ends_with("git") {
            return None;
        }
        let (subdir, query) = match tail.split_once('?') {
            Some((s, q)) => (s, Some(q)),
            None => (tail, None),
        };
        if subdir.is_empty()
            || !subdir
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let mut git_ref = None;
        let mut unknown = Vec::new();
        for pair in query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.is_empty())
        {
            match pair.split_once('=') {
                Some(("ref", v)) if !v.is_empty() => git_ref = Some(v.to_owned()),
                _ => unknown.push(pair.to_owned()),
            }
        }
        Some(Formula {
            repo: head.strip_prefix("git::").unwrap_or(head).to_owned(),
            subdir: subdir.to_owned(),
            git_ref,
            unknown,
        })
    }

    /// Query parameters kiln does not take (go-getter's `depth`,
    /// `sshkey`, …).
    pub fn query_problem(&self) -> Option<String> {
        (!self.unknown.is_empty()).then(|| {
            format!(
                "formula {}//{}: only the ref= query parameter is supported, not {}",
                self.repo,
                self.subdir,
                self.unknown.join("&")
            )
        })
    }

    /// Clone the repository into `dir` (a new directory) and check out the
    /// ref; `dir/SUBDIR` is then the formula. The output of git goes to
    /// `ui`.
    pub fn fetch(&self, dir: &Path, ui: &dyn Ui, cancel: &Cancel) -> Result<(), String> {
        let git = |args: &[&str]| -> Result<(), String> {
            let mut cmd = Command::new("git");
            cmd.args(args).env("GIT_TERMINAL_PROMPT", "0");
            let mut out = UiLines::new(ui);
            match process::run(&mut cmd, &mut out, cancel) {
                Ok(0) => Ok(()),
                Ok(code) => Err(format!("git {} exited with status {code}", args[0])),
                Err(process::ProcessError::Spawn { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    Err("the git program is not installed on this machine (the one running kiln); formulas are cloned with it: install git (apt-get install git)".to_owned())
                }
                Err(e) => Err(e.to_string()),
            }
        };
        let dest = dir.display().to_string();
        git(&["clone", "--quiet", &self.repo, &dest])?;
        if let Some(r) = &self.git_ref {
            git(&[
                "-C",
                &dest,
                "-c",
                "advice.detachedHead=false",
                "checkout",
                "--quiet",
                r,
            ])?;
        }
        let sub = dir.join(&self.subdir);
        if !sub.is_dir() {
            return Err(format!("the repository has no directory {}", self.subdir));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_as_packer_takes_them() {
        let f = Formula::parse(
            "git::https://github.com/saltstack-formulas/nginx-formula.git//nginx?ref=v2.0",
        )
        .expect("valid");
        assert_eq!(
            f.repo,
            "https://github.com/saltstack-formulas/nginx-formula.git"
        );
        assert_eq!(f.subdir, "nginx");
        assert_eq!(f.git_ref.as_deref(), Some("v2.0"));
        assert_eq!(f.query_problem(), None);
        let f = Formula::parse("file:///srv/git/my.git//my_formula").expect("valid");
        assert_eq!(f.repo, "file:///srv/git/my.git");
        assert_eq!(f.subdir, "my_formula");
        assert_eq!(f.git_ref, None);
        for bad in [
            "https://github.com/x/y.git",
            "https://github.com/x/y//sub",
            "https://github.com/x/y.git//a/b",
            "https://github.com/x/y.git//",
        ] {
            assert_eq!(Formula::parse(bad), None, "{bad}");
        }
        let f = Formula::parse("https://h/x.git//f?depth=1&ref=main").expect("valid");
        assert_eq!(f.git_ref.as_deref(), Some("main"));
        assert_eq!(
            f.query_problem().as_deref(),
            Some("formula https://h/x.git//f: only the ref= query parameter is supported, not depth=1")
        );
    }
}
