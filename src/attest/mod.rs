//! The supply-chain stage of a build: once the artifact exists (and
//! passed its tests), write its SBOMs, its SLSA provenance in a DSSE
//! envelope, and, given a key, a cosign-compatible signature of its
//! digest, next to it; the artifact's state lists the files
//! (`attestations`), which the manifest records with their sha256.
//!
//! The facts come from the provisioning hook ([`Facts`], gathered while
//! the machine still runs); the formats from `kiln-sbom` and
//! `kiln-attest`.

pub mod dependencies;
pub mod ec2;
pub mod inventory;
pub mod plan;
pub mod provenance;
pub mod publish;
pub mod subject;
pub mod verify;

use crate::engine::RunCtx;
use kiln_attest::{dsse, keys, Envelope, ResourceDescriptor};
use kiln_core::attestor::ImageAttestation;
use kiln_core::{Artifact, Ui};
use kiln_sbom::Inventory;
use kiln_template::plan::{PlannedBuild, SbomFormat};
pub use plan::{Plan, RunSettings};
use serde_json::json;
use std::path::{Path, PathBuf};

/// What the provisioning hook learnt for the attestations.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// The packages at the end of provisioning (when an SBOM is wanted).
    pub inventory: Option<Inventory>,
    /// Every file and directory the provisioners uploaded or ran.
    pub dependencies: Vec<ResourceDescriptor>,
}

/// `state["attestations"]`: one entry per file written.
pub const STATE_KEY: &str = "attestations";

#[derive(Debug, thiserror::Error)]
pub enum AttestStageError {
    #[error("writing {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("reading the artifact for its digest: {0}")]
    Digest(std::io::Error),
    #[error("signing: {0}")]
    Sign(#[from] kiln_attest::AttestError),
}

/// One build's stage.
pub struct Stage<'a> {
    pub run: &'a RunCtx<'a>,
    pub build: &'a PlannedBuild,
    pub plan: &'a Plan,
    pub facts: Facts,
    pub started: jiff::Timestamp,
}

impl Stage<'_> {
    /// Write the files; for a signed container image, also what a push
    /// attaches to it.
    pub fn run(
        &self,
        ui: &dyn Ui,
        artifact: &mut Artifact,
    ) -> Result<Option<publish::Published>, AttestStageError> {
        let Some(subject) =
            subject::of(artifact, &self.build.name).map_err(AttestStageError::Digest)?
        else {
            return Ok(None);
        };
        let start = std::time::Instant::now();
        let key = self.plan.key.as_deref();
        let mut attachments = Vec::new();
        let mut written = Vec::new();
        // The AMI record is what the provenance is about.
        if let Some((path, bytes)) = subject.record.as_ref().filter(|_| self.plan.provenance) {
            write(path, bytes)?;
            written.push(entry("subject", path, bytes));
        }
        if let Some(inv) = &self.facts.inventory {
            for line in &inv.unsupported {
                ui.error(&format!("Warning: SBOM: {line}"));
            }
            for format in &self.plan.sbom {
                let (path, bytes, doc) = self.sbom(&subject, inv, *format);
                write(&path, &bytes)?;
                if let (Some(k), true) = (key, subject.container) {
                    attachments.push(sbom_attestation(k, &subject, *format, doc));
                }
                ui.say(&format!(
                    "SBOM ({}): {} ({} packages)",
                    format.name(),
                    path.display(),
                    inv.packages.len()
                ));
                written.push(entry(&format!("sbom/{}", format.name()), &path, &bytes));
            }
        }
        if !self.plan.provenance {
            // `-provenance=false` (and no key: see `Plan`).
            if !written.is_empty() {
                artifact.state.insert(
                    STATE_KEY.into(),
                    json!({ "subject": subject.descriptor, "files": written }),
                );
            }
            return Ok(None);
        }
        let times = provenance::Times {
            started: self.started,
            finished: jiff::Timestamp::now(),
        };
        let statement = provenance::statement(
            self.run,
            self.build,
            artifact,
            subject.descriptor.clone(),
            &self.facts,
            &times,
        );
        // Sensitive values cannot be in it by construction; the mask is
        // the second line of defence, as for every line kiln prints.
        let payload = self
            .run
            .console
            .mask()
            .apply(&serde_json::to_string(&statement).unwrap_or_default());
        let envelope = Envelope::seal(dsse::IN_TOTO, payload.as_bytes(), key);
        let mut line = serde_json::to_vec(&envelope).unwrap_or_default();
        if key.is_some() && subject.container {
            attachments.insert(
                0,
                ImageAttestation {
                    predicate_type: kiln_attest::provenance::PREDICATE_TYPE.into(),
                    envelope: line.clone(),
                },
            );
        }
        line.push(b'\n');
        let path = subject::beside(&subject.stem, ".intoto.jsonl");
        write(&path, &line)?;
        ui.say(&format!(
            "Provenance: {}{}",
            path.display(),
            match key {
                Some(k) => format!(" (signed, key {})", short(&k.public().keyid())),
                None => " (unsigned: no sign key)".into(),
            }
        ));
        written.push(entry("provenance", &path, &line));
        if let Some(k) = key {
            let sig = keys::encode_signature(&k.sign_digest(&subject.sha256)?);
            let path = subject::beside(&subject.stem, ".sig");
            write(&path, sig.as_bytes())?;
            ui.say(&format!("Signature of the artifact: {}", path.display()));
            written.push(entry("signature", &path, sig.as_bytes()));
        }
        artifact.state.insert(
            STATE_KEY.into(),
            json!({ "subject": subject.descriptor, "files": written }),
        );
        ui.machine(
            "kiln-timing",
            &["attest", &format!("{:.3}", start.elapsed().as_secs_f64())],
        );
        Ok(match (&self.plan.key, subject.container) {
            (Some(k), true) => Some(publish::Published {
                key: std::sync::Arc::clone(k),
                digest: format!("sha256:{}", hex::encode(subject.sha256)),
                attestations: attachments,
            }),
            _ => None,
        })
    }

    fn sbom(
        &self,
        subject: &subject::Subject,
        inv: &Inventory,
        format: SbomFormat,
    ) -> (PathBuf, Vec<u8>, serde_json::Value) {
        let creation = kiln_sbom::Creation {
            name: subject.descriptor.name.clone().unwrap_or_default(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            created: created(),
        };
        let (suffix, doc) = crate::registry::sbom_writer(format)(inv, &creation, subject.container);
        // As for the provenance: the mask is the second line of defence
        // (a package database holds no template values).
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        let bytes = self.run.console.mask().apply(&text).into_bytes();
        (subject::beside(&subject.stem, suffix), bytes, doc)
    }
}

/// An SBOM as an in-toto statement about the image (the predicate types
/// cosign's `attest --type spdxjson|cyclonedx` uses), signed.
fn sbom_attestation(
    key: &kiln_attest::SigningKey,
    subject: &subject::Subject,
    format: SbomFormat,
    doc: serde_json::Value,
) -> ImageAttestation {
    let predicate_type = match format {
        SbomFormat::SpdxJson => "https://spdx.dev/Document",
        SbomFormat::CyclonedxJson => "https://cyclonedx.org/bom",
    };
    let statement =
        kiln_attest::Statement::new(vec![subject.descriptor.clone()], predicate_type, doc);
    let body = serde_json::to_vec(&statement).unwrap_or_default();
    let env = Envelope::seal(dsse::IN_TOTO, &body, Some(key));
    ImageAttestation {
        predicate_type: predicate_type.into(),
        envelope: serde_json::to_vec(&env).unwrap_or_default(),
    }
}

/// `SOURCE_DATE_EPOCH` when set (reproducible documents), else now.
fn created() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| jiff::Timestamp::now().as_second())
}

fn short(keyid: &str) -> &str {
    keyid.get(..12).unwrap_or(keyid)
}

fn entry(kind: &str, path: &Path, bytes: &[u8]) -> serde_json::Value {
    json!({
        "kind": kind,
        "path": path.display().to_string(),
        "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes)),
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), AttestStageError> {
    kiln_gocompat::atomic::write_file(path, 0o644, bytes).map_err(|source| {
        AttestStageError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}
