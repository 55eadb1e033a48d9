//! What changed under a root since its snapshot: added and modified paths
//! (by metadata, and by content when only the change time moved) and
//! deleted ones, which become whiteouts.

use super::snapshot::{self, Entry, Kind, Snapshot};
use crate::error::{IoContext, OciError};
use sha2::{Digest as _, Sha256};
use std::fs::File;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Write this path as it is now.
    Upsert(PathBuf, Entry),
    /// `.wh.NAME` in the path's directory.
    Whiteout(PathBuf),
}

impl Change {
    /// The name the change has in the layer tar.
    pub fn tar_path(&self) -> PathBuf {
        match self {
            Change::Upsert(p, _) => p.clone(),
            Change::Whiteout(p) => {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                p.parent()
                    .unwrap_or(Path::new(""))
                    .join(format!(".wh.{name}"))
            }
        }
    }
}

/// Changes under `root` against `base`, sorted by their tar path.
pub fn changes(root: &Path, base: &Snapshot, ignore: &[PathBuf]) -> Result<Vec<Change>, OciError> {
    let now = snapshot::take(root, None, ignore)?;
    let mut out = Vec::new();
    for (p, cur) in &now.0 {
        let changed = match base.0.get(p) {
            None => true,
            Some(old) => !same(&root.join(p), old, cur)?,
        };
        if changed {
            out.push(Change::Upsert(p.clone(), cur.clone()));
        }
    }
    for p in base.0.keys() {
        if now.0.contains_key(p) {
            continue;
        }
        // Only the topmost deleted path needs a whiteout: what was below
        // it goes with it.
        let parent = p.parent().unwrap_or(Path::new(""));
        let parent_is_dir =
            parent.as_os_str().is_empty() || now.0.get(parent).is_some_and(|e| e.kind == Kind::Dir);
        if parent_is_dir {
            out.push(Change::Whiteout(p.clone()));
        }
    }
    // The directories above every change go along, so a unpacker that
    // starts from nothing recreates them with their real owner and mode.
    let mut listed: std::collections::BTreeSet<PathBuf> = out
        .iter()
        .filter_map(|c| match c {
            Change::Upsert(p, _) => Some(p.clone()),
            Change::Whiteout(_) => None,
        })
        .collect();
    let mut parents = Vec::new();
    for c in &out {
        let p = match c {
            Change::Upsert(p, _) | Change::Whiteout(p) => p,
        };
        for a in p.ancestors().skip(1) {
            if a.as_os_str().is_empty() || !listed.insert(a.to_path_buf()) {
                continue;
            }
            if let Some(e) = now.0.get(a) {
                parents.push(Change::Upsert(a.to_path_buf(), e.clone()));
            }
        }
    }
    out.extend(parents);
    out.sort_by_key(Change::tar_path);
    Ok(out)
}

fn same(full: &Path, old: &Entry, cur: &Entry) -> Result<bool, OciError> {
    if old.kind != cur.kind
        || old.mode != cur.mode
        || old.uid != cur.uid
        || old.gid != cur.gid
        || old.link != cur.link
        || old.rdev != cur.rdev
        || old.xattrs != cur.xattrs
        || old.mtime != cur.mtime
        || old.size != cur.size
    {
        return Ok(false);
    }
    if old.ctime == cur.ctime && old.ino == cur.ino {
        return Ok(true);
    }
    // Something touched it but put every visible attribute back: compare
    // the bytes.
    if cur.kind != Kind::File {
        return Ok(true);
    }
    let Some(want) = old.hash else {
        return Ok(false);
    };
    let mut f = File::open(full).ctx(|| format!("open {}", full.display()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).ctx(|| format!("read {}", full.display()))?;
    Ok(<[u8; 32]>::from(h.finalize()) == want)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unpack::Contents;
    use std::fs;

    fn paths(c: &[Change]) -> Vec<String> {
        c.iter()
            .map(|c| c.tar_path().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn added_modified_deleted() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        fs::create_dir_all(r.join("etc/sub")).unwrap();
        fs::create_dir_all(r.join("gone/deep")).unwrap();
        fs::write(r.join("etc/keep"), "k").unwrap();
        fs::write(r.join("etc/edit"), "old").unwrap();
        fs::write(r.join("etc/sub/x"), "x").unwrap();
        fs::write(r.join("gone/deep/y"), "y").unwrap();
        let base = snapshot::take(r, Some(&Contents::default()), &[]).unwrap();

        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(r.join("etc/edit"), "new").unwrap();
        fs::remove_file(r.join("etc/sub/x")).unwrap();
        fs::remove_dir_all(r.join("gone")).unwrap();
        fs::write(r.join("added"), "a").unwrap();
        fs::create_dir(r.join("proc")).unwrap();
        let c = changes(r, &base, &[PathBuf::from("proc")]).unwrap();
        assert_eq!(
            paths(&c),
            [
                ".wh.gone",
                "added",
                "etc",
                "etc/edit",
                "etc/sub",
                "etc/sub/.wh.x"
            ]
        );
    }

    #[test]
    fn rewriting_the_same_bytes_with_the_same_times_is_no_change() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        fs::write(r.join("f"), "same").unwrap();
        let mut contents = Contents::default();
        contents
            .0
            .insert("f".into(), Sha256::digest(b"same").into());
        let base = snapshot::take(r, Some(&contents), &[]).unwrap();
        let before = fs::metadata(r.join("f")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(r.join("f"), "same").unwrap();
        let f = File::options().write(true).open(r.join("f")).unwrap();
        f.set_modified(before.modified().unwrap()).unwrap();
        let c = changes(r, &base, &[]).unwrap();
        assert!(c.is_empty(), "{c:?}");
        fs::write(r.join("f"), "diff").unwrap();
        f.set_modified(before.modified().unwrap()).unwrap();
        assert_eq!(paths(&changes(r, &base, &[]).unwrap()), ["f"]);
    }
}
