//! Packer's legacy Go-template strings.
//!
//! Some builder fields (`boot_command`, `execute_command`,
//! `shutdown_command`, `ami_name`…) hold Go text/template strings such as
//! `{{ .Vars }} {{ .Path }}` or `{{ .HTTPIP }}:{{ .HTTPPort }}`, rendered
//! when the builder knows the values. [`render`] implements the part of
//! text/template Packer templates use — fields (`.Name`, `.Name.Sub`, `.`),
//! function calls with string, number, bool and field arguments,
//! parenthesised calls, pipelines (`{{ .X | upper }}`), double- and
//! back-quoted strings, `{{-`/`-}}` trim markers and `{{/* comments */}}`
//! — with Packer's functions (see `funcs`). Control actions (`if`, `range`,
//! `with`…) and variables (`$x`) are refused with a clear error.
//!
//! As Packer's `interpolate.Render`, the output is rendered again until it
//! stops changing, so a value that itself holds `{{ ... }}` is expanded too.
//! Error offsets are byte offsets into the string being rendered (the
//! original template unless an expansion produced new actions).

mod clean;
mod exec;
mod funcs;
pub mod golayout;
pub mod hcl;
mod lex;
mod parse;
mod print;

#[cfg(test)]
mod tests;

pub use clean::CleanStyle;

use crate::diagnostic::did_you_mean;
use crate::value::Value;
use exec::Piece;
use lex::Item;
use parse::Control;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything a legacy template can refer to.
#[derive(Debug, Clone, Default)]
pub struct LegacyContext {
    /// The `.Name` fields, e.g. `Vars` and `Path` for `execute_command`.
    pub data: BTreeMap<String, Value>,
    pub funcs: LegacyFuncs,
    pub missing_fields: MissingFields,
}

/// What `.Name` does when `data` has no `Name`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MissingFields {
    /// An error, as Packer's struct-backed contexts give ("can't evaluate
    /// field"): most builder fields, e.g. `boot_command`.
    #[default]
    Error,
    /// `<no value>`, as Packer's map-backed contexts print.
    NoValue,
}

/// What Packer's template functions read.
#[derive(Debug, Clone)]
pub struct LegacyFuncs {
    /// `build_name` and `build_type`; unset makes them an error.
    pub build_name: Option<String>,
    pub build_type: Option<String>,
    /// Values for `{{ user `name` }}`; unset makes `user` an error.
    pub user_variables: Option<BTreeMap<String, String>>,
    /// Whether `env` may read the environment (Packer allows it only in
    /// variable defaults).
    pub enable_env: bool,
    /// The template file, for `template_dir`.
    pub template_path: Option<PathBuf>,
    pub packer_version: Option<String>,
    /// The build's start time, for `timestamp`, `isotime` and `strftime`.
    /// Packer takes it once per run, so every field agrees: share one value
    /// across a build's contexts.
    pub init_time: jiff::Timestamp,
    /// The builder's `clean_resource_name`, if it has one.
    pub clean_resource_name: Option<CleanStyle>,
    /// Further functions a builder offers; these win over built-in ones
    /// of the same name.
    pub extra: BTreeMap<String, ExtraFunc>,
}

impl Default for LegacyFuncs {
    fn default() -> LegacyFuncs {
        LegacyFuncs {
            build_name: None,
            build_type: None,
            user_variables: None,
            enable_env: false,
            template_path: None,
            packer_version: None,
            init_time: jiff::Timestamp::now(),
            clean_resource_name: None,
            extra: BTreeMap::new(),
        }
    }
}

/// The signature of a builder's own function: arguments in, value or
/// error message out.
pub type ExtraFn = dyn Fn(&[Value]) -> Result<Value, String> + Send + Sync;

/// A function a builder adds.
#[derive(Clone)]
pub struct ExtraFunc(pub Arc<ExtraFn>);

impl fmt::Debug for ExtraFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExtraFunc(..)")
    }
}

impl LegacyContext {
    pub fn new(data: BTreeMap<String, Value>) -> LegacyContext {
        LegacyContext {
            data,
            ..LegacyContext::default()
        }
    }
}

/// Why a template could not be rendered. Offsets are bytes into the
/// template.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LegacyError {
    #[error("template: offset {offset}: {message}")]
    Syntax { offset: usize, message: String },
    #[error("template: offset {offset}: function \"{name}\" not defined{}", did_you(hint.as_deref(), ""))]
    UnknownFunction {
        offset: usize,
        name: String,
        hint: Option<String>,
    },
    #[error("template: offset {offset}: can't evaluate field {field}{}", did_you(hint.as_deref(), "."))]
    MissingField {
        offset: usize,
        field: String,
        hint: Option<String>,
    },
    #[error("template: offset {offset}: error calling {func}: {message}")]
    Call {
        offset: usize,
        func: String,
        message: String,
    },
    #[error("template: offset {offset}: {message}")]
    Exec { offset: usize, message: String },
    #[error("template keeps producing new actions after {0} rounds of rendering")]
    TooManyRounds(usize),
}

fn did_you(hint: Option<&str>, prefix: &str) -> String {
    hint.map(|h| format!("; did you mean {prefix}{h}?"))
        .unwrap_or_default()
}

impl LegacyError {
    pub(crate) fn syntax(offset: usize, message: impl Into<String>) -> LegacyError {
        LegacyError::Syntax {
            offset,
            message: message.into(),
        }
    }

    /// Byte offset of the problem, when it has one.
    pub fn offset(&self) -> Option<usize> {
        match self {
            LegacyError::Syntax { offset, .. }
            | LegacyError::UnknownFunction { offset, .. }
            | LegacyError::MissingField { offset, .. }
            | LegacyError::Call { offset, .. }
            | LegacyError::Exec { offset, .. } => Some(*offset),
            LegacyError::TooManyRounds(_) => None,
        }
    }
}

/// Rounds of re-rendering before giving up on a template whose output keeps
/// containing new actions (Packer would loop forever).
const MAX_ROUNDS: usize = 8;

/// Render `template`, then its output again, until nothing changes.
pub fn render(template: &str, ctx: &LegacyContext) -> Result<String, LegacyError> {
    let mut current = template.to_owned();
    for _ in 0..MAX_ROUNDS {
        let next = render_once(&current, ctx)?;
        if next == current || !next.contains("{{") {
            return Ok(next);
        }
        current = next;
    }
    Err(LegacyError::TooManyRounds(MAX_ROUNDS))
}

/// Render `template` once, without expanding actions its output contains.
pub fn render_once(template: &str, ctx: &LegacyContext) -> Result<String, LegacyError> {
    let pieces = parse_checked(template, ctx)?;
    exec::execute(&pieces, ctx)
}

/// Check that `template` parses and calls only functions `ctx` has, as
/// Packer validates templates when a configuration is prepared.
pub fn validate(template: &str, ctx: &LegacyContext) -> Result<(), LegacyError> {
    parse_checked(template, ctx).map(|_| ())
}

/// Render the actions of `template` that need no data (function calls
/// such as `{{ user `x` }}` or `{{ timestamp }}`) and keep the others
/// (`{{ .HTTPIP }}`) as they are written, for the component that has the
/// data. Rendered output is rendered again, as [`render`] does. This is
/// how a legacy JSON template's values get what Packer's core renders
/// before a component sees them.
pub fn render_functions(template: &str, ctx: &LegacyContext) -> Result<String, LegacyError> {
    let mut current = template.to_owned();
    for _ in 0..MAX_ROUNDS {
        let next = render_functions_once(&current, ctx)?;
        if next == current {
            return Ok(next);
        }
        current = next;
    }
    Err(LegacyError::TooManyRounds(MAX_ROUNDS))
}

fn render_functions_once(template: &str, ctx: &LegacyContext) -> Result<String, LegacyError> {
    let mut out = String::new();
    for item in lex::lex(template)? {
        match item {
            Item::Text(t) => out.push_str(&t),
            Item::Action {
                offset,
                end,
                tokens,
            } => {
                // Control actions are left for the component that renders
                // the whole template.
                if parse::control(&tokens, offset)?.is_some() {
                    out.push_str(template.get(offset..end).unwrap_or_default());
                    continue;
                }
                let p = parse::parse(&tokens, offset)?;
                if p.reads_data() {
                    out.push_str(template.get(offset..end).unwrap_or_default());
                    continue;
                }
                out.push_str(&exec::execute(&[Piece::Action(p)], ctx)?);
            }
        }
    }
    Ok(out)
}

fn parse_checked(template: &str, ctx: &LegacyContext) -> Result<Vec<Piece>, LegacyError> {
    let mut items = lex::lex(template)?.into_iter();
    match block(&mut items, ctx)? {
        (pieces, Ending::Eof) => Ok(pieces),
        (_, Ending::Else(at) | Ending::ElseIf(at, _)) => {
            Err(LegacyError::syntax(at, "unexpected {{else}}"))
        }
        (_, Ending::End(at)) => Err(LegacyError::syntax(at, "unexpected {{end}}")),
    }
}

/// What ended a run of pieces.
enum Ending {
    Eof,
    Else(usize),
    ElseIf(usize, parse::Pipeline),
    End(usize),
}

/// Pieces up to the next `{{else}}`/`{{end}}` (or the end), with nested
/// `if` blocks.
fn block(
    items: &mut std::vec::IntoIter<Item>,
    ctx: &LegacyContext,
) -> Result<(Vec<Piece>, Ending), LegacyError> {
    let mut pieces = Vec::new();
    while let Some(item) = items.next() {
        match item {
            Item::Text(t) => pieces.push(Piece::Text(t)),
            Item::Action { offset, tokens, .. } => match parse::control(&tokens, offset)? {
                None => {
                    let p = parse::parse(&tokens, offset)?;
                    check_functions(&p, ctx)?;
                    pieces.push(Piece::Action(p));
                }
                Some(Control::Else) => return Ok((pieces, Ending::Else(offset))),
                Some(Control::ElseIf(p)) => return Ok((pieces, Ending::ElseIf(offset, p))),
                Some(Control::End) => return Ok((pieces, Ending::End(offset))),
                Some(Control::If(mut cond)) => {
                    let mut branches = Vec::new();
                    let otherwise = loop {
                        check_functions(&cond, ctx)?;
                        let (body, end) = block(items, ctx)?;
                        branches.push((cond, body));
                        match end {
                            Ending::End(_) => break Vec::new(),
                            Ending::ElseIf(_, next) => cond = next,
                            Ending::Else(_) => match block(items, ctx)? {
                                (rest, Ending::End(_)) => break rest,
                                (_, Ending::Else(at) | Ending::ElseIf(at, _)) => {
                                    return Err(LegacyError::syntax(
                                        at,
                                        "expected end; found {{else}}",
                                    ))
                                }
                                (_, Ending::Eof) => {
                                    return Err(LegacyError::syntax(offset, "unexpected EOF"))
                                }
                            },
                            Ending::Eof => {
                                return Err(LegacyError::syntax(offset, "unexpected EOF"))
                            }
                        }
                    };
                    pieces.push(Piece::If {
                        branches,
                        otherwise,
                    });
                }
            },
        }
    }
    Ok((pieces, Ending::Eof))
}

/// text/template rejects unknown functions when it parses, before running
/// anything.
fn check_functions(p: &parse::Pipeline, ctx: &LegacyContext) -> Result<(), LegacyError> {
    let mut called = Vec::new();
    p.functions(&mut called);
    if let Some((name, at)) = called.into_iter().find(|(n, _)| !funcs::is_defined(ctx, n)) {
        let names = funcs::NAMES
            .iter()
            .copied()
            .chain(ctx.funcs.extra.keys().map(String::as_str));
        let hint = did_you_mean(&name, names).map(str::to_owned);
        return Err(LegacyError::UnknownFunction {
            offset: at,
            name,
            hint,
        });
    }
    Ok(())
}
