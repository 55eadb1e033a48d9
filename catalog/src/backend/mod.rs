//! The OCI primitives the catalog is written in: blobs, manifests by
//! digest, tags, referrers and a bucket lock. One implementation per kind
//! of store ([`dir`]: an OCI image layout per bucket; [`registry`]: an OCI
//! distribution registry); everything above this trait is one code path.
//!
//! A bucket is one repository. Calls block; an implementation that needs
//! an async client keeps its runtime to itself.

pub mod dir;
pub mod registry;

use crate::error::CatalogError;
use crate::oci::Descriptor;
use std::path::Path;

/// A manifest as stored: its digest (`sha256:…` of `bytes`), media type
/// and exact bytes (digests are over bytes, never over a re-serialisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawManifest {
    pub digest: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl RawManifest {
    pub fn new(media_type: &str, bytes: Vec<u8>) -> RawManifest {
        RawManifest {
            digest: crate::digest::sha256_digest(&bytes),
            media_type: media_type.to_owned(),
            bytes,
        }
    }
}

/// What a tag must point at for [`Backend::set_tag`] to move it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Move it whatever it points at.
    Any,
    /// Only create it.
    Absent,
    /// Only move it from this manifest digest.
    Digest(String),
}

/// A held bucket lock; dropping it releases the lock.
pub type LockGuard = Box<dyn std::any::Any + Send>;

pub trait Backend: Send + Sync {
    /// Where the store is (`dir:/path`, `oci://host/prefix`), for messages.
    fn location(&self) -> String;

    /// Every bucket the store holds, sorted.
    fn buckets(&self) -> Result<Vec<String>, CatalogError>;

    /// Does `bucket` exist (has anything ever been stored in it)?
    fn bucket_exists(&self, bucket: &str) -> Result<bool, CatalogError>;

    fn has_blob(&self, bucket: &str, digest: &str) -> Result<bool, CatalogError>;

    /// Store `data` as the blob `digest` (the caller computed it).
    fn put_blob(&self, bucket: &str, digest: &str, data: &[u8]) -> Result<(), CatalogError>;

    /// Store the file at `path` as the blob `digest`, streaming it (disk
    /// images are many gigabytes).
    fn put_blob_file(&self, bucket: &str, digest: &str, path: &Path) -> Result<(), CatalogError>;

    fn get_blob(&self, bucket: &str, digest: &str) -> Result<Vec<u8>, CatalogError>;

    /// Write the blob `digest` to the new file `dest`, streaming it and
    /// checking its digest (a disk image does not fit in memory).
    fn get_blob_file(&self, bucket: &str, digest: &str, dest: &Path) -> Result<(), CatalogError>;

    /// Store a manifest under its digest, untagged. Blobs it references
    /// (and, for an index, manifests) must already be stored.
    fn put_manifest(&self, bucket: &str, manifest: &RawManifest) -> Result<(), CatalogError>;

    /// A manifest by tag or digest; `None` when there is none.
    fn get_manifest(
        &self,
        bucket: &str,
        reference: &str,
    ) -> Result<Option<RawManifest>, CatalogError>;

    /// Many manifests at once (a registry fetches them concurrently); the
    /// result is in the order of `references`.
    fn get_manifests(
        &self,
        bucket: &str,
        references: &[String],
    ) -> Result<Vec<Option<RawManifest>>, CatalogError> {
        references
            .iter()
            .map(|r| self.get_manifest(bucket, r))
            .collect()
    }

    /// Every tag of `bucket` (empty for a bucket that does not exist).
    fn tags(&self, bucket: &str) -> Result<Vec<String>, CatalogError>;

    /// Point `tag` at `manifest` (storing it if needed) when the tag's
    /// current target matches `expected`; `Ok(false)` when it did not.
    /// A directory store checks and moves under one lock. A registry has
    /// no conditional tag write: it compares, then puts, and the caller
    /// reads the tag back to confirm (see `crate::cas`).
    fn set_tag(
        &self,
        bucket: &str,
        tag: &str,
        manifest: &RawManifest,
        expected: &Expect,
    ) -> Result<bool, CatalogError>;

    /// The referrers of `digest` (manifests whose `subject` is it), as an
    /// image index's descriptors would list them; `None` when the store
    /// has no referrers API, and the caller falls back to the
    /// `sha256-<hex>` tag schema.
    fn referrers(
        &self,
        bucket: &str,
        digest: &str,
    ) -> Result<Option<Vec<Descriptor>>, CatalogError>;

    /// Does [`Backend::set_tag`] compare and move in one atomic step (a
    /// directory under a lock)? Otherwise writers read tags back to
    /// confirm their writes.
    fn conditional_tags(&self) -> bool {
        false
    }

    /// Serialise writers of one bucket on this machine. A registry store
    /// returns a no-op guard: its writers rely on compare-before-put.
    fn lock(&self, bucket: &str) -> Result<LockGuard, CatalogError>;
}
