//! The shared store behind the local one: which entries it has, pulling
//! a chain into the local store, pushing an entry the build saved.

use crate::artifact::{self, META_TYPE};
use crate::error::RemoteError;
use kiln_catalog::backend::dir::DirBackend;
use kiln_catalog::backend::registry::RegistryBackend;
use kiln_catalog::backend::{Backend, Expect};
use kiln_catalog::digest::{file_digest, sha256_digest};
use kiln_catalog::oci::{self, Descriptor, Manifest};
use kiln_catalog::CatalogError;
use kiln_step_cache::meta::now;
use kiln_step_cache::{DirStore, Entry, Meta};

/// Where the shared store is: `oci://REGISTRY/PREFIX` or `dir:PATH`.
pub const ENV: &str = "KILN_CACHE";

/// The repository (or layout) under the location that holds the entries.
const BUCKET: &str = "steps";

/// The registry's credentials, looked up as the catalog's are but under
/// the cache's own names.
const USERNAME_VAR: &str = "KILN_CACHE_USERNAME";
const PASSWORD_VAR: &str = "KILN_CACHE_PASSWORD";

pub struct Remote {
    store: Box<dyn Backend>,
    secret: Vec<u8>,
}

/// What a push sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    pub files: usize,
    /// Bytes uploaded; blobs the store had already are not counted.
    pub bytes: u64,
    /// The store had this very entry (same files) under the key already:
    /// nothing was sent.
    pub already: bool,
}

impl Remote {
    /// The store `KILN_CACHE` names, if it names one.
    pub fn from_env() -> Result<Option<Remote>, RemoteError> {
        match std::env::var(ENV).ok().filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(spec) => Remote::open(&spec, std::env::var(crate::secret::ENV).ok()).map(Some),
        }
    }

    /// Open the store and learn its secret (`secret`: the environment's).
    pub fn open(spec: &str, secret: Option<String>) -> Result<Remote, RemoteError> {
        let bad = || RemoteError::BadLocation(spec.to_owned());
        let store: Box<dyn Backend> = if let Some(path) = spec.strip_prefix("dir:") {
            if path.is_empty() {
                return Err(bad());
            }
            Box::new(DirBackend::new(path))
        } else if let Some(rest) = spec.strip_prefix("oci://") {
            let env = |k: &str| std::env::var(k).ok();
            match RegistryBackend::with_env_named(rest, &env, (USERNAME_VAR, PASSWORD_VAR)) {
                Ok(r) => Box::new(r),
                Err(CatalogError::BadLocation(_)) => return Err(bad()),
                Err(e) => {
                    return Err(RemoteError::Store {
                        location: spec.to_owned(),
                        source: Box::new(e),
                    })
                }
            }
        } else {
            return Err(bad());
        };
        let secret = crate::secret::shared(secret, store.as_ref(), BUCKET)?;
        Ok(Remote { store, secret })
    }

    pub fn location(&self) -> String {
        self.store.location()
    }

    /// The secret the keys must be made with to match the store's.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    fn store_err(&self, e: CatalogError) -> RemoteError {
        RemoteError::Store {
            location: self.location(),
            source: Box::new(e),
        }
    }

    /// `key`'s entry in the store: its manifest and meta, when it has
    /// one of this format that has not expired.
    fn entry(&self, key: &str) -> Result<Option<(Manifest, Meta)>, RemoteError> {
        let Some(raw) = self
            .store
            .get_manifest(BUCKET, &artifact::tag(key))
            .map_err(|e| self.store_err(e))?
        else {
            return Ok(None);
        };
        let corrupt = |why: String| RemoteError::Corrupt {
            location: self.location(),
            key: key.to_owned(),
            why,
        };
        let m: Manifest = oci::parse("a step cache entry", &raw).map_err(|e| self.store_err(e))?;
        let meta_bytes = self
            .store
            .get_blob(BUCKET, &m.config.digest)
            .map_err(|e| self.store_err(e))?;
        if sha256_digest(&meta_bytes) != m.config.digest {
            return Err(corrupt("its meta blob is damaged".to_owned()));
        }
        let meta: Meta = serde_json::from_slice(&meta_bytes).map_err(|e| corrupt(e.to_string()))?;
        artifact::check(&m, &meta, key).map_err(corrupt)?;
        if meta.expired(now()) {
            return Ok(None);
        }
        Ok(Some((m, meta)))
    }

    /// Does the store have `key`'s entry?
    pub fn has(&self, key: &str) -> Result<bool, RemoteError> {
        self.entry(key).map(|e| e.is_some())
    }

    /// Make the local store hold the longest prefix of `keys` (the steps'
    /// keys in order, `None` for a step without one) that either store
    /// has. Returns how many entries were pulled.
    pub fn fetch(&self, keys: &[Option<&str>], local: &DirStore) -> Result<usize, RemoteError> {
        for key in keys.iter().rev().flatten() {
            if local.get(key).is_some() {
                return Ok(0);
            }
            let pulled = self.pull_chain(key, local)?;
            if pulled > 0 {
                return Ok(pulled);
            }
        }
        Ok(0)
    }

    /// Pull `key`'s entry and every ancestor the local store lacks,
    /// oldest first: a restore needs the whole chain (a qcow2 layer's
    /// backing files, the layers under an OCI step). Nothing is pulled
    /// when the store's chain has a gap.
    pub fn pull_chain(&self, key: &str, local: &DirStore) -> Result<usize, RemoteError> {
        let mut todo = Vec::new();
        let mut next = Some(key.to_owned());
        while let Some(k) = next {
            if local.get(&k).is_some() {
                break;
            }
            let Some((m, meta)) = self.entry(&k)? else {
                return Ok(0);
            };
            next = meta.key.parent.clone();
            todo.push((m, meta));
        }
        let n = todo.len();
        for (m, meta) in todo.into_iter().rev() {
            self.pull(&m, meta, local)?;
        }
        Ok(n)
    }

    fn pull(&self, m: &Manifest, meta: Meta, local: &DirStore) -> Result<Entry, RemoteError> {
        let fill = |dir: &std::path::Path| -> Result<(), String> {
            for l in &m.layers {
                let name = artifact::file_name(l)?;
                self.store
                    .get_blob_file(BUCKET, &l.digest, &dir.join(name))
                    .map_err(|e| self.store_err(e).to_string())?;
            }
            Ok(())
        };
        Ok(local.put(meta, fill)?)
    }

    /// Upload an entry of the local store and tag it with its key,
    /// replacing whatever the tag named (an entry saved again after the
    /// old one failed to restore).
    pub fn push(&self, entry: &Entry) -> Result<Pushed, RemoteError> {
        let io = |path: &std::path::Path, source| RemoteError::Io {
            location: self.location(),
            path: path.to_path_buf(),
            source,
        };
        let files = artifact::payload(&entry.dir).map_err(|e| io(&entry.dir, e))?;
        let mut layers = Vec::new();
        for (name, path) in &files {
            let (digest, size) = file_digest(path).map_err(|e| io(path, e))?;
            layers.push(artifact::layer(name, &digest, size));
        }
        // An entry pulled from the store and saved again locally (the oci
        // builder's boot entry gets its tree back) is no news to it.
        let key = &entry.meta.key.key;
        if let Ok(Some((theirs, _))) = self.entry(key) {
            if theirs.layers == layers {
                return Ok(Pushed {
                    files: files.len(),
                    bytes: 0,
                    already: true,
                });
            }
        }
        let mut pushed = Pushed::default();
        for ((_, path), layer) in files.iter().zip(&layers) {
            let (digest, size) = (&layer.digest, layer.size);
            if !self
                .store
                .has_blob(BUCKET, digest)
                .map_err(|e| self.store_err(e))?
            {
                self.store
                    .put_blob_file(BUCKET, digest, path)
                    .map_err(|e| self.store_err(e))?;
                pushed.bytes += size;
            }
            pushed.files += 1;
        }
        let meta_path = entry.path("meta.json");
        let meta = std::fs::read(&meta_path).map_err(|e| io(&meta_path, e))?;
        let meta_digest = sha256_digest(&meta);
        self.store
            .put_blob(BUCKET, &meta_digest, &meta)
            .map_err(|e| self.store_err(e))?;
        let m = artifact::manifest(
            Descriptor::blob(META_TYPE, &meta_digest, meta.len() as u64),
            layers,
        );
        self.store
            .set_tag(BUCKET, &artifact::tag(key), &m.raw(), &Expect::Any)
            .map_err(|e| self.store_err(e))?;
        Ok(pushed)
    }
}
