//! Layer entry names → paths under the root, and the rules that keep
//! every write inside it.

use crate::error::OciError;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// The entry's path relative to the root, or `None` for the root itself.
/// Absolute names and `..` are refused: a well-formed layer has neither.
pub fn clean(raw: &[u8]) -> Result<Option<PathBuf>, OciError> {
    let shown = String::from_utf8_lossy(raw).into_owned();
    if raw.first() == Some(&b'/') {
        return Err(OciError::unsafe_entry(shown, "absolute path"));
    }
    let mut out = PathBuf::new();
    for c in Path::new(OsStr::from_bytes(raw)).components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(OciError::unsafe_entry(shown, "path contains \"..\""))
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(OciError::unsafe_entry(shown, "absolute path"))
            }
        }
    }
    Ok((!out.as_os_str().is_empty()).then_some(out))
}

/// Whether the cleaned `rel` is inside `/dev` (not `/dev` itself), where
/// the sandbox mounts its own device nodes.
pub fn under_dev(rel: &Path) -> bool {
    rel.starts_with("dev") && rel != Path::new("dev")
}

/// Whether the symlink target, read from the link's directory `dir`
/// (relative to the root), stays inside the root. Absolute targets do:
/// inside the container they resolve against its root.
pub fn link_stays_inside(dir: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return true;
    }
    let mut depth = dir.components().count();
    for c in target.components() {
        match c {
            Component::ParentDir => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
            }
            Component::Normal(_) => depth += 1,
            _ => {}
        }
    }
    true
}

/// Make sure every directory above `rel` is a real directory under
/// `root` (creating missing ones), never a symlink: writing through one
/// could land outside the root.
pub fn prepare_parents(root: &Path, rel: &Path, shown: &str) -> Result<(), OciError> {
    walk_parents(root, rel, shown, Walk::Create).map(|_| ())
}

/// Whether every directory above `rel` exists under `root` as a real
/// directory; a symlink among them is refused, as in
/// [`prepare_parents`]. Nothing is created: a whiteout below a missing
/// directory has nothing to remove.
pub fn parents_exist(root: &Path, rel: &Path, shown: &str) -> Result<bool, OciError> {
    walk_parents(root, rel, shown, Walk::Check)
}

/// What [`walk_parents`] does with a parent that is not a directory.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// Create a missing one; anything else is an error.
    Create,
    /// Stop and answer `false`.
    Check,
}

/// The one walk down the directories above `rel`, so that the symlink
/// rule cannot differ between writing an entry and removing one.
fn walk_parents(root: &Path, rel: &Path, shown: &str, walk: Walk) -> Result<bool, OciError> {
    let doing = match walk {
        Walk::Create => "writing",
        Walk::Check => "removing",
    };
    let mut cur = root.to_path_buf();
    let parents: Vec<Component<'_>> = rel.components().collect();
    let n = parents.len().saturating_sub(1);
    for c in parents.iter().take(n) {
        cur.push(c.as_os_str());
        let shown_parent = || cur.strip_prefix(root).unwrap_or(&cur).display().to_string();
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(OciError::unsafe_entry(
                    shown,
                    format!(
                        "its parent {} is a symlink; {doing} through it could leave the root",
                        shown_parent()
                    ),
                ))
            }
            Ok(m) if m.is_dir() => {}
            _ if walk == Walk::Check => return Ok(false),
            Ok(_) => {
                return Err(OciError::unsafe_entry(
                    shown,
                    format!("its parent {} is not a directory", shown_parent()),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir(&cur)
                    .map_err(|e| OciError::io(format!("create directory {}", cur.display()), e))?;
            }
            Err(e) => return Err(OciError::io(format!("stat {}", cur.display()), e)),
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_or_refused() {
        assert_eq!(clean(b"./etc/passwd").unwrap(), Some("etc/passwd".into()));
        assert_eq!(clean(b"usr//bin/").unwrap(), Some("usr/bin".into()));
        assert_eq!(clean(b"./").unwrap(), None);
        assert!(clean(b"/etc/passwd").is_err());
        assert!(clean(b"a/../../etc").is_err());
        assert!(clean(b"..").is_err());
    }

    #[test]
    fn under_dev_means_inside_the_directory() {
        assert!(under_dev(Path::new("dev/null")));
        assert!(under_dev(Path::new("dev/pts/ptmx")));
        assert!(!under_dev(Path::new("dev")));
        assert!(!under_dev(Path::new("devices/null")));
        assert!(!under_dev(Path::new("etc/dev/null")));
    }

    #[test]
    fn relative_links_may_not_climb_out() {
        assert!(link_stays_inside(
            Path::new("usr/bin"),
            Path::new("../lib/x")
        ));
        assert!(link_stays_inside(
            Path::new("usr/bin"),
            Path::new("../../lib/x")
        ));
        assert!(!link_stays_inside(
            Path::new("usr/bin"),
            Path::new("../../../etc/shadow")
        ));
        assert!(!link_stays_inside(Path::new(""), Path::new("..")));
        assert!(link_stays_inside(
            Path::new("etc"),
            Path::new("/usr/share/zoneinfo/UTC")
        ));
    }
}
