//! Function calls: the library's functions, and the special forms that
//! need the evaluator itself (`try`, `can`, `convert`, `templatefile`, `env`).

use super::{typeexpr, EvalResult, Evaluator, Scope};
use crate::diagnostic::{did_you_mean, Diagnostics};
use crate::functions::{Function, Param};
use crate::value::{convert, Type, Value};
use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::Span;
use std::collections::HashMap;

impl Evaluator<'_> {
    pub(super) fn call(&self, call: &FuncCall, scope: &Scope) -> EvalResult {
        let name = call.name.name.as_str();
        let span = call.span();
        if !call.name.namespace.is_empty() {
            return Err(self
                .error(
                    "Call to unknown function",
                    format!("There is no function named \"{}\".", name),
                    span,
                )
                .into());
        }
        let args: Vec<&Expression> = call.args.iter().collect();
        match name {
            "try" => return self.call_try(&args, scope, span),
            "can" => return self.call_can(&args, scope, span),
            "convert" => return self.call_convert(&args, scope, span),
            "templatefile" => return self.call_templatefile(call, &args, scope),
            "env" if self.ctx.allow_env => return self.call_env(call, &args, scope),
            _ => {}
        }
        let Some(func) = self.ctx.functions.get(name) else {
            let mut d = self.error(
                "Call to unknown function",
                format!("There is no function named \"{name}\"."),
                call.name.name.span(),
            );
            let known =
                self.ctx
                    .functions
                    .keys()
                    .copied()
                    .chain(["try", "can", "convert", "templatefile"]);
            if let Some(s) = did_you_mean(name, known) {
                d = d.with_hint(format!("Did you mean \"{s}\"?"));
            }
            return Err(d.into());
        };
        let mut values = Vec::with_capacity(args.len());
        let mut spans = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let v = self.eval(a, scope)?;
            let expand = call.args.expand_final() && i + 1 == args.len();
            if expand {
                match v {
                    Value::List(items) | Value::Tuple(items) | Value::Set(items) => {
                        spans.extend(std::iter::repeat_n(a.span(), items.len()));
                        values.extend(items);
                    }
                    Value::Unknown(_) => return Ok(Value::Unknown(Type::Any)),
                    _ => {
                        return Err(self
                            .error(
                                "Invalid expanding argument value",
                                "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                                a.span(),
                            )
                            .into())
                    }
                }
            } else {
                values.push(v);
                spans.push(a.span());
            }
        }
        self.apply_function(name, func, values, &spans, span)
    }

    /// Check and convert arguments against the signature, then call.
    fn apply_function(
        &self,
        name: &str,
        func: &Function,
        values: Vec<Value>,
        spans: &[Option<std::ops::Range<usize>>],
        call_span: Option<std::ops::Range<usize>>,
    ) -> EvalResult {
        let required = func.params.len();
        if values.len() < required {
            let missing = func.params.get(values.len()).map_or("", |p| p.name);
            return Err(self
                .error(
                    "Not enough function arguments",
                    format!(
                        "Function \"{name}\" expects {required} argument(s). Missing value for \"{missing}\"."
                    ),
                    call_span,
                )
                .into());
        }
        if values.len() > required && func.variadic.is_none() {
            return Err(self
                .error(
                    "Too many function arguments",
                    format!("Function \"{name}\" expects only {required} argument(s)."),
                    spans.get(required).cloned().flatten().or(call_span),
                )
                .into());
        }
        let mut converted = Vec::with_capacity(values.len());
        let mut unknown = false;
        for (i, v) in values.into_iter().enumerate() {
            let param: &Param = match func.params.get(i).or(func.variadic.as_ref()) {
                Some(p) => p,
                None => break,
            };
            let arg_span = spans.get(i).cloned().flatten();
            if v.is_null() && !param.allow_null {
                return Err(self
                    .error(
                        "Invalid function argument",
                        format!(
                            "Invalid value for \"{}\" parameter: argument must not be null.",
                            param.name
                        ),
                        arg_span,
                    )
                    .into());
            }
            if !v.is_wholly_known() && !param.allow_unknown {
                unknown = true;
            }
            match convert(v, &param.ty) {
                Ok(c) => converted.push(c),
                Err(e) => {
                    return Err(self
                        .error(
                            "Invalid function argument",
                            format!("Invalid value for \"{}\" parameter: {e}.", param.name),
                            arg_span,
                        )
                        .into())
                }
            }
        }
        if unknown {
            return Ok(Value::Unknown(Type::Any));
        }
        (func.imp)(&self.ctx.call, converted).map_err(|e| {
            let at = e
                .arg
                .and_then(|i| spans.get(i).cloned().flatten())
                .or(call_span);
            self.error(
                "Error in function call",
                format!(
                    "Call to function \"{name}\" failed: {}.",
                    e.message.trim_end_matches('.')
                ),
                at,
            )
            .into()
        })
    }

    fn arity(
        &self,
        name: &str,
        args: &[&Expression],
        want: usize,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<(), Diagnostics> {
        if args.len() == want {
            return Ok(());
        }
        let (summary, detail) = if args.len() < want {
            (
                "Not enough function arguments",
                format!("Function \"{name}\" expects {want} argument(s)."),
            )
        } else {
            (
                "Too many function arguments",
                format!("Function \"{name}\" expects only {want} argument(s)."),
            )
        };
        Err(self.error(summary, detail, span).into())
    }

    /// `try(a, b, …)`: the first argument that evaluates without error.
    fn call_try(
        &self,
        args: &[&Expression],
        scope: &Scope,
        span: Option<std::ops::Range<usize>>,
    ) -> EvalResult {
        if args.is_empty() {
            return Err(self
                .error(
                    "Not enough function arguments",
                    "Function \"try\" expects at least one argument.",
                    span,
                )
                .into());
        }
        let mut errors = Vec::new();
        for a in args {
            match self.eval(a, scope) {
                // An unknown result might still fail once known, so the
                // whole try is unknown (as in HCL).
                Ok(v) if !v.is_wholly_known() => return Ok(Value::Unknown(Type::Any)),
                Ok(v) => return Ok(v),
                Err(d) => errors.extend(d.0.into_iter().map(|d| d.detail)),
            }
        }
        Err(self
            .error(
                "Error in function call",
                format!(
                    "Call to function \"try\" failed: no expression succeeded:\n- {}\n\nAt least one expression must produce a successful result.",
                    errors.join("\n- ")
                ),
                span,
            )
            .into())
    }

    /// `can(expr)`: whether the expression evaluates without error.
    fn call_can(
        &self,
        args: &[&Expression],
        scope: &Scope,
        span: Option<std::ops::Range<usize>>,
    ) -> EvalResult {
        self.arity("can", args, 1, span)?;
        match self.eval(args[0], scope) {
            Ok(v) if !v.is_wholly_known() => Ok(Value::Unknown(Type::Bool)),
            Ok(_) => Ok(Value::Bool(true)),
            Err(_) => Ok(Value::Bool(false)),
        }
    }

    /// `convert(value, type)`: the second argument is a type expression.
    fn call_convert(
        &self,
        args: &[&Expression],
        scope: &Scope,
        span: Option<std::ops::Range<usize>>,
    ) -> EvalResult {
        self.arity("convert", args, 2, span)?;
        let ty = typeexpr::parse(self, args[1], false)?;
        let v = self.eval(args[0], scope)?;
        convert(v, &ty.ty).map_err(|e| {
            self.error(
                "Invalid function argument",
                format!("Invalid value for \"value\" parameter: {e}."),
                args[0].span(),
            )
            .into()
        })
    }

    fn call_env(&self, call: &FuncCall, args: &[&Expression], scope: &Scope) -> EvalResult {
        self.arity("env", args, 1, call.span())?;
        let name = self.eval(args[0], scope)?;
        match convert(name, &Type::String) {
            Ok(Value::String(n)) => Ok(Value::String(std::env::var(n).unwrap_or_default())),
            Ok(v) if v.is_unknown() => Ok(Value::Unknown(Type::String)),
            _ => Err(self
                .error(
                    "Invalid function argument",
                    "Invalid value for \"key\" parameter: string required.",
                    args[0].span(),
                )
                .into()),
        }
    }

    /// `templatefile(path, vars)`: render a file as a template whose only
    /// variables are `vars` (no `var.`, `local.` etc., as in Packer).
    fn call_templatefile(
        &self,
        call: &FuncCall,
        args: &[&Expression],
        scope: &Scope,
    ) -> EvalResult {
        self.arity("templatefile", args, 2, call.span())?;
        let path = self.eval(args[0], scope)?;
        let vars = self.eval(args[1], scope)?;
        if !path.is_wholly_known() || !vars.is_wholly_known() {
            return Ok(Value::Unknown(Type::String));
        }
        let Ok(Value::String(path)) = convert(path, &Type::String) else {
            return Err(self
                .error(
                    "Invalid function argument",
                    "Invalid value for \"path\" parameter: string required.",
                    args[0].span(),
                )
                .into());
        };
        let names: HashMap<String, Value> = match vars {
            Value::Object(m) | Value::Map(m) => m.into_iter().collect(),
            _ => {
                return Err(self
                    .error(
                        "Invalid function argument",
                        "Invalid value for \"vars\" parameter: map or object required.",
                        args[1].span(),
                    )
                    .into())
            }
        };
        for name in names.keys() {
            if hcl_edit::Ident::try_new(name.as_str()).is_err() {
                return Err(self
                    .error(
                        "Error in function call",
                        format!("Call to function \"templatefile\" failed: invalid template variable name {name:?}: must start with a letter, followed by zero or more letters, digits, and underscores."),
                        args[1].span(),
                    )
                    .into());
            }
        }
        let full = self.ctx.call.base_dir.join(&path);
        let text = std::fs::read_to_string(&full).map_err(|e| {
            self.error(
                "Error in function call",
                format!(
                    "Call to function \"templatefile\" failed: no file exists at {path:?}: {e}."
                ),
                args[0].span(),
            )
        })?;
        let file = self.ctx.sources.add(path.clone(), text.clone());
        let template = hcl_edit::parser::parse_template(&text).map_err(|e| {
            crate::diagnostic::Diagnostic::error(
                "Error in function call",
                format!(
                    "Call to function \"templatefile\" failed: {path}: {}.",
                    e.message()
                ),
            )
            .at(self.span(call.span()))
        })?;
        let inner = Evaluator::new(self.ctx, file);
        let tscope = Scope::root(names);
        let v = inner.eval_template(&template, &tscope)?;
        match v {
            Value::String(_) | Value::Unknown(_) => Ok(v),
            other => convert(other, &Type::String).map_err(|e| {
                self.error(
                    "Error in function call",
                    format!("Call to function \"templatefile\" failed: {e}."),
                    call.span(),
                )
                .into()
            }),
        }
    }
}
