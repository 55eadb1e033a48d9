//! The finished image: base layers plus the new ones, the config with its
//! new diff ids and history, and the manifest, all as stable JSON.

use crate::canonical_json;
use crate::config::RunConfig;
use crate::digest;
use crate::error::OciError;
use crate::image::{oci_layer_type, BlobRef, Image, CONFIG, MANIFEST};
use oci_spec::image::{Descriptor, Digest, History, ImageManifestBuilder, MediaType};
use std::str::FromStr;

/// A blob of the result and where its bytes are now.
#[derive(Debug, Clone)]
pub struct Blob {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    pub src: BlobRef,
}

/// A layer made by this build.
#[derive(Debug, Clone)]
pub struct NewLayer {
    pub blob: Blob,
    pub diff_id: String,
    pub created_by: String,
}

#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// RFC 3339 time of the image and its new history entries.
    pub created: String,
    pub author: Option<String>,
    /// History comment (Packer's `message`).
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Built {
    pub manifest: Vec<u8>,
    pub manifest_digest: String,
    pub config: Vec<u8>,
    pub config_digest: String,
    pub layers: Vec<Blob>,
    pub diff_ids: Vec<String>,
}

pub fn compose(
    base: &Image,
    new: &[NewLayer],
    rc: &RunConfig,
    meta: &Meta,
    empty_history: &[String],
) -> Result<Built, OciError> {
    let mut config = base.config.clone();
    config.set_config(Some(rc.to_oci()));
    config.set_created(Some(meta.created.clone()));
    if meta.author.is_some() {
        config.set_author(meta.author.clone());
    }
    let mut diff_ids = config.rootfs().diff_ids().clone();
    if diff_ids.len() != base.layers.len() {
        return Err(OciError::Invalid(format!(
            "base image has {} layers but its config lists {} diff ids",
            base.layers.len(),
            diff_ids.len()
        )));
    }
    let mut history = config.history().clone().unwrap_or_default();
    let entry = |created_by: &str, empty: bool| {
        let mut h = History::default();
        h.set_created(Some(meta.created.clone()));
        h.set_author(meta.author.clone());
        h.set_created_by(Some(created_by.to_owned()));
        h.set_comment(meta.comment.clone());
        h.set_empty_layer(empty.then_some(true));
        h
    };
    let mut layers: Vec<Blob> = base
        .layers
        .iter()
        .map(|l| Blob {
            media_type: oci_layer_type(&l.media_type).to_owned(),
            digest: l.digest.clone(),
            size: l.size,
            src: l.blob.clone(),
        })
        .collect();
    for l in new {
        diff_ids.push(l.diff_id.clone());
        history.push(entry(&l.created_by, false));
        layers.push(l.blob.clone());
    }
    for step in empty_history {
        history.push(entry(step, true));
    }
    config.rootfs_mut().set_diff_ids(diff_ids.clone());
    config.set_history(Some(history));
    let config_bytes = canonical_json::to_vec("image config", &config)?;
    let config_digest = digest::sha256_of(&config_bytes);
    let (manifest, manifest_digest) = manifest(&config_bytes, &config_digest, &layers)?;
    Ok(Built {
        manifest_digest,
        manifest,
        config: config_bytes,
        config_digest,
        layers,
        diff_ids,
    })
}

/// The image manifest of `config` and `layers` as stable JSON, and its
/// digest.
pub fn manifest(
    config: &[u8],
    config_digest: &str,
    layers: &[Blob],
) -> Result<(Vec<u8>, String), OciError> {
    let desc = |mt: &str, size: u64, d: &str| -> Result<Descriptor, OciError> {
        let d = Digest::from_str(d).map_err(|e| OciError::Invalid(format!("digest {d}: {e}")))?;
        Ok(Descriptor::new(MediaType::from(mt), size, d))
    };
    let manifest = ImageManifestBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::from(MANIFEST))
        .config(desc(CONFIG, config.len() as u64, config_digest)?)
        .layers(
            layers
                .iter()
                .map(|l| desc(&l.media_type, l.size, &l.digest))
                .collect::<Result<Vec<_>, _>>()?,
        )
        .build()
        .map_err(|e| OciError::Invalid(format!("manifest: {e}")))?;
    let bytes = canonical_json::to_vec("image manifest", &manifest)?;
    let digest = digest::sha256_of(&bytes);
    Ok((bytes, digest))
}
