//! `inspect` of a legacy template, in the layout Packer's `inspect` prints
//! for JSON templates: description, required and optional variables,
//! builders by name (with their type when it differs) and provisioners.

use super::model::LegacyTemplate;
use std::fmt::Write;

pub fn render(t: &LegacyTemplate) -> String {
    let mut out = String::from("Packer Inspect: JSON mode\n");
    if let Some(d) = t.description.as_deref().filter(|d| !d.is_empty()) {
        let _ = write!(out, "Description:\n\n{d}\n\n");
    }
    variables(&mut out, t);
    out.push('\n');
    builders(&mut out, t);
    out.push('\n');
    out.push_str("Provisioners:\n\n");
    if t.provisioners.is_empty() {
        out.push_str("  <No provisioners>\n");
    }
    for p in &t.provisioners {
        let _ = writeln!(out, "  {}", p.kind);
    }
    out.push_str(
        "\nNote: If your build names contain user variables or template\n\
         functions such as 'timestamp', these are processed at build time,\n\
         and therefore only show in their raw form here.\n",
    );
    out
}

fn variables(out: &mut String, t: &LegacyTemplate) {
    if t.variables.is_empty() {
        out.push_str("Variables:\n\n  <No variables>\n");
        return;
    }
    // Packer masks every value equal to a sensitive variable's default,
    // not only the sensitive variables themselves.
    let secret: Vec<&str> = t
        .variables
        .iter()
        .filter(|v| v.sensitive)
        .map(|v| v.default.as_deref().unwrap_or(""))
        .collect();
    let mut vars: Vec<_> = t.variables.iter().collect();
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    let required: Vec<_> = vars.iter().filter(|v| v.default.is_none()).collect();
    if !required.is_empty() {
        out.push_str("Required variables:\n\n");
        for v in &required {
            let _ = writeln!(out, "  {}", v.name);
        }
        out.push('\n');
    }
    out.push_str("Optional variables and their defaults:\n\n");
    let width = vars.iter().map(|v| v.name.len()).max().unwrap_or(0);
    for v in vars {
        let Some(default) = &v.default else {
            continue;
        };
        let shown = if secret.contains(&default.as_str()) {
            "<sensitive>"
        } else {
            default
        };
        let _ = writeln!(out, "  {:width$} = {shown}", v.name);
    }
}

fn builders(out: &mut String, t: &LegacyTemplate) {
    out.push_str("Builders:\n\n");
    let mut builders: Vec<_> = t.builders.iter().collect();
    builders.sort_by(|a, b| a.name.cmp(&b.name));
    let width = builders.iter().map(|b| b.name.len()).max().unwrap_or(0);
    for b in builders {
        if b.name == b.kind {
            let _ = writeln!(out, "  {:width$}", b.name);
        } else {
            let _ = writeln!(out, "  {:width$} ({})", b.name, b.kind);
        }
    }
}
