//! Running parsed actions against a context.

use super::funcs;
use super::parse::{Command, Operand, Pipeline};
use super::print::{go_type_name, print_value, truth};
use super::{LegacyContext, LegacyError, MissingFields};
use crate::diagnostic::did_you_mean;
use crate::value::Value;

/// A template after parsing.
pub(crate) enum Piece {
    Text(String),
    Action(Pipeline),
    /// `{{if A}}…{{else if B}}…{{else}}…{{end}}`: the first branch whose
    /// condition is true, else `otherwise`.
    If {
        branches: Vec<(Pipeline, Vec<Piece>)>,
        otherwise: Vec<Piece>,
    },
}

pub(crate) fn execute(pieces: &[Piece], ctx: &LegacyContext) -> Result<String, LegacyError> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Action(p) => {
                let v = pipeline(p, ctx)?;
                let text = print_value(&v).map_err(|message| LegacyError::Exec {
                    offset: p.offset,
                    message,
                })?;
                out.push_str(&text);
            }
            Piece::If {
                branches,
                otherwise,
            } => {
                let mut chosen = otherwise;
                for (cond, body) in branches {
                    if truth(&pipeline(cond, ctx)?) {
                        chosen = body;
                        break;
                    }
                }
                out.push_str(&execute(chosen, ctx)?);
            }
        }
    }
    Ok(out)
}

fn pipeline(p: &Pipeline, ctx: &LegacyContext) -> Result<Value, LegacyError> {
    let mut prev: Option<Value> = None;
    for cmd in &p.cmds {
        prev = Some(command(cmd, prev, ctx)?);
    }
    Ok(prev.unwrap_or(Value::Null))
}

/// A function call gets the previous command's result as its last
/// argument; anything else takes no arguments at all.
fn command(cmd: &Command, piped: Option<Value>, ctx: &LegacyContext) -> Result<Value, LegacyError> {
    let Some((first, rest)) = cmd.args.split_first() else {
        return Err(LegacyError::syntax(cmd.offset, "missing value for command"));
    };
    match first {
        Operand::Func { name, offset } => {
            let mut args = rest
                .iter()
                .map(|a| operand(a, ctx))
                .collect::<Result<Vec<_>, _>>()?;
            args.extend(piped);
            call(ctx, name, *offset, args)
        }
        other if rest.is_empty() && piped.is_none() => operand(other, ctx),
        _ => Err(LegacyError::Exec {
            offset: cmd.offset,
            message: "can't give argument to non-function".to_owned(),
        }),
    }
}

fn call(
    ctx: &LegacyContext,
    name: &str,
    offset: usize,
    args: Vec<Value>,
) -> Result<Value, LegacyError> {
    funcs::call(ctx, name, args).map_err(|message| LegacyError::Call {
        offset,
        func: name.to_owned(),
        message,
    })
}

/// An argument: a function name alone is a call without arguments.
fn operand(op: &Operand, ctx: &LegacyContext) -> Result<Value, LegacyError> {
    match op {
        Operand::Func { name, offset } => call(ctx, name, *offset, Vec::new()),
        Operand::Field { names, offset } => field(names, *offset, ctx),
        Operand::Literal(v) => Ok(v.clone()),
        Operand::Sub(p) => pipeline(p, ctx),
    }
}

/// `.Name.Sub`: the first name is a field of the builder's data (a Go
/// struct in Packer, hence an error when absent); later names index into
/// maps, where a missing key is Go's `<no value>`.
fn field(names: &[String], offset: usize, ctx: &LegacyContext) -> Result<Value, LegacyError> {
    let Some((first, rest)) = names.split_first() else {
        return Ok(Value::Object(ctx.data.clone()));
    };
    let mut cur = match ctx.data.get(first) {
        Some(v) => v.clone(),
        None => match ctx.missing_fields {
            MissingFields::Error => {
                return Err(LegacyError::MissingField {
                    offset,
                    field: first.clone(),
                    hint: did_you_mean(first, ctx.data.keys().map(String::as_str))
                        .map(str::to_owned),
                })
            }
            MissingFields::NoValue => Value::Null,
        },
    };
    for name in rest {
        cur = match &cur {
            Value::Map(m) | Value::Object(m) => m.get(name).cloned().unwrap_or(Value::Null),
            Value::Null => {
                return Err(LegacyError::Exec {
                    offset,
                    message: format!("nil pointer evaluating field {name}"),
                })
            }
            other => {
                return Err(LegacyError::Exec {
                    offset,
                    message: format!(
                        "can't evaluate field {name} in type {}",
                        go_type_name(other)
                    ),
                })
            }
        };
    }
    Ok(cur)
}
