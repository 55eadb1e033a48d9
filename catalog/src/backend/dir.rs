//! The local store: one OCI image layout per bucket under a root
//! directory (`ROOT/BUCKET/{oci-layout,index.json,blobs/sha256/…}`), so
//! that skopeo, umoci and oras read a bucket as they read any layout
//! (`oci:ROOT/BUCKET:v3`). Tags are `org.opencontainers.image.ref.name`
//! annotations in `index.json`; every write goes to a temporary file in
//! the same directory and is renamed into place, so a kill at any moment
//! leaves either the old or the new file. Untagged manifests are blobs
//! only (the layout spec does not require `index.json` to list them).

use super::{Backend, Expect, LockGuard, RawManifest};
use crate::digest::{check_file_digest, file_digest, hex_of};
use crate::error::CatalogError;
use crate::oci::{self, Descriptor};
use rustix::fs::{flock, FlockOperation};
use serde_json::{json, Value};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

const REF_NAME: &str = "org.opencontainers.image.ref.name";

pub struct DirBackend {
    root: PathBuf,
}

/// An exclusive `flock` on a file, released when dropped (closing the
/// file releases it, also when the process is killed).
struct Flock(#[allow(dead_code)] File);

impl DirBackend {
    pub fn new(root: impl Into<PathBuf>) -> DirBackend {
        DirBackend { root: root.into() }
    }

    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.join(bucket)
    }

    fn blob_path(&self, bucket: &str, digest: &str) -> Result<PathBuf, CatalogError> {
        let hex = hex_of(digest)
            .ok_or_else(|| CatalogError::corrupt(format!("digest {digest:?}"), "not sha256"))?;
        Ok(self.bucket_dir(bucket).join("blobs/sha256").join(hex))
    }

    /// Create the layout's skeleton the first time a bucket is written.
    fn init(&self, bucket: &str) -> Result<PathBuf, CatalogError> {
        let dir = self.bucket_dir(bucket);
        let blobs = dir.join("blobs/sha256");
        fs::create_dir_all(&blobs).map_err(|e| CatalogError::io("create", &blobs, e))?;
        let layout = dir.join("oci-layout");
        if !layout.exists() {
            write_atomic(&layout, br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        }
        let index = dir.join("index.json");
        if !index.exists() {
            write_atomic(
                &index,
                &serde_json::to_vec(&oci::Index::new(Vec::new())).unwrap_or_default(),
            )?;
        }
        Ok(dir)
    }

    fn lock_file(&self, path: &Path) -> Result<Flock, CatalogError> {
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| CatalogError::io("open the lock file", path, e))?;
        flock(&f, FlockOperation::LockExclusive)
            .map_err(|e| CatalogError::io("lock", path, e.into()))?;
        Ok(Flock(f))
    }

    fn read_index(&self, bucket: &str) -> Result<Value, CatalogError> {
        let path = self.bucket_dir(bucket).join("index.json");
        match fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b)
                .map_err(|e| CatalogError::corrupt(path.display().to_string(), e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(json!({"manifests": []})),
            Err(e) => Err(CatalogError::io("read", path, e)),
        }
    }

    /// Tag name → descriptor, from `index.json`.
    fn tagged(&self, bucket: &str) -> Result<Vec<(String, Descriptor)>, CatalogError> {
        let index = self.read_index(bucket)?;
        let mut out = Vec::new();
        for d in index["manifests"].as_array().into_iter().flatten() {
            let Ok(desc) = serde_json::from_value::<Descriptor>(d.clone()) else {
                continue;
            };
            if let Some(tag) = desc.annotations.get(REF_NAME) {
                out.push((tag.clone(), desc.clone()));
            }
        }
        Ok(out)
    }
}

impl Backend for DirBackend {
    fn location(&self) -> String {
        format!("dir:{}", self.root.display())
    }

    fn buckets(&self) -> Result<Vec<String>, CatalogError> {
        let entries = match fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(CatalogError::io("list", &self.root, e)),
        };
        let mut out: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join("oci-layout").is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        out.sort();
        Ok(out)
    }

    fn bucket_exists(&self, bucket: &str) -> Result<bool, CatalogError> {
        Ok(self.bucket_dir(bucket).join("oci-layout").is_file())
    }

    fn has_blob(&self, bucket: &str, digest: &str) -> Result<bool, CatalogError> {
        Ok(self.blob_path(bucket, digest)?.is_file())
    }

    fn put_blob(&self, bucket: &str, digest: &str, data: &[u8]) -> Result<(), CatalogError> {
        self.init(bucket)?;
        let path = self.blob_path(bucket, digest)?;
        if path.is_file() {
            return Ok(());
        }
        write_atomic(&path, data)
    }

    fn put_blob_file(&self, bucket: &str, digest: &str, src: &Path) -> Result<(), CatalogError> {
        self.init(bucket)?;
        let path = self.blob_path(bucket, digest)?;
        if path.is_file() {
            return Ok(());
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir)
            .map_err(|e| CatalogError::io("create a file in", dir, e))?;
        // A reflink or plain copy; then check what landed is what was
        // meant, since the source may change under us.
        fs::copy(src, tmp.path()).map_err(|e| CatalogError::io("copy", src, e))?;
        let (got, _) =
            file_digest(tmp.path()).map_err(|e| CatalogError::io("read", tmp.path(), e))?;
        if got != digest {
            return Err(CatalogError::corrupt(
                src.display().to_string(),
                format!("changed while it was stored (digest {got}, expected {digest})"),
            ));
        }
        tmp.persist(&path)
            .map_err(|e| CatalogError::io("store", &path, e.error))?;
        Ok(())
    }

    fn get_blob(&self, bucket: &str, digest: &str) -> Result<Vec<u8>, CatalogError> {
        let path = self.blob_path(bucket, digest)?;
        fs::read(&path).map_err(|e| CatalogError::io("read", path, e))
    }

    fn get_blob_file(&self, bucket: &str, digest: &str, dest: &Path) -> Result<(), CatalogError> {
        let path = self.blob_path(bucket, digest)?;
        fs::copy(&path, dest).map_err(|e| CatalogError::io("copy", &path, e))?;
        check_file_digest(dest, digest, &path.display().to_string())
    }

    fn put_manifest(&self, bucket: &str, manifest: &RawManifest) -> Result<(), CatalogError> {
        self.put_blob(bucket, &manifest.digest, &manifest.bytes)
    }

    fn get_manifest(
        &self,
        bucket: &str,
        reference: &str,
    ) -> Result<Option<RawManifest>, CatalogError> {
        let desc = if reference.starts_with("sha256:") {
            None
        } else {
            match self
                .tagged(bucket)?
                .into_iter()
                .find(|(t, _)| t == reference)
            {
                Some((_, d)) => Some(d),
                None => return Ok(None),
            }
        };
        let digest = desc
            .as_ref()
            .map_or(reference.to_owned(), |d| d.digest.clone());
        let path = self.blob_path(bucket, &digest)?;
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CatalogError::io("read", path, e)),
        };
        let media_type = match desc {
            Some(d) => d.media_type,
            None => serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v["mediaType"].as_str().map(str::to_owned))
                .unwrap_or_else(|| oci::MANIFEST.to_owned()),
        };
        Ok(Some(RawManifest {
            digest,
            media_type,
            bytes,
        }))
    }

    fn tags(&self, bucket: &str) -> Result<Vec<String>, CatalogError> {
        Ok(self.tagged(bucket)?.into_iter().map(|(t, _)| t).collect())
    }

    fn set_tag(
        &self,
        bucket: &str,
        tag: &str,
        manifest: &RawManifest,
        expected: &Expect,
    ) -> Result<bool, CatalogError> {
        let dir = self.init(bucket)?;
        self.put_manifest(bucket, manifest)?;
        // Its own lock file: callers may hold the bucket lock already, and
        // two flocks of one file from one process exclude each other.
        let _guard = self.lock_file(&dir.join(".index.lock"))?;
        let mut index = self.read_index(bucket)?;
        let mut manifests: Vec<Value> = index["manifests"].as_array().cloned().unwrap_or_default();
        let current = manifests
            .iter()
            .position(|d| d["annotations"][REF_NAME] == tag);
        let current_digest = current.and_then(|i| manifests[i]["digest"].as_str());
        let ok = match expected {
            Expect::Any => true,
            Expect::Absent => current.is_none(),
            Expect::Digest(d) => current_digest == Some(d.as_str()),
        };
        if !ok {
            return Ok(false);
        }
        let mut desc = Descriptor::of(manifest);
        desc.annotations.insert(REF_NAME.to_owned(), tag.to_owned());
        let value = serde_json::to_value(&desc).unwrap_or(Value::Null);
        match current {
            Some(i) => manifests[i] = value,
            None => manifests.push(value),
        }
        index["manifests"] = Value::Array(manifests);
        index["schemaVersion"] = json!(2);
        index["mediaType"] = json!(oci::INDEX);
        write_atomic(
            &dir.join("index.json"),
            &serde_json::to_vec(&index).unwrap_or_default(),
        )?;
        Ok(true)
    }

    fn referrers(
        &self,
        _bucket: &str,
        _digest: &str,
    ) -> Result<Option<Vec<Descriptor>>, CatalogError> {
        // An image layout has no referrers API: the tag schema serves it.
        Ok(None)
    }

    fn conditional_tags(&self) -> bool {
        true
    }

    fn lock(&self, bucket: &str) -> Result<LockGuard, CatalogError> {
        let dir = self.init(bucket)?;
        Ok(Box::new(self.lock_file(&dir.join(".lock"))?))
    }
}

/// Write `data` to `path` through a temporary file in the same directory
/// and a rename, fsyncing the file first.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<(), CatalogError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| CatalogError::io("create a file in", dir, e))?;
    tmp.write_all(data)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| CatalogError::io("write", tmp.path().to_owned(), e))?;
    tmp.persist(path)
        .map_err(|e| CatalogError::io("write", path, e.error))?;
    Ok(())
}
