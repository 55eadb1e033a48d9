//! `kiln inspect`: what a template declares, in Packer's layout.

use super::common;
use super::flags::{self, flag, Kind};
use kiln_gocompat::quote::quote as go_quote;
use kiln_template::config::Config;
use kiln_template::plan;
use kiln_template::value::printable;
use std::fmt::Write;
use std::path::Path;

pub const HELP: &str = "Usage: kiln inspect [options] TEMPLATE

  Shows the variables (sensitive ones masked), locals, sources and builds of
  a template, with their provisioners and post-processors.

Options:
  -var 'key=value'       Variable for templates, can be used multiple times.
  -var-file=path         JSON or HCL2 file containing user variables.
";

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    let mut spec = common::VAR_FLAGS.to_vec();
    spec.push(flag("machine-readable", Kind::Bool));
    let p = match flags::parse(args, &spec) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, HELP),
    };
    let [path] = p.args.as_slice() else {
        return super::usage_error(
            "inspect expects exactly one argument: the template file or directory",
            HELP,
        );
    };
    if let Some(code) = legacy(Path::new(path)) {
        return Ok(code);
    }
    let Some(cfg) = common::load_unset_unknown(Path::new(path), &p)? else {
        return Ok(1);
    };
    print!("{}", render(&cfg));
    Ok(0)
}

/// A legacy JSON template is listed the way Packer lists one, from the
/// template alone (no variable needs a value). `None`: not such a file.
fn legacy(path: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(path).ok()?;
    if !kiln_template::legacy_json::is_legacy_file(path, &text) {
        return None;
    }
    let sources = kiln_template::SourceMap::new();
    match kiln_template::legacy_json::read(&sources, &path.display().to_string(), &text) {
        Ok(r) => {
            print!(
                "{}",
                kiln_template::legacy_json::inspect::render(&r.template)
            );
            Some(0)
        }
        Err(d) => {
            common::print_diagnostics(&d, &sources, None);
            Some(1)
        }
    }
}

fn render(cfg: &Config) -> String {
    let mut out = String::from("Packer Inspect: HCL2 mode\n\n> input-variables:\n\n");
    let mut vars: Vec<_> = cfg.variables.iter().collect();
    vars.sort_by(|a, b| a.0.cmp(b.0));
    for (name, v) in vars {
        let shown = if v.sensitive {
            "<sensitive>".to_owned()
        } else {
            printable(&v.value)
        };
        let _ = writeln!(out, "var.{name}: {}", go_quote(&shown));
    }
    out.push_str("\n> local-variables:\n\n");
    let mut locals: Vec<_> = cfg.locals.locals.iter().collect();
    locals.sort_by(|a, b| a.0.cmp(b.0));
    for (name, (v, sensitive)) in locals {
        let shown = if *sensitive {
            "<sensitive>".to_owned()
        } else {
            printable(v)
        };
        let _ = writeln!(out, "local.{name}: {}", go_quote(&shown));
    }
    out.push_str("\n> builds:\n");
    for (i, b) in cfg.decls.builds.iter().enumerate() {
        let name = b
            .name
            .clone()
            .unwrap_or_else(|| format!("<unnamed build {i}>"));
        let _ = writeln!(out, "\n  > {name}:");
        if let Some(d) = b.description.as_deref().filter(|d| !d.is_empty()) {
            let _ = writeln!(out, "\n  > Description: {d}");
        }
        out.push_str("\n    sources:\n");
        if b.sources.is_empty() {
            out.push_str("\n      <no source>\n");
        }
        for s in &b.sources {
            // A nested `source "source.X.Y" { name = "Z" }` is listed by
            // the name the build gives it, `X.Z`, as Packer does since 1.7.
            let kind = s.reference.split_once('.').map_or("", |(k, _)| k);
            let _ = writeln!(out, "\n      {kind}.{}", s.name);
        }
        out.push_str("\n    provisioners:\n\n");
        if b.provisioners.is_empty() {
            out.push_str("      <no provisioner>\n");
        }
        for label in plan::provisioner_labels(cfg, b) {
            let _ = writeln!(out, "      {label}");
        }
        out.push_str("\n    post-processors:\n");
        let chains = plan::post_processor_labels(cfg, b);
        if chains.is_empty() {
            out.push_str("\n      <no post-processor>\n");
        }
        for (i, chain) in chains.iter().enumerate() {
            let _ = writeln!(out, "\n      {i}:");
            for label in chain {
                let _ = writeln!(out, "        {label}");
            }
        }
    }
    out.push('\n');
    common::mask(&out, &cfg.sensitive_values())
}
