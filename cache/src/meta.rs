//! What one entry records: its key and inputs (for `-explain-cache` and
//! `kiln cache list`), when it was made and until when it holds
//! (`cache_ttl`), its size, and how long the step took when it ran, so a
//! hit can say how much time it saved.

use kiln_core::step_cache::{StepKey, FORMAT};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub format: u32,
    #[serde(flatten)]
    pub key: StepKey,
    /// The builder type that made the snapshot (`qemu`, `oci`).
    pub builder: String,
    /// Unix seconds.
    pub created: u64,
    /// Unix seconds after which the entry no longer restores.
    pub expires: Option<u64>,
    /// Bytes on disk, payload included.
    #[serde(default)]
    pub size: u64,
    /// How long the step (and the ones before it, from the parent) took
    /// when it ran, in milliseconds.
    pub took_ms: u64,
}

impl Meta {
    pub fn new(key: StepKey, builder: &str, took_ms: u64, ttl_secs: Option<u64>) -> Meta {
        let created = now();
        Meta {
            format: FORMAT,
            key,
            builder: builder.to_owned(),
            created,
            expires: ttl_secs.map(|t| created.saturating_add(t)),
            size: 0,
            took_ms,
        }
    }

    pub fn expired(&self, at: u64) -> bool {
        self.expires.is_some_and(|e| at >= e)
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
