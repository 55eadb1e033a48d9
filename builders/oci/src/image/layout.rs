//! OCI image layout directories: `oci-layout`, `index.json` and
//! `blobs/sha256/<hex>`, tags in `org.opencontainers.image.ref.name`.

use super::platform::Platform;
use super::{
    parse_json, BlobRef, Image, Layer, DOCKER_LIST, DOCKER_MANIFEST, INDEX, MANIFEST, REF_NAME,
};
use crate::digest;
use crate::error::OciError;
use oci_spec::image::{Descriptor, ImageConfiguration, ImageIndex, ImageManifest};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const LAYOUT_FILE: &str = r#"{"imageLayoutVersion":"1.0.0"}"#;

/// Where a layout's blobs and documents are: a directory, or the members
/// of an oci-archive read in place.
pub trait BlobStore {
    fn blob(&self, digest: &str) -> Result<BlobRef, OciError>;
    fn file(&self, name: &str) -> Result<BlobRef, OciError>;
    fn describe(&self) -> String;
}

pub struct LayoutDir(pub PathBuf);

impl BlobStore for LayoutDir {
    fn blob(&self, d: &str) -> Result<BlobRef, OciError> {
        let hex = digest::encoded(d)
            .ok_or_else(|| OciError::Invalid(format!("unsupported digest {d:?}")))?;
        self.file(&format!("blobs/sha256/{hex}"))
    }
    fn file(&self, name: &str) -> Result<BlobRef, OciError> {
        let p = self.0.join(name);
        let meta = std::fs::metadata(&p).map_err(|e| {
            OciError::NotFound(format!("{}: {name} is missing: {e}", self.describe()))
        })?;
        Ok(BlobRef::whole(p, meta.len()))
    }
    fn describe(&self) -> String {
        format!("OCI layout {}", self.0.display())
    }
}

/// Archive members by name (see `tar_index`).
pub struct Members {
    pub archive: PathBuf,
    pub members: BTreeMap<String, BlobRef>,
}

impl BlobStore for Members {
    fn blob(&self, d: &str) -> Result<BlobRef, OciError> {
        let hex = digest::encoded(d)
            .ok_or_else(|| OciError::Invalid(format!("unsupported digest {d:?}")))?;
        self.file(&format!("blobs/sha256/{hex}"))
    }
    fn file(&self, name: &str) -> Result<BlobRef, OciError> {
        self.members
            .get(name)
            .cloned()
            .ok_or_else(|| OciError::NotFound(format!("{}: {name} is missing", self.describe())))
    }
    fn describe(&self) -> String {
        format!("archive {}", self.archive.display())
    }
}

/// Read a blob and check it against its digest.
fn verified(store: &dyn BlobStore, d: &str) -> Result<Vec<u8>, OciError> {
    let bytes = store.blob(d)?.read_all()?;
    if digest::sha256_of(&bytes) != d {
        return Err(OciError::Invalid(format!(
            "{}: blob {d} does not match its digest",
            store.describe()
        )));
    }
    Ok(bytes)
}

/// The image tagged `tag` (or the only one) for `platform`.
pub fn load(
    store: &dyn BlobStore,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<Image, OciError> {
    let index: ImageIndex = parse_json("index.json", &store.file("index.json")?.read_all()?)?;
    let candidates: Vec<&Descriptor> = match tag {
        Some(t) => index
            .manifests()
            .iter()
            .filter(|d| ref_name(d) == Some(t))
            .collect(),
        None => index.manifests().iter().collect(),
    };
    let desc = match candidates.as_slice() {
        [one] => *one,
        [] => {
            return Err(OciError::NotFound(match tag {
                Some(t) => format!("{}: no image tagged {t:?}", store.describe()),
                None => format!("{}: index.json lists no image", store.describe()),
            }))
        }
        _ => {
            return Err(OciError::NotFound(format!(
                "{}: several images, name one with :TAG",
                store.describe()
            )))
        }
    };
    load_manifest(store, desc, platform, 0)
}

pub fn ref_name(d: &Descriptor) -> Option<&str> {
    d.annotations()
        .as_ref()
        .and_then(|a| a.get(REF_NAME))
        .map(String::as_str)
}

fn load_manifest(
    store: &dyn BlobStore,
    desc: &Descriptor,
    platform: &Platform,
    depth: u8,
) -> Result<Image, OciError> {
    let d = desc.digest().to_string();
    let mt = desc.media_type().to_string();
    let bytes = verified(store, &d)?;
    if (mt == INDEX || mt == DOCKER_LIST) && depth < 4 {
        let index: ImageIndex = parse_json(&d, &bytes)?;
        let pick = index
            .manifests()
            .iter()
            .find(|m| match m.platform() {
                Some(p) => platform.matches(
                    &p.os().to_string(),
                    &p.architecture().to_string(),
                    p.variant().as_deref(),
                ),
                None => false,
            })
            .ok_or_else(|| {
                OciError::NotFound(format!(
                    "{}: no image for platform {platform}",
                    store.describe()
                ))
            })?;
        return load_manifest(store, pick, platform, depth + 1);
    }
    if mt != MANIFEST && mt != DOCKER_MANIFEST {
        return Err(OciError::Invalid(format!(
            "{}: unsupported manifest media type {mt:?}",
            store.describe()
        )));
    }
    let manifest: ImageManifest = parse_json(&d, &bytes)?;
    let cd = manifest.config().digest().to_string();
    let config: ImageConfiguration = parse_json(&cd, &verified(store, &cd)?)?;
    let layers = manifest
        .layers()
        .iter()
        .map(|l| {
            let d = l.digest().to_string();
            Ok(Layer {
                media_type: l.media_type().to_string(),
                size: l.size(),
                blob: store.blob(&d)?,
                digest: d,
            })
        })
        .collect::<Result<Vec<_>, OciError>>()?;
    Ok(Image {
        config,
        layers,
        digest: Some(d),
    })
}

/// Blob file name inside a layout.
pub fn blob_path(root: &Path, d: &str) -> Result<PathBuf, OciError> {
    let hex =
        digest::encoded(d).ok_or_else(|| OciError::Invalid(format!("unsupported digest {d:?}")))?;
    Ok(root.join("blobs").join("sha256").join(hex))
}
