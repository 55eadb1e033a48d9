//! The image model the builder works on: a config and its layers, each
//! layer a byte range of some file (a layout's blob, or a member of an
//! archive read in place), plus the media types of the image spec.

pub mod docker_archive;
pub mod layout;
pub mod oci_archive;
pub mod platform;
pub mod reload;
pub mod tar_index;

use crate::compression;
use crate::error::{IoContext, OciError};
use oci_spec::image::ImageConfiguration;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Bytes `offset..offset+len` of `file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub file: PathBuf,
    pub offset: u64,
    pub len: u64,
}

impl BlobRef {
    pub fn whole(file: PathBuf, len: u64) -> BlobRef {
        BlobRef {
            file,
            offset: 0,
            len,
        }
    }

    pub fn open(&self) -> Result<impl Read, OciError> {
        let mut f = File::open(&self.file).ctx(|| format!("open {}", self.file.display()))?;
        f.seek(SeekFrom::Start(self.offset))
            .ctx(|| format!("seek in {}", self.file.display()))?;
        Ok(f.take(self.len))
    }

    pub fn read_all(&self) -> Result<Vec<u8>, OciError> {
        let mut buf = Vec::new();
        self.open()?
            .read_to_end(&mut buf)
            .ctx(|| format!("read {}", self.file.display()))?;
        Ok(buf)
    }

    /// The uncompressed tar inside, whatever its encoding.
    pub fn tar(&self) -> Result<Box<dyn Read>, OciError> {
        compression::decompressed(self.open()?)
            .ctx(|| format!("read layer in {}", self.file.display()))
    }
}

/// A layer of an image: its descriptor facts and where its bytes are.
#[derive(Debug, Clone)]
pub struct Layer {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    pub blob: BlobRef,
}

/// A loaded image: what the builder unpacks and extends.
#[derive(Debug, Clone)]
pub struct Image {
    pub config: ImageConfiguration,
    pub layers: Vec<Layer>,
    /// How the image is known by digest, for provenance: its manifest's
    /// (a layout, a registry), or its config's (a docker-archive, whose
    /// image id that is). `None` for images made here.
    pub digest: Option<String>,
}

/// Docker's layer media types in the OCI vocabulary (the image spec allows
/// both in a manifest, but OCI tools expect their own).
pub fn oci_layer_type(media_type: &str) -> &str {
    match media_type {
        "application/vnd.docker.image.rootfs.diff.tar.gzip" => {
            "application/vnd.oci.image.layer.v1.tar+gzip"
        }
        "application/vnd.docker.image.rootfs.diff.tar" => "application/vnd.oci.image.layer.v1.tar",
        other => other,
    }
}

pub fn parse_json<T: serde::de::DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, OciError> {
    serde_json::from_slice(bytes).map_err(|source| OciError::Json {
        what: what.to_owned(),
        source,
    })
}
