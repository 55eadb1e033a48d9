//! Attribute access, indexing and splats: `a.b`, `a[0]`, `a.*.b`, `a[*].b`.

use super::{EvalResult, Evaluator, Scope};
use crate::diagnostic::{did_you_mean, Diagnostics};
use crate::value::{convert, Type, Value};
use hcl_edit::expr::{Traversal, TraversalOperator};
use hcl_edit::{Decorated, Span};
use std::ops::Range;

pub(super) fn eval(ev: &Evaluator, t: &Traversal, scope: &Scope) -> EvalResult {
    let base = ev.eval(&t.expr, scope)?;
    apply(ev, base, &t.operators, scope)
}

fn apply(
    ev: &Evaluator,
    mut value: Value,
    ops: &[Decorated<TraversalOperator>],
    scope: &Scope,
) -> EvalResult {
    for (i, op) in ops.iter().enumerate() {
        let span = op.span();
        match op.value() {
            TraversalOperator::GetAttr(name) => {
                value = get_attr(ev, value, name.as_str(), span)?;
            }
            TraversalOperator::LegacyIndex(n) => {
                #[allow(clippy::cast_precision_loss)]
                let key = Value::Number(*n.value() as f64);
                value = index(ev, value, key, span)?;
            }
            TraversalOperator::Index(e) => {
                let key = ev.eval(e, scope)?;
                value = index(ev, value, key, span)?;
            }
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                let rest = &ops[i + 1..];
                // An attribute-only splat stops at the first index operator.
                let attr_only = matches!(op.value(), TraversalOperator::AttrSplat(_));
                let split = if attr_only {
                    rest.iter()
                        .position(|o| !matches!(o.value(), TraversalOperator::GetAttr(_)))
                        .unwrap_or(rest.len())
                } else {
                    rest.len()
                };
                let (each, after) = rest.split_at(split);
                let splatted = splat(ev, value, each, scope)?;
                return apply(ev, splatted, after, scope);
            }
        }
    }
    Ok(value)
}

fn splat(
    ev: &Evaluator,
    value: Value,
    each: &[Decorated<TraversalOperator>],
    scope: &Scope,
) -> EvalResult {
    let map_all = |items: Vec<Value>| -> Result<Vec<Value>, Diagnostics> {
        items
            .into_iter()
            .map(|v| apply(ev, v, each, scope))
            .collect()
    };
    match value {
        Value::Unknown(_) => Ok(Value::Unknown(Type::Any)),
        // A splat over null is an empty tuple; over a single value it
        // wraps it in a one-element tuple (HCL's "splat of non-list").
        Value::Null => Ok(Value::Tuple(Vec::new())),
        Value::List(items) | Value::Set(items) => map_all(items).map(Value::List),
        Value::Tuple(items) => map_all(items).map(Value::Tuple),
        other => map_all(vec![other]).map(Value::Tuple),
    }
}

pub(super) fn get_attr(
    ev: &Evaluator,
    value: Value,
    name: &str,
    span: Option<Range<usize>>,
) -> EvalResult {
    match value {
        Value::Unknown(_) => Ok(Value::Unknown(Type::Any)),
        Value::Object(mut m) => m.remove(name).ok_or_else(|| {
            let mut d = ev.error(
                "Unsupported attribute",
                format!("This object does not have an attribute named \"{name}\"."),
                span,
            );
            if let Some(s) = did_you_mean(name, m.keys().map(String::as_str)) {
                d = d.with_hint(format!("Did you mean \"{s}\"?"));
            }
            d.into()
        }),
        Value::Map(mut m) => m.remove(name).ok_or_else(|| {
            ev.error(
                "Missing map element",
                format!("This map does not have an element with the key \"{name}\"."),
                span,
            )
            .into()
        }),
        Value::Null => Err(ev
            .error(
                "Attempt to get attribute from null value",
                "This value is null, so it does not have any attributes.",
                span,
            )
            .into()),
        other => Err(ev
            .error(
                "Unsupported attribute",
                format!(
                    "Can't access attributes on a primitive-typed value ({}).",
                    other.friendly_type()
                ),
                span,
            )
            .into()),
    }
}

fn index(ev: &Evaluator, value: Value, key: Value, span: Option<Range<usize>>) -> EvalResult {
    if key.is_unknown() {
        return Ok(Value::Unknown(Type::Any));
    }
    let invalid =
        |detail: String| -> Diagnostics { ev.error("Invalid index", detail, span.clone()).into() };
    match value {
        Value::Unknown(_) => Ok(Value::Unknown(Type::Any)),
        Value::Null => Err(invalid("Can't use a null value as an indexed collection.".into())),
        Value::List(items) | Value::Tuple(items) => {
            let Ok(Value::Number(n)) = convert(key, &Type::Number) else {
                return Err(invalid("The given key does not identify an element in this collection value: a number is required.".into()));
            };
            if n.fract() != 0.0 || n < 0.0 || n >= items.len() as f64 {
                return Err(invalid(
                    "The given key does not identify an element in this collection value.".into(),
                ));
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let i = n as usize;
            Ok(items.into_iter().nth(i).unwrap_or(Value::Null))
        }
        Value::Map(mut m) | Value::Object(mut m) => {
            let Ok(Value::String(k)) = convert(key, &Type::String) else {
                return Err(invalid("The given key does not identify an element in this collection value: string required.".into()));
            };
            m.remove(&k).ok_or_else(|| {
                invalid("The given key does not identify an element in this collection value.".into())
            })
        }
        Value::Set(_) => Err(invalid(
            "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.".into(),
        )),
        other => Err(invalid(format!(
            "This value does not have any indices ({}).",
            other.friendly_type()
        ))),
    }
}
