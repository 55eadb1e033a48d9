//! Type constraint expressions: `string`, `list(number)`,
//! `object({ a = optional(string, "x") })`, `tuple([bool, any])`.

use super::{Evaluator, Scope};
use crate::diagnostic::Diagnostics;
use crate::value::{ObjectAttr, Type};
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::Span;
use std::collections::BTreeMap;

/// A parsed constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeConstraint {
    pub ty: Type,
}

/// Parse a type expression. `optional(...)` is only accepted for object
/// attributes, i.e. when `in_object_attr` is true.
pub fn parse(
    ev: &Evaluator,
    expr: &Expression,
    in_object_attr: bool,
) -> Result<TypeConstraint, Diagnostics> {
    parse_attr(ev, expr, in_object_attr).map(|a| TypeConstraint { ty: a.ty })
}

fn invalid(ev: &Evaluator, detail: impl Into<String>, expr: &Expression) -> Diagnostics {
    ev.error("Invalid type specification", detail, expr.span())
        .into()
}

fn parse_attr(
    ev: &Evaluator,
    expr: &Expression,
    in_object_attr: bool,
) -> Result<ObjectAttr, Diagnostics> {
    let expr = match expr {
        Expression::Parenthesis(p) => p.inner(),
        e => e,
    };
    match expr {
        Expression::Variable(v) => {
            let ty = match v.as_str() {
                "string" => Type::String,
                "number" => Type::Number,
                "bool" => Type::Bool,
                "any" => Type::Any,
                "list" | "map" | "set" => {
                    return Err(invalid(
                        ev,
                        format!("The {} type constructor requires one argument specifying the element type.", v.as_str()),
                        expr,
                    ))
                }
                other => {
                    return Err(invalid(ev, format!("The keyword {other:?} is not a valid type specification."), expr))
                }
            };
            Ok(ObjectAttr::required(ty))
        }
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let args: Vec<&Expression> = call.args.iter().collect();
            let one = |what: &str| -> Result<&Expression, Diagnostics> {
                match args.as_slice() {
                    [a] => Ok(*a),
                    _ => Err(invalid(ev, format!("The {what} type constructor requires one argument specifying the element type."), expr)),
                }
            };
            let ty = match name {
                "list" => Type::list(parse(ev, one("list")?, false)?.ty),
                "set" => Type::set(parse(ev, one("set")?, false)?.ty),
                "map" => Type::map(parse(ev, one("map")?, false)?.ty),
                "tuple" => {
                    let arg = one("tuple")?;
                    let Expression::Array(items) = arg else {
                        return Err(invalid(ev, "The tuple type constructor requires a list of element types.", arg));
                    };
                    Type::Tuple(
                        items
                            .iter()
                            .map(|e| parse(ev, e, false).map(|t| t.ty))
                            .collect::<Result<_, _>>()?,
                    )
                }
                "object" => {
                    let arg = one("object")?;
                    let Expression::Object(obj) = arg else {
                        return Err(invalid(ev, "The object type constructor requires one argument specifying the attribute types as a map.", arg));
                    };
                    let mut attrs = BTreeMap::new();
                    for (k, v) in obj.iter() {
                        let key = match k {
                            ObjectKey::Ident(i) => i.as_str().to_owned(),
                            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                            ObjectKey::Expression(Expression::Variable(i)) => i.as_str().to_owned(),
                            ObjectKey::Expression(e) => {
                                return Err(invalid(ev, "Object constructor map keys must be attribute names.", e))
                            }
                        };
                        attrs.insert(key, parse_attr(ev, v.expr(), true)?);
                    }
                    Type::Object(attrs)
                }
                "optional" if in_object_attr => {
                    let (ty_expr, default) = match args.as_slice() {
                        [t] => (*t, None),
                        [t, d] => (*t, Some(*d)),
                        _ => return Err(invalid(ev, "Optional attribute modifier expects one or two arguments.", expr)),
                    };
                    let ty = parse(ev, ty_expr, false)?.ty;
                    let default = match default {
                        Some(d) => {
                            let v = ev.eval(d, &Scope::default())?;
                            Some(crate::value::convert(v, &ty).map_err(|e| {
                                invalid(ev, format!("Invalid default value for optional attribute: {e}."), d)
                            })?)
                        }
                        None => None,
                    };
                    return Ok(ObjectAttr { ty, optional: true, default });
                }
                "optional" => {
                    return Err(invalid(ev, "Keyword \"optional\" is valid only as a modifier for object type attributes.", expr))
                }
                other => {
                    return Err(invalid(ev, format!("Keyword {other:?} is not a valid type constructor."), expr))
                }
            };
            Ok(ObjectAttr::required(ty))
        }
        _ => Err(invalid(ev, "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).", expr)),
    }
}
