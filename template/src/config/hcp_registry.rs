//! `hcp_packer_registry` inside `build`: read and checked with Packer's
//! rules, kept for the catalog; kiln itself publishes nothing to HCP
//! Packer.
//!
//! Packer decodes the block with variables, locals and data sources in
//! scope, so the block is kept raw when the build is read and evaluated
//! with [`resolve`] once those are known. Packer ignores arguments and
//! blocks it does not know here (its schema keeps the rest of the body);
//! kiln does too, with a warning, because they are usually typos.
//! An empty `bucket_name` is accepted: current Packer then takes the name
//! from `HCP_PACKER_BUCKET_NAME` or the build's name when it publishes.

use super::model::{BuildDecl, FileBody};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::{EvalContext, Evaluator, Scope};
use crate::source::{FileId, SourceSpan};
use crate::value::{convert, Type, Value};
use hcl_edit::structure::{Block, Structure};
use hcl_edit::Span;
use std::collections::BTreeMap;

pub const BLOCK: &str = "hcp_packer_registry";

/// What the block says, once evaluated. A value still unknown (it depends
/// on a data source `validate` did not run) stays `None`/empty.
#[derive(Debug, Clone)]
pub struct HcpRegistry {
    pub bucket_name: Option<String>,
    pub description: Option<String>,
    pub bucket_labels: BTreeMap<String, String>,
    pub build_labels: BTreeMap<String, String>,
    /// Channels the new version is assigned to once registered (kiln's
    /// catalog; HCP Packer's early versions had this argument too).
    pub channels: Vec<String>,
    /// kiln: store disk images in the catalog as containerDisk images
    /// (Packer ignores the argument).
    pub push_disk: bool,
    pub span: Option<SourceSpan>,
    /// The block as written, until [`resolve`] evaluates it.
    body: Option<FileBody>,
}

/// Keep a build's (or the top level's) `hcp_packer_registry` block; a
/// second one is an error, as in Packer.
pub(super) fn read(
    slot: &mut Option<HcpRegistry>,
    file: FileId,
    b: &Block,
    diags: &mut Diagnostics,
) {
    let span = super::blocks::header_span(file, b);
    if slot.is_some() {
        diags.push(Diagnostic::error(format!("Only one {BLOCK} is allowed"), "").at(span));
        return;
    }
    *slot = Some(HcpRegistry {
        bucket_name: None,
        description: None,
        bucket_labels: BTreeMap::new(),
        build_labels: BTreeMap::new(),
        channels: Vec::new(),
        push_disk: false,
        span: span.clone(),
        body: Some(FileBody {
            file,
            body: b.body.clone(),
            span,
        }),
    });
}

/// Evaluate and check every build's block and the top level's.
pub(super) fn resolve(
    ctx: &EvalContext,
    top: Option<&mut HcpRegistry>,
    builds: &mut [BuildDecl],
    scope: &Scope,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for reg in builds
        .iter_mut()
        .filter_map(|b| b.hcp_packer_registry.as_mut())
        .chain(top)
    {
        if let Some(body) = reg.body.take() {
            evaluate(ctx, scope, &body, reg, &mut diags);
        }
    }
    diags
}

fn evaluate(
    ctx: &EvalContext,
    scope: &Scope,
    fb: &FileBody,
    reg: &mut HcpRegistry,
    diags: &mut Diagnostics,
) {
    let ev = Evaluator::new(ctx, fb.file);
    let string_map = Type::Map(Box::new(Type::String));
    let mut labels = None;
    let mut decode_failed = false;
    for s in fb.body.iter() {
        let a = match s {
            Structure::Attribute(a) => a,
            Structure::Block(inner) => {
                diags.push(
                    ignored(format!("block \"{}\"", inner.ident.as_str()))
                        .at(inner.ident.span().map(|r| SourceSpan::new(fb.file, r))),
                );
                continue;
            }
        };
        let name = a.key.as_str();
        let span = a.value.span().map(|r| SourceSpan::new(fb.file, r));
        let ty = match name {
            "bucket_name" | "description" => Type::String,
            "labels" | "bucket_labels" | "build_labels" => string_map.clone(),
            "channels" => Type::List(Box::new(Type::String)),
            "push_disk" => Type::Bool,
            _ => {
                diags.push(
                    ignored(format!("argument \"{name}\""))
                        .at(a.key.span().map(|r| SourceSpan::new(fb.file, r))),
                );
                continue;
            }
        };
        let value = match ev.eval(&a.value, scope).map(|v| convert(v, &ty)) {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                diags.push(
                    Diagnostic::error(
                        "Incorrect attribute value type",
                        format!("Inappropriate value for attribute \"{name}\": {e}."),
                    )
                    .at(span),
                );
                decode_failed = true;
                continue;
            }
            Err(d) => {
                diags.extend(d);
                decode_failed = true;
                continue;
            }
        };
        if !value.is_wholly_known() {
            continue;
        }
        match name {
            "bucket_name" => reg.bucket_name = value.as_str().map(str::to_owned),
            "description" => reg.description = value.as_str().map(str::to_owned),
            "labels" => labels = Some(strings(&value)),
            "bucket_labels" => reg.bucket_labels = strings(&value),
            "push_disk" => reg.push_disk = value.as_bool().unwrap_or(false),
            "channels" => {
                reg.channels = value
                    .as_seq()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
            }
            _ => reg.build_labels = strings(&value),
        }
    }
    if decode_failed {
        // Packer stops at the first decoding error of the block.
        return;
    }
    check(reg, labels, diags);
}

fn check(reg: &mut HcpRegistry, labels: Option<BTreeMap<String, String>>, diags: &mut Diagnostics) {
    let at = reg.span.clone();
    if reg.description.as_ref().is_some_and(|d| d.len() > 255) {
        diags.push(
            Diagnostic::error(
                format!("{BLOCK}.description should have a maximum length of 255 characters"),
                "",
            )
            .at(at),
        );
        return;
    }
    if let Some(name) = reg.bucket_name.as_deref().filter(|n| !n.is_empty()) {
        if !valid_bucket_name(name) {
            diags.push(
                Diagnostic::error(
                    format!(
                        "{BLOCK}.bucket_name can only contain between 3 and 36 ASCII letters, numbers and hyphens"
                    ),
                    "",
                )
                .at(at.clone()),
            );
        }
    }
    let Some(labels) = labels.filter(|l| !l.is_empty()) else {
        return;
    };
    if !reg.bucket_labels.is_empty() {
        diags.push(
            Diagnostic::error(
                format!(
                    "{BLOCK}.labels and {BLOCK}.bucket_labels are mutually exclusive; please use the recommended argument {BLOCK}.bucket_labels"
                ),
                "",
            )
            .at(at),
        );
        return;
    }
    diags.push(
        Diagnostic::warning(
            format!(
                "the argument {BLOCK}.labels has been deprecated and will be removed in the next minor release; please use {BLOCK}.bucket_labels"
            ),
            "",
        )
        .at(at),
    );
    reg.bucket_labels = labels;
}

/// Packer's `^[a-zA-Z0-9-]{3,36}$`: one character class and a length,
/// plainer written out than compiled.
fn valid_bucket_name(name: &str) -> bool {
    (3..=36).contains(&name.len()) && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

fn strings(v: &Value) -> BTreeMap<String, String> {
    v.as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect()
}

fn ignored(what: String) -> Diagnostic {
    Diagnostic::warning(
        "Ignored in hcp_packer_registry",
        format!(
            "The {what} is not one of bucket_name, description, bucket_labels, build_labels, channels, push_disk; Packer ignores it, and so does kiln."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::valid_bucket_name;

    #[test]
    fn bucket_names_follow_packers_pattern() {
        for ok in ["abc", "ok-Bucket-name-1", &"a".repeat(36)] {
            assert!(valid_bucket_name(ok), "{ok}");
        }
        for bad in ["ab", &"a".repeat(37), "has_underscore", "dot.ted", "é-x"] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
    }
}
