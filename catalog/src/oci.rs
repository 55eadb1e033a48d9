//! The OCI documents the catalog writes: descriptors, image manifests for
//! artifacts (empty config, `artifactType`, optional `subject`) and image
//! indexes. Own small types rather than oci-spec's: the catalog needs
//! `artifactType` and `subject` on both, and exact control of the bytes.

use crate::backend::RawManifest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const IMAGE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";
/// The empty JSON object `{}` the image spec prescribes for artifacts.
pub const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
pub const EMPTY_BYTES: &[u8] = b"{}";

/// Artifact types of what the catalog stores.
pub const VERSION_TYPE: &str = "application/vnd.kiln.catalog.version.v1+json";
pub const EVENT_TYPE: &str = "application/vnd.kiln.catalog.event.v1+json";
pub const BUILD_TYPE: &str = "application/vnd.kiln.catalog.build.v1+json";
/// A build's SBOMs, provenance and signatures (kiln's supply-chain files).
pub const ATTESTATIONS_TYPE: &str = "application/vnd.kiln.catalog.attestations.v1+json";

/// Annotations on a version index and on event manifests: enough to list
/// versions and replay events without fetching their blobs.
pub const ANN_VERSION: &str = "dev.kiln.catalog.version";
pub const ANN_RECORD: &str = "dev.kiln.catalog.record";
pub const ANN_EVENT: &str = "dev.kiln.catalog.event";
/// On the index an emptied channel's tag points at: the channel's name.
pub const ANN_EMPTY_CHANNEL: &str = "dev.kiln.catalog.empty-channel";
pub const ANN_CREATED: &str = "org.opencontainers.image.created";
pub const ANN_TITLE: &str = "org.opencontainers.image.title";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    pub architecture: String,
    pub os: String,
}

impl Descriptor {
    pub fn of(m: &RawManifest) -> Descriptor {
        Descriptor {
            media_type: m.media_type.clone(),
            digest: m.digest.clone(),
            size: m.bytes.len() as u64,
            artifact_type: None,
            platform: None,
            annotations: BTreeMap::new(),
        }
    }

    pub fn blob(media_type: &str, digest: &str, size: u64) -> Descriptor {
        Descriptor {
            media_type: media_type.to_owned(),
            digest: digest.to_owned(),
            size,
            artifact_type: None,
            platform: None,
            annotations: BTreeMap::new(),
        }
    }

    pub fn empty_config() -> Descriptor {
        Descriptor::blob(EMPTY_CONFIG, EMPTY_DIGEST, EMPTY_BYTES.len() as u64)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub schema_version: u32,
    pub media_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    pub schema_version: u32,
    pub media_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Manifest {
    /// An artifact: the empty config and `layers` as its content.
    pub fn artifact(artifact_type: &str, layers: Vec<Descriptor>) -> Manifest {
        Manifest {
            schema_version: 2,
            media_type: MANIFEST.to_owned(),
            artifact_type: Some(artifact_type.to_owned()),
            config: Descriptor::empty_config(),
            layers,
            subject: None,
            annotations: BTreeMap::new(),
        }
    }

    pub fn raw(&self) -> RawManifest {
        RawManifest::new(MANIFEST, to_bytes(self))
    }
}

impl Index {
    pub fn new(manifests: Vec<Descriptor>) -> Index {
        Index {
            schema_version: 2,
            media_type: INDEX.to_owned(),
            artifact_type: None,
            manifests,
            subject: None,
            annotations: BTreeMap::new(),
        }
    }

    pub fn raw(&self) -> RawManifest {
        RawManifest::new(INDEX, to_bytes(self))
    }
}

/// This machine as an OCI platform (Go's architecture names), what
/// skopeo and other clients pick from an index by default.
pub fn host_platform() -> Platform {
    let architecture = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    Platform {
        architecture: architecture.into(),
        os: "linux".into(),
    }
}

fn to_bytes<T: Serialize>(v: &T) -> Vec<u8> {
    // Serialising these plain structs cannot fail (string keys only).
    serde_json::to_vec(v).unwrap_or_default()
}

/// Parse a stored manifest or index, naming it when it is not one.
pub fn parse<T: for<'de> Deserialize<'de>>(
    what: &str,
    m: &RawManifest,
) -> Result<T, crate::error::CatalogError> {
    serde_json::from_slice(&m.bytes).map_err(|e| crate::error::CatalogError::corrupt(what, e))
}
