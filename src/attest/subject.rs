//! What a provenance statement is about, and where the attestation files
//! go: next to the artifact's file (a disk image, an archive, a layout
//! directory), or, for an artifact with no file (AMIs), next to a record
//! of it written in the working directory.

use kiln_attest::ResourceDescriptor;
use kiln_core::Artifact;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct Subject {
    pub descriptor: ResourceDescriptor,
    /// The attestation files are this path plus their suffix.
    pub stem: PathBuf,
    /// A file to write first (the AMI record), whose digest is the
    /// subject's.
    pub record: Option<(PathBuf, Vec<u8>)>,
    /// sha256 of the subject, raw.
    pub sha256: [u8; 32],
    /// A container image (else a disk or machine image).
    pub container: bool,
}

fn raw(hex_digest: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_digest).ok()?;
    bytes.try_into().ok()
}

fn named(name: String, hex_digest: &str) -> ResourceDescriptor {
    ResourceDescriptor::sha256(name, hex_digest)
}

/// `None`: nothing to attest (a null build, a discarded container).
pub fn of(a: &Artifact, build_name: &str) -> std::io::Result<Option<Subject>> {
    // A container image: its manifest digest.
    if let Some(d) = a.state.get("digest").and_then(|v| v.as_str()) {
        let Some(hex_digest) = d.strip_prefix("sha256:") else {
            return Ok(None);
        };
        let Some(sha256) = raw(hex_digest) else {
            return Ok(None);
        };
        let repo = a.state.get("repository").and_then(|v| v.as_str());
        let name = repo.map_or_else(|| build_name.to_owned(), str::to_owned);
        let stem = match a.files.first() {
            Some(f) => f.clone(),
            None => PathBuf::from(sanitize(build_name)),
        };
        return Ok(Some(Subject {
            descriptor: named(name, hex_digest),
            stem,
            record: None,
            sha256,
            container: true,
        }));
    }
    // AMIs: a canonical record of ids, regions and snapshots.
    let amis: BTreeMap<&str, &str> = a
        .state
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("region.")?, v.as_str()?)))
        .collect();
    if !amis.is_empty() {
        let (bytes, name) = ami_record(a, &amis);
        let hex_digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let stem = PathBuf::from(&name);
        let Some(sha256) = raw(&hex_digest) else {
            return Ok(None);
        };
        return Ok(Some(Subject {
            descriptor: named(format!("{name}.ami.json"), &hex_digest),
            record: Some((PathBuf::from(format!("{name}.ami.json")), bytes)),
            stem,
            sha256,
            container: false,
        }));
    }
    // A disk image or any other file: the first one.
    let Some(file) = a.files.iter().find(|f| f.is_file()) else {
        return Ok(None);
    };
    let hex_digest = match a.sha256.get(file) {
        Some(d) => d.clone(),
        None => kiln_core::step_cache::digest_path(file)?,
    };
    let Some(sha256) = raw(&hex_digest) else {
        return Ok(None);
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Some(Subject {
        descriptor: named(name, &hex_digest),
        stem: file.clone(),
        record: None,
        sha256,
        container: false,
    }))
}

/// `{"amis":[{"region","id","snapshots":[…]}…]}`, regions sorted, no
/// whitespace (serde_json writes object keys in insertion order, which is
/// fixed here): the same AMIs always give the same bytes. Named after the
/// first AMI.
fn ami_record(a: &Artifact, amis: &BTreeMap<&str, &str>) -> (Vec<u8>, String) {
    let list: Vec<serde_json::Value> = amis
        .iter()
        .map(|(region, id)| {
            let mut snaps: Vec<String> = a
                .state
                .get(&format!("snapshots.{region}"))
                .and_then(|v| v.as_array())
                .map(|l| {
                    l.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            snaps.sort();
            serde_json::json!({"region": region, "id": id, "snapshots": snaps})
        })
        .collect();
    let doc = serde_json::json!({ "amis": list });
    let first = amis.values().next().copied().unwrap_or("ami");
    (
        serde_json::to_vec(&doc).unwrap_or_default(),
        sanitize(first),
    )
}

/// A build or AMI name as a file name.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `stem` + `suffix` (`disk.qcow2` → `disk.qcow2.spdx.json`; a layout
/// directory `output-x` → `output-x.spdx.json` beside it).
pub fn beside(stem: &Path, suffix: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ami_record_is_canonical_and_named_after_the_first_ami() {
        let mut a = Artifact::new("amazon", "us-east-1:ami-2,eu-west-1:ami-1", "");
        a.state.insert("region.us-east-1".into(), "ami-2".into());
        a.state.insert("region.eu-west-1".into(), "ami-1".into());
        a.state.insert(
            "snapshots.us-east-1".into(),
            serde_json::json!(["snap-b", "snap-a"]),
        );
        let s = of(&a, "b").expect("no io").expect("a subject");
        let (path, bytes) = s.record.expect("a record");
        assert_eq!(path, PathBuf::from("ami-1.ami.json"));
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            r#"{"amis":[{"region":"eu-west-1","id":"ami-1","snapshots":[]},{"region":"us-east-1","id":"ami-2","snapshots":["snap-a","snap-b"]}]}"#
        );
        assert!(!s.container);
        assert_eq!(beside(&s.stem, ".sig"), PathBuf::from("ami-1.sig"));
    }

    #[test]
    fn an_image_is_its_manifest_digest_and_nothing_is_no_subject() {
        let mut a = Artifact::new("kiln.oci", "x", "").with_files(vec!["output-app".into()]);
        let hex = "ab".repeat(32);
        a.state
            .insert("digest".into(), format!("sha256:{hex}").into());
        a.state.insert("repository".into(), "reg/app".into());
        let s = of(&a, "oci.app").expect("no io").expect("a subject");
        assert!(s.container);
        assert_eq!(s.descriptor.name.as_deref(), Some("reg/app"));
        assert_eq!(s.descriptor.digest["sha256"], hex);
        assert_eq!(
            beside(&s.stem, ".spdx.json"),
            PathBuf::from("output-app.spdx.json")
        );
        assert!(of(&Artifact::new("null", "Null", ""), "null.x")
            .expect("no io")
            .is_none());
    }
}
