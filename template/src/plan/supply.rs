//! kiln's supply-chain settings on a source: `sbom = [...]` and
//! `sign { key = … }`. They apply to every builder, so they are taken out
//! of the source body before the builder decodes it (the way `only` or
//! `pause_before` are taken out of a provisioner's).

use crate::decode::{decode, EvaluatedBody};
use crate::diagnostic::Diagnostics;
use serde::Deserialize;

/// An SBOM format `sbom` (or `-sbom`) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum SbomFormat {
    #[serde(rename = "spdx-json")]
    SpdxJson,
    #[serde(rename = "cyclonedx-json")]
    CyclonedxJson,
}

impl SbomFormat {
    pub const ALL: [SbomFormat; 2] = [SbomFormat::SpdxJson, SbomFormat::CyclonedxJson];

    pub fn name(self) -> &'static str {
        match self {
            SbomFormat::SpdxJson => "spdx-json",
            SbomFormat::CyclonedxJson => "cyclonedx-json",
        }
    }

    pub fn parse(s: &str) -> Option<SbomFormat> {
        SbomFormat::ALL.into_iter().find(|f| f.name() == s)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignSettings {
    /// A cosign private key file (ECDSA P-256); its password comes from
    /// `COSIGN_PASSWORD`.
    pub key: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyChain {
    #[serde(default)]
    pub sbom: Vec<SbomFormat>,
    pub sign: Option<SignSettings>,
}

const ATTRS: [&str; 1] = ["sbom"];
const BLOCKS: [&str; 1] = ["sign"];

/// Take the settings out of a source body.
pub(super) fn split(body: &mut EvaluatedBody) -> Result<SupplyChain, Diagnostics> {
    let mut own = EvaluatedBody {
        attrs: indexmap::IndexMap::new(),
        blocks: Vec::new(),
        span: body.span.clone(),
        weak: body.weak,
    };
    for name in ATTRS {
        if let Some(a) = body.attrs.shift_remove(name) {
            own.attrs.insert(name.to_owned(), a);
        }
    }
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut body.blocks)
        .into_iter()
        .partition(|b| BLOCKS.contains(&b.kind.as_str()));
    body.blocks = rest;
    own.blocks = mine;
    if own.attrs.is_empty() && own.blocks.is_empty() {
        return Ok(SupplyChain::default());
    }
    decode(&own)
}
