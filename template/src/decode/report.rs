//! Turning decoding errors into diagnostics that point at the argument or
//! block at fault, worded as HCL words them.

use super::error::{DecodeError, ErrorKind, Step};
use super::{EvaluatedAttr, EvaluatedBlock, EvaluatedBody};
use crate::diagnostic::{did_you_mean, Diagnostic};
use std::fmt::Write;

/// What a path leads to in the evaluated body.
enum Target<'a> {
    Body(&'a EvaluatedBody, Option<&'a EvaluatedBlock>),
    /// An argument, and the steps inside its value.
    Attr(&'a str, &'a EvaluatedAttr, &'a [Step]),
    /// All blocks of a type (the first one stands for them).
    Blocks(&'a str, Option<&'a EvaluatedBlock>),
    Block(&'a EvaluatedBlock),
}

fn resolve<'a>(root: &'a EvaluatedBody, path: &'a [Step]) -> Target<'a> {
    let mut body = root;
    let mut block: Option<&EvaluatedBlock> = None;
    let mut i = 0;
    loop {
        match path.get(i) {
            None | Some(Step::Index(_)) => return Target::Body(body, block),
            Some(Step::Attr(name) | Step::Key(name)) => {
                return match body.attrs.get_key_value(name) {
                    Some((n, attr)) => Target::Attr(n, attr, path.get(i + 1..).unwrap_or(&[])),
                    None => Target::Body(body, block),
                }
            }
            Some(Step::Block(kind)) => {
                let mut of_kind = body.blocks.iter().filter(|b| &b.kind == kind);
                let Some(Step::Index(n)) = path.get(i + 1) else {
                    return Target::Blocks(kind, of_kind.next());
                };
                let Some(found) = of_kind.nth(*n) else {
                    return Target::Blocks(kind, None);
                };
                if path.len() == i + 2 {
                    return Target::Block(found);
                }
                body = &found.body;
                block = Some(found);
                i += 2;
            }
        }
    }
}

/// "element 2: attribute \"a\": " for the steps inside a value.
fn inner_path(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        let _ = match step {
            Step::Index(i) => write!(out, "element {i}: "),
            Step::Key(k) | Step::Attr(k) | Step::Block(k) => write!(out, "attribute \"{k}\": "),
        };
    }
    out
}

fn suggestion(name: &str, expected: &[&'static str]) -> Option<String> {
    did_you_mean(name, expected.iter().copied()).map(|s| format!("Did you mean \"{s}\"?"))
}

fn with_hint(d: Diagnostic, hint: Option<String>) -> Diagnostic {
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// The diagnostic for one error found while decoding `root`.
pub(crate) fn diagnose(root: &EvaluatedBody, e: &DecodeError) -> Diagnostic {
    let path = e.path.as_deref().unwrap_or(&[]);
    match resolve(root, path) {
        Target::Attr(name, attr, rest) => attr_diagnostic(name, attr, rest, e),
        Target::Body(body, block) => body_diagnostic(body, block, e),
        Target::Blocks(kind, first) => {
            blocks_diagnostic(kind, first.and_then(|b| b.span.clone()), e)
        }
        Target::Block(block) => match e.kind {
            ErrorKind::DuplicateBlock(_)
            | ErrorKind::ExtraneousLabel(_)
            | ErrorKind::UnknownField { .. }
            | ErrorKind::BlockNotExpected(_)
            | ErrorKind::DuplicateField(_) => blocks_diagnostic(&block.kind, block.span.clone(), e),
            _ => body_diagnostic(&block.body, Some(block), e),
        },
    }
}

fn attr_diagnostic(name: &str, attr: &EvaluatedAttr, rest: &[Step], e: &DecodeError) -> Diagnostic {
    // An error inside one element of a list literal points at that element.
    let element = match rest.first() {
        Some(Step::Index(i)) => attr.element_spans.get(*i).cloned().flatten(),
        _ => None,
    };
    let span = element.or_else(|| attr.span.clone());
    let inappropriate = |what: &str| {
        format!(
            "Inappropriate value for attribute \"{name}\": {}{what}.",
            inner_path(rest)
        )
    };
    match &e.kind {
        ErrorKind::UnknownField {
            name: field,
            expected,
        } if rest.is_empty() => with_hint(
            Diagnostic::error(
                "Unsupported argument",
                format!("An argument named \"{field}\" is not expected here."),
            )
            .at(attr.name_span.clone().or_else(|| attr.span.clone())),
            suggestion(field, expected),
        ),
        ErrorKind::UnknownField {
            name: field,
            expected,
        } => {
            // The last step is the unexpected key itself.
            let outer = rest.get(..rest.len().saturating_sub(1)).unwrap_or(&[]);
            let detail = format!(
                "Inappropriate value for attribute \"{name}\": {}unexpected attribute \"{field}\".",
                inner_path(outer)
            );
            with_hint(
                Diagnostic::error("Incorrect attribute value type", detail).at(span.clone()),
                suggestion(field, expected),
            )
        }
        ErrorKind::UnknownVariant {
            name: value,
            expected,
        } => with_hint(
            Diagnostic::error("Invalid value", inappropriate(&e.to_string())).at(span.clone()),
            suggestion(value, expected),
        ),
        ErrorKind::DuplicateField(_) => Diagnostic::error(
            "Attribute redefined",
            format!("The argument \"{name}\" was already set; each argument may be set only once."),
        )
        .at(span.clone()),
        // A type's own check of an argument (a `GoDuration` that does not
        // parse) is what Packer's mapstructure decode hooks do, and their
        // failures read "error decoding 'NAME': MESSAGE".
        ErrorKind::Custom(m) if rest.is_empty() => Diagnostic::error(
            "Invalid configuration",
            format!("error decoding '{name}': {m}"),
        )
        .at(span.clone()),
        ErrorKind::Custom(_) => {
            Diagnostic::error("Invalid value", inappropriate(&e.to_string())).at(span.clone())
        }
        _ => Diagnostic::error(
            "Incorrect attribute value type",
            inappropriate(&e.to_string()),
        )
        .at(span.clone()),
    }
}

fn body_diagnostic(
    body: &EvaluatedBody,
    block: Option<&EvaluatedBlock>,
    e: &DecodeError,
) -> Diagnostic {
    let header = body
        .span
        .clone()
        .or_else(|| block.and_then(|b| b.span.clone()));
    match &e.kind {
        ErrorKind::MissingField(field) => {
            let summary = "Missing required argument";
            match body.attrs.get(*field) {
                Some(attr) if attr.value.is_null() => Diagnostic::error(
                    summary,
                    format!("The argument \"{field}\" is required, but its value is null."),
                )
                .at(attr.span.clone()),
                _ => Diagnostic::error(
                    summary,
                    format!("The argument \"{field}\" is required, but no definition was found."),
                )
                .at(header),
            }
        }
        _ => Diagnostic::error("Invalid configuration", sentence(&e.to_string())).at(header),
    }
}

fn blocks_diagnostic(
    kind: &str,
    span: Option<crate::source::SourceSpan>,
    e: &DecodeError,
) -> Diagnostic {
    match &e.kind {
        ErrorKind::UnknownField { name, expected } => with_hint(
            Diagnostic::error(
                "Unsupported block type",
                format!("Blocks of type \"{name}\" are not expected here."),
            )
            .at(span),
            suggestion(name, expected),
        ),
        ErrorKind::BlockNotExpected(_) => Diagnostic::error(
            "Unsupported block type",
            format!("Blocks of type \"{kind}\" are not expected here."),
        )
        .at(span)
        .with_hint(format!(
            "Did you mean to define argument \"{kind}\"? If so, use the equals sign to assign it a value."
        )),
        ErrorKind::DuplicateBlock(_) => Diagnostic::error(
            format!("Duplicate {kind} block"),
            format!("Only one {kind} block is allowed."),
        )
        .at(span),
        ErrorKind::ExtraneousLabel(_) => Diagnostic::error(
            format!("Extraneous label for {kind}"),
            format!("No labels are expected for {kind} blocks."),
        )
        .at(span),
        ErrorKind::DuplicateField(_) => Diagnostic::error(
            "Attribute redefined",
            format!("\"{kind}\" is set both as an argument and as a block."),
        )
        .at(span),
        _ => Diagnostic::error(format!("Invalid {kind} block"), sentence(&e.to_string())).at(span),
    }
}

/// A type's own message as a detail sentence, left as written (it may
/// start with an argument name) but ending in a full stop.
fn sentence(s: &str) -> String {
    if s.ends_with('.') {
        s.to_owned()
    } else {
        format!("{s}.")
    }
}
