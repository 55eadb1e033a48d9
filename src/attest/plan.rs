//! What one build attests: the SBOM formats (`sbom` on the source, plus
//! `-sbom` for every build) and the signing key (`sign { key }` on the
//! source, else `-sign-key`), loaded before the build starts so that a
//! wrong password fails in a second rather than after the build.

use kiln_attest::{AttestError, SigningKey};
use kiln_template::plan::{SbomFormat, SupplyChain};
use std::path::PathBuf;
use std::sync::Arc;

/// `-sbom` and `-sign-key`.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    pub sbom: Vec<SbomFormat>,
    pub sign_key: Option<PathBuf>,
}

impl RunSettings {
    /// `-sbom=spdx-json,cyclonedx-json` (repeatable).
    pub fn parse_sbom(values: &[&str]) -> Result<Vec<SbomFormat>, String> {
        let mut out = Vec::new();
        for v in values.iter().flat_map(|v| v.split(',')) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let f = SbomFormat::parse(v).ok_or_else(|| {
                format!("invalid value {v:?} for flag -sbom: use spdx-json, cyclonedx-json or both, comma-separated")
            })?;
            if !out.contains(&f) {
                out.push(f);
            }
        }
        Ok(out)
    }
}

pub struct Plan {
    pub sbom: Vec<SbomFormat>,
    pub key: Option<Arc<SigningKey>>,
}

impl Plan {
    pub fn new(run: &RunSettings, source: &SupplyChain) -> Result<Plan, AttestError> {
        let mut sbom = source.sbom.clone();
        for f in &run.sbom {
            if !sbom.contains(f) {
                sbom.push(*f);
            }
        }
        sbom.sort();
        let path = source
            .sign
            .as_ref()
            .map(|s| PathBuf::from(&s.key))
            .or_else(|| run.sign_key.clone());
        let key = match path {
            Some(p) => Some(Arc::new(load_key(&p)?)),
            None => None,
        };
        Ok(Plan { sbom, key })
    }
}

/// The password is `COSIGN_PASSWORD`, as for cosign; unset, an empty one
/// (kiln never prompts: builds run unattended).
fn load_key(path: &std::path::Path) -> Result<SigningKey, AttestError> {
    let password = std::env::var("COSIGN_PASSWORD").unwrap_or_default();
    SigningKey::load(path, password.as_bytes())
}
