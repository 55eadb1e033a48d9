//! A tagged image of a layout directory as a finished image again, its
//! manifest and config bytes untouched, for post-processors that re-tag,
//! save or push what a build wrote.

use super::layout::{ref_name, BlobStore, LayoutDir};
use super::{parse_json, INDEX, MANIFEST};
use crate::error::OciError;
use crate::output::compose::{Blob, Built};
use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};
use std::path::Path;

pub fn built(dir: &Path, tag: Option<&str>) -> Result<Built, OciError> {
    let store = LayoutDir(dir.to_path_buf());
    let index: ImageIndex = parse_json("index.json", &store.file("index.json")?.read_all()?)?;
    let desc = index
        .manifests()
        .iter()
        .find(|d| tag.is_none() || ref_name(d) == tag)
        .ok_or_else(|| {
            OciError::NotFound(format!(
                "OCI layout {}: no image tagged {:?}",
                dir.display(),
                tag.unwrap_or_default()
            ))
        })?;
    let mt = desc.media_type().to_string();
    if mt == INDEX || mt != MANIFEST {
        return Err(OciError::Invalid(format!(
            "OCI layout {}: {mt} is not a single-platform image manifest",
            dir.display()
        )));
    }
    let manifest_digest = desc.digest().to_string();
    let manifest_bytes = store.blob(&manifest_digest)?.read_all()?;
    let manifest: ImageManifest = parse_json(&manifest_digest, &manifest_bytes)?;
    let config_digest = manifest.config().digest().to_string();
    let config_bytes = store.blob(&config_digest)?.read_all()?;
    let config: ImageConfiguration = parse_json(&config_digest, &config_bytes)?;
    let layers = manifest
        .layers()
        .iter()
        .map(|l| {
            let d = l.digest().to_string();
            Ok(Blob {
                media_type: l.media_type().to_string(),
                size: l.size(),
                src: store.blob(&d)?,
                digest: d,
            })
        })
        .collect::<Result<Vec<_>, OciError>>()?;
    Ok(Built {
        manifest: manifest_bytes,
        manifest_digest,
        config: config_bytes,
        config_digest,
        diff_ids: config.rootfs().diff_ids().clone(),
        layers,
    })
}
