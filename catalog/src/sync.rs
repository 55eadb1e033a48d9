//! `kiln catalog sync SRC DST`: copy every bucket, tag, manifest and blob
//! of one store into another (a local catalog up to a registry, or back).
//! Content is addressed by digest, so copying again only adds what is
//! new; tags are set last, children before parents, so a copy killed
//! midway leaves the destination readable.

use crate::backend::{Backend, Expect, RawManifest};
use crate::error::CatalogError;
use crate::oci;
use std::collections::BTreeSet;

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SyncReport {
    pub buckets: usize,
    pub tags: usize,
    pub manifests: usize,
    pub blobs: usize,
}

pub fn sync(src: &dyn Backend, dst: &dyn Backend) -> Result<SyncReport, CatalogError> {
    let mut report = SyncReport::default();
    for b in src.buckets()? {
        report.buckets += 1;
        let mut done = BTreeSet::new();
        let mut tags = src.tags(&b)?;
        // Versions and events first, derived tags (channels, referrers
        // indexes) after, so that they never point at missing content.
        tags.sort_by_key(|t| (!(t.starts_with('v') || t.starts_with("kiln.")), t.clone()));
        for tag in tags {
            let Some(m) = src.get_manifest(&b, &tag)? else {
                continue;
            };
            copy_manifest(src, dst, &b, &m, &mut done, &mut report)?;
            dst.set_tag(&b, &tag, &m, &Expect::Any)?;
            report.tags += 1;
        }
    }
    Ok(report)
}

fn copy_manifest(
    src: &dyn Backend,
    dst: &dyn Backend,
    b: &str,
    m: &RawManifest,
    done: &mut BTreeSet<String>,
    report: &mut SyncReport,
) -> Result<(), CatalogError> {
    if !done.insert(m.digest.clone()) {
        return Ok(());
    }
    let v: serde_json::Value = serde_json::from_slice(&m.bytes)
        .map_err(|e| CatalogError::corrupt(format!("{b}@{}", m.digest), e))?;
    if let Some(subject) = v["subject"]["digest"].as_str() {
        if let Some(s) = src.get_manifest(b, subject)? {
            copy_manifest(src, dst, b, &s, done, report)?;
        }
    }
    for child in v["manifests"].as_array().into_iter().flatten() {
        let Some(d) = child["digest"].as_str() else {
            continue;
        };
        if let Some(c) = src.get_manifest(b, d)? {
            copy_manifest(src, dst, b, &c, done, report)?;
        }
    }
    let mut blobs: Vec<&str> = Vec::new();
    if let Some(d) = v["config"]["digest"].as_str() {
        blobs.push(d);
    }
    for l in v["layers"].as_array().into_iter().flatten() {
        if let Some(d) = l["digest"].as_str() {
            blobs.push(d);
        }
    }
    for d in blobs {
        if done.insert(d.to_owned()) && !dst.has_blob(b, d)? {
            if d == oci::EMPTY_DIGEST {
                dst.put_blob(b, d, oci::EMPTY_BYTES)?;
            } else {
                // Through a file: a disk's blob is many gigabytes.
                let tmp = tempfile::NamedTempFile::new()
                    .map_err(|e| CatalogError::io("create a file in", std::env::temp_dir(), e))?;
                src.get_blob_file(b, d, tmp.path())?;
                dst.put_blob_file(b, d, tmp.path())?;
            }
            report.blobs += 1;
        }
    }
    dst.put_manifest(b, m)?;
    report.manifests += 1;
    Ok(())
}
