//! Packer's HCL2 function library.
//!
//! Each family lives in its own module and registers its functions in
//! [`library`]. A function declares typed parameters; before calling it the
//! evaluator converts every argument to its parameter's type (cty's
//! conversion rules), rejects nulls unless `allow_null`, and returns an
//! unknown result for unknown arguments unless `allow_unknown` — so the
//! implementations only ever see well-typed, known values.
//!
//! `try`, `can`, `convert`, `templatefile` and `env` need the evaluator
//! itself (lazy arguments, type expressions, a scope) and live in `eval`.

mod args;
mod collection;
mod crypto;
pub(crate) mod datetime;
mod encoding;
mod filesystem;
mod go_base64;
mod go_int;
pub mod go_text;
mod network;
mod numeric;
mod string;
#[cfg(test)]
mod testutil;
mod typeconv;

use crate::value::{Type, Value};
use std::collections::HashMap;
use std::path::PathBuf;

/// One parameter of a function.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: &'static str,
    /// The type arguments are converted to; `Type::Any` takes anything as is.
    pub ty: Type,
    pub allow_null: bool,
    pub allow_unknown: bool,
}

impl Param {
    pub fn new(name: &'static str, ty: Type) -> Param {
        Param {
            name,
            ty,
            allow_null: false,
            allow_unknown: false,
        }
    }

    #[must_use]
    pub fn nullable(mut self) -> Param {
        self.allow_null = true;
        self
    }

    #[must_use]
    pub fn unknowable(mut self) -> Param {
        self.allow_unknown = true;
        self
    }
}

/// What a function may need from its surroundings.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// Directory relative paths are resolved against (Packer: the working
    /// directory the command runs in).
    pub base_dir: PathBuf,
}

/// Why a call failed: the message, and which argument (0-based) was at fault
/// when one can be blamed, so the diagnostic can point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncError {
    pub message: String,
    pub arg: Option<usize>,
}

impl FuncError {
    pub fn new(message: impl Into<String>) -> FuncError {
        FuncError {
            message: message.into(),
            arg: None,
        }
    }

    pub fn arg(arg: usize, message: impl Into<String>) -> FuncError {
        FuncError {
            message: message.into(),
            arg: Some(arg),
        }
    }
}

pub type FuncResult = Result<Value, FuncError>;
pub type FuncImpl = fn(&CallContext, Vec<Value>) -> FuncResult;

/// A function's signature and implementation.
#[derive(Debug, Clone)]
pub struct Function {
    pub params: Vec<Param>,
    /// Extra arguments after `params`, each converted to this parameter.
    pub variadic: Option<Param>,
    pub imp: FuncImpl,
}

impl Function {
    pub fn new(params: Vec<Param>, imp: FuncImpl) -> Function {
        Function {
            params,
            variadic: None,
            imp,
        }
    }

    #[must_use]
    pub fn variadic(mut self, p: Param) -> Function {
        self.variadic = Some(p);
        self
    }
}

/// Name → function, for every function of the library.
pub type Library = HashMap<&'static str, Function>;

/// Build the complete library. Cheap enough to call once per evaluation
/// context.
pub fn library() -> Library {
    let mut lib = Library::new();
    string::register(&mut lib);
    collection::register(&mut lib);
    numeric::register(&mut lib);
    typeconv::register(&mut lib);
    encoding::register(&mut lib);
    filesystem::register(&mut lib);
    datetime::register(&mut lib);
    crypto::register(&mut lib);
    network::register(&mut lib);
    lib
}

/// Call a library function the way the evaluator does: check the argument
/// count, convert each argument to its parameter's type, reject nulls and
/// short-circuit unknowns as the parameter says, then run the function.
#[cfg(test)]
pub(crate) fn call(name: &str, args: Vec<Value>) -> FuncResult {
    let lib = library();
    let Some(f) = lib.get(name) else {
        return Err(FuncError::new(format!("no function named {name:?}")));
    };
    if args.len() < f.params.len() || (f.variadic.is_none() && args.len() > f.params.len()) {
        return Err(FuncError::new(format!(
            "wrong number of arguments to {name}: {}",
            args.len()
        )));
    }
    let ctx = CallContext {
        base_dir: PathBuf::from("."),
    };
    let mut converted = Vec::with_capacity(args.len());
    for (i, arg) in args.into_iter().enumerate() {
        let param = match f.params.get(i).or(f.variadic.as_ref()) {
            Some(p) => p,
            None => return Err(FuncError::arg(i, "too many arguments")),
        };
        if arg.is_null() && !param.allow_null {
            return Err(FuncError::arg(i, "argument must not be null"));
        }
        if arg.is_unknown() && !param.allow_unknown {
            return Ok(Value::Unknown(Type::Any));
        }
        let v = crate::value::convert(arg, &param.ty).map_err(|e| {
            FuncError::arg(
                i,
                format!("Invalid value for \"{}\" parameter: {e}.", param.name),
            )
        })?;
        converted.push(v);
    }
    (f.imp)(&ctx, converted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_families_are_registered() {
        let lib = library();
        let names = [
            // string
            "chomp",
            "endswith",
            "format",
            "formatlist",
            "indent",
            "join",
            "lower",
            "upper",
            "regex",
            "regexall",
            "regex_replace",
            "replace",
            "split",
            "startswith",
            "strcontains",
            "strrev",
            "substr",
            "title",
            "trim",
            "trimprefix",
            "trimsuffix",
            "trimspace",
            // collection
            "alltrue",
            "anytrue",
            "chunklist",
            "coalesce",
            "coalescelist",
            "compact",
            "concat",
            "contains",
            "distinct",
            "element",
            "flatten",
            "index",
            "keys",
            "length",
            "lookup",
            "merge",
            "one",
            "range",
            "reverse",
            "setintersection",
            "setproduct",
            "setsubtract",
            "setunion",
            "slice",
            "sort",
            "sum",
            "transpose",
            "values",
            "zipmap",
            // numeric
            "abs",
            "ceil",
            "floor",
            "log",
            "max",
            "min",
            "parseint",
            "pow",
            "signum",
            // type conversion
            "tobool",
            "tonumber",
            "tostring",
            "tolist",
            "toset",
            "tomap",
        ];
        let missing: Vec<&str> = names.into_iter().filter(|n| !lib.contains_key(n)).collect();
        assert!(missing.is_empty(), "missing functions: {missing:?}");
    }

    #[test]
    fn call_checks_arguments_like_the_evaluator() {
        assert!(call("upper", vec![]).is_err());
        assert!(call("upper", vec!["a".into(), "b".into()]).is_err());
        assert_eq!(
            call("upper", vec![Value::Null]),
            Err(FuncError::arg(0, "argument must not be null"))
        );
        assert_eq!(
            call("upper", vec![Value::Unknown(Type::String)]),
            Ok(Value::Unknown(Type::Any))
        );
        assert_eq!(
            call("abs", vec!["x".into()]).map_err(|e| e.arg),
            Err(Some(0))
        );
    }
}
