//! Evaluating a block body into an [`EvaluatedBody`], expanding `dynamic`
//! blocks on the way.

use crate::decode::{EvaluatedAttr, EvaluatedBlock, EvaluatedBody};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::{Evaluator, Scope};
use crate::source::SourceSpan;
use crate::value::{convert, Type, Value};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::Span;

pub fn evaluate(
    ev: &Evaluator,
    body: &Body,
    scope: &Scope,
    span: Option<SourceSpan>,
) -> Result<EvaluatedBody, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut out = EvaluatedBody {
        attrs: indexmap::IndexMap::new(),
        blocks: Vec::new(),
        span,
    };
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => match ev.eval(&a.value, scope) {
                Ok(value) => {
                    let name = a.key.as_str().to_owned();
                    if out.attrs.contains_key(&name) {
                        diags.push(ev.error(
                            "Attribute redefined",
                            format!("The argument {name:?} was already set. Each argument may be set only once."),
                            a.key.span(),
                        ));
                        continue;
                    }
                    out.attrs.insert(
                        name,
                        EvaluatedAttr {
                            value,
                            span: ev.span(a.span()),
                            name_span: ev.span(a.key.span()),
                        },
                    );
                }
                Err(d) => diags.extend(d),
            },
            Structure::Block(b) if b.ident.as_str() == "dynamic" => match dynamic(ev, b, scope) {
                Ok(blocks) => out.blocks.extend(blocks),
                Err(d) => diags.extend(d),
            },
            Structure::Block(b) => {
                let header = crate::config::header_span(ev.file, b);
                match evaluate(ev, &b.body, scope, header.clone()) {
                    Ok(inner) => out.blocks.push(EvaluatedBlock {
                        kind: b.ident.as_str().to_owned(),
                        labels: b.labels.iter().map(|l| l.as_str().to_owned()).collect(),
                        body: inner,
                        span: header,
                    }),
                    Err(d) => diags.extend(d),
                }
            }
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(out)
    }
}

/// `dynamic "NAME" { for_each = …, iterator = …, labels = […], content { … } }`
fn dynamic(ev: &Evaluator, b: &Block, scope: &Scope) -> Result<Vec<EvaluatedBlock>, Diagnostics> {
    let header = crate::config::header_span(ev.file, b);
    let Some(kind) = b.labels.first().map(|l| l.as_str().to_owned()) else {
        return Err(Diagnostic::error(
            "Missing name for dynamic",
            "A dynamic block must have one label: the type of block to generate.",
        )
        .at(header)
        .into());
    };
    let mut for_each = None;
    let mut iterator = kind.clone();
    let mut labels_expr = None;
    let mut content = None;
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => match a.key.as_str() {
                "for_each" => for_each = Some(a),
                "iterator" => match &a.value {
                    hcl_edit::expr::Expression::Variable(v) => iterator = v.as_str().to_owned(),
                    other => {
                        return Err(ev
                            .error(
                                "Invalid dynamic iterator name",
                                "Dynamic iterator must be a single variable name.",
                                other.span(),
                            )
                            .into())
                    }
                },
                "labels" => labels_expr = Some(a),
                other => {
                    return Err(ev
                        .error(
                            "Unsupported argument",
                            format!("An argument named \"{other}\" is not expected here."),
                            a.key.span(),
                        )
                        .into())
                }
            },
            Structure::Block(c) if c.ident.as_str() == "content" => content = Some(c),
            Structure::Block(c) => {
                return Err(ev
                    .error(
                        "Unsupported block type",
                        format!(
                            "Blocks of type \"{}\" are not expected here.",
                            c.ident.as_str()
                        ),
                        c.ident.span(),
                    )
                    .into())
            }
        }
    }
    let Some(for_each) = for_each else {
        return Err(crate::config::missing_argument("for_each", header).into());
    };
    let Some(content) = content else {
        return Err(Diagnostic::error("Missing content block", "A dynamic block must have a nested block of type \"content\" to describe the body of each generated block.")
            .at(header)
            .into());
    };
    let items: Vec<(Value, Value)> = match ev.eval(&for_each.value, scope)? {
        Value::List(v) | Value::Set(v) | Value::Tuple(v) => v
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::from(i as i64), v))
            .collect(),
        Value::Map(m) | Value::Object(m) => {
            m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
        }
        Value::Unknown(_) => Vec::new(),
        other => {
            return Err(ev
                .error(
                    "Invalid dynamic for_each value",
                    format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        other.friendly_type()
                    ),
                    for_each.value.span(),
                )
                .into())
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (key, value) in items {
        let mut inner = scope.child();
        inner.set(
            iterator.as_str(),
            Value::object([("key", key), ("value", value)]),
        );
        let labels = match labels_expr {
            Some(l) => match convert(ev.eval(&l.value, &inner)?, &Type::list(Type::String)) {
                Ok(Value::List(ls)) => ls
                    .into_iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => {
                    return Err(ev
                        .error(
                            "Invalid dynamic labels",
                            "The labels must be a list of strings.",
                            l.value.span(),
                        )
                        .into())
                }
            },
            None => Vec::new(),
        };
        let body = evaluate(ev, &content.body, &inner, header.clone())?;
        out.push(EvaluatedBlock {
            kind: kind.clone(),
            labels,
            body,
            span: header.clone(),
        });
    }
    Ok(out)
}
