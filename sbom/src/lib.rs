//! What is inside an image: the packages its package databases list
//! after provisioning, and the operating system, as an [`Inventory`];
//! then that inventory as SPDX 2.3 JSON ([`spdx`]) or CycloneDX 1.5 JSON
//! ([`cyclonedx`]).
//!
//! The databases are read through [`FileSource`]: a root filesystem on
//! disk for OCI builds, files fetched through the communicator for
//! machines. Each format's reader is its own module: [`dpkg`], [`apk`];
//! an rpm database is recognised and reported as not read ([`rpm`]).

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod apk;
pub mod cyclonedx;
pub mod dpkg;
pub mod error;
pub mod inventory;
pub mod os_release;
pub mod purl;
pub mod rpm;
pub mod spdx;

pub use error::SbomError;
pub use inventory::{inventory, paths, DirSource, Ecosystem, FileSource, Inventory, Package};
pub use os_release::OsRelease;

/// Who made the document, for both formats' creator fields.
#[derive(Debug, Clone)]
pub struct Creation {
    /// The artifact the SBOM describes (`debian-base`, an image name).
    pub name: String,
    pub tool_version: String,
    /// Unix seconds: `SOURCE_DATE_EPOCH` when set, so that the same
    /// inputs give the same document.
    pub created: i64,
}

impl Creation {
    fn timestamp(&self) -> String {
        jiff::Timestamp::from_second(self.created)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }

    /// A document id that is the same for the same inventory and name:
    /// a name-based UUID over both.
    fn document_uuid(&self, inv: &Inventory) -> uuid::Uuid {
        let body = serde_json::to_vec(inv).unwrap_or_default();
        let mut seed = self.name.as_bytes().to_vec();
        seed.push(0);
        seed.extend_from_slice(&body);
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &seed)
    }
}
