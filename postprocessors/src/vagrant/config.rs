//! The vagrant post-processor's fields, as packer-plugin-vagrant names
//! them, and its configure-time checks. `keep_input_artifact` is a
//! meta-argument the plan takes.

use kiln_core::component::{ConfigProblem, Validate};
use serde::Deserialize;
use std::collections::BTreeMap;

use super::provider;
use crate::output_template;

/// Packer 1.6.6's default name (the current plugin appends
/// `_{{ .Architecture }}`; kiln keeps the name Packer templates expect).
pub const DEFAULT_OUTPUT: &str = "packer_{{ .BuildName }}_{{ .Provider }}.box";

/// Go's `flate.DefaultCompression`, which gzip writes as level 6.
const DEFAULT_LEVEL: i64 = 6;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VagrantConfig {
    /// Legacy template with `.BuildName`, `.Provider`, `.ArtifactId`,
    /// `.Architecture` and the build's generated values.
    pub output: Option<String>,
    /// -1 to 9; 0 writes a plain tar.
    pub compression_level: Option<i64>,
    /// Extra files put at the top of the box under their base names.
    pub include: Option<Vec<String>>,
    /// A file whose contents (a legacy template) follow the provider's
    /// Vagrantfile in the box's one.
    pub vagrantfile_template: Option<String>,
    /// The template file is made during the build: do not require it at
    /// configure time.
    pub vagrantfile_template_generated: Option<bool>,
    /// The provider to make the box for, whatever the artifact's builder.
    pub provider_override: Option<String>,
    /// Written into `metadata.json` (Vagrant 2.4's multi-architecture
    /// boxes) and available as `.Architecture`.
    pub architecture: Option<String>,
    /// Fields that apply when the box is for one provider, by provider
    /// name (the plugin's `override`; its HCL2 spec types it as a map of
    /// strings, which cannot hold them, so there it does not work).
    #[serde(rename = "override")]
    pub overrides: Option<BTreeMap<String, ProviderFields>>,
}

/// What `override.PROVIDER` may set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFields {
    pub output: Option<String>,
    pub compression_level: Option<i64>,
    pub include: Option<Vec<String>>,
    pub vagrantfile_template: Option<String>,
    pub vagrantfile_template_generated: Option<bool>,
    pub architecture: Option<String>,
}

impl VagrantConfig {
    /// The config a box for `provider` uses: its `override` fields over
    /// the others (the plugin's `specificConfig`).
    pub fn for_provider(&self, provider: &str) -> VagrantConfig {
        let mut c = self.clone();
        let Some(o) = self.overrides.as_ref().and_then(|m| m.get(provider)) else {
            return c;
        };
        let o = o.clone();
        c.output = o.output.or(c.output);
        c.compression_level = o.compression_level.or(c.compression_level);
        c.include = o.include.or(c.include);
        c.vagrantfile_template = o.vagrantfile_template.or(c.vagrantfile_template);
        c.vagrantfile_template_generated = o
            .vagrantfile_template_generated
            .or(c.vagrantfile_template_generated);
        c.architecture = o.architecture.or(c.architecture);
        c
    }

    pub(crate) fn output_template(&self) -> &str {
        self.output.as_deref().unwrap_or(DEFAULT_OUTPUT)
    }

    /// The gzip level, `None` for no compression (Go's
    /// `flate.NoCompression`). Out-of-range levels are refused by
    /// `validate`; here they fall back to the default.
    pub(crate) fn level(&self) -> Option<u32> {
        match self.compression_level.unwrap_or(DEFAULT_LEVEL) {
            0 => None,
            -1 => Some(6),
            l => Some(u32::try_from(l).ok().filter(|l| *l <= 9).unwrap_or(6)),
        }
    }

    /// `.Architecture` in templates: the configured one, else the host's
    /// by Go's names (`amd64`, `arm64`, `386` as Vagrant's `i386`), as the
    /// current plugin defaults it.
    pub(crate) fn architecture_name(&self) -> String {
        match &self.architecture {
            Some(a) if !a.is_empty() => a.clone(),
            _ => host_architecture().to_owned(),
        }
    }
}

fn host_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "i386",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        other => other,
    }
}

impl Validate for VagrantConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = self.own_problems();
        for name in self.overrides.iter().flat_map(BTreeMap::keys) {
            if let Err(e) = provider::Provider::from_name(name) {
                out.push(ConfigProblem::field("override", format!("override: {e}")));
                continue;
            }
            // What the override brings that the fields alone do not have.
            let base: Vec<String> = out.iter().map(|p| p.message.clone()).collect();
            for p in self.for_provider(name).own_problems() {
                if !base.contains(&p.message) {
                    out.push(ConfigProblem::field(
                        "override",
                        format!("override.{name}: {}", p.message),
                    ));
                }
            }
        }
        out
    }
}

impl VagrantConfig {
    fn own_problems(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if let Some(o) = &self.output {
            out.extend(output_template::check("output", o));
        }
        if self
            .compression_level
            .is_some_and(|l| !(-1..=9).contains(&l))
        {
            out.push(ConfigProblem::field(
                "compression_level",
                "Invalid compression level. Expected an integer from -1 to 9.",
            ));
        }
        if let Some(t) = self
            .vagrantfile_template
            .as_deref()
            .filter(|t| !t.is_empty())
        {
            if !self.vagrantfile_template_generated.unwrap_or(false)
                && std::fs::metadata(t).is_err()
            {
                out.push(ConfigProblem::field(
                    "vagrantfile_template",
                    format!("vagrantfile_template '{t}' does not exist"),
                ));
            }
        }
        if let Some(p) = self.provider_override.as_deref().filter(|p| !p.is_empty()) {
            if let Err(e) = provider::Provider::from_name(p) {
                out.push(ConfigProblem::field("provider_override", e.to_string()));
            }
        }
        out
    }
}
