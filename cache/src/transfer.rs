//! `kiln cache export/import`: one build's chain of entries as a tarball,
//! for CI runners without a shared disk. An export holds an entry and
//! every ancestor the store has (`KEY/meta.json`, `KEY/…payload`); an
//! import publishes each entry it does not have through the store's
//! staging directory, so a half-read tarball leaves nothing behind that
//! restores.

use crate::dir::DirStore;
use crate::error::CacheError;
use std::path::Path;

impl DirStore {
    /// The entry `key` (or one whose key starts with it) and its
    /// ancestors, newest first.
    pub fn chain(&self, key: &str) -> Vec<crate::Entry> {
        let all = self.list();
        let find = |k: &str| {
            all.iter()
                .find(|(e, _)| e.meta.key.key == k)
                .map(|(e, _)| e.clone())
        };
        let start = find(key).or_else(|| {
            let mut matching = all.iter().filter(|(e, _)| e.meta.key.key.starts_with(key));
            match (matching.next(), matching.next()) {
                (Some((e, _)), None) => Some(e.clone()),
                _ => None,
            }
        });
        let mut out = Vec::new();
        let mut next = start;
        while let Some(e) = next {
            next = e.meta.key.parent.as_deref().and_then(find);
            out.push(e);
        }
        out
    }

    /// Write the chain of `key` to `dest` as a tar stream; how many
    /// entries went in.
    pub fn export(&self, key: &str, dest: impl std::io::Write) -> Result<usize, CacheError> {
        let chain = self.chain(key);
        if chain.is_empty() {
            return Err(CacheError::Fill(format!("no entry {key:?} in the cache")));
        }
        let mut tar = tar::Builder::new(dest);
        tar.mode(tar::HeaderMode::Deterministic);
        // The keys hash config with the cache's secret: the entries only
        // match on a store with the same one.
        let secret = self.root().join("secret");
        tar.append_path_with_name(&secret, "secret")
            .map_err(|err| CacheError::io("exporting", &secret, err))?;
        for e in &chain {
            append_entry(&mut tar, &e.meta.key.key, &e.dir)?;
        }
        tar.finish()
            .map_err(|err| CacheError::io("exporting", self.root(), err))?;
        Ok(chain.len())
    }

    /// Read an export; entries the store lacks are added. How many were.
    /// An empty store takes the export's secret; one with entries under
    /// another secret refuses (its keys could never match).
    pub fn import(&mut self, src: impl std::io::Read) -> Result<usize, CacheError> {
        let unpacked = self.root().join("staging").join(format!(
            "import.{}.{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default()
        ));
        let result = (|| {
            std::fs::create_dir_all(&unpacked)
                .map_err(|e| CacheError::io("creating", &unpacked, e))?;
            let mut ar = tar::Archive::new(src);
            // `unpack` keeps every path inside the directory.
            ar.unpack(&unpacked)
                .map_err(|e| CacheError::io("importing into", &unpacked, e))?;
            let theirs = std::fs::read(unpacked.join("secret")).unwrap_or_default();
            if theirs != self.secret() {
                if !self.list().is_empty() {
                    return Err(CacheError::OtherSecret(self.root().to_path_buf()));
                }
                self.adopt_secret(&theirs)?;
            }
            let _ = std::fs::remove_file(unpacked.join("secret"));
            let mut added = 0;
            let rd = std::fs::read_dir(&unpacked)
                .map_err(|e| CacheError::io("reading", &unpacked, e))?;
            for d in rd.flatten() {
                let dir = d.path();
                let Some(meta) = read_meta(&dir) else {
                    continue;
                };
                if self.get(&meta.key.key).is_some() {
                    continue;
                }
                self.put(meta, |dest| copy_payload(&dir, dest))?;
                added += 1;
            }
            Ok(added)
        })();
        let _ = std::fs::remove_dir_all(&unpacked);
        result
    }
}

/// An entry's files go in; its directories (the oci builder's unpacked
/// base) do not: a deterministic tarball drops the owners and modes they
/// need, and an entry without one is unpacked again by the first build on
/// the importing side. Hold markers are this machine's processes'.
fn append_entry(
    tar: &mut tar::Builder<impl std::io::Write>,
    key: &str,
    dir: &Path,
) -> Result<(), CacheError> {
    let io = |err| CacheError::io("exporting", dir, err);
    tar.append_dir(key, dir).map_err(io)?;
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .flatten()
        .filter(|f| f.file_type().is_ok_and(|t| t.is_file()))
        .map(|f| f.file_name())
        .filter(|n| {
            n.to_str()
                .is_some_and(|n| n != "used" && !n.starts_with(crate::dir::HELD))
        })
        .collect();
    names.sort();
    for n in names {
        let path = dir.join(&n);
        tar.append_path_with_name(&path, Path::new(key).join(&n))
            .map_err(|err| CacheError::io("exporting", &path, err))?;
    }
    Ok(())
}

fn read_meta(dir: &Path) -> Option<crate::Meta> {
    let text = std::fs::read_to_string(dir.join("meta.json")).ok()?;
    serde_json::from_str::<crate::Meta>(&text)
        .ok()
        .filter(|m| m.format == kiln_core::step_cache::FORMAT)
        // The directory name must be the key the meta says.
        .filter(|m| dir.file_name().is_some_and(|n| n == m.key.key.as_str()))
}

/// The payload of an unpacked entry, without its bookkeeping files.
fn copy_payload(from: &Path, to: &Path) -> Result<(), String> {
    let rd = std::fs::read_dir(from).map_err(|e| e.to_string())?;
    for f in rd.flatten() {
        let name = f.file_name();
        if name == "meta.json" || name == "used" {
            continue;
        }
        let ty = f.file_type().map_err(|e| e.to_string())?;
        if ty.is_dir() {
            std::fs::create_dir_all(to.join(&name)).map_err(|e| e.to_string())?;
            copy_payload(&f.path(), &to.join(&name))?;
        } else if ty.is_file() {
            // Same filesystem: a hard link; else a copy.
            if std::fs::hard_link(f.path(), to.join(&name)).is_err() {
                std::fs::copy(f.path(), to.join(&name)).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{DirStore, Meta};
    use kiln_core::step_cache::{Input, StepKey};

    #[test]
    fn a_chain_exports_and_imports_whole() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let from = DirStore::open(a.path(), u64::MAX).unwrap();
        let boot = StepKey::root("boot", vec![Input::new("base", "x")]);
        let one = boot.child("provisioner shell", vec![Input::new("inline", "1")]);
        let other = boot.child("provisioner file", vec![Input::new("source", "2")]);
        for (k, body) in [(&boot, "b"), (&one, "1"), (&other, "2")] {
            from.put(Meta::new(k.clone(), "oci", 5, None), |d| {
                std::fs::create_dir(d.join("tree")).map_err(|e| e.to_string())?;
                std::fs::write(d.join("tree/file"), body).map_err(|e| e.to_string())?;
                std::fs::write(d.join("layer"), body).map_err(|e| e.to_string())
            })
            .unwrap();
        }
        let mut tarball = Vec::new();
        assert_eq!(from.export(&one.key[..12], &mut tarball).unwrap(), 2);
        let mut to = DirStore::open(b.path(), u64::MAX).unwrap();
        assert_eq!(to.import(&tarball[..]).unwrap(), 2);
        assert_eq!(
            std::fs::read_to_string(to.get(&one.key).unwrap().path("layer")).unwrap(),
            "1"
        );
        assert!(to.get(&boot.key).is_some());
        // Directories stay behind: their owners and modes would not.
        assert!(!to.get(&one.key).unwrap().path("tree").exists());
        assert!(to.get(&other.key).is_none(), "not in the chain");
        // Again: nothing new.
        assert_eq!(to.import(&tarball[..]).unwrap(), 0);
        // A truncated tarball adds nothing.
        let c = tempfile::tempdir().unwrap();
        let mut third = DirStore::open(c.path(), u64::MAX).unwrap();
        let _ = third.import(&tarball[..tarball.len() / 3]);
        assert!(third.get(&one.key).is_none());
        assert_eq!(
            std::fs::read_dir(c.path().join("staging")).unwrap().count(),
            0
        );
        assert!(from.export("nope", &mut Vec::new()).is_err());
        // The importing store took the exporter's secret, so keys match.
        assert_eq!(to.secret(), from.secret());
        // A store with entries of its own and another secret refuses.
        let e = tempfile::tempdir().unwrap();
        let mut busy = DirStore::open(e.path(), u64::MAX).unwrap();
        busy.put(Meta::new(other.clone(), "oci", 1, None), |_| Ok(()))
            .unwrap();
        assert!(matches!(
            busy.import(&tarball[..]),
            Err(crate::CacheError::OtherSecret(_))
        ));
    }
}
