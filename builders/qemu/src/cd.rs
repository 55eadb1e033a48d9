//! `cd_files`/`cd_content`/`cd_label`: an ISO 9660 image (Joliet and Rock
//! Ridge) made with xorriso, as Packer's CD config does; also the medium of
//! the zero-config NoCloud seed.

use crate::error::QemuError;
use kiln_core::Cancel;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What goes on a CD.
#[derive(Debug, Clone, Default)]
pub struct CdSpec {
    /// Local files or directories (globs expanded), put at the root; a
    /// directory's own name is kept unless it ends in `/`.
    pub files: Vec<String>,
    /// Path on the CD → content.
    pub content: BTreeMap<String, String>,
    pub label: Option<String>,
}

/// Build the ISO at `iso`, staging the tree in `staging` (created here,
/// removed before returning).
pub fn make_iso(
    spec: &CdSpec,
    staging: &Path,
    iso: &Path,
    cancel: &Cancel,
) -> Result<(), QemuError> {
    let result = stage_and_build(spec, staging, iso, cancel);
    let _ = std::fs::remove_dir_all(staging);
    result
}

fn stage_and_build(
    spec: &CdSpec,
    staging: &Path,
    iso: &Path,
    cancel: &Cancel,
) -> Result<(), QemuError> {
    std::fs::create_dir_all(staging)
        .map_err(|e| QemuError::io(format!("creating {}", staging.display()), e))?;
    for pattern in &spec.files {
        for src in expand(pattern)? {
            let keep_name = !pattern.ends_with('/');
            copy_in(&src, staging, keep_name)?;
        }
    }
    for (name, content) in &spec.content {
        let rel = name.trim_start_matches('/');
        let dst = staging.join(rel);
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| QemuError::io(format!("creating {}", parent.display()), e))?;
        }
        std::fs::write(&dst, content)
            .map_err(|e| QemuError::io(format!("writing {}", dst.display()), e))?;
    }
    let mut args = crate::tool::args(["-as", "mkisofs", "-quiet", "-J", "-R", "-o"]);
    args.push(iso.display().to_string());
    if let Some(label) = &spec.label {
        args.push("-V".into());
        args.push(label.clone());
    }
    args.push(staging.display().to_string());
    crate::tool::run("xorriso", &args, cancel)?;
    Ok(())
}

/// A path, or the matches of a glob pattern (`*`, `?` in the last
/// component), sorted.
fn expand(pattern: &str) -> Result<Vec<PathBuf>, QemuError> {
    let trimmed = pattern.trim_end_matches('/');
    let path = Path::new(if trimmed.is_empty() { pattern } else { trimmed });
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    match name {
        Some(n) if n.contains(['*', '?']) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let rd = std::fs::read_dir(dir)
                .map_err(|e| QemuError::io(format!("reading {}", dir.display()), e))?;
            let mut out: Vec<PathBuf> = rd
                .flatten()
                .filter(|e| glob_match(&n, &e.file_name().to_string_lossy()))
                .map(|e| e.path())
                .collect();
            out.sort();
            Ok(out)
        }
        _ => Ok(vec![path.to_path_buf()]),
    }
}

fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

fn copy_in(src: &Path, dst_dir: &Path, keep_name: bool) -> Result<(), QemuError> {
    let meta = std::fs::metadata(src)
        .map_err(|e| QemuError::io(format!("reading {}", src.display()), e))?;
    let name = src.file_name().unwrap_or(src.as_os_str());
    if meta.is_dir() {
        let target = if keep_name {
            dst_dir.join(name)
        } else {
            dst_dir.to_path_buf()
        };
        std::fs::create_dir_all(&target)
            .map_err(|e| QemuError::io(format!("creating {}", target.display()), e))?;
        let rd = std::fs::read_dir(src)
            .map_err(|e| QemuError::io(format!("reading {}", src.display()), e))?;
        for entry in rd.flatten() {
            copy_in(&entry.path(), &target, true)?;
        }
        return Ok(());
    }
    let target = dst_dir.join(name);
    std::fs::copy(src, &target)
        .map_err(|e| QemuError::io(format!("copying {}", src.display()), e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_content_and_label_reach_the_iso() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("sub")).unwrap();
        std::fs::write(src.join("a.txt"), "A").unwrap();
        std::fs::write(src.join("b.cfg"), "B").unwrap();
        std::fs::write(src.join("sub/c"), "C").unwrap();
        let spec = CdSpec {
            files: vec![
                src.join("*.txt").display().to_string(),
                src.join("sub").display().to_string(),
            ],
            content: BTreeMap::from([("meta/data".to_owned(), "hello".to_owned())]),
            label: Some("cidata".into()),
        };
        let iso = dir.path().join("cd.iso");
        let staging = dir.path().join("stage");
        make_iso(&spec, &staging, &iso, &Cancel::new()).expect("xorriso (scripts/setup.sh)");
        assert!(!staging.exists());
        let out = std::process::Command::new("xorriso")
            .args(["-indev"])
            .arg(&iso)
            .args(["-pvd_info", "-find", "/", "-type", "f"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(text.contains("Volume Id    : cidata"), "{text}");
        for f in ["'/a.txt'", "'/sub/c'", "'/meta/data'"] {
            assert!(text.contains(f), "{f} missing: {text}");
        }
        assert!(!text.contains("b.cfg"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.txt", "a.txt"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("*.txt", "a.cfg"));
    }
}
