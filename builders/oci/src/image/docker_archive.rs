//! docker-archive: `docker save`'s format (`manifest.json` naming a config
//! and layer tars per image, `repositories`), read in place.

use super::{parse_json, tar_index, BlobRef, Image, Layer};
use crate::digest::DigestReader;
use crate::error::{IoContext, OciError};
use oci_spec::image::ImageConfiguration;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::Path;

/// One entry of `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SaveEntry {
    #[serde(rename = "Config")]
    pub config: String,
    #[serde(rename = "RepoTags", default)]
    pub repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    pub layers: Vec<String>,
}

/// The image tagged `repo_tag` (`REPO:TAG`), or the only one.
pub fn load(path: &Path, repo_tag: Option<&str>) -> Result<Image, OciError> {
    let parts = parts(path, repo_tag)?;
    let config: ImageConfiguration = parse_json(&parts.config_name, &parts.config.read_all()?)?;
    // The config member is named by its sha256 (`<hex>.json`, or
    // `blobs/sha256/<hex>` in newer archives): the image id.
    let id = std::path::Path::new(&parts.config_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|h| format!("sha256:{h}"));
    Ok(Image {
        config,
        layers: parts.layers,
        digest: id,
    })
}

/// One image of a docker-archive as stored: its config member (bytes
/// untouched) and its layers.
pub struct Parts {
    pub config_name: String,
    pub config: BlobRef,
    pub layers: Vec<Layer>,
}

/// The members of the image tagged `repo_tag`, or of the only one.
pub fn parts(path: &Path, repo_tag: Option<&str>) -> Result<Parts, OciError> {
    let members = tar_index::index(path)?;
    let member = |name: &str| -> Result<BlobRef, OciError> {
        members
            .get(name.trim_start_matches("./"))
            .cloned()
            .ok_or_else(|| {
                OciError::NotFound(format!("archive {}: {name} is missing", path.display()))
            })
    };
    let entries: Vec<SaveEntry> =
        parse_json("manifest.json", &member("manifest.json")?.read_all()?)?;
    let entry = match repo_tag {
        Some(t) => entries
            .iter()
            .find(|e| e.repo_tags.iter().flatten().any(|rt| rt == t))
            .ok_or_else(|| {
                OciError::NotFound(format!("archive {}: no image tagged {t:?}", path.display()))
            })?,
        None => match entries.as_slice() {
            [one] => one,
            [] => {
                return Err(OciError::NotFound(format!(
                    "archive {}: manifest.json lists no image",
                    path.display()
                )))
            }
            _ => {
                return Err(OciError::NotFound(format!(
                    "archive {}: several images, name one with :REPO:TAG",
                    path.display()
                )))
            }
        },
    };
    let config = member(&entry.config)?;
    let mut layers = Vec::new();
    for name in &entry.layers {
        let blob = member(name)?;
        let (digest, magic) = digest_and_magic(&blob)?;
        let media_type = if magic.starts_with(&[0x1f, 0x8b]) {
            "application/vnd.oci.image.layer.v1.tar+gzip"
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            "application/vnd.oci.image.layer.v1.tar+zstd"
        } else {
            "application/vnd.oci.image.layer.v1.tar"
        };
        layers.push(Layer {
            media_type: media_type.into(),
            digest,
            size: blob.len,
            blob,
        });
    }
    Ok(Parts {
        config_name: entry.config.clone(),
        config,
        layers,
    })
}

/// The blob's digest (docker-archive does not record it) and first bytes.
fn digest_and_magic(blob: &BlobRef) -> Result<(String, Vec<u8>), OciError> {
    let mut r = DigestReader::new(blob.open()?);
    let mut magic = vec![0u8; 4];
    let mut got = 0;
    while got < magic.len() {
        let n = r
            .read(magic.get_mut(got..).unwrap_or_default())
            .ctx(|| format!("read {}", blob.file.display()))?;
        if n == 0 {
            break;
        }
        got += n;
    }
    magic.truncate(got);
    std::io::copy(&mut r, &mut std::io::sink()).ctx(|| format!("read {}", blob.file.display()))?;
    Ok((r.digest(), magic))
}
