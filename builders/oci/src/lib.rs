//! kiln's OCI builder (`source "oci"`, and `source "docker"` for Packer
//! templates): daemonless container images. A base image is unpacked into
//! a directory, provisioned, and what changed becomes a new layer.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod builder;
pub mod canonical_json;
pub mod compression;
pub mod config;
pub mod digest;
pub mod error;
pub mod image;
pub mod layer;
pub mod output;
pub mod overlay;
pub mod postprocess;
pub mod registry;
pub mod source;
pub mod unpack;

pub use builder::{DockerBuilder, DockerConfig, OciBuilder, OciConfig};
pub use error::OciError;
pub use postprocess::docker_import::{DockerImport, DockerImportConfig};
pub use postprocess::docker_push::{DockerPush, DockerPushConfig};
pub use postprocess::docker_save::{DockerSave, DockerSaveConfig};
pub use postprocess::docker_tag::{DockerTag, DockerTagConfig};
