//! `kiln verify`'s checks of one artifact against a public key, in the
//! order that tells the failures apart: the artifact's digest against
//! its signature (a changed artifact fails here), the provenance's own
//! signature, then the provenance's subject against the digest (another
//! build's provenance fails here).

use super::ec2::RecordedAmi;
use super::subject;
use crate::catalog::LOCAL;
use kiln_attest::{keys, Envelope, PublicKey, Statement};
use std::path::{Path, PathBuf};

/// What is verified: a file (disk image, archive), an OCI layout
/// directory, or an AMI by its record.
pub struct Target {
    /// sha256 of the subject, hex.
    pub digest: String,
    /// How the catalog names the artifact: `sha256:…` here (`local`), or
    /// the AMI and its region.
    pub catalog_id: (String, String),
    /// Where the attestation files are: this plus `.intoto.jsonl`, `.sig`.
    pub stem: PathBuf,
    /// For an AMI: its entry in the record, for the check against EC2
    /// once the record itself verifies (`attest::ec2`).
    pub ami: Option<RecordedAmi>,
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
    #[error("catalog: {0}")]
    Catalog(String),
    #[error("ec2: {0}")]
    Ec2(String),
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
            return Ok(Target::file(digest, path));
        }
        let digest = kiln_core::step_cache::digest_path(&path)
            .map_err(|e| VerifyError::Artifact(format!("{}: {e}", path.display())))?;
        Ok(Target::file(digest, path))
    }

    fn file(digest: String, stem: PathBuf) -> Target {
        Target {
            catalog_id: (format!("sha256:{digest}"), LOCAL.into()),
            digest,
            stem,
            ami: None,
        }
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
        let entry = doc["amis"]
            .as_array()
            .and_then(|l| l.iter().find(|a| a["region"] == region && a["id"] == ami))
            .ok_or_else(|| {
                VerifyError::Artifact(format!(
                    "{} does not name {ami} in {region}",
                    record.display()
                ))
            })?;
        let snapshots = entry["snapshots"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Target {
            catalog_id: (ami.to_owned(), region.to_owned()),
            digest: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
            stem: dir.join(ami),
            ami: Some(RecordedAmi {
                region: region.to_owned(),
                id: ami.to_owned(),
                snapshots,
            }),
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

/// The variables that give `kiln verify docker://` a registry login;
/// without them, the image's entry in the containers auth file or
/// Docker's `config.json` (as skopeo and cosign read them), else none.
pub const USERNAME_VAR: &str = "KILN_REGISTRY_USERNAME";
pub const PASSWORD_VAR: &str = "KILN_REGISTRY_PASSWORD";

/// The catalog's lookup: the same files, the same precedence, with this
/// command's variables.
fn registry_credentials(
    image: &str,
) -> Result<kiln_catalog::backend::registry::Credentials, VerifyError> {
    let r = kiln_builder_oci::registry::reference(image)
        .map_err(|e| VerifyError::Artifact(e.to_string()))?;
    let env = |name: &str| std::env::var(name).ok();
    kiln_catalog::backend::registry::lookup_named(
        r.resolve_registry(),
        r.repository(),
        &env,
        (USERNAME_VAR, PASSWORD_VAR),
    )
    .map_err(|e| VerifyError::Artifact(format!("{image}: {e}")))
}

/// `docker://REGISTRY/REPO:TAG` (or `@sha256:…`): the cosign signature
/// beside it must verify, name this digest and this reference (the tag
/// exactly; a digest reference, its repository), and one of its
/// attestations must be a provenance the key signed about this digest.
pub fn registry(image: &str, key: &PublicKey) -> Result<(Passed, String), VerifyError> {
    let creds = registry_credentials(image)?;
    let found = kiln_builder_oci::registry::attachments::fetch(
        image,
        &creds.auth,
        &kiln_core::Cancel::new(),
    )
    .map_err(|e| VerifyError::Artifact(format!("{image}: {e} (credentials: {creds:?})")))?;
    let hex_digest = found.digest.trim_start_matches("sha256:").to_owned();
    let mut passed = vec![format!("digest: {} (from the registry)", found.digest)];
    let by_digest = image.split_once('@').map(|(repo, _)| repo);
    let mut identities = Vec::new();
    let mut signed = false;
    for s in &found.signatures {
        let Ok(der) = keys::decode_signature(&s.signature) else {
            continue;
        };
        if key.verify(&s.payload, &der).is_err() {
            continue;
        }
        let doc: serde_json::Value = serde_json::from_slice(&s.payload).unwrap_or_default();
        let crit = &doc["critical"];
        if crit["type"] != "cosign container image signature"
            || crit["image"]["docker-manifest-digest"] != found.digest.as_str()
        {
            continue;
        }
        let identity = crit["identity"]["docker-reference"]
            .as_str()
            .unwrap_or_default();
        // containers/image's matchRepoDigestOrExact.
        let matches = match by_digest {
            Some(repo) => repository_of(identity) == repo,
            None => identity == image,
        };
        if matches {
            signed = true;
            break;
        }
        identities.push(identity.to_owned());
    }
    if !signed {
        return Err(VerifyError::Signature(if identities.is_empty() {
            format!(
                "no signature of {} by the key beside {image} ({} found)",
                found.digest,
                found.signatures.len()
            )
        } else {
            format!(
                "the key signed this image as {}, not as {image}",
                identities.join(", ")
            )
        }));
    }
    passed.push(format!(
        "signature: {image} is signed (key {})",
        &key.keyid()[..12]
    ));
    let mut about = Vec::new();
    for env in &found.attestations {
        let Ok(e) = Envelope::parse(env) else {
            continue;
        };
        let Ok(payload) = e.verify(key) else {
            continue;
        };
        let Ok(st) = Statement::parse(&payload) else {
            continue;
        };
        if st.predicate_type != kiln_attest::provenance::PREDICATE_TYPE {
            continue;
        }
        if st.has_subject_sha256(&hex_digest) {
            passed.push("provenance: attached, signed by the key".into());
            passed.push("subject: the provenance is about this image".into());
            return Ok((passed, found.digest));
        }
        about.extend(
            st.subject
                .iter()
                .filter_map(|s| s.digest.get("sha256").map(|d| format!("sha256:{d}"))),
        );
    }
    if about.is_empty() {
        return Err(VerifyError::Provenance(format!(
            "no provenance signed by the key is attached to {image} ({} attestation(s) found)",
            found.attestations.len()
        )));
    }
    Err(VerifyError::Subject {
        path: format!("{image}'s attestations"),
        about: about.join(", "),
        actual: hex_digest,
    })
}

/// `-catalog=BUCKET`: a version of the bucket (in `KILN_CATALOG`) has
/// this artifact, and it is not revoked. The newest such version counts.
pub fn catalog(bucket: &str, id: &(String, String)) -> Result<String, VerifyError> {
    let cat = kiln_catalog::locate::from_env().map_err(|e| VerifyError::Catalog(e.to_string()))?;
    let state = cat
        .state(bucket)
        .map_err(|e| VerifyError::Catalog(e.to_string()))?;
    let has = |rec: &kiln_catalog::model::VersionRecord| {
        rec.builds.iter().any(|b| {
            b.artifacts
                .iter()
                .any(|a| a.id == id.0 && (a.region == id.1 || id.1 == LOCAL))
        })
    };
    let Some((n, _)) = state.versions.iter().rev().find(|(_, r)| has(r)) else {
        return Err(VerifyError::Catalog(format!(
            "no version of {bucket} ({}) has {}",
            cat.location(),
            id.0
        )));
    };
    if state.is_revoked(*n) {
        let why = state
            .revocation(*n)
            .map(|r| format!(": {} (by {} at {})", r.reason, r.who, r.at))
            .unwrap_or_default();
        return Err(VerifyError::Catalog(format!(
            "{bucket} v{n} is revoked{why}"
        )));
    }
    Ok(format!(
        "catalog: {bucket} v{n} has this artifact and is not revoked"
    ))
}

/// `host:port/repo:tag` → `host:port/repo`: a tag follows the last colon
/// only when no slash comes after it.
fn repository_of(reference: &str) -> &str {
    let reference = reference.split('@').next().unwrap_or(reference);
    match reference.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => reference,
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
