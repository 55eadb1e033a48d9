//! The local store. Layout under the root:
//!
//! - `entries/KEY/`: one finished entry: `meta.json` and the builder's
//!   payload files; `used` holds the last time it was restored (LRU);
//! - `staging/KEY.PID.NANOS/`: an entry being written. It becomes visible
//!   only by one `rename` into `entries/`, after its payload and then its
//!   `meta.json` are on disk, so parallel builds never see a partial
//!   entry and a kill -9 during a save leaves only a staging directory,
//!   which the next open removes (its writer is dead);
//! - `entries/KEY/held.PID.NANOS`: a running build still uses the
//!   entry (an overlay's lower directory); eviction and `clear` pass it
//!   by while that process lives;
//! - `secret`: 32 random bytes, the key of the keyed config digests.
//!
//! Two builds saving the same key race harmlessly: the first rename wins,
//! the second throws its copy away.

use crate::error::CacheError;
use crate::meta::{now, Meta};
use kiln_core::step_cache::FORMAT;
use std::io::Write;
use std::path::{Path, PathBuf};

/// 50 GB.
pub const DEFAULT_MAX: u64 = 50_000_000_000;

/// The name prefix of the markers of [`DirStore::hold`].
pub const HELD: &str = "held.";

/// An entry held by this process; the hold ends when it is dropped.
#[derive(Debug)]
pub struct Hold {
    marker: PathBuf,
}

impl Drop for Hold {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.marker);
    }
}

/// An entry being written ([`DirStore::begin`]). Dropped before it is
/// published (or after it lost the race to another build's copy), its
/// directory is removed; a killed writer's is swept by the next open.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
}

impl Staging {
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Gone already when it was published.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub struct DirStore {
    root: PathBuf,
    max_bytes: u64,
    secret: Vec<u8>,
}

/// A finished entry, ready to restore.
#[derive(Debug, Clone)]
pub struct Entry {
    pub dir: PathBuf,
    pub meta: Meta,
}

impl Entry {
    /// A payload file of the entry.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// `50GB`, `500MB`, `1G`, `2GiB` or bytes.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((n * mult) as u64)
}

fn dir_size(path: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(path) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => std::os::unix::fs::MetadataExt::blocks(&m) * 512,
            Err(_) => 0,
        })
        .sum()
}

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

impl DirStore {
    /// Where the cache is: `KILN_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/kiln/steps` (`~/.cache/kiln/steps`).
    pub fn root_from_env() -> Result<PathBuf, CacheError> {
        match std::env::var_os("KILN_CACHE_DIR").filter(|v| !v.is_empty()) {
            Some(d) => Ok(PathBuf::from(d)),
            None => {
                let base = std::env::var_os("XDG_CACHE_HOME")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
                    .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                    .ok_or(CacheError::NoHome)?;
                Ok(base.join("kiln/steps"))
            }
        }
    }

    /// The store `KILN_CACHE_DIR` names (default `~/.cache/kiln/steps`,
    /// under `XDG_CACHE_HOME` when set), limited to `KILN_CACHE_MAX`.
    pub fn from_env() -> Result<DirStore, CacheError> {
        let root = Self::root_from_env()?;
        let max = match std::env::var("KILN_CACHE_MAX") {
            Ok(v) if !v.is_empty() => parse_size(&v).ok_or(CacheError::BadSize(v))?,
            _ => DEFAULT_MAX,
        };
        DirStore::open(root, max)
    }

    pub fn open(root: impl Into<PathBuf>, max_bytes: u64) -> Result<DirStore, CacheError> {
        let root = root.into();
        for d in ["entries", "staging"] {
            let p = root.join(d);
            std::fs::create_dir_all(&p).map_err(|e| CacheError::io("creating", &p, e))?;
        }
        let secret = Self::secret_at(&root.join("secret"))?;
        let store = DirStore {
            root,
            max_bytes,
            secret,
        };
        store.sweep_staging();
        Ok(store)
    }

    /// The cache's secret, made once (atomically: a racing build's copy
    /// wins or ours does, and both then read the same file).
    fn secret_at(path: &Path) -> Result<Vec<u8>, CacheError> {
        if let Ok(s) = std::fs::read(path) {
            if s.len() == 32 {
                return Ok(s);
            }
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| CacheError::Secret(e.to_string()))?;
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            // Never replace a secret another build already made.
            match std::fs::hard_link(&tmp, path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
            std::fs::remove_file(&tmp)
        };
        use std::os::unix::fs::OpenOptionsExt;
        write().map_err(|e| CacheError::io("writing", path, e))?;
        std::fs::read(path).map_err(|e| CacheError::io("reading", path, e))
    }

    /// Take `secret` (an import into an empty store), atomically.
    pub fn adopt_secret(&mut self, secret: &[u8]) -> Result<(), CacheError> {
        if secret.len() != 32 {
            return Err(CacheError::Secret("the export's secret is damaged".into()));
        }
        let path = self.root.join("secret");
        let tmp = path.with_extension(format!("adopt.{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(secret)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| CacheError::io("writing", &path, e))?;
        self.secret = secret.to_vec();
        Ok(())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    fn entry_dir(&self, key: &str) -> PathBuf {
        self.root.join("entries").join(key)
    }

    /// Staging directories whose writer is gone (killed during a save).
    fn sweep_staging(&self) {
        let Ok(rd) = std::fs::read_dir(self.root.join("staging")) else {
            return;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.split('.').nth(1).and_then(|p| p.parse::<u32>().ok());
            if pid.is_none_or(|p| !pid_alive(p)) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }

    fn read_meta(dir: &Path) -> Option<Meta> {
        let text = std::fs::read_to_string(dir.join("meta.json")).ok()?;
        serde_json::from_str::<Meta>(&text)
            .ok()
            .filter(|m| m.format == FORMAT)
    }

    /// The entry for `key`, if one is finished, of this format and not
    /// expired; marks it used.
    pub fn get(&self, key: &str) -> Option<Entry> {
        let dir = self.entry_dir(key);
        let meta = Self::read_meta(&dir)?;
        if meta.expired(now()) || meta.key.key != key {
            return None;
        }
        let _ = std::fs::write(dir.join("used"), now().to_string());
        Some(Entry { dir, meta })
    }

    /// Save an entry: `fill` writes the payload into the directory it is
    /// given; the entry appears only once all of it is written. An entry
    /// for the key that appeared meanwhile wins over this one.
    pub fn put(
        &self,
        meta: Meta,
        fill: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<Entry, CacheError> {
        self.put_inner(meta, fill, false)
    }

    /// [`DirStore::put`] for a step whose work is `fill` itself: the
    /// entry records how long `fill` took.
    pub fn put_timed(
        &self,
        meta: Meta,
        fill: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<Entry, CacheError> {
        self.put_inner(meta, fill, true)
    }

    fn put_inner(
        &self,
        mut meta: Meta,
        fill: impl FnOnce(&Path) -> Result<(), String>,
        timed: bool,
    ) -> Result<Entry, CacheError> {
        let staging = self.begin(&meta.key.key)?;
        let started = std::time::Instant::now();
        fill(staging.dir()).map_err(CacheError::Fill)?;
        if timed {
            meta.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        }
        self.publish(staging, meta)
    }

    /// A new staging directory for an entry of `key`, for a writer that
    /// fills it outside [`DirStore::put`] (on another thread, while the
    /// build goes on); [`DirStore::publish`] makes it the entry.
    pub fn begin(&self, key: &str) -> Result<Staging, CacheError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir = self
            .root
            .join("staging")
            .join(format!("{key}.{}.{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| CacheError::io("creating", &dir, e))?;
        Ok(Staging { dir })
    }

    /// Publish a filled staging directory as the entry `meta` names:
    /// its `meta.json` last, then one rename. An entry for the key that
    /// appeared meanwhile wins over this one.
    pub fn publish(&self, staging: Staging, mut meta: Meta) -> Result<Entry, CacheError> {
        let key = meta.key.key.clone();
        let dir = staging.dir.clone();
        meta.size = dir_size(&dir);
        let text = serde_json::to_vec_pretty(&meta).map_err(|e| CacheError::Fill(e.to_string()))?;
        let mpath = dir.join("meta.json");
        let mut f =
            std::fs::File::create(&mpath).map_err(|e| CacheError::io("writing", &mpath, e))?;
        f.write_all(&text)
            .and_then(|()| f.sync_all())
            .map_err(|e| CacheError::io("writing", &mpath, e))?;
        std::fs::write(dir.join("used"), now().to_string())
            .map_err(|e| CacheError::io("writing", &dir, e))?;
        let target = self.entry_dir(&key);
        match std::fs::rename(&dir, &target) {
            Ok(()) => {}
            // Another build saved the same key first; dropping `staging`
            // throws this copy away.
            Err(_) if target.join("meta.json").exists() => {}
            Err(e) => return Err(CacheError::io("publishing", &target, e)),
        }
        drop(staging);
        self.evict(Some(&key));
        self.get(&key)
            .ok_or_else(|| CacheError::Fill(format!("entry {key} vanished after saving")))
    }

    /// Keep `key`'s entry from eviction (and `kiln cache clear`) while
    /// the returned guard lives: a `held.PID.NANOS` marker in the entry,
    /// which counts only while its process lives, so a killed build holds
    /// nothing.
    pub fn hold(&self, key: &str) -> Option<Hold> {
        let dir = self.entry_dir(key);
        if !dir.join("meta.json").exists() {
            return None;
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let marker = dir.join(format!("{HELD}{}.{nanos}", std::process::id()));
        std::fs::write(&marker, b"").ok()?;
        Some(Hold { marker })
    }

    /// Whether a live process holds the entry in `dir`.
    fn held(dir: &Path) -> bool {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return false;
        };
        rd.flatten().any(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_prefix(HELD))
                .and_then(|rest| rest.split('.').next())
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(pid_alive)
        })
    }

    /// Every finished entry with its last use (unix seconds), most
    /// recently used first.
    pub fn list(&self) -> Vec<(Entry, u64)> {
        let Ok(rd) = std::fs::read_dir(self.root.join("entries")) else {
            return Vec::new();
        };
        let mut out: Vec<(Entry, u64)> = rd
            .flatten()
            .filter_map(|e| {
                let dir = e.path();
                let meta = Self::read_meta(&dir)?;
                let used = std::fs::read_to_string(dir.join("used"))
                    .ok()
                    .and_then(|u| u.trim().parse().ok())
                    .unwrap_or(meta.created);
                Some((Entry { dir, meta }, used))
            })
            .collect();
        out.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| a.0.meta.key.key.cmp(&b.0.meta.key.key))
        });
        out
    }

    /// The newest entry made by the same step after the same parent: what
    /// a miss is compared with to say which input changed.
    pub fn sibling(&self, parent: Option<&str>, step: &str, builder: &str) -> Option<Meta> {
        self.list()
            .into_iter()
            .map(|(e, _)| e.meta)
            .filter(|m| {
                m.key.parent.as_deref() == parent && m.key.step == step && m.builder == builder
            })
            .max_by_key(|m| m.created)
    }

    /// Remove one entry: first out of `entries/` (one rename), then from
    /// the disk.
    pub fn remove(&self, key: &str) -> Result<(), CacheError> {
        let dir = self.entry_dir(key);
        let dead = self
            .root
            .join("staging")
            .join(format!("{key}.{}.dead", std::process::id()));
        match std::fs::rename(&dir, &dead) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(CacheError::io("removing", &dir, e)),
        }
        std::fs::remove_dir_all(&dead).map_err(|e| CacheError::io("removing", &dead, e))
    }

    /// Least recently used entries go until the store fits its limit;
    /// `keep` (the entry just saved) goes last. Returns what was removed.
    pub fn evict(&self, keep: Option<&str>) -> Vec<Meta> {
        self.shrink_to(self.max_bytes, keep)
    }

    /// Expired entries, then the least recently used ones, until the
    /// store holds at most `max` bytes.
    pub fn shrink_to(&self, max: u64, keep: Option<&str>) -> Vec<Meta> {
        let mut all = self.list();
        let mut removed = Vec::new();
        let at = now();
        all.retain(|(e, _)| {
            if e.meta.expired(at) && self.remove(&e.meta.key.key).is_ok() {
                removed.push(e.meta.clone());
                return false;
            }
            true
        });
        let mut total: u64 = all.iter().map(|(e, _)| e.meta.size).sum();
        // Oldest use first; the kept one after all others.
        all.sort_by_key(|(e, used)| (keep == Some(e.meta.key.key.as_str()), *used));
        for (e, _) in all {
            if total <= max {
                break;
            }
            if Self::held(&e.dir) {
                continue;
            }
            if self.remove(&e.meta.key.key).is_ok() {
                total = total.saturating_sub(e.meta.size);
                removed.push(e.meta);
            }
        }
        removed
    }

    /// Everything a running build does not hold; how many went.
    pub fn clear(&self) -> Result<usize, CacheError> {
        let mut n = 0;
        for (e, _) in self.list() {
            if Self::held(&e.dir) {
                continue;
            }
            self.remove(&e.meta.key.key)?;
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::step_cache::{Input, StepKey};

    fn key(n: &str) -> StepKey {
        StepKey::root("boot", vec![Input::new("source image", n)])
    }

    fn save(store: &DirStore, k: &StepKey, bytes: usize) -> Entry {
        store
            .put(Meta::new(k.clone(), "qemu", 1000, None), |dir| {
                std::fs::write(dir.join("disk"), vec![7u8; bytes]).map_err(|e| e.to_string())
            })
            .unwrap()
    }

    #[test]
    fn an_entry_appears_whole_and_restores() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DirStore::open(tmp.path(), DEFAULT_MAX).unwrap();
        let k = key("a");
        assert!(store.get(&k.key).is_none());
        let e = save(&store, &k, 10);
        assert_eq!(std::fs::read(e.path("disk")).unwrap(), vec![7u8; 10]);
        let got = store.get(&k.key).unwrap();
        assert_eq!(got.meta.key, k);
        assert!(got.meta.size >= 10);
        // A failing fill leaves nothing.
        let k2 = key("b");
        let r = store.put(Meta::new(k2.clone(), "qemu", 1, None), |_| {
            Err("disk full".into())
        });
        assert!(r.is_err());
        assert!(store.get(&k2.key).is_none());
        assert_eq!(
            std::fs::read_dir(tmp.path().join("staging"))
                .unwrap()
                .count(),
            0
        );
        // The secret stays the same across opens.
        let again = DirStore::open(tmp.path(), DEFAULT_MAX).unwrap();
        assert_eq!(again.secret(), store.secret());
        assert_eq!(store.secret().len(), 32);
    }

    /// A save filled on another thread: invisible until published, gone
    /// without a trace when dropped unpublished, and a second copy of a
    /// key that is already there loses.
    #[test]
    fn a_staged_entry_is_filled_elsewhere_and_appears_only_when_published() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DirStore::open(tmp.path(), DEFAULT_MAX).unwrap();
        let k = key("staged");
        let staging = store.begin(&k.key).unwrap();
        let dir = staging.dir().to_path_buf();
        let staging = std::thread::spawn(move || {
            std::fs::write(staging.dir().join("state"), b"filled").unwrap();
            staging
        })
        .join()
        .unwrap();
        assert!(
            store.get(&k.key).is_none(),
            "visible before it is published"
        );
        let e = store
            .publish(staging, Meta::new(k.clone(), "qemu", 5, None))
            .unwrap();
        assert_eq!(std::fs::read(e.path("state")).unwrap(), b"filled");
        assert_eq!(store.get(&k.key).unwrap().meta.took_ms, 5);
        assert!(!dir.exists());
        // Dropped unpublished.
        let dropped = store.begin(&key("dropped").key).unwrap();
        let dir = dropped.dir().to_path_buf();
        std::fs::write(dir.join("state"), b"half").unwrap();
        drop(dropped);
        assert!(!dir.exists());
        // The key is there already: the first copy stays.
        let late = store.begin(&k.key).unwrap();
        std::fs::write(late.dir().join("state"), b"late").unwrap();
        let e = store
            .publish(late, Meta::new(k.clone(), "qemu", 9, None))
            .unwrap();
        assert_eq!(std::fs::read(e.path("state")).unwrap(), b"filled");
        assert_eq!(
            std::fs::read_dir(tmp.path().join("staging"))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn a_held_entry_outlives_eviction_and_clear_until_released() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DirStore::open(tmp.path(), DEFAULT_MAX).unwrap();
        let (a, b) = (key("a"), key("b"));
        save(&store, &a, 1000);
        save(&store, &b, 1000);
        let hold = store.hold(&a.key).expect("a is there");
        assert!(store.hold(&key("none").key).is_none());
        // a is the least recently used, but held.
        let removed = store.shrink_to(0, None);
        assert_eq!(removed.len(), 1, "{removed:?}");
        assert_eq!(removed[0].key, b);
        assert!(store.get(&a.key).is_some());
        assert_eq!(store.clear().unwrap(), 0);
        // A hold of a dead process does not count.
        std::fs::write(
            store.entry_dir(&a.key).join(format!("{HELD}999999999.1")),
            "",
        )
        .unwrap();
        drop(hold);
        assert_eq!(store.clear().unwrap(), 1);
        assert!(store.get(&a.key).is_none());
    }

    #[test]
    fn a_timed_put_records_how_long_its_fill_took() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DirStore::open(tmp.path(), DEFAULT_MAX).unwrap();
        let e = store
            .put_timed(Meta::new(key("t"), "oci", 0, None), |_| {
                std::thread::sleep(std::time::Duration::from_millis(60));
                Ok(())
            })
            .unwrap();
        assert!(e.meta.took_ms >= 60, "{}", e.meta.took_ms);
    }

    #[test]
    fn a_writer_killed_mid_save_leaves_nothing_that_restores() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DirStore::open(tmp.path(), DEFAULT_MAX).unwrap();
        let k = key("a");
        // What a killed writer leaves: a staging directory of a dead pid
        // with a payload and no meta.json.
        let dead = tmp.path().join(format!("staging/{}.999999999.1", k.key));
        std::fs::create_dir_all(&dead).unwrap();
        std::fs::write(dead.join("disk"), "half").unwrap();
        assert!(store.get(&k.key).is_none());
        // An entry directory without meta.json (not ours, but possible
        // after a crash of the filesystem) does not restore either.
        std::fs::create_dir_all(tmp.path().join("entries").join(&k.key)).unwrap();
        assert!(store.get(&k.key).is_none());
        let reopened = DirStore::open(tmp.path(), DEFAULT_MAX).unwrap();
        assert!(!dead.exists(), "the dead writer's staging stays");
        assert!(reopened.list().is_empty());
    }

    #[test]
    fn the_least_recently_used_go_first_and_expired_ones_always() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DirStore::open(tmp.path(), 30_000).unwrap();
        let (a, b, c) = (key("a"), key("b"), key("c"));
        save(&store, &a, 12_000);
        save(&store, &b, 12_000);
        // a is used more recently than b.
        std::fs::write(tmp.path().join("entries").join(&b.key).join("used"), "1").unwrap();
        save(&store, &c, 12_000);
        assert!(store.get(&a.key).is_some());
        assert!(store.get(&b.key).is_none(), "b was the least recently used");
        assert!(store.get(&c.key).is_some());
        let old = Meta {
            expires: Some(1),
            ..Meta::new(key("d"), "qemu", 1, None)
        };
        store.put(old, |_| Ok(())).ok();
        assert!(store.get(&key("d").key).is_none());
        assert_eq!(store.clear().unwrap(), 2);
        assert!(store.list().is_empty());
    }

    #[test]
    fn siblings_are_found_by_parent_and_step() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DirStore::open(tmp.path(), DEFAULT_MAX).unwrap();
        let boot = key("a");
        let one = boot.child("provisioner shell", vec![Input::new("inline", "1")]);
        save(&store, &boot, 1);
        save(&store, &one, 1);
        let s = store
            .sibling(Some(&boot.key), "provisioner shell", "qemu")
            .unwrap();
        assert_eq!(s.key, one);
        assert!(store
            .sibling(Some(&boot.key), "provisioner file", "qemu")
            .is_none());
        assert_eq!(store.sibling(None, "boot", "qemu").unwrap().key, boot);
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("50GB"), Some(50_000_000_000));
        assert_eq!(parse_size("500mb"), Some(500_000_000));
        assert_eq!(parse_size("1GiB"), Some(1 << 30));
        assert_eq!(parse_size("1234"), Some(1234));
        assert_eq!(parse_size("lots"), None);
    }
}
