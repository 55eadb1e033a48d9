//! Reading `build` blocks: their sources, provisioners and post-processors.

use super::blocks::{header_span, label, Reader};
use super::model::{BuildDecl, BuildSource, ComponentBlock, FileBody, FileExpr, TestDecl};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::{EvalContext, Evaluator, Scope};
use crate::source::{FileId, SourceSpan};
use crate::value::{convert, Type, Value};
use hcl_edit::structure::{Block, Structure};
use hcl_edit::Span;

const BUILD_BLOCKS: [&str; 7] = [
    "source",
    "provisioner",
    "error-cleanup-provisioner",
    "post-processor",
    "post-processors",
    "hcp_packer_registry",
    "test",
];

/// What a `test` block holds besides its arguments.
const TEST_BLOCKS: [&str; 3] = ["provisioner", "check", "testinfra"];

pub(super) fn read(r: &mut Reader, file: FileId, b: &Block) -> Option<BuildDecl> {
    let mut build = BuildDecl {
        span: header_span(file, b),
        ..BuildDecl::default()
    };
    // Packer lists the `sources` attribute's entries before nested
    // `source` blocks, wherever they appear.
    let mut nested_sources = Vec::new();
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => match a.key.as_str() {
                "name" => {
                    if let Some(Value::String(n)) = r.eval_static_as(file, a, &Type::String) {
                        build.name = Some(n);
                    }
                }
                "description" => {
                    if let Some(Value::String(d)) = r.eval_static_as(file, a, &Type::String) {
                        build.description = Some(d);
                    }
                }
                "sources" => {
                    // Packer evaluates the list with variables and locals in
                    // scope, so it is resolved once those are known.
                    build.sources_expr = Some(FileExpr {
                        file,
                        expr: a.value.clone(),
                    });
                }
                _ => r.unsupported_argument(file, a, "build"),
            },
            Structure::Block(inner) => match inner.ident.as_str() {
                "source" if r.labels(file, inner, &["reference"]) => {
                    let text = label(inner, 0);
                    let Some((kind, name)) = parse_source_ref(&text) else {
                        r.diags
                            .push(invalid_source_ref(&text, header_span(file, inner)));
                        continue;
                    };
                    let mut body = inner.body.clone();
                    let mut build_name = name.clone();
                    if let Some(attr) = body.remove_attribute("name") {
                        if let Some(Value::String(n)) = r.eval_static_as(file, &attr, &Type::String)
                        {
                            build_name = n;
                        }
                    }
                    nested_sources.push(BuildSource {
                        reference: format!("{kind}.{name}"),
                        name: build_name,
                        extra: Some(FileBody {
                            file,
                            body,
                            span: header_span(file, inner),
                        }),
                        span: header_span(file, inner),
                        bindings: Vec::new(),
                    });
                }
                "provisioner" if r.labels(file, inner, &["type"]) => {
                    build.provisioners.push(component(file, inner));
                }
                "dynamic" if r.labels(file, inner, &["type"]) => {
                    let kind = label(inner, 0);
                    let body = FileBody {
                        file,
                        body: inner.body.clone(),
                        span: header_span(file, inner),
                    };
                    let generated = || ComponentBlock {
                        kind: kind.clone(),
                        body: body.clone(),
                        dynamic: true,
                    };
                    if kind == "provisioner" {
                        build.provisioners.push(generated());
                    } else if kind == "post-processor" {
                        // Each generated post-processor is a chain of its
                        // own, as a lone `post-processor` block is.
                        build.post_processor_chains.push(vec![generated()]);
                    } else if kind == "source" {
                        build
                            .dynamic_sources
                            .push((nested_sources.len(), body.clone()));
                    } else {
                        r.diags.push(
                            Diagnostic::error(
                                "Unsupported dynamic block",
                                format!(
                                    "Only source, provisioner and post-processor blocks can be generated with dynamic here, not {kind:?}."
                                ),
                            )
                            .at(header_span(file, inner)),
                        );
                    }
                }
                "error-cleanup-provisioner" if r.labels(file, inner, &["type"]) => {
                    if build.error_cleanup_provisioner.is_some() {
                        r.diags.push(
                            Diagnostic::error(
                                "Duplicate error-cleanup-provisioner block",
                                "Only one error-cleanup-provisioner block is allowed per build.",
                            )
                            .at(header_span(file, inner)),
                        );
                    }
                    build.error_cleanup_provisioner = Some(component(file, inner));
                }
                "post-processor" if r.labels(file, inner, &["type"]) => {
                    build
                        .post_processor_chains
                        .push(vec![component(file, inner)]);
                }
                "post-processors" if r.labels(file, inner, &[]) => {
                    let mut chain = Vec::new();
                    for s in inner.body.iter() {
                        match s {
                            Structure::Block(pp) if pp.ident.as_str() == "post-processor" => {
                                if r.labels(file, pp, &["type"]) {
                                    chain.push(component(file, pp));
                                }
                            }
                            Structure::Block(pp) => {
                                r.unsupported_block(file, pp, &["post-processor"])
                            }
                            Structure::Attribute(a) => {
                                r.unsupported_argument(file, a, "post-processors")
                            }
                        }
                    }
                    build.post_processor_chains.push(chain);
                }
                "test" if r.labels(file, inner, &["name"]) => {
                    build.tests.push(read_test(r, file, inner));
                }
                super::hcp_registry::BLOCK if r.labels(file, inner, &[]) => {
                    super::hcp_registry::read(
                        &mut build.hcp_packer_registry,
                        file,
                        inner,
                        &mut r.diags,
                    );
                }
                k if BUILD_BLOCKS.contains(&k) || k == "dynamic" => {}
                _ => r.unsupported_block(file, inner, &BUILD_BLOCKS),
            },
        }
    }
    build.sources.extend(nested_sources);
    Some(build)
}

/// A `test "NAME"` block: its arguments stay one body (the settings); each
/// nested block becomes a provisioner of the test, `check "NAME"` one of
/// type `check` with the label as its `label` argument.
fn read_test(r: &mut Reader, file: FileId, b: &Block) -> TestDecl {
    let mut settings = hcl_edit::structure::Body::new();
    for a in b.body.attributes() {
        settings.push(a.clone());
    }
    let mut steps = Vec::new();
    for s in b.body.iter() {
        let Structure::Block(inner) = s else {
            continue;
        };
        match inner.ident.as_str() {
            "provisioner" if r.labels(file, inner, &["type"]) => {
                steps.push(component(file, inner));
            }
            "check" if r.labels(file, inner, &["name"]) => {
                // The label travels as the `label` argument (`name` is
                // a provisioner's meta-argument, taken off its body).
                let mut body = inner.body.clone();
                body.push(hcl_edit::structure::Attribute::new(
                    hcl_edit::Ident::new("label"),
                    hcl_edit::expr::Expression::from(label(inner, 0)),
                ));
                steps.push(ComponentBlock {
                    kind: "check".into(),
                    body: FileBody {
                        file,
                        body,
                        span: header_span(file, inner),
                    },
                    dynamic: false,
                });
            }
            "testinfra" if r.labels(file, inner, &[]) => {
                steps.push(ComponentBlock {
                    kind: "testinfra".into(),
                    body: FileBody {
                        file,
                        body: inner.body.clone(),
                        span: header_span(file, inner),
                    },
                    dynamic: false,
                });
            }
            k if TEST_BLOCKS.contains(&k) => {}
            _ => r.unsupported_block(file, inner, &TEST_BLOCKS),
        }
    }
    TestDecl {
        name: label(b, 0),
        settings: FileBody {
            file,
            body: settings,
            span: header_span(file, b),
        },
        steps,
        span: header_span(file, b),
    }
}

fn component(file: FileId, b: &Block) -> ComponentBlock {
    ComponentBlock {
        kind: label(b, 0),
        body: FileBody {
            file,
            body: b.body.clone(),
            span: header_span(file, b),
        },
        dynamic: false,
    }
}

/// `TYPE.NAME`, or three parts or more whose first is ignored and whose
/// type and name are the next two: Packer reads `sources.null.a` and even
/// `x.null.a.b` as `null.a`, whatever the first word.
pub(super) fn parse_source_ref(text: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = text.split('.').collect();
    let (kind, name) = match parts.as_slice() {
        [kind, name] if *kind != "source" => (*kind, *name),
        [_, kind, name, ..] => (*kind, *name),
        _ => return None,
    };
    let ok = |s: &str| hcl_edit::Ident::try_new(s).is_ok();
    (ok(kind) && ok(name)).then(|| (kind.to_owned(), name.to_owned()))
}

/// Evaluate each build's `sources` expression with variables and locals in
/// scope and put its references before the nested `source` blocks' ones
/// (Packer lists them first, wherever the attribute is written).
pub(super) fn resolve_sources(
    ctx: &EvalContext,
    builds: &mut [BuildDecl],
    scope: &Scope,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for build in builds {
        diags.extend(super::dynamic_source::expand(ctx, build, scope));
        let Some(fe) = build.sources_expr.take() else {
            continue;
        };
        let span = fe.expr.span().map(|x| SourceSpan::new(fe.file, x));
        let ev = Evaluator::new(ctx, fe.file);
        let value = match ev.eval(&fe.expr, scope) {
            Ok(v) => v,
            Err(d) => {
                diags.extend(d);
                continue;
            }
        };
        if !value.is_wholly_known() {
            diags.push(
                Diagnostic::error(
                    "Unknown sources",
                    "The sources of a build must be known when the configuration is read; this value depends on something known only later (a data source that was not run, or a build variable).",
                )
                .at(span),
            );
            continue;
        }
        let list = match convert(value, &Type::list(Type::String)) {
            Ok(v) => v,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "Incorrect attribute value type",
                        format!("Inappropriate value for attribute \"sources\": {e}."),
                    )
                    .at(span),
                );
                continue;
            }
        };
        let mut listed = Vec::new();
        for item in list.as_seq().unwrap_or_default() {
            let Some(text) = item.as_str() else {
                diags.push(
                    Diagnostic::error(
                        "Incorrect attribute value type",
                        "Inappropriate value for attribute \"sources\": element must not be null.",
                    )
                    .at(span.clone()),
                );
                continue;
            };
            match parse_source_ref(text) {
                Some((kind, name)) => listed.push(BuildSource {
                    reference: format!("{kind}.{name}"),
                    name,
                    extra: None,
                    span: span.clone(),
                    bindings: Vec::new(),
                }),
                None => diags.push(invalid_source_ref(text, span.clone())),
            }
        }
        listed.append(&mut build.sources);
        build.sources = listed;
    }
    diags
}

pub(super) fn invalid_source_ref(text: &str, span: Option<SourceSpan>) -> Diagnostic {
    Diagnostic::error(
        "Invalid source reference",
        format!("{text:?} is not a valid source reference: a source is referred to as \"source.TYPE.NAME\"."),
    )
    .at(span)
}

#[cfg(test)]
mod tests {
    use super::parse_source_ref;

    #[test]
    fn source_references() {
        assert_eq!(
            parse_source_ref("source.null.a"),
            Some(("null".into(), "a".into()))
        );
        assert_eq!(
            parse_source_ref("amazon-ebs.x"),
            Some(("amazon-ebs".into(), "x".into()))
        );
        assert_eq!(parse_source_ref("source.null"), None);
        // Any first word of three; words after the name are ignored.
        for text in ["sources.null.a", "anything.null.a", "x.null.a.extra"] {
            assert_eq!(
                parse_source_ref(text),
                Some(("null".into(), "a".into())),
                "{text}"
            );
        }
        assert_eq!(parse_source_ref("null"), None);
        assert_eq!(parse_source_ref("source.null.a b"), None);
    }
}
