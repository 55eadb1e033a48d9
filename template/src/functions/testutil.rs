//! Calling library functions from unit tests the way the evaluator will:
//! look the function up, convert each argument to its parameter's type,
//! refuse nulls, and give an unknown result for arguments that are not
//! wholly known, unless the parameter allows them.

use super::{library, CallContext, FuncError, FuncResult, Param};
use crate::value::{convert, Type, Value};
use std::path::Path;

/// Call `name` with `args`, resolving relative paths against the current
/// directory.
pub(crate) fn call(name: &str, args: Vec<Value>) -> FuncResult {
    let here = std::env::current_dir().expect("current directory");
    call_in(&here, name, args)
}

/// Call `name` with `args`, resolving relative paths against `dir`.
pub(crate) fn call_in(dir: &Path, name: &str, args: Vec<Value>) -> FuncResult {
    let lib = library();
    let f = lib
        .get(name)
        .unwrap_or_else(|| panic!("function {name} is not registered"));
    if args.len() < f.params.len() {
        return Err(FuncError::new(format!(
            "not enough arguments: {name} takes {}",
            f.params.len()
        )));
    }
    if args.len() > f.params.len() && f.variadic.is_none() {
        return Err(FuncError::new(format!(
            "too many arguments: {name} takes {}",
            f.params.len()
        )));
    }
    let mut converted = Vec::with_capacity(args.len());
    let mut unknown = false;
    for (i, arg) in args.into_iter().enumerate() {
        let param: &Param = f
            .params
            .get(i)
            .or(f.variadic.as_ref())
            .expect("a parameter for every argument");
        if arg.is_null() && !param.allow_null {
            return Err(FuncError::arg(i, "argument must not be null"));
        }
        if !arg.is_wholly_known() && !param.allow_unknown {
            unknown = true;
        }
        let v = convert(arg, &param.ty).map_err(|e| FuncError::arg(i, e.to_string()))?;
        converted.push(v);
    }
    if unknown {
        return Ok(Value::Unknown(Type::Any));
    }
    let ctx = CallContext {
        base_dir: dir.to_path_buf(),
    };
    (f.imp)(&ctx, converted)
}

/// The value of a call that must succeed.
pub(crate) fn ok(name: &str, args: Vec<Value>) -> Value {
    call(name, args).unwrap_or_else(|e| panic!("{name} failed: {}", e.message))
}

/// The message of a call that must fail.
pub(crate) fn err(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(v) => panic!("{name} succeeded with {v:?}; want an error"),
        Err(e) => e.message,
    }
}

/// A string value, shorter to write in tables of cases.
pub(crate) fn s(v: &str) -> Value {
    Value::from(v)
}

/// A number value.
pub(crate) fn n(v: f64) -> Value {
    Value::Number(v)
}

#[test]
fn io_families_are_registered() {
    let lib = library();
    let names = [
        "base64decode",
        "base64encode",
        "base64gzip",
        "csvdecode",
        "jsondecode",
        "jsonencode",
        "textdecodebase64",
        "textencodebase64",
        "urlencode",
        "yamldecode",
        "yamlencode",
        "abspath",
        "basename",
        "dirname",
        "file",
        "fileexists",
        "fileset",
        "pathexpand",
        "timestamp",
        "formatdate",
        "timeadd",
        "legacy_isotime",
        "legacy_strftime",
        "bcrypt",
        "md5",
        "sha1",
        "sha256",
        "sha512",
        "uuidv4",
        "uuidv5",
        "rsadecrypt",
        "cidrhost",
        "cidrnetmask",
        "cidrsubnet",
        "cidrsubnets",
    ];
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !lib.contains_key(n))
        .collect();
    assert!(missing.is_empty(), "not registered: {missing:?}");
}
