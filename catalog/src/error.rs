//! Everything the catalog can answer with instead of a result.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid KILN_CATALOG {0:?}: use dir:PATH or oci://REGISTRY/PREFIX")]
    BadLocation(String),
    #[error("invalid bucket name {0:?}: use 3 to 36 letters, digits and dashes")]
    BadBucket(String),
    #[error("invalid channel name {name:?}: {why}")]
    BadChannel { name: String, why: &'static str },
    #[error("invalid version {0:?}: versions are v1, v2, …")]
    BadVersion(String),
    #[error("no bucket {bucket:?} in the catalog at {location}")]
    UnknownBucket { bucket: String, location: String },
    #[error("bucket {bucket:?} has no version {version}")]
    UnknownVersion { bucket: String, version: String },
    #[error("bucket {bucket:?} has no channel {channel:?}")]
    UnknownChannel { bucket: String, channel: String },
    #[error("channel {channel:?} of bucket {bucket:?} points at no version{why}")]
    EmptyChannel {
        bucket: String,
        channel: String,
        why: String,
    },
    #[error("{bucket}:{version} is revoked: {reason}")]
    Revoked {
        bucket: String,
        version: String,
        reason: String,
    },
    #[error("{bucket}:{version} was built from {ancestor}, which is revoked: {reason}")]
    AncestorRevoked {
        bucket: String,
        version: String,
        ancestor: String,
        reason: String,
    },
    #[error("{bucket}:{version} is not revoked")]
    NotRevoked { bucket: String, version: String },
    #[error("{bucket}:{version} has no build for platform {platform:?}{region}; it has {have}")]
    NoArtifact {
        bucket: String,
        version: String,
        platform: String,
        region: String,
        have: String,
    },
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the catalog at {location} is unreachable: {why}")]
    Unreachable { location: String, why: String },
    #[error("the catalog at {location} refused access: {why}")]
    Denied { location: String, why: String },
    #[error("registry {location}: {why}")]
    Registry { location: String, why: String },
    #[error("corrupt catalog content {what}: {why}")]
    Corrupt { what: String, why: String },
    #[error("another writer kept changing {what}; gave up after {tries} tries")]
    Contended { what: String, tries: u32 },
    #[error("cancelled")]
    Cancelled,
}

impl CatalogError {
    pub fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CatalogError::Io {
            what,
            path: path.into(),
            source,
        }
    }

    pub fn corrupt(what: impl Into<String>, why: impl std::fmt::Display) -> Self {
        CatalogError::Corrupt {
            what: what.into(),
            why: why.to_string(),
        }
    }
}
