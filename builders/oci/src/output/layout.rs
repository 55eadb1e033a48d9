//! An OCI image layout directory, one index entry per tag.

use super::compose::Built;
use super::stage;
use crate::canonical_json;
use crate::error::{IoContext, OciError};
use crate::image::layout::{blob_path, LAYOUT_FILE};
use crate::image::{BlobRef, MANIFEST, REF_NAME};
use oci_spec::image::{Descriptor, Digest, ImageIndexBuilder, MediaType};
use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::str::FromStr;

pub fn write(built: &Built, dest: &Path, tags: &[String], force: bool) -> Result<(), OciError> {
    stage::check_free(dest, force)?;
    let staged = stage::dir_for(dest)?;
    fill(built, staged.path(), tags)?;
    stage::commit_dir(staged, dest, force)
}

/// Write the layout's files into the (empty or existing) directory `root`.
pub fn fill(built: &Built, root: &Path, tags: &[String]) -> Result<(), OciError> {
    fs::create_dir_all(root.join("blobs/sha256")).ctx(|| format!("create {}", root.display()))?;
    fs::write(root.join("oci-layout"), LAYOUT_FILE).ctx(|| format!("write {}", root.display()))?;
    for l in &built.layers {
        put_blob(root, &l.digest, &l.src)?;
    }
    put_bytes(root, &built.config_digest, &built.config)?;
    put_bytes(root, &built.manifest_digest, &built.manifest)?;
    let index = index_json(built, tags)?;
    fs::write(root.join("index.json"), index).ctx(|| format!("write {}/index.json", root.display()))
}

pub fn index_json(built: &Built, tags: &[String]) -> Result<Vec<u8>, OciError> {
    let d = Digest::from_str(&built.manifest_digest)
        .map_err(|e| OciError::Invalid(format!("digest: {e}")))?;
    let manifests: Vec<Descriptor> = if tags.is_empty() {
        vec![Descriptor::new(
            MediaType::from(MANIFEST),
            built.manifest.len() as u64,
            d,
        )]
    } else {
        tags.iter()
            .map(|t| {
                let mut desc = Descriptor::new(
                    MediaType::from(MANIFEST),
                    built.manifest.len() as u64,
                    d.clone(),
                );
                desc.set_annotations(Some(HashMap::from([(REF_NAME.to_owned(), t.clone())])));
                desc
            })
            .collect()
    };
    let index = ImageIndexBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageIndex)
        .manifests(manifests)
        .build()
        .map_err(|e| OciError::Invalid(format!("index: {e}")))?;
    canonical_json::to_vec("index.json", &index)
}

fn put_bytes(root: &Path, d: &str, bytes: &[u8]) -> Result<(), OciError> {
    let p = blob_path(root, d)?;
    fs::write(&p, bytes).ctx(|| format!("write {}", p.display()))
}

/// Hard link a whole-file blob when the file system allows, copy otherwise.
fn put_blob(root: &Path, d: &str, src: &BlobRef) -> Result<(), OciError> {
    let p = blob_path(root, d)?;
    if p.exists() {
        return Ok(());
    }
    let whole = src.offset == 0 && fs::metadata(&src.file).is_ok_and(|m| m.len() == src.len);
    if whole && fs::hard_link(&src.file, &p).is_ok() {
        return Ok(());
    }
    let mut out = fs::File::create(&p).ctx(|| format!("create {}", p.display()))?;
    std::io::copy(&mut src.open()?, &mut out).ctx(|| format!("write {}", p.display()))?;
    Ok(())
}
