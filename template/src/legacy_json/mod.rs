//! Legacy JSON templates (Packer 1.x's `builders`/`provisioners`/
//! `post-processors` format), run unchanged.
//!
//! A `.json` file (not `.pkr.json`) is read as Packer reads it
//! (`model`), its user variables resolved (`vars`), and then translated to
//! HCL (`bake`) that the rest of kiln loads like any template: components
//! never know the difference, except that their bodies decode weakly, as
//! mapstructure decodes for Packer's plugins. Diagnostics about the
//! translation point back into the JSON. `upgrade` writes the idiomatic
//! HCL equivalent for `kiln hcl2_upgrade`; `inspect` prints what Packer's
//! legacy `inspect` prints.

mod bake;
pub mod inspect;
pub mod model;

pub mod upgrade;
mod vars;

pub use model::LegacyTemplate;

use crate::json::spanned;

use crate::config::{VarArg, PACKER_COMPAT_VERSION};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::legacy::LegacyFuncs;
use crate::parse::ParsedFile;
use crate::source::{FileId, SourceMap, SourceSpan};
use std::path::Path;

/// Whether `path` names a legacy JSON template: Packer reads any file
/// given by name that is not `.pkr.json` or `.pkr.hcl` that way; kiln
/// keeps reading a `.json` file that declares no `builders` (but HCL
/// blocks) as HCL's JSON syntax.
pub fn is_legacy_file(path: &Path, text: &str) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !name.ends_with(".json") || name.ends_with(".pkr.json") {
        return false;
    }
    match spanned::parse(text) {
        Ok(doc) => {
            LegacyTemplate::looks_legacy(&doc)
                || !["source", "build", "variable", "locals", "data", "packer"]
                    .iter()
                    .any(|k| doc.get(k).is_some())
        }
        // Only the legacy reader gives JSON errors with a location.
        Err(_) => true,
    }
}

/// A legacy template read and checked, with the file it lives in.
pub struct Read {
    pub template: LegacyTemplate,
    pub file: FileId,
}

/// Read the template in `text` (named `name`) and check its structure.
pub fn read(sources: &SourceMap, name: &str, text: &str) -> Result<Read, Diagnostics> {
    let file = sources.add(name, text);
    let doc = spanned::parse(text).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error("Failed to parse template", format!("{}.", e.message))
                .at(SourceSpan::new(file, e.offset..e.offset)),
        )
    })?;
    let (template, problems) = LegacyTemplate::read(&doc);
    let mut diags = Diagnostics::new();
    for p in problems {
        diags.push(
            Diagnostic::error("Failed to parse template", p.message)
                .at(SourceSpan::new(file, p.range)),
        );
    }
    if let Some((v, range)) = &template.min_packer_version {
        if let Some(d) = check_min_version(v, SourceSpan::new(file, range.clone())) {
            diags.push(d);
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Read { template, file })
}

fn check_min_version(wanted: &str, span: SourceSpan) -> Option<Diagnostic> {
    match crate::config::version_satisfies(PACKER_COMPAT_VERSION, &format!(">= {wanted}")) {
        Ok(true) => None,
        Ok(false) => Some(
            Diagnostic::error(
                "Unsupported Packer version",
                format!(
                    "This template requires Packer version {wanted} or higher; using {PACKER_COMPAT_VERSION} (kiln's compatibility level)."
                ),
            )
            .at(span),
        ),
        Err(_) => Some(
            Diagnostic::error(
                "Failed to parse template",
                format!("min_packer_version: invalid version {wanted:?}."),
            )
            .at(span),
        ),
    }
}

/// What [`translate`] makes of a template.
pub struct Translated {
    pub parsed: ParsedFile,
    pub template: LegacyTemplate,
    /// `(type, name)` of each builder, in order: build block `i` runs
    /// builder `i`.
    pub builders: Vec<(String, String, SourceSpan)>,
}

/// Read `text`, resolve its variables from `args` and translate it to HCL.
pub fn translate(
    sources: &SourceMap,
    path: &Path,
    text: &str,
    args: &[VarArg],
) -> Result<Translated, Diagnostics> {
    let name = path.display().to_string();
    let Read { template, file } = read(sources, &name, text)?;
    let funcs = LegacyFuncs {
        template_path: Some(path.to_path_buf()),
        packer_version: Some(PACKER_COMPAT_VERSION.to_owned()),
        ..LegacyFuncs::default()
    };
    let values = vars::resolve(&template, args, &funcs).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| {
                Diagnostic::error("Failed to initialize the template", p.message)
                    .at(p.range.map(|r| SourceSpan::new(file, r)))
            })
            .collect::<Vec<_>>()
    })?;
    let baked = bake::bake(&template, file, &values, &funcs).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| {
                Diagnostic::error("Failed to render the template", p.message)
                    .at(SourceSpan::new(file, p.range))
            })
            .collect::<Vec<_>>()
    })?;
    let builders = template
        .builders
        .iter()
        .zip(baked.names)
        .map(|(b, name)| (b.kind.clone(), name, SourceSpan::new(file, b.range.clone())))
        .collect();
    let parsed = crate::parse::parse_translated_hcl(
        sources,
        &format!("{name} (as HCL)"),
        &baked.text,
        baked.origin,
    )?;
    Ok(Translated {
        parsed,
        template,
        builders,
    })
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics(v)
    }
}

#[cfg(test)]
mod tests;
