//! Evaluating HCL expressions to values.

use super::{operators, traversal, EvalResult, Evaluator, Scope};
use crate::diagnostic::{did_you_mean, Diagnostics};
use crate::value::{convert, unify, Type, Value};
use hcl_edit::expr::{Expression, ForExpr, ObjectKey};
use hcl_edit::Span;
use std::collections::BTreeMap;

impl Evaluator<'_> {
    /// Evaluate an expression in a scope.
    pub fn eval(&self, expr: &Expression, scope: &Scope) -> EvalResult {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => {
                let v = n.value().as_f64().unwrap_or(f64::NAN);
                // hcl-edit folds `-0` into the literal 0; cty keeps the sign.
                let negative_zero = v == 0.0 && n.as_repr().is_some_and(|r| r.starts_with('-'));
                Ok(Value::Number(if negative_zero { -0.0 } else { v }))
            }
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(items) => items
                .iter()
                .map(|e| self.eval(e, scope))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Tuple),
            Expression::Object(obj) => {
                let mut out = BTreeMap::new();
                for (key, value) in obj.iter() {
                    let name = self.object_key(key, scope)?;
                    let Some(name) = name else {
                        return Ok(Value::Unknown(Type::Any));
                    };
                    out.insert(name, self.eval(value.expr(), scope)?);
                }
                Ok(Value::Object(out))
            }
            Expression::StringTemplate(t) => self.eval_template(t, scope),
            Expression::HeredocTemplate(h) => {
                self.eval_template_dedented(&h.template, scope, h.indent())
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), scope),
            Expression::Variable(ident) => self.lookup(ident.as_str(), ident.span(), scope),
            Expression::Conditional(c) => self.conditional(c, scope),
            Expression::FuncCall(call) => self.call(call, scope),
            Expression::Traversal(t) => traversal::eval(self, t, scope),
            Expression::UnaryOp(op) => operators::unary(self, op, scope),
            Expression::BinaryOp(op) => operators::binary(self, op, scope),
            Expression::ForExpr(f) => self.for_expr(f, scope),
        }
    }

    /// `None` when the key is unknown (the whole object is then unknown).
    fn object_key(&self, key: &ObjectKey, scope: &Scope) -> Result<Option<String>, Diagnostics> {
        match key {
            ObjectKey::Ident(ident) => Ok(Some(ident.as_str().to_owned())),
            ObjectKey::Expression(e) => {
                // A bare name as key is taken literally, as in HCL.
                if let Expression::Variable(v) = e {
                    return Ok(Some(v.as_str().to_owned()));
                }
                let v = self.eval(e, scope)?;
                if v.is_unknown() {
                    return Ok(None);
                }
                match convert(v, &Type::String) {
                    Ok(Value::String(s)) => Ok(Some(s)),
                    Ok(Value::Null) => Err(self
                        .error(
                            "Invalid object key",
                            "Key expression in object constructor must not be null.",
                            e.span(),
                        )
                        .into()),
                    _ => Err(self
                        .error(
                            "Invalid object key",
                            "Key expression must be a string.",
                            e.span(),
                        )
                        .into()),
                }
            }
        }
    }

    pub(super) fn lookup(
        &self,
        name: &str,
        span: Option<std::ops::Range<usize>>,
        scope: &Scope,
    ) -> EvalResult {
        if let Some(v) = scope.get(name) {
            return Ok(v.clone());
        }
        let mut d = self.error(
            "Unknown variable",
            format!("There is no variable named \"{name}\"."),
            span,
        );
        if let Some(s) = did_you_mean(name, scope.names()) {
            d = d.with_hint(format!("Did you mean \"{s}\"?"));
        }
        Err(d.into())
    }

    fn conditional(&self, c: &hcl_edit::expr::Conditional, scope: &Scope) -> EvalResult {
        let cond = self.eval(&c.cond_expr, scope)?;
        let cond = match cond {
            Value::Unknown(_) => {
                // Both branches could be taken: the result has their common type.
                let t = self.eval(&c.true_expr, scope)?.type_of();
                let f = self.eval(&c.false_expr, scope)?.type_of();
                return Ok(Value::Unknown(unify(&[t, f]).unwrap_or(Type::Any)));
            }
            Value::Null => {
                return Err(self
                    .error(
                        "Null condition",
                        "The condition value is null. Conditions must either be true or false.",
                        c.cond_expr.span(),
                    )
                    .into())
            }
            v => convert(v, &Type::Bool).map_err(|e| {
                self.error(
                    "Incorrect condition type",
                    format!("The condition expression must be of type bool: {e}."),
                    c.cond_expr.span(),
                )
            })?,
        };
        let (taken, other) = if cond.as_bool() == Some(true) {
            (&c.true_expr, &c.false_expr)
        } else {
            (&c.false_expr, &c.true_expr)
        };
        let result = self.eval(taken, scope)?;
        // HCL gives both branches one type (`true ? 1 : "a"` is "1"); the
        // other branch only matters for its type, so its errors are ignored.
        if let Ok(o) = self.eval(other, scope) {
            if !o.is_null() && !result.is_null() {
                if let Some(t) = unify(&[result.type_of(), o.type_of()]) {
                    if t.is_primitive() {
                        if let Ok(v) = convert(result.clone(), &t) {
                            return Ok(v);
                        }
                    }
                }
            }
        }
        Ok(result)
    }

    fn for_expr(&self, f: &ForExpr, scope: &Scope) -> EvalResult {
        let coll = self.eval(&f.intro.collection_expr, scope)?;
        let items: Vec<(Value, Value)> = match coll {
            Value::Unknown(_) => return Ok(Value::Unknown(Type::Any)),
            v @ (Value::List(_) | Value::Set(_) | Value::Tuple(_) | Value::Map(_) | Value::Object(_)) => v.into_pairs().unwrap_or_default(),
            Value::Null => {
                return Err(self
                    .error(
                        "Iteration over null value",
                        "A null value cannot be used as the collection in a 'for' expression.",
                        f.intro.collection_expr.span(),
                    )
                    .into())
            }
            other => {
                return Err(self
                    .error(
                        "Iteration over non-iterable value",
                        format!(
                            "A value of type {} cannot be used as the collection in a 'for' expression.",
                            other.friendly_type()
                        ),
                        f.intro.collection_expr.span(),
                    )
                    .into())
            }
        };
        let mut tuple = Vec::new();
        let mut object: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in items {
            let mut inner = scope.child();
            if let Some(kv) = &f.intro.key_var {
                inner.set(kv.as_str(), k);
            }
            inner.set(f.intro.value_var.as_str(), v);
            if let Some(cond) = &f.cond {
                match self.eval(&cond.expr, &inner)? {
                    Value::Bool(true) => {}
                    Value::Bool(false) => continue,
                    Value::Unknown(_) => return Ok(Value::Unknown(Type::Any)),
                    other => {
                        return Err(self
                            .error(
                                "Invalid 'for' condition",
                                format!(
                                    "The 'if' clause value is invalid: bool required, got {}.",
                                    other.friendly_type()
                                ),
                                cond.expr.span(),
                            )
                            .into())
                    }
                }
            }
            let value = self.eval(&f.value_expr, &inner)?;
            match &f.key_expr {
                None => tuple.push(value),
                Some(key_expr) => {
                    let key = self.eval(key_expr, &inner)?;
                    if key.is_unknown() {
                        return Ok(Value::Unknown(Type::Any));
                    }
                    let Ok(Value::String(key)) = convert(key, &Type::String) else {
                        return Err(self
                            .error(
                                "Invalid object key",
                                "Key expression in 'for' expression must be a string.",
                                key_expr.span(),
                            )
                            .into());
                    };
                    if f.grouping {
                        groups.entry(key).or_default().push(value);
                        continue;
                    }
                    match object.entry(key) {
                        std::collections::btree_map::Entry::Vacant(slot) => {
                            slot.insert(value);
                        }
                        std::collections::btree_map::Entry::Occupied(slot) => {
                            return Err(self
                                .error(
                                    "Duplicate object key",
                                    format!(
                                        "Two different items produced the key \"{}\" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.",
                                        slot.key()
                                    ),
                                    key_expr.span(),
                                )
                                .into());
                        }
                    }
                }
            }
        }
        Ok(match (&f.key_expr, f.grouping) {
            (None, _) => Value::Tuple(tuple),
            (Some(_), true) => Value::Object(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::Tuple(v)))
                    .collect(),
            ),
            (Some(_), false) => Value::Object(object),
        })
    }
}
