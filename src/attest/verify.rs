//! `kiln verify`'s checks of one artifact against a public key, in the
//! order that tells the failures apart: the artifact's digest against
//! its signature (a changed artifact fails here), the provenance's own
//! signature, then the provenance's subject against the digest (another
//! build's provenance fails here).

use super::subject;
use kiln_attest::{keys, Envelope, PublicKey, Statement};
use std::path::{Path, PathBuf};

/// What is verified: a file (disk image, archive), an OCI layout
/// directory, or an AMI by its record.
pub struct Target {
    /// What the user named, for messages.
    pub shown: String,
    /// sha256 of the subject, hex.
    pub digest: String,
    /// Where the attestation files are: this plus `.intoto.jsonl`, `.sig`.
    pub stem: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("artifact: {0}")]
    Artifact(String),
    #[error("digest: the artifact's sha256:{actual} is not what {sig} signs: the artifact changed after it was built, or the signature is another artifact's")]
    Digest { actual: String, sig: String },
    #[error("signature: {0}")]
    Signature(String),
    #[error("provenance: {0}")]
    Provenance(String),
    #[error(
        "subject: the provenance in {path} is about {about}, not this artifact (sha256:{actual})"
    )]
    Subject {
        path: String,
        about: String,
        actual: String,
    },
}

/// One line per check that passed.
pub type Passed = Vec<String>;

impl Target {
    /// A path: a file, or an OCI layout directory (its manifest's digest:
    /// the only image, or the one tagged `:TAG` in `DIR:TAG`).
    pub fn local(arg: &str) -> Result<Target, VerifyError> {
        let (path, tag) = match arg.rsplit_once(':') {
            Some((p, t)) if !Path::new(arg).exists() && Path::new(p).is_dir() => {
                (PathBuf::from(p), Some(t))
            }
            _ => (PathBuf::from(arg), None),
        };
        if path.is_dir() {
            let digest = layout_digest(&path, tag)?;
            return Ok(Target {
                shown: arg.to_owned(),
                digest,
                stem: path,
            });
        }
        let digest = kiln_core::step_cache::digest_path(&path)
            .map_err(|e| VerifyError::Artifact(format!("{}: {e}", path.display())))?;
        Ok(Target {
            shown: arg.to_owned(),
            digest,
            stem: path,
        })
    }

    /// `REGION:ami-…`: the AMI's record (`ami-….ami.json`, written by the
    /// build beside its provenance) must name it; the record's digest is
    /// the subject.
    pub fn ami(region: &str, ami: &str, dir: &Path) -> Result<Target, VerifyError> {
        let record = dir.join(format!("{ami}.ami.json"));
        let bytes = std::fs::read(&record)
            .map_err(|e| VerifyError::Artifact(format!("{}: {e}", record.display())))?;
        let doc: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| VerifyError::Artifact(format!("{}: {e}", record.display())))?;
        let named = doc["amis"]
            .as_array()
            .is_some_and(|l| l.iter().any(|a| a["region"] == region && a["id"] == ami));
        if !named {
            return Err(VerifyError::Artifact(format!(
                "{} does not name {ami} in {region}",
                record.display()
            )));
        }
        Ok(Target {
            shown: format!("{region}:{ami}"),
            digest: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
            stem: dir.join(ami),
        })
    }

    pub fn verify(
        &self,
        key: &PublicKey,
        provenance: Option<&Path>,
    ) -> Result<Passed, VerifyError> {
        let mut passed = vec![format!("digest: sha256:{}", self.digest)];
        let sig_path = subject::beside(&self.stem, ".sig");
        match std::fs::read_to_string(&sig_path) {
            Ok(text) => {
                let der = keys::decode_signature(&text)
                    .map_err(|e| VerifyError::Signature(format!("{}: {e}", sig_path.display())))?;
                let raw = raw(&self.digest)?;
                if key.verify_digest(&raw, &der).is_err() {
                    return Err(VerifyError::Digest {
                        actual: self.digest.clone(),
                        sig: sig_path.display().to_string(),
                    });
                }
                passed.push(format!(
                    "signature: {} signs this digest (key {})",
                    sig_path.display(),
                    &key.keyid()[..12]
                ));
            }
            Err(e) => {
                return Err(VerifyError::Signature(format!(
                    "no signature {}: {e}",
                    sig_path.display()
                )))
            }
        }
        let prov_path = provenance
            .map(Path::to_path_buf)
            .unwrap_or_else(|| subject::beside(&self.stem, ".intoto.jsonl"));
        let statement = read_statement(&prov_path, key)?;
        passed.push(format!(
            "provenance: {} is signed by the key ({})",
            prov_path.display(),
            statement.predicate_type
        ));
        if !statement.has_subject_sha256(&self.digest) {
            let about = statement
                .subject
                .iter()
                .map(|s| {
                    format!(
                        "{} (sha256:{})",
                        s.name.as_deref().unwrap_or("?"),
                        s.digest.get("sha256").map_or("?", String::as_str)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            return Err(VerifyError::Subject {
                path: prov_path.display().to_string(),
                about,
                actual: self.digest.clone(),
            });
        }
        passed.push("subject: the provenance is about this artifact".into());
        Ok(passed)
    }
}

/// The first line of a `.intoto.jsonl` (kiln writes one envelope), its
/// signature checked, its payload a Statement.
fn read_statement(path: &Path, key: &PublicKey) -> Result<Statement, VerifyError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| VerifyError::Provenance(format!("{}: {e}", path.display())))?;
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let env = Envelope::parse(line.as_bytes())
        .map_err(|e| VerifyError::Provenance(format!("{}: {e}", path.display())))?;
    let payload = env
        .verify(key)
        .map_err(|e| VerifyError::Provenance(format!("{}: {e}", path.display())))?;
    Statement::parse(&payload)
        .map_err(|e| VerifyError::Provenance(format!("{}: {e}", path.display())))
}

fn raw(hex_digest: &str) -> Result<[u8; 32], VerifyError> {
    hex::decode(hex_digest)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| VerifyError::Artifact(format!("not a sha256 digest: {hex_digest}")))
}

/// An OCI layout's manifest digest (hex): the one tagged `tag`, else the
/// only manifest in `index.json`.
fn layout_digest(dir: &Path, tag: Option<&str>) -> Result<String, VerifyError> {
    let index = dir.join("index.json");
    let bytes = std::fs::read(&index)
        .map_err(|e| VerifyError::Artifact(format!("{}: not an OCI layout: {e}", dir.display())))?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| VerifyError::Artifact(format!("{}: {e}", index.display())))?;
    let manifests = doc["manifests"].as_array().cloned().unwrap_or_default();
    let pick: Vec<&serde_json::Value> = manifests
        .iter()
        .filter(|m| match tag {
            Some(t) => m["annotations"]["org.opencontainers.image.ref.name"] == t,
            None => true,
        })
        .collect();
    let digests: std::collections::BTreeSet<&str> =
        pick.iter().filter_map(|m| m["digest"].as_str()).collect();
    match digests.into_iter().collect::<Vec<_>>().as_slice() {
        [one] => one
            .strip_prefix("sha256:")
            .map(str::to_owned)
            .ok_or_else(|| VerifyError::Artifact(format!("{index:?}: not a sha256 digest: {one}"))),
        [] => Err(VerifyError::Artifact(format!(
            "{}: no manifest{}",
            index.display(),
            tag.map(|t| format!(" tagged {t}")).unwrap_or_default()
        ))),
        _ => Err(VerifyError::Artifact(format!(
            "{}: several images; name one as DIR:TAG",
            index.display()
        ))),
    }
}
