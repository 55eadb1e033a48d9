//! What one build attests: the SBOM formats (`sbom` on the source, plus
//! `-sbom` for every build) and the signing key (`sign { key }` on the
//! source, else `-sign-key`), loaded before the build starts so that a
//! wrong password fails in a second rather than after the build.

use kiln_attest::{AttestError, SigningKey};
use kiln_template::plan::{SbomFormat, SupplyChain};
use std::path::PathBuf;
use std::sync::Arc;

/// `-sbom`, `-sign-key` and `-provenance=false`.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    pub sbom: Vec<SbomFormat>,
    pub sign_key: Option<PathBuf>,
    /// `-provenance=false`: no provenance file beside unsigned
    /// artifacts, so an output directory holds what Packer's does.
    pub no_provenance: bool,
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
    /// Whether the provenance is written: always when the build signs
    /// (the signature is what `kiln verify` checks it against), else
    /// unless `-provenance=false`.
    pub provenance: bool,
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
        let provenance = key.is_some() || !run.no_provenance;
        Ok(Plan {
            sbom,
            key,
            provenance,
        })
    }
}

/// The password is `COSIGN_PASSWORD`, as for cosign; unset, an empty one
/// (kiln never prompts: builds run unattended).
fn load_key(path: &std::path::Path) -> Result<SigningKey, AttestError> {
    let password = std::env::var("COSIGN_PASSWORD").unwrap_or_default();
    SigningKey::load(path, password.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_template::plan::SignSettings;

    #[test]
    fn flags_and_source_settings_merge() {
        let flag = RunSettings::parse_sbom(&["cyclonedx-json", "spdx-json,cyclonedx-json"])
            .expect("valid");
        assert_eq!(flag, [SbomFormat::CyclonedxJson, SbomFormat::SpdxJson]);
        assert!(RunSettings::parse_sbom(&["spdx"])
            .err()
            .is_some_and(|e| e.contains("-sbom")));
        let run = RunSettings {
            sbom: flag,
            sign_key: None,
            no_provenance: true,
        };
        let source = SupplyChain {
            sbom: vec![SbomFormat::SpdxJson],
            sign: None,
        };
        let plan = Plan::new(&run, &source).expect("no key to load");
        assert_eq!(plan.sbom, [SbomFormat::SpdxJson, SbomFormat::CyclonedxJson]);
        assert!(plan.key.is_none());
        assert!(!plan.provenance, "-provenance=false and no key");
        // The source's key wins over -sign-key; a missing file is an
        // error naming it.
        let run = RunSettings {
            sbom: Vec::new(),
            sign_key: Some("flag.key".into()),
            no_provenance: false,
        };
        let source = SupplyChain {
            sbom: Vec::new(),
            sign: Some(SignSettings {
                key: "/nonexistent/source.key".into(),
            }),
        };
        let e = Plan::new(&run, &source).err().map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("/nonexistent/source.key")),
            "{e:?}"
        );
    }
}
