//! Input variable values and their precedence, as Packer documents it:
//! declared defaults, then `PKR_VAR_*` environment variables, then
//! `*.auto.pkrvars.hcl` files in lexical order, then `-var-file` and `-var`
//! in the order given on the command line (the last one wins).

use super::model::VariableDecl;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::{EvalContext, Evaluator, Scope};
use crate::parse;
use crate::source::SourceSpan;
use crate::value::{convert, Type, Value};
use hcl_edit::structure::Structure;
use hcl_edit::Span;
use indexmap::IndexMap;
use std::path::PathBuf;

mod json_keys;

/// A variable assignment from the command line, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub enum VarArg {
    /// `-var name=value`
    Var { name: String, raw: String },
    /// `-var-file PATH`
    File(PathBuf),
}

/// How to treat values that variable files give undeclared variables.
/// Packer warns in both `validate` and `build` (an undeclared `-var` is
/// always an error); `-no-warn-undeclared-var` silences the warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strictness {
    #[default]
    Warn,
    Silent,
}

/// Where variable values come from.
#[derive(Debug, Clone, Default)]
pub struct VarInputs {
    /// `PKR_VAR_name` pairs from the environment (name without prefix).
    pub env: Vec<(String, String)>,
    pub args: Vec<VarArg>,
    pub undeclared: Strictness,
    /// Leave variables that nothing sets unknown instead of reporting
    /// them: Packer's `inspect` lists such a variable as `<unknown>`.
    pub unset_unknown: bool,
}

impl VarInputs {
    /// Collect `PKR_VAR_*` from the process environment.
    pub fn from_process_env() -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix("PKR_VAR_").map(|n| (n.to_owned(), v)))
            .collect();
        env.sort();
        env
    }
}

/// A variable's final value.
#[derive(Debug, Clone)]
pub struct VariableValue {
    pub value: Value,
    /// Where the value was written (a default or a variables file); `None`
    /// for values from the command line or the environment.
    pub origin: Option<SourceSpan>,
    pub sensitive: bool,
    pub decl: VariableDecl,
}

enum Origin {
    Env,
    File,
    Cli,
}

pub(super) struct Assigner<'a> {
    pub ctx: &'a EvalContext,
    pub decls: &'a [VariableDecl],
    pub values: IndexMap<String, (Value, Option<SourceSpan>)>,
    pub diags: Diagnostics,
    pub strictness: Strictness,
}

impl Assigner<'_> {
    fn decl(&self, name: &str) -> Option<&VariableDecl> {
        self.decls.iter().find(|d| d.name == name)
    }

    /// The type values for this variable are converted to: the declared one,
    /// else the default's.
    fn effective_type(decl: &VariableDecl) -> Type {
        decl.ty
            .clone()
            .or_else(|| {
                decl.default
                    .as_ref()
                    .filter(|d| !d.is_null())
                    .map(Value::type_of)
            })
            .unwrap_or(Type::Any)
    }

    /// A raw string from the environment or `-var`: taken literally for
    /// string variables, parsed as an HCL expression otherwise.
    pub fn assign_raw(&mut self, name: &str, raw: &str, origin_name: &str, from_env: bool) {
        let Some(decl) = self.decl(name).cloned() else {
            if !from_env {
                self.undeclared(name, None, Origin::Cli);
            }
            return;
        };
        let ty = Self::effective_type(&decl);
        let value = if ty == Type::String {
            Value::String(raw.to_owned())
        } else {
            match parse::parse_expr(&self.ctx.sources, origin_name, raw) {
                Ok((file, expr)) => {
                    match Evaluator::new(self.ctx, file).eval(&expr, &Scope::default()) {
                        Ok(v) => v,
                        // A bare word for an `any` variable is meant as a string.
                        Err(_) if ty == Type::Any => Value::String(raw.to_owned()),
                        Err(d) => {
                            self.diags.extend(d);
                            return;
                        }
                    }
                }
                Err(_) if ty == Type::Any => Value::String(raw.to_owned()),
                Err(d) => {
                    self.diags.push(d);
                    return;
                }
            }
        };
        let origin = if from_env { Origin::Env } else { Origin::Cli };
        self.set(&decl, value, None, &origin);
    }

    /// Assign every attribute of a variables file.
    pub fn assign_file(&mut self, path: &std::path::Path) {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(Diagnostic::error(
                    "Failed to read variables file",
                    format!("The file {name:?} could not be read: {e}."),
                ));
                return;
            }
        };
        if super::files::is_json(path) {
            self.assign_json_file(&name, &text);
            return;
        }
        let parsed = match parse::parse_hcl(&self.ctx.sources, &name, &text) {
            Ok(p) => p,
            Err(d) => {
                self.diags.push(d);
                return;
            }
        };
        let ev = Evaluator::new(self.ctx, parsed.file);
        for s in parsed.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let span = a.span().map(|r| SourceSpan::new(parsed.file, r));
                    let Some(decl) = self.decl(a.key.as_str()).cloned() else {
                        self.undeclared(a.key.as_str(), span, Origin::File);
                        continue;
                    };
                    match ev.eval(&a.value, &Scope::default()) {
                        Ok(v) => self.set(&decl, v, span, &Origin::File),
                        Err(d) => self.diags.extend(d),
                    }
                }
                Structure::Block(b) => self.diags.push(
                    Diagnostic::error(
                        "Unexpected block",
                        "Blocks are not allowed here: a variables file only assigns values to variables.",
                    )
                    .at(b.ident.span().map(|r| SourceSpan::new(parsed.file, r))),
                ),
            }
        }
    }

    fn assign_json_file(&mut self, name: &str, text: &str) {
        let file = self.ctx.sources.add(name, text);
        let json: serde_json::Value = match serde_json::from_str(text) {
            Ok(j) => j,
            Err(e) => {
                self.diags.push(
                    Diagnostic::error("Invalid JSON", format!("{name}: {e}."))
                        .at(SourceSpan::new(file, 0..0)),
                );
                return;
            }
        };
        let Some(obj) = json.as_object() else {
            self.diags.push(Diagnostic::error(
                "Invalid variables file",
                format!("{name}: the root of a JSON variables file must be an object."),
            ));
            return;
        };
        let keys = json_keys::top_level_keys(text);
        for (k, v) in obj {
            let span = Some(SourceSpan::new(file, keys.get(k).cloned().unwrap_or(0..0)));
            match self.decl(k).cloned() {
                Some(decl) => self.set(&decl, Value::from_json(v), span, &Origin::File),
                None => self.undeclared(k, span, Origin::File),
            }
        }
    }

    fn set(
        &mut self,
        decl: &VariableDecl,
        value: Value,
        span: Option<SourceSpan>,
        _origin: &Origin,
    ) {
        let ty = Self::effective_type(decl);
        match convert(value, &ty) {
            Ok(v) => {
                self.values.insert(decl.name.clone(), (v, span));
            }
            Err(e) => self.diags.push(
                Diagnostic::error(
                    "Invalid value for variable",
                    format!(
                        "The value for {} is not compatible with the variable's type constraint: {e}.",
                        decl.name
                    ),
                )
                .at(span.clone().or_else(|| decl.span.clone())),
            ),
        }
    }

    fn undeclared(&mut self, name: &str, span: Option<SourceSpan>, origin: Origin) {
        let hint = format!(
            "To declare variable \"{name}\", place this block in one of your .pkr.hcl files, such as variables.pkr.hcl\n\nvariable \"{name}\" {{\n  type    = string\n  default = null\n}}"
        );
        let d = match origin {
            Origin::Cli => Diagnostic::error(
                "Undefined -var variable",
                format!("A {name:?} variable was passed in but was not found in known variables. {hint}"),
            ),
            Origin::File | Origin::Env => {
                if self.strictness == Strictness::Silent {
                    return;
                }
                let text = format!("A {name:?} variable was set but was not declared. {hint}");
                Diagnostic::warning("Undefined variable", text)
            }
        };
        self.diags.push(d.at(span));
    }
}

/// Resolve every variable's value from its default and the inputs.
pub(super) fn resolve(
    ctx: &EvalContext,
    decls: &[VariableDecl],
    auto_files: &[PathBuf],
    inputs: &VarInputs,
) -> (IndexMap<String, VariableValue>, Diagnostics) {
    let mut a = Assigner {
        ctx,
        decls,
        values: IndexMap::new(),
        diags: Diagnostics::new(),
        strictness: inputs.undeclared,
    };
    for d in decls {
        if let Some(v) = &d.default {
            a.values
                .insert(d.name.clone(), (v.clone(), d.default_span.clone()));
        }
    }
    for (name, raw) in &inputs.env {
        a.assign_raw(name, raw, &format!("PKR_VAR_{name}"), true);
    }
    for f in auto_files {
        a.assign_file(f);
    }
    for arg in &inputs.args {
        match arg {
            VarArg::Var { name, raw } => a.assign_raw(name, raw, &format!("-var {name}"), false),
            VarArg::File(f) => a.assign_file(f),
        }
    }
    let mut out = IndexMap::new();
    for d in decls {
        match a.values.get(&d.name) {
            Some((v, origin)) => {
                out.insert(
                    d.name.clone(),
                    VariableValue {
                        value: v.clone(),
                        origin: origin.clone(),
                        sensitive: d.sensitive,
                        decl: d.clone(),
                    },
                );
            }
            None if inputs.unset_unknown => {
                out.insert(
                    d.name.clone(),
                    VariableValue {
                        value: Value::Unknown(d.ty.clone().unwrap_or(Type::Any)),
                        origin: None,
                        sensitive: d.sensitive,
                        decl: d.clone(),
                    },
                );
            }
            None => a.diags.push(
                Diagnostic::error(
                    format!("Unset variable {:?}", d.name),
                    "A used variable must be set or have a default value; see https://packer.io/docs/templates/hcl_templates/syntax for details.",
                )
                .at(d.span.clone()),
            ),
        }
    }
    (out, a.diags)
}

/// Check every variable's `validation` blocks against its value.
pub(super) fn validate(ctx: &EvalContext, values: &IndexMap<String, VariableValue>) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let var_object = Value::Object(
        values
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect(),
    );
    let mut scope = Scope::default();
    scope.set("var", var_object);
    for vv in values.values() {
        for rule in &vv.decl.validations {
            let ev = Evaluator::new(ctx, rule.condition.file);
            let cond = match ev.eval(&rule.condition.expr, &scope) {
                Ok(c) => c,
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            };
            let ok = match convert(cond, &Type::Bool) {
                Ok(Value::Bool(b)) => b,
                Ok(_) => continue, // unknown: cannot be checked yet
                Err(_) => {
                    diags.push(ev.error(
                        "Invalid validation condition",
                        "The condition for variable validation must be a boolean value.",
                        rule.condition.expr.span(),
                    ));
                    continue;
                }
            };
            if ok {
                continue;
            }
            let mev = Evaluator::new(ctx, rule.error_message.file);
            let message = match mev.eval(&rule.error_message.expr, &scope) {
                Ok(Value::String(s)) => s,
                Ok(other) => crate::value::format_hcl(&other),
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            };
            // Packer names the validation block as "the rule".
            let at = rule.span.clone().or_else(|| {
                rule.condition
                    .expr
                    .span()
                    .map(|r| SourceSpan::new(rule.condition.file, r))
            });
            let location = at
                .as_ref()
                .and_then(|s| {
                    let f = ctx.sources.get(s.file)?;
                    let (l, c) = f.line_col(s.range.start);
                    Some(format!("{}:{l}:{c}", f.name))
                })
                .unwrap_or_default();
            diags.push(
                Diagnostic::error(
                    "Invalid value for variable",
                    format!("{message}\n\nThis was checked by the validation rule at {location}."),
                )
                .at(vv.origin.clone().or(at)),
            );
        }
    }
    diags
}
