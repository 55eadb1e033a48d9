//! The engine's side of the step cache: the key chain of one build (the
//! builder's boot inputs, then each provisioner's evaluated config and
//! the files it reads), lookups in the local store, saves, and what
//! `-explain-cache` prints. Builders that can snapshot their machine ask
//! for it through `ProvisionHook::step_cache`. With a shared tier
//! (`KILN_CACHE`), the longest cached prefix it has is pulled into the
//! local store first and every entry saved is pushed to it.

use crate::registry;
use kiln_core::step_cache::{
    changed, digest_path, keyed_digest, Hit, Input, Staged, StepCache, StepIndex, StepKey,
};
use kiln_core::Ui;
use kiln_step_cache::{DirStore, Entry, Meta, Staging};
use kiln_step_cache_remote::Remote;
use kiln_template::plan::PlannedComponent;
use kiln_template::value::format_hcl;
use std::time::Duration;

/// Why a step has no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uncached {
    /// `-cache=false`.
    Disabled,
    /// `cache = false` on the step.
    Opted,
    /// The provisioner cannot say what it reads.
    NotCacheable(String),
    /// A file it reads cannot be read.
    Unreadable(String),
    /// An earlier step is not cached.
    Earlier,
}

impl std::fmt::Display for Uncached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Uncached::Disabled => write!(f, "-cache=false"),
            Uncached::Opted => write!(f, "cache = false"),
            Uncached::NotCacheable(kind) => {
                write!(
                    f,
                    "provisioner {kind} cannot be cached (it reads what kiln cannot name)"
                )
            }
            Uncached::Unreadable(what) => write!(f, "cannot read {what}"),
            Uncached::Earlier => write!(f, "an earlier step is not cached"),
        }
    }
}

pub struct BuildCache {
    store: DirStore,
    remote: Option<Remote>,
    builder: String,
    /// [0] the boot, [i] after provisioner i.
    keys: Vec<Result<StepKey, Uncached>>,
    /// What each step is (`boot`, `provisioner shell`).
    labels: Vec<String>,
    /// The run's total of time the cache saved.
    saved: std::sync::Arc<std::sync::Mutex<Duration>>,
    ttl: Vec<Option<Duration>>,
}

/// One provisioner's inputs: every argument of its evaluated body by
/// name (digested with the cache's secret), its nested blocks, and the
/// digest of each file or directory it reads.
fn provisioner_inputs(secret: &[u8], pc: &PlannedComponent) -> Result<Vec<Input>, Uncached> {
    let p = match registry::make_provisioner(&pc.kind, &pc.body) {
        Some(Ok(p)) => p,
        _ => return Err(Uncached::NotCacheable(pc.kind.clone())),
    };
    let files = p
        .cache_inputs()
        .ok_or_else(|| Uncached::NotCacheable(pc.kind.clone()))?;
    let mut attrs: Vec<_> = pc.body.attrs.iter().collect();
    attrs.sort_by(|a, b| a.0.cmp(b.0));
    let mut inputs: Vec<Input> = attrs
        .into_iter()
        .map(|(name, a)| {
            Input::new(
                name.clone(),
                keyed_digest(secret, format_hcl(&a.value).as_bytes()),
            )
        })
        .collect();
    for (i, b) in pc.body.blocks.iter().enumerate() {
        inputs.push(Input::new(
            format!("block {} #{}", b.kind, i + 1),
            keyed_digest(
                secret,
                format!("{:?}{:?}", b.labels, b.body.attrs).as_bytes(),
            ),
        ));
    }
    for f in files {
        let shown = f.display().to_string();
        let digest = digest_path(&f).map_err(|_| Uncached::Unreadable(shown.clone()))?;
        inputs.push(Input::new(format!("file {shown}"), digest));
    }
    Ok(inputs)
}

impl BuildCache {
    /// The cache for one build, or why there is none.
    pub fn new(
        ui: &dyn Ui,
        builder: &str,
        boot: Vec<Input>,
        provisioners: &[PlannedComponent],
        enabled: bool,
        saved: std::sync::Arc<std::sync::Mutex<Duration>>,
    ) -> Result<BuildCache, String> {
        let store = DirStore::from_env().map_err(|e| e.to_string())?;
        let remote = if enabled {
            registry::step_cache_remote().unwrap_or_else(|e| {
                ui.error(&format!(
                    "Warning: going on with the local step cache alone: {}",
                    e.to_string().trim_end()
                ));
                None
            })
        } else {
            None
        };
        // Keys match the shared store's entries only under its secret.
        let secret = remote
            .as_ref()
            .map_or_else(|| store.secret().to_vec(), |r| r.secret().to_vec());
        let root = StepKey::root("boot", boot);
        let mut keys: Vec<Result<StepKey, Uncached>> = vec![if enabled {
            Ok(root)
        } else {
            Err(Uncached::Disabled)
        }];
        let mut ttl = vec![None];
        let mut labels = vec!["boot".to_owned()];
        for pc in provisioners {
            labels.push(format!("provisioner {}", pc.kind));
            let step = format!("provisioner {}", pc.kind);
            let key = match keys.last() {
                _ if !enabled => Err(Uncached::Disabled),
                _ if pc.meta.cache == Some(false) => Err(Uncached::Opted),
                Some(Ok(parent)) => {
                    provisioner_inputs(&secret, pc).map(|inputs| parent.child(step, inputs))
                }
                _ => Err(Uncached::Earlier),
            };
            keys.push(key);
            ttl.push(pc.meta.cache_ttl.and_then(|d| d.positive()));
        }
        let cache = BuildCache {
            store,
            remote,
            builder: builder.to_owned(),
            keys,
            labels,
            saved,
            ttl,
        };
        cache.fetch(ui);
        Ok(cache)
    }

    /// Pull from the shared store the longest cached prefix it has
    /// beyond what the local store has.
    fn fetch(&self, ui: &dyn Ui) {
        let Some(remote) = &self.remote else {
            return;
        };
        let keys: Vec<Option<&str>> = self
            .keys
            .iter()
            .map(|k| k.as_ref().ok().map(|k| k.key.as_str()))
            .collect();
        match remote.fetch(&keys, &self.store) {
            Ok(0) => {}
            Ok(n) => ui.say(&format!(
                "Pulled {n} step cache entr{} from {}",
                if n == 1 { "y" } else { "ies" },
                remote.location()
            )),
            Err(e) => ui.error(&format!("Warning: {e}")),
        }
    }

    /// Send an entry just saved to the shared store.
    fn push(&self, ui: &dyn Ui, i: StepIndex, entry: &Entry) {
        let Some(remote) = &self.remote else {
            return;
        };
        match remote.push(entry) {
            Ok(p) if p.already => {}
            Ok(p) => ui.say(&format!(
                "Pushed step {i} to the step cache at {} ({} file{}, {} uploaded)",
                remote.location(),
                p.files,
                if p.files == 1 { "" } else { "s" },
                kiln_core::size::human_bytes(p.bytes)
            )),
            Err(e) => ui.error(&format!(
                "Warning: could not push step {i} to the shared step cache: {e}"
            )),
        }
    }

    /// One line per step for `-explain-cache`: hit or miss, and why.
    pub fn explain(&self) -> Vec<String> {
        let n = self.keys.len() - 1;
        // What the first miss was: later steps then miss for that reason.
        let mut earlier: Option<&'static str> = None;
        let mut out = Vec::new();
        for (i, k) in self.keys.iter().enumerate() {
            let what = &self.labels[i];
            let verdict = match k {
                Err(why) => {
                    earlier.get_or_insert("an earlier step is not cached");
                    format!("not cached: {why}")
                }
                Ok(k) if self.store.get(&k.key).is_some() => format!("hit (key {})", k.short()),
                Ok(_) if earlier.is_some() => format!("miss: {}", earlier.unwrap_or_default()),
                Ok(k) => match self
                    .store
                    .sibling(k.parent.as_deref(), &k.step, &self.builder)
                {
                    None => {
                        earlier = Some("never cached after the steps before it");
                        "miss: never cached after the steps before it".to_owned()
                    }
                    Some(old) => {
                        earlier = Some("an earlier step changed");
                        let names = changed(&old.key.inputs, &k.inputs);
                        if names.is_empty() {
                            "miss: expired or evicted".to_owned()
                        } else {
                            format!("miss: {} changed", names.join(", "))
                        }
                    }
                },
            };
            out.push(format!("Step cache {i}/{n} ({what}): {verdict}"));
        }
        out
    }
}

impl StepCache for BuildCache {
    fn provisioners(&self) -> usize {
        self.keys.len() - 1
    }

    fn longest_prefix(&self) -> Option<(StepIndex, Hit)> {
        (0..self.keys.len())
            .rev()
            .find_map(|i| self.hit(i).map(|h| (i, h)))
    }

    fn hit(&self, i: StepIndex) -> Option<Hit> {
        let k = self.keys.get(i)?.as_ref().ok()?;
        let e = self.store.get(&k.key)?;
        Some(Hit {
            dir: e.dir,
            key: k.clone(),
            took: Duration::from_millis(e.meta.took_ms),
        })
    }

    fn key(&self, i: StepIndex) -> Option<kiln_core::step_cache::StepKey> {
        self.keys.get(i)?.as_ref().ok().cloned()
    }

    fn saves(&self, i: StepIndex) -> bool {
        self.keys.get(i).is_some_and(Result::is_ok)
    }

    fn save(
        &self,
        ui: &dyn Ui,
        i: StepIndex,
        took: Duration,
        fill: &mut dyn FnMut(&std::path::Path) -> Result<(), String>,
    ) {
        let Some(Ok(key)) = self.keys.get(i) else {
            return;
        };
        if self.store.get(&key.key).is_some() {
            return;
        }
        let ttl = self.ttl.get(i).copied().flatten().map(|d| d.as_secs());
        #[allow(clippy::cast_possible_truncation)]
        let meta = Meta::new(key.clone(), &self.builder, took.as_millis() as u64, ttl);
        match self.store.put(meta, |dir| fill(dir)) {
            Ok(entry) => self.push(ui, i, &entry),
            Err(e) => ui.error(&format!(
                "Warning: could not save step {i} in the step cache: {e}"
            )),
        }
    }

    fn stage(&self, ui: &dyn Ui, i: StepIndex) -> Option<Staged> {
        let Some(Ok(key)) = self.keys.get(i) else {
            return None;
        };
        if self.store.get(&key.key).is_some() {
            return None;
        }
        match self.store.begin(&key.key) {
            Ok(s) => Some(Staged {
                step: i,
                dir: s.dir().to_path_buf(),
                handle: Box::new(s),
            }),
            Err(e) => {
                ui.error(&format!(
                    "Warning: could not save step {i} in the step cache: {e}"
                ));
                None
            }
        }
    }

    fn commit(&self, ui: &dyn Ui, staged: Staged, took: Duration) {
        let i = staged.step;
        let (Some(Ok(key)), Ok(staging)) = (self.keys.get(i), staged.handle.downcast::<Staging>())
        else {
            return;
        };
        let ttl = self.ttl.get(i).copied().flatten().map(|d| d.as_secs());
        #[allow(clippy::cast_possible_truncation)]
        let meta = Meta::new(key.clone(), &self.builder, took.as_millis() as u64, ttl);
        match self.store.publish(*staging, meta) {
            Ok(entry) => self.push(ui, i, &entry),
            Err(e) => ui.error(&format!(
                "Warning: could not save step {i} in the step cache: {e}"
            )),
        }
    }

    fn save_made(
        &self,
        ui: &dyn Ui,
        i: StepIndex,
        fill: &mut dyn FnMut(&std::path::Path) -> Result<(), String>,
    ) -> Result<(), String> {
        let Some(Ok(key)) = self.keys.get(i) else {
            return Ok(());
        };
        let ttl = self.ttl.get(i).copied().flatten().map(|d| d.as_secs());
        let meta = Meta::new(key.clone(), &self.builder, 0, ttl);
        // The fill's own failure is the build's; only the store's is a
        // warning.
        let mut failed = None;
        let r = self.store.put_timed(meta, |dir| {
            fill(dir).inspect_err(|e| {
                failed = Some(e.clone());
            })
        });
        if let Some(e) = failed {
            return Err(e);
        }
        match r {
            Ok(entry) => self.push(ui, i, &entry),
            Err(e) => ui.error(&format!(
                "Warning: could not save step {i} in the step cache: {e}"
            )),
        }
        Ok(())
    }

    fn hold(&self, i: StepIndex) -> Option<Box<dyn std::any::Any + Send>> {
        let Some(Ok(key)) = self.keys.get(i) else {
            return None;
        };
        self.store
            .hold(&key.key)
            .map(|h| Box::new(h) as Box<dyn std::any::Any + Send>)
    }

    fn discard(&self, i: StepIndex) {
        if let Some(Ok(key)) = self.keys.get(i) {
            if let Err(e) = self.store.remove(&key.key) {
                tracing::warn!(error = %e, "could not drop a step cache entry");
            }
        }
    }

    fn restored(&self, ui: &dyn Ui, i: StepIndex, hit: &Hit, saved: Duration) {
        let n = self.keys.len() - 1;
        ui.say(&format!(
            "Using cached step {i}/{n} ({}, key {}…): skipping what took {} before",
            hit.key.step,
            hit.key.short(),
            kiln_core::duration::human_duration(saved)
        ));
        if let Ok(mut total) = self.saved.lock() {
            *total += saved;
        }
    }
}
