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
        weak: ev.ctx.weak_decoding,
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
                            element_spans: element_spans(ev, &a.value),
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

/// Spans of the elements of a list literal, for errors about one of them.
fn element_spans(ev: &Evaluator, expr: &hcl_edit::expr::Expression) -> Vec<Option<SourceSpan>> {
    match expr {
        hcl_edit::expr::Expression::Array(items) => {
            items.iter().map(|e| ev.span(e.span())).collect()
        }
        _ => Vec::new(),
    }
}

/// The parts of a `dynamic "KIND" { for_each, iterator, labels, content }`
/// block.
pub(crate) struct DynamicSpec<'b> {
    pub kind: String,
    for_each: &'b hcl_edit::structure::Attribute,
    iterator: String,
    labels: Option<&'b hcl_edit::structure::Attribute>,
    pub content: &'b Block,
}

pub(crate) fn dynamic_spec<'b>(
    ev: &Evaluator,
    kind: String,
    body: &'b Body,
    header: Option<SourceSpan>,
) -> Result<DynamicSpec<'b>, Diagnostics> {
    let mut for_each = None;
    let mut iterator = kind.clone();
    let mut labels = None;
    let mut content = None;
    for s in body.iter() {
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
                "labels" => labels = Some(a),
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
        return Err(Diagnostic::error(
            "Missing content block",
            "A dynamic block must have a nested block of type \"content\" to describe the body of each generated block.",
        )
        .at(header)
        .into());
    };
    Ok(DynamicSpec {
        kind,
        for_each,
        iterator,
        labels,
        content,
    })
}

impl DynamicSpec<'_> {
    pub fn for_each_expr(&self) -> &hcl_edit::expr::Expression {
        &self.for_each.value
    }

    /// One child scope's worth of names per element of `for_each`: the
    /// iterator name and its `{ key, value }` object.
    pub fn items(
        &self,
        ev: &Evaluator,
        scope: &Scope,
    ) -> Result<Vec<(String, Value)>, Diagnostics> {
        let items: Vec<(Value, Value)> = match ev.eval(&self.for_each.value, scope)? {
            v @ (Value::List(_)
            | Value::Set(_)
            | Value::Tuple(_)
            | Value::Map(_)
            | Value::Object(_)) => v.into_pairs().unwrap_or_default(),
            Value::Unknown(_) => Vec::new(),
            other => {
                return Err(ev
                    .error(
                        "Invalid dynamic for_each value",
                        format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        other.friendly_type()
                    ),
                        self.for_each.value.span(),
                    )
                    .into())
            }
        };
        Ok(items
            .into_iter()
            .map(|(key, value)| {
                (
                    self.iterator.clone(),
                    Value::object([("key", key), ("value", value)]),
                )
            })
            .collect())
    }

    /// The generated block's labels, evaluated with the iterator in scope.
    pub fn labels(&self, ev: &Evaluator, inner: &Scope) -> Result<Vec<String>, Diagnostics> {
        let Some(l) = self.labels else {
            return Ok(Vec::new());
        };
        match convert(ev.eval(&l.value, inner)?, &Type::list(Type::String)) {
            Ok(Value::List(ls)) => Ok(ls
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()),
            _ => Err(ev
                .error(
                    "Invalid dynamic labels",
                    "The labels must be a list of strings.",
                    l.value.span(),
                )
                .into()),
        }
    }
}

/// Expand a `dynamic` block nested in a body into evaluated blocks.
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
    let spec = dynamic_spec(ev, kind, &b.body, header.clone())?;
    let mut out = Vec::new();
    for (name, item) in spec.items(ev, scope)? {
        let mut inner = scope.child();
        inner.set(name, item);
        let labels = spec.labels(ev, &inner)?;
        let body = evaluate(ev, &spec.content.body, &inner, header.clone())?;
        out.push(EvaluatedBlock {
            kind: spec.kind.clone(),
            labels,
            body,
            span: header.clone(),
        });
    }
    Ok(out)
}
