//! Registering a complete run as the bucket's next version: its content
//! first (images, disks, the record), untagged, then the `vN` tag, which
//! is the one step that makes the version exist. A run killed before that
//! leaves only unreferenced blobs; the number is taken by creating a tag
//! that must not exist, so concurrent runs get distinct numbers.

use crate::attach::{self, Attachment};
use crate::backend::Expect;
use crate::catalog::{backoff, jitter, Catalog, TRIES};
use crate::error::CatalogError;
use crate::model::{BuildRecord, VersionRecord, VersionRef, FORMAT};
use crate::names;
use crate::oci::{self, Descriptor, Index, Manifest};
use std::collections::BTreeMap;

/// A run to register: everything of its record but the number, and
/// what to store with each build.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub bucket: String,
    pub id: String,
    pub fingerprint: String,
    pub fingerprint_source: String,
    pub template_path: String,
    pub template_digest: String,
    pub kiln_version: String,
    pub author: String,
    pub description: String,
    pub bucket_labels: BTreeMap<String, String>,
    pub build_labels: BTreeMap<String, String>,
    pub run_uuid: String,
    pub builds: Vec<(BuildRecord, Vec<Attachment>)>,
    pub parents: Vec<VersionRef>,
}

impl Catalog {
    pub fn register(&self, new: &NewVersion) -> Result<VersionRecord, CatalogError> {
        let b = names::check_bucket(&new.bucket)?;
        let _lock = self.backend.lock(&b)?;
        // The builds' content once; only the record changes with the
        // number a retry takes.
        self.put_empty_config(&b)?;
        let mut content = Vec::new();
        for (build, attachments) in &new.builds {
            for a in attachments {
                content.push(attach::store(self, &b, build, a)?);
            }
            if !attachments.iter().any(Attachment::is_content) {
                content.push(attach::build_metadata(self, &b, build)?);
            }
        }
        for attempt in 0..TRIES {
            let tags = self.backend.tags(&b)?;
            let next = tags
                .iter()
                .filter_map(|t| {
                    t.starts_with('v')
                        .then(|| names::parse_version(t).ok())
                        .flatten()
                })
                .max()
                .unwrap_or(0)
                + 1;
            let record = record(new, &b, next);
            let index = self.version_index_for(&b, &record, &content)?;
            let tag = names::version_tag(next);
            if self.backend.set_tag(&b, &tag, &index, &Expect::Absent)? {
                if self.backend.conditional_tags() {
                    self.summarise(&b, &index, &record)?;
                    return Ok(record);
                }
                // A registry compared and put: read back after a moment
                // that no run which compared at the same time put over us.
                std::thread::sleep(jitter(50, 150));
                if self
                    .backend
                    .get_manifest(&b, &tag)?
                    .is_some_and(|m| m.digest == index.digest)
                {
                    self.summarise(&b, &index, &record)?;
                    return Ok(record);
                }
            }
            backoff(attempt);
        }
        Err(CatalogError::Contended {
            what: format!("the next version number of {b}"),
            tries: TRIES,
        })
    }

    fn summarise(
        &self,
        b: &str,
        index: &crate::backend::RawManifest,
        record: &VersionRecord,
    ) -> Result<(), CatalogError> {
        let json = serde_json::to_string(record).map_err(|e| CatalogError::corrupt("record", e))?;
        let mut desc = Descriptor::of(index);
        desc.artifact_type = Some(oci::VERSION_TYPE.to_owned());
        desc.annotations
            .insert(oci::ANN_VERSION.into(), names::version_tag(record.version));
        desc.annotations.insert(oci::ANN_RECORD.into(), json);
        self.add_to_summary(b, desc)
    }

    /// The version's image index: the record as an artifact (and, in
    /// full, as the index's annotation, so listing needs no blob), then
    /// each build's images and artifacts.
    fn version_index_for(
        &self,
        b: &str,
        record: &VersionRecord,
        content: &[Descriptor],
    ) -> Result<crate::backend::RawManifest, CatalogError> {
        let json = serde_json::to_string(record).map_err(|e| CatalogError::corrupt("record", e))?;
        let layer = self.put_json_blob(b, oci::VERSION_TYPE, json.as_bytes())?;
        let mut meta = Manifest::artifact(oci::VERSION_TYPE, vec![layer]);
        meta.annotations
            .insert(oci::ANN_VERSION.into(), names::version_tag(record.version));
        meta.annotations
            .insert(oci::ANN_CREATED.into(), record.created_at.clone());
        // Registry clients pick an index entry by platform and refuse
        // artifacts: with no image in the version (AMIs, disks kept
        // outside), the record itself is an image without layers' content
        // for this platform, so a plain `skopeo inspect` of a version or
        // channel tag shows the version in its labels.
        let inspectable = !content.iter().any(|d| d.platform.is_some());
        if inspectable {
            meta.config = self.record_image_config(b, record)?;
        }
        let meta = meta.raw();
        self.backend.put_manifest(b, &meta)?;
        let mut meta_desc = Descriptor::of(&meta);
        meta_desc.artifact_type = Some(oci::VERSION_TYPE.to_owned());
        if inspectable {
            meta_desc.platform = Some(oci::host_platform());
        }
        let mut manifests = vec![meta_desc];
        manifests.extend(content.iter().cloned());
        let mut index = Index::new(manifests);
        index
            .annotations
            .insert(oci::ANN_VERSION.into(), names::version_tag(record.version));
        index.annotations.insert(oci::ANN_RECORD.into(), json);
        index
            .annotations
            .insert(oci::ANN_CREATED.into(), record.created_at.clone());
        let raw = index.raw();
        self.backend.put_manifest(b, &raw)?;
        Ok(raw)
    }

    /// An image config describing the version: its number, bucket,
    /// fingerprint and builds as labels, its creation time.
    fn record_image_config(
        &self,
        b: &str,
        record: &VersionRecord,
    ) -> Result<Descriptor, CatalogError> {
        let platform = oci::host_platform();
        let builds: Vec<String> = record
            .builds
            .iter()
            .map(|x| format!("{}:{}", x.platform, x.name))
            .collect();
        let config = serde_json::json!({
            "architecture": platform.architecture,
            "os": platform.os,
            "created": record.created_at,
            "author": record.author,
            "config": {"Labels": {
                oci::ANN_VERSION: names::version_tag(record.version),
                "dev.kiln.catalog.bucket": b,
                "dev.kiln.catalog.fingerprint": record.fingerprint,
                "dev.kiln.catalog.builds": builds.join(","),
                "org.opencontainers.image.version": names::version_tag(record.version),
                "org.opencontainers.image.description": record.description,
            }},
            "rootfs": {"type": "layers", "diff_ids": []},
        });
        let bytes = serde_json::to_vec(&config).map_err(|e| CatalogError::corrupt("record", e))?;
        self.put_json_blob(b, oci::IMAGE_CONFIG, &bytes)
    }
}

fn record(new: &NewVersion, b: &str, version: u64) -> VersionRecord {
    VersionRecord {
        format: FORMAT,
        bucket: b.to_owned(),
        version,
        id: new.id.clone(),
        fingerprint: new.fingerprint.clone(),
        fingerprint_source: new.fingerprint_source.clone(),
        template_path: new.template_path.clone(),
        template_digest: new.template_digest.clone(),
        kiln_version: new.kiln_version.clone(),
        created_at: crate::identity::now(),
        author: new.author.clone(),
        description: new.description.clone(),
        bucket_labels: new.bucket_labels.clone(),
        build_labels: new.build_labels.clone(),
        run_uuid: new.run_uuid.clone(),
        builds: new.builds.iter().map(|(b, _)| b.clone()).collect(),
        parents: new.parents.clone(),
    }
}
