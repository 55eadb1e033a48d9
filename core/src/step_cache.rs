//! The step cache's keys (kiln's incremental rebuilds). kiln-core owns the
//! keys, each builder owns its snapshots: a key is a hash chain over
//! everything that can change a step's result, so step N's key covers
//! the builder's resolved config and every provisioner up to N.
//!
//! - the boot (step 0) hashes the builder's inputs: its resolved config,
//!   with the source image by digest;
//! - each provisioner hashes its parent's key, its evaluated config and
//!   the digests of every file and directory it reads on this machine.
//!
//! Config values are digested with the cache's own secret (HMAC-SHA256),
//! so a short sensitive value (a password) cannot be guessed back from a
//! stored digest; only digests are ever stored. Each key keeps its inputs
//! by name, so a miss can say which input changed.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Bumped whenever a snapshot made by an older kiln could restore wrongly.
pub const FORMAT: u32 = 1;

/// One input of a step: a name a user recognises (`inline`, `file
/// hello.txt`, `source image`) and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub name: String,
    pub digest: String,
}

impl Input {
    pub fn new(name: impl Into<String>, digest: impl Into<String>) -> Input {
        Input {
            name: name.into(),
            digest: digest.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepKey {
    /// sha256, hex.
    pub key: String,
    pub parent: Option<String>,
    /// What the step is (`boot`, `provisioner shell`), for messages.
    pub step: String,
    pub inputs: Vec<Input>,
}

fn chain(parent: Option<&str>, step: &str, inputs: &[Input]) -> String {
    let mut h = Sha256::new();
    h.update(format!("kiln-step-cache/{FORMAT}\n").as_bytes());
    h.update(parent.unwrap_or("").as_bytes());
    h.update(b"\n");
    h.update(step.as_bytes());
    h.update(b"\n");
    for i in inputs {
        h.update(i.name.as_bytes());
        h.update([0]);
        h.update(i.digest.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

impl StepKey {
    /// The first link: the boot, keyed by the builder's inputs alone.
    pub fn root(step: impl Into<String>, inputs: Vec<Input>) -> StepKey {
        let step = step.into();
        StepKey {
            key: chain(None, &step, &inputs),
            parent: None,
            step,
            inputs,
        }
    }

    /// The next link.
    pub fn child(&self, step: impl Into<String>, inputs: Vec<Input>) -> StepKey {
        let step = step.into();
        StepKey {
            key: chain(Some(&self.key), &step, &inputs),
            parent: Some(self.key.clone()),
            step,
            inputs,
        }
    }

    /// The first hex digits, for messages (`key 9f2c…`).
    pub fn short(&self) -> &str {
        self.key.get(..8).unwrap_or(&self.key)
    }
}

/// The names of the inputs that differ between `old` and `new`: changed,
/// added or removed, in `new`'s order then the removed ones.
pub fn changed(old: &[Input], new: &[Input]) -> Vec<String> {
    let find = |list: &[Input], name: &str| list.iter().find(|i| i.name == name).cloned();
    let mut out: Vec<String> = new
        .iter()
        .filter(|n| find(old, &n.name).is_none_or(|o| o.digest != n.digest))
        .map(|n| n.name.clone())
        .collect();
    out.extend(
        old.iter()
            .filter(|o| find(new, &o.name).is_none())
            .map(|o| o.name.clone()),
    );
    out
}

/// A config value's digest under the cache's `secret`.
pub fn keyed_digest(secret: &[u8], bytes: &[u8]) -> String {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(bytes);
    hex::encode(mac.finalize().into_bytes())
}

/// sha256 of a file's contents, or of a directory tree: every entry's
/// relative path, type, executable bit and contents (a symlink's
/// target), in sorted order, so the digest follows what a provisioner
/// would upload and nothing else (not times, not owners).
pub fn digest_path(path: &Path) -> std::io::Result<String> {
    let mut h = Sha256::new();
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        h.update(b"dir\n");
        walk(path, Path::new(""), &mut h)?;
        return Ok(hex::encode(h.finalize()));
    }
    // A symlink to a file is hashed as the file, as it always was.
    let meta = std::fs::metadata(path)?;
    if let Some(d) = crate::digest_memo::lookup(&meta) {
        return Ok(d);
    }
    hash_file(path, &mut h)?;
    let digest = hex::encode(h.finalize());
    // Only if the file did not change while it was read.
    if std::fs::metadata(path).is_ok_and(|after| {
        use std::os::unix::fs::MetadataExt;
        after.ctime_nsec() == meta.ctime_nsec() && after.ctime() == meta.ctime()
    }) {
        crate::digest_memo::remember(&meta, &digest);
    }
    Ok(digest)
}

fn hash_file(path: &Path, h: &mut Sha256) -> std::io::Result<()> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        h.update(&buf[..n]);
    }
}

fn walk(root: &Path, rel: &Path, h: &mut Sha256) -> std::io::Result<()> {
    let mut names: Vec<_> = std::fs::read_dir(root.join(rel))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in names {
        let rel = rel.join(&name);
        let full = root.join(&rel);
        let meta = std::fs::symlink_metadata(&full)?;
        let shown = rel.to_string_lossy();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&full)?;
            h.update(format!("link {shown}\0{}\n", target.display()).as_bytes());
        } else if meta.is_dir() {
            h.update(format!("dir {shown}\n").as_bytes());
            walk(root, &rel, h)?;
        } else {
            let exec = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 != 0;
            h.update(format!("file {shown} {}\n", if exec { "x" } else { "-" }).as_bytes());
            hash_file(&full, h)?;
            h.update(b"\n");
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_covers_every_earlier_step() {
        let boot = StepKey::root("boot", vec![Input::new("source image", "aa")]);
        let one = boot.child("provisioner shell", vec![Input::new("inline", "11")]);
        let other_boot = StepKey::root("boot", vec![Input::new("source image", "bb")]);
        let one_elsewhere = other_boot.child("provisioner shell", vec![Input::new("inline", "11")]);
        assert_ne!(one.key, one_elsewhere.key);
        assert_eq!(one.parent.as_deref(), Some(boot.key.as_str()));
        assert_eq!(
            one.key,
            boot.child("provisioner shell", vec![Input::new("inline", "11")])
                .key
        );
        assert_eq!(boot.short().len(), 8);
    }

    #[test]
    fn changed_names_the_inputs_that_differ() {
        let old = [Input::new("inline", "1"), Input::new("file a.txt", "2")];
        let new = [
            Input::new("inline", "1"),
            Input::new("file a.txt", "3"),
            Input::new("file b.txt", "4"),
        ];
        assert_eq!(changed(&old, &new), ["file a.txt", "file b.txt"]);
        assert_eq!(changed(&new, &old[..1]), ["file a.txt", "file b.txt"]);
        assert!(changed(&old, &old).is_empty());
    }

    #[test]
    fn keyed_digests_depend_on_the_secret() {
        assert_ne!(
            keyed_digest(b"one", b"hunter2"),
            keyed_digest(b"two", b"hunter2")
        );
        assert_eq!(keyed_digest(b"one", b"x"), keyed_digest(b"one", b"x"));
        assert_eq!(keyed_digest(b"one", b"x").len(), 64);
    }

    #[test]
    fn a_tree_digest_follows_contents_names_and_the_exec_bit_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("t");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.sh"), "echo a").unwrap();
        std::fs::write(root.join("b.txt"), "b").unwrap();
        let first = digest_path(&root).unwrap();
        // Times do not count.
        std::fs::write(root.join("b.txt"), "b").unwrap();
        assert_eq!(digest_path(&root).unwrap(), first);
        std::fs::write(root.join("b.txt"), "B").unwrap();
        let second = digest_path(&root).unwrap();
        assert_ne!(second, first);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            root.join("sub/a.sh"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        assert_ne!(digest_path(&root).unwrap(), second);
        std::fs::rename(root.join("b.txt"), root.join("c.txt")).unwrap();
        assert_ne!(digest_path(&root).unwrap(), second);
        assert_eq!(
            digest_path(&root.join("sub/a.sh")).unwrap(),
            hex::encode(Sha256::digest(b"echo a"))
        );
    }
}

/// A cached step, ready to restore.
#[derive(Debug, Clone)]
pub struct Hit {
    pub dir: std::path::PathBuf,
    pub key: StepKey,
    /// How long the steps up to this one took when they ran.
    pub took: std::time::Duration,
}

/// A save begun by [`StepCache::stage`]: a directory of the store to fill,
/// from any thread, before [`StepCache::commit`] publishes it. Dropped
/// uncommitted, the store's staging is thrown away.
pub struct Staged {
    pub step: StepIndex,
    pub dir: std::path::PathBuf,
    /// The store's own handle on the staging directory.
    pub handle: Box<dyn std::any::Any + Send>,
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staged")
            .field("step", &self.step)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// Step `i` of a build: 0 is the boot (the machine right after the
/// communicator first connects), `i` the machine after provisioner `i`.
pub type StepIndex = usize;

/// One build's step cache, as the engine hands it to a builder that can
/// snapshot its machine (kiln-core owns the keys; the builder owns what
/// goes into an entry).
pub trait StepCache: Send + Sync {
    /// How many provisioners the build runs.
    fn provisioners(&self) -> usize;
    /// The cached entry of the latest step that has one, with no uncached
    /// step before it; `None` when nothing is cached (or `-cache=false`).
    fn longest_prefix(&self) -> Option<(StepIndex, Hit)>;
    /// The entry of step `i`, when it is cached.
    fn hit(&self, i: StepIndex) -> Option<Hit>;
    /// Step `i`'s key, when it has one (to tag what an entry points at).
    fn key(&self, i: StepIndex) -> Option<StepKey>;
    /// Whether step `i` is saved after it runs (`cache = false` on it or
    /// an earlier step says no).
    fn saves(&self, i: StepIndex) -> bool;
    /// Save step `i`: `fill` writes the payload into the directory it
    /// gets. A failure is reported, never fatal to the build.
    fn save(
        &self,
        ui: &dyn crate::ui::Ui,
        i: StepIndex,
        took: std::time::Duration,
        fill: &mut dyn FnMut(&std::path::Path) -> Result<(), String>,
    );
    /// Begin saving step `i` in two halves, for a builder that fills the
    /// entry while its build goes on (the qemu builder compresses a
    /// snapshot's state as the next step runs). `None`: step `i` is not
    /// saved, is cached already, or the store cannot stage (reported).
    fn stage(&self, ui: &dyn crate::ui::Ui, i: StepIndex) -> Option<Staged>;
    /// Publish a filled [`Staged`] as its step's entry; `took` is what a
    /// hit saves. A failure is reported, never fatal to the build.
    fn commit(&self, ui: &dyn crate::ui::Ui, staged: Staged, took: std::time::Duration);
    /// Save step `i` whose work is `fill` itself (the oci builder unpacks
    /// its base straight into the entry): the time `fill` takes is what a
    /// hit saves. Unlike [`StepCache::save`], `fill`'s error is returned,
    /// since the build needs what it made.
    fn save_made(
        &self,
        ui: &dyn crate::ui::Ui,
        i: StepIndex,
        fill: &mut dyn FnMut(&std::path::Path) -> Result<(), String>,
    ) -> Result<(), String>;
    /// Keep step `i`'s entry from eviction while the returned guard
    /// lives (an entry the build keeps using after restoring it, such as
    /// an overlay's lower directory). `None`: no such entry.
    fn hold(&self, i: StepIndex) -> Option<Box<dyn std::any::Any + Send>>;
    /// Drop step `i`'s entry: it would not restore, or it stacks on an
    /// entry that has since been saved again.
    fn discard(&self, i: StepIndex);
    /// Tell the user that steps `..=i` were restored (the last one from
    /// `hit`), saving `saved`: what they took when they ran.
    fn restored(&self, ui: &dyn crate::ui::Ui, i: StepIndex, hit: &Hit, saved: std::time::Duration);
}
