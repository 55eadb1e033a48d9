//! Unary and binary operators, with cty's typing rules.

use super::{decimal, EvalResult, Evaluator, Scope};
use crate::value::{convert, Type, Value};
use hcl_edit::expr::{BinaryOp, BinaryOperator, UnaryOp, UnaryOperator};
use hcl_edit::Span;

pub(super) fn unary(ev: &Evaluator, op: &UnaryOp, scope: &Scope) -> EvalResult {
    let v = ev.eval(&op.expr, scope)?;
    let (ty, name) = match op.operator.value() {
        UnaryOperator::Neg => (Type::Number, "number"),
        UnaryOperator::Not => (Type::Bool, "bool"),
    };
    let v = operand(ev, v, &ty, name, op.expr.span())?;
    Ok(match v {
        Value::Unknown(_) => Value::Unknown(ty),
        Value::Number(n) => Value::Number(-n),
        Value::Bool(b) => Value::Bool(!b),
        other => other,
    })
}

fn operand(
    ev: &Evaluator,
    v: Value,
    ty: &Type,
    name: &str,
    span: Option<std::ops::Range<usize>>,
) -> EvalResult {
    if v.is_null() {
        return Err(ev
            .error(
                "Invalid operand",
                format!("Unsuitable value for operand: a {name} is required, but got null."),
                span,
            )
            .into());
    }
    convert(v, ty).map_err(|e| {
        ev.error(
            "Invalid operand",
            format!("Unsuitable value for operand: {e}."),
            span,
        )
        .into()
    })
}

pub(super) fn binary(ev: &Evaluator, op: &BinaryOp, scope: &Scope) -> EvalResult {
    use BinaryOperator as B;
    let lhs = ev.eval(&op.lhs_expr, scope)?;
    let rhs = ev.eval(&op.rhs_expr, scope)?;
    let operator = *op.operator.value();
    match operator {
        B::Eq | B::NotEq => {
            if !lhs.is_wholly_known() || !rhs.is_wholly_known() {
                return Ok(Value::Unknown(Type::Bool));
            }
            let eq = values_equal(&lhs, &rhs);
            Ok(Value::Bool(if operator == B::Eq { eq } else { !eq }))
        }
        B::And | B::Or => {
            let l = operand(ev, lhs, &Type::Bool, "bool", op.lhs_expr.span())?;
            let r = operand(ev, rhs, &Type::Bool, "bool", op.rhs_expr.span())?;
            match (l, r) {
                (Value::Bool(a), Value::Bool(b)) => Ok(Value::Bool(if operator == B::And {
                    a && b
                } else {
                    a || b
                })),
                _ => Ok(Value::Unknown(Type::Bool)),
            }
        }
        _ => {
            let l = operand(ev, lhs, &Type::Number, "number", op.lhs_expr.span())?;
            let r = operand(ev, rhs, &Type::Number, "number", op.rhs_expr.span())?;
            let (Value::Number(a), Value::Number(b)) = (l, r) else {
                let ty = if matches!(operator, B::Less | B::LessEq | B::Greater | B::GreaterEq) {
                    Type::Bool
                } else {
                    Type::Number
                };
                return Ok(Value::Unknown(ty));
            };
            let n = |x: f64| Ok(Value::Number(x));
            match operator {
                B::Plus => n(decimal::add(a, b).unwrap_or(a + b)),
                B::Minus => n(decimal::add(a, -b).unwrap_or(a - b)),
                B::Mul => n(decimal::mul(a, b).unwrap_or(a * b)),
                B::Div if b == 0.0 => Err(ev
                    .error(
                        "Error in function call",
                        "Call to function \"divide\" failed: can't divide by zero.",
                        op.span(),
                    )
                    .into()),
                B::Div => n(a / b),
                B::Mod if b == 0.0 => Err(ev
                    .error(
                        "Error in function call",
                        "Call to function \"modulo\" failed: can't use modulo by zero.",
                        op.span(),
                    )
                    .into()),
                // cty's modulo keeps the sign of the dividend, like Go's.
                B::Mod => n(a % b),
                B::Less => Ok(Value::Bool(a < b)),
                B::LessEq => Ok(Value::Bool(a <= b)),
                B::Greater => Ok(Value::Bool(a > b)),
                B::GreaterEq => Ok(Value::Bool(a >= b)),
                _ => Ok(Value::Null),
            }
        }
    }
}

/// cty equality: values of different types are unequal, except that
/// collections compare by content (a tuple equals a list with the same
/// elements only when their types match, so we compare structurally).
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::List(x), Value::List(y))
        | (Value::Tuple(x), Value::Tuple(y))
        | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && values_equal(v1, v2))
        }
        _ => a == b,
    }
}
