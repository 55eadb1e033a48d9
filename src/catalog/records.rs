//! A finished build as the catalog records it: its external ids (the
//! qcow2's sha256, the OCI manifest digest, `ami-…` per region), its files
//! with sha256, and what to store with it (the OCI image, a disk as a
//! containerDisk when `push_disk` is set).

use crate::engine::Outcome;
use kiln_catalog::attach::Attachment;
use kiln_catalog::model::{BuildRecord, ExternalId, FileRecord};
use kiln_core::Artifact;
use kiln_template::config::hcp_registry::HcpRegistry;
use kiln_template::plan::PlannedBuild;
use std::path::Path;

pub const LOCAL: &str = "local";

pub fn build(pb: &PlannedBuild, o: &Outcome, reg: &HcpRegistry) -> (BuildRecord, Vec<Attachment>) {
    let mut artifacts = Vec::new();
    let mut files = Vec::new();
    let mut attachments = Vec::new();
    for a in &o.artifacts {
        let digests: Vec<(String, String, u64)> = a
            .files
            .iter()
            .filter(|f| f.is_file())
            .filter_map(|f| file_record(a, f))
            .collect();
        artifacts.extend(external_ids(a, &digests));
        for (name, sha, size) in &digests {
            files.push(FileRecord {
                name: name.clone(),
                sha256: sha.clone(),
                size: *size,
            });
        }
        if let Some(files) = attestation_files(a) {
            attachments.push(Attachment::Attestations { files });
        }
        if let Some(dir) = a.state.get("oci_layout").and_then(|v| v.as_str()) {
            if a.id.starts_with("sha256:") {
                attachments.push(Attachment::OciLayout {
                    dir: dir.into(),
                    manifest: a.id.clone(),
                });
            }
        } else if reg.push_disk {
            for f in &a.files {
                if is_disk(f) {
                    attachments.push(Attachment::ContainerDisk {
                        path: f.clone(),
                        name: f
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "disk.qcow2".into()),
                    });
                }
            }
        }
    }
    (
        BuildRecord {
            name: o.name.clone(),
            source_type: pb.source_type.clone(),
            source_name: pb.source_name.clone(),
            platform: pb.source_type.clone(),
            builder_id: o
                .artifacts
                .first()
                .map(|a| a.builder_id.clone())
                .unwrap_or_default(),
            artifacts,
            files,
            labels: reg.build_labels.clone(),
        },
        attachments,
    )
}

/// The files the supply-chain stage wrote (`attestations` state), with
/// their media types.
fn attestation_files(a: &Artifact) -> Option<Vec<(std::path::PathBuf, String)>> {
    let files = a.state.get(crate::attest::STATE_KEY)?["files"].as_array()?;
    let out: Vec<(std::path::PathBuf, String)> = files
        .iter()
        .filter_map(|f| {
            let path = std::path::PathBuf::from(f["path"].as_str()?);
            let media_type = match f["kind"].as_str()? {
                "sbom/spdx-json" => "application/spdx+json",
                "sbom/cyclonedx-json" => "application/vnd.cyclonedx+json",
                "provenance" => "application/vnd.in-toto+jsonl",
                "signature" => "application/vnd.dev.cosign.signature.v1+base64",
                _ => "application/json",
            };
            path.is_file().then(|| (path, media_type.to_owned()))
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

fn is_disk(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("qcow2" | "raw" | "img" | "vmdk" | "vdi" | "vhdx")
    )
}

/// Name, `sha256:…` and size of a file of the artifact (the producer's
/// hash when it has one).
fn file_record(a: &Artifact, f: &Path) -> Option<(String, String, u64)> {
    let size = std::fs::metadata(f).ok()?.len();
    let sha = match a.sha256.get(f) {
        Some(hex) => format!("sha256:{}", hex.trim_start_matches("sha256:")),
        None => kiln_catalog::digest::file_digest(f).ok()?.0,
    };
    Some((f.display().to_string(), sha, size))
}

/// AMIs (`region:ami-…,…`), OCI images (the manifest digest), else the
/// files' sha256 (a disk), else the artifact's own id.
fn external_ids(a: &Artifact, files: &[(String, String, u64)]) -> Vec<ExternalId> {
    let regions: Vec<ExternalId> = a
        .state
        .iter()
        .filter_map(|(k, v)| {
            Some(ExternalId {
                region: k.strip_prefix("region.")?.to_owned(),
                id: v.as_str()?.to_owned(),
            })
        })
        .collect();
    if !regions.is_empty() {
        return regions;
    }
    if a.id.starts_with("sha256:") {
        return vec![ExternalId {
            id: a.id.clone(),
            region: LOCAL.into(),
        }];
    }
    if let Some((_, sha, _)) = files
        .iter()
        .find(|(n, _, _)| is_disk(Path::new(n)))
        .or(files.first())
    {
        return vec![ExternalId {
            id: sha.clone(),
            region: LOCAL.into(),
        }];
    }
    vec![ExternalId {
        id: a.id.clone(),
        region: LOCAL.into(),
    }]
}
