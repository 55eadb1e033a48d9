//! What several commands share: variable flags, loading a configuration and
//! printing its diagnostics.

use super::flags::{flag, Flag, Kind, Parsed};
use kiln_template::config::{self, Config, LoadOptions, Strictness, VarArg, VarInputs};
use kiln_template::{Diagnostics, SourceMap};
use std::io::Write;
use std::path::Path;

pub const VAR_FLAGS: [Flag; 3] = [
    flag("var", Kind::Value),
    flag("var-file", Kind::Value),
    flag("no-warn-undeclared-var", Kind::Bool),
];

/// `-no-warn-undeclared-var` silences warnings about variable files that
/// set undeclared variables.
fn strictness(p: &Parsed) -> Strictness {
    if p.bool("no-warn-undeclared-var") {
        Strictness::Silent
    } else {
        Strictness::Warn
    }
}

/// `-var` and `-var-file` in command-line order.
pub fn var_args(p: &Parsed) -> Result<Vec<VarArg>, String> {
    let mut out = Vec::new();
    for (name, value) in &p.flags {
        match *name {
            "var" => {
                let Some((k, v)) = value.split_once('=') else {
                    return Err(format!(
                        "invalid value {value:?} for flag -var: expected NAME=VALUE"
                    ));
                };
                out.push(VarArg::Var {
                    name: k.trim().to_owned(),
                    raw: v.to_owned(),
                });
            }
            "var-file" => out.push(VarArg::File(value.into())),
            _ => {}
        }
    }
    Ok(out)
}

/// Load a configuration and print its diagnostics to stderr. `None` when
/// it has errors.
pub fn load(path: &Path, p: &Parsed, syntax_only: bool) -> anyhow::Result<Option<Config>> {
    load_with(path, p, syntax_only, false, None)
}

/// [`load`] for `build`: values only a build has are known.
/// [`load`] for a build whose catalog fingerprint is `fingerprint`.
pub fn load_for_build(
    path: &Path,
    p: &Parsed,
    fingerprint: &str,
) -> anyhow::Result<Option<Config>> {
    load_with(path, p, false, false, Some(fingerprint))
}

/// [`load`], leaving variables nothing sets unknown instead of reporting
/// them (what `inspect` does, as Packer's does).
pub fn load_unset_unknown(path: &Path, p: &Parsed) -> anyhow::Result<Option<Config>> {
    load_with(path, p, false, true, None)
}

fn load_with(
    path: &Path,
    p: &Parsed,
    syntax_only: bool,
    unset_unknown: bool,
    build_fingerprint: Option<&str>,
) -> anyhow::Result<Option<Config>> {
    let for_build = build_fingerprint.is_some();
    let opts = LoadOptions {
        vars: VarInputs {
            env: VarInputs::from_process_env(),
            args: var_args(p).map_err(anyhow::Error::msg)?,
            undeclared: strictness(p),
            unset_unknown,
        },
        syntax_only,
        for_build,
        // Packer's `validate` leaves data sources unknown unless asked.
        evaluate_data_sources: for_build || p.bool("evaluate-datasources"),
        version_fingerprint: build_fingerprint.map(str::to_owned),
    };
    let (cfg, diags) = config::load_with(path, &opts, Some(&crate::registry::Registry));
    let sources = cfg
        .as_ref()
        .map(|c| c.sources().clone())
        .unwrap_or_default();
    print_diagnostics(&diags, &sources, cfg.as_ref());
    if diags.has_errors() {
        return Ok(None);
    }
    Ok(cfg)
}

/// Print diagnostics to stderr, masking sensitive values.
pub fn print_diagnostics(diags: &Diagnostics, sources: &SourceMap, cfg: Option<&Config>) {
    if diags.is_empty() {
        return;
    }
    let mut text = diags.render(sources);
    if let Some(cfg) = cfg {
        text = mask(&text, &cfg.sensitive_values());
    }
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Replace every sensitive value in `text` with `<sensitive>`.
pub fn mask(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    let mut secrets: Vec<&String> = secrets.iter().collect();
    // Longest first, so a secret containing another is masked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in secrets {
        out = out.replace(s.as_str(), "<sensitive>");
    }
    out
}
