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

mod collection;
mod crypto;
mod datetime;
mod encoding;
mod filesystem;
mod go_base64;
mod go_int;
mod go_quote;
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
