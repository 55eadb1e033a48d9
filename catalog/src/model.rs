//! What the catalog records: versions (one per complete `kiln build` run
//! of a bucket), the builds and artifacts in them, and events (channel
//! moves, revocations, restorations). Stored as JSON inside OCI content;
//! field names are part of the store format.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The store format of records and events; readers refuse newer ones.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub format: u32,
    pub bucket: String,
    /// N of `vN`.
    pub version: u64,
    /// The run's ULID, HCP Packer's version id.
    pub id: String,
    pub fingerprint: String,
    /// Where the fingerprint came from: `env`, `git` or `ulid`.
    pub fingerprint_source: String,
    pub template_path: String,
    /// sha256 over the template files, in name order.
    pub template_digest: String,
    pub kiln_version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub author: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub bucket_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub build_labels: BTreeMap<String, String>,
    /// `PACKER_RUN_UUID` of the run.
    pub run_uuid: String,
    pub builds: Vec<BuildRecord>,
    /// The versions this one was built from (through the catalog's data
    /// sources).
    #[serde(default)]
    pub parents: Vec<VersionRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildRecord {
    /// The build's name as `kiln build` prints it (`NAME.TYPE.SOURCE`).
    pub name: String,
    pub source_type: String,
    pub source_name: String,
    /// `qemu`, `oci`, `docker`, `amazon-ebs`, …: the source type.
    pub platform: String,
    pub builder_id: String,
    /// Where the artifact is, as its consumers name it: the qcow2's
    /// `sha256:…`, the OCI manifest digest, `ami-…` per region.
    pub artifacts: Vec<ExternalId>,
    pub files: Vec<FileRecord>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalId {
    pub id: String,
    /// The cloud region; `local` for artifacts that are files here.
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

/// One version of one bucket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VersionRef {
    pub bucket: String,
    pub version: u64,
}

impl std::fmt::Display for VersionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:v{}", self.bucket, self.version)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub format: u32,
    /// A ULID; with `at`, it orders events.
    pub id: String,
    /// RFC 3339 with nanoseconds, UTC.
    pub at: String,
    pub who: String,
    #[serde(default)]
    pub why: String,
    /// The version the event is about (its OCI `subject`).
    pub version: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EventKind {
    /// A channel moved (`to: None`: emptied, when a revocation found no
    /// earlier good version).
    Channel {
        channel: String,
        from: Option<u64>,
        to: Option<u64>,
        /// `promote`, `rollback`, or `revocation` (moved off a revoked
        /// version by `revoke`).
        cause: String,
    },
    Revoke {
        /// When it takes effect (RFC 3339); the event's `at` for `now`.
        effective_at: String,
        /// The revoked ancestor this revocation follows from
        /// (`-descendants`).
        #[serde(default)]
        through: Option<VersionRef>,
    },
    Restore,
}
