//! `startswith`, `endswith`, `strcontains` and `replace`.

use crate::functions::args::{at, str_at};
use crate::functions::{CallContext, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};

pub(super) fn register(lib: &mut Library) {
    // Packer answers `startswith(unknown, "")` without knowing the string.
    let maybe_unknown = || {
        vec![
            Param::new("str", Type::String).unknowable(),
            Param::new("affix", Type::String),
        ]
    };
    lib.insert("startswith", Function::new(maybe_unknown(), startswith));
    lib.insert("endswith", Function::new(maybe_unknown(), endswith));
    lib.insert(
        "strcontains",
        Function::new(
            vec![
                Param::new("str", Type::String),
                Param::new("substr", Type::String),
            ],
            strcontains,
        ),
    );
    lib.insert(
        "replace",
        Function::new(
            vec![
                Param::new("str", Type::String),
                Param::new("substr", Type::String),
                Param::new("replace", Type::String),
            ],
            replace,
        ),
    );
}

fn affix_test(args: &[Value], test: fn(&str, &str) -> bool) -> FuncResult {
    let affix = str_at(args, 1)?;
    if at(args, 0).is_unknown() {
        return Ok(if affix.is_empty() {
            Value::Bool(true)
        } else {
            Value::Unknown(Type::Bool)
        });
    }
    Ok(Value::Bool(test(str_at(args, 0)?, affix)))
}

fn startswith(_: &CallContext, args: Vec<Value>) -> FuncResult {
    affix_test(&args, |s, p| s.starts_with(p))
}

fn endswith(_: &CallContext, args: Vec<Value>) -> FuncResult {
    affix_test(&args, |s, p| s.ends_with(p))
}

fn strcontains(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(Value::Bool(str_at(&args, 0)?.contains(str_at(&args, 1)?)))
}

/// Replace every occurrence of `substr`. Unlike Terraform's, Packer's
/// `replace` is cty's plain one: `/re/` is matched literally (checked
/// against Packer 1.6.6); regular expressions go through `regex_replace`.
fn replace(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let s = str_at(&args, 0)?;
    let substr = str_at(&args, 1)?;
    let replacement = str_at(&args, 2)?;
    Ok(s.replace(substr, replacement).into())
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::{Type, Value};

    fn run(name: &str, args: &[&str]) -> Result<Value, FuncError> {
        call(name, args.iter().map(|a| Value::from(*a)).collect())
    }

    #[test]
    fn prefixes_and_suffixes() {
        assert_eq!(
            run("startswith", &["hello world", "hello"]),
            Ok(true.into())
        );
        assert_eq!(
            run("startswith", &["hello world", "world"]),
            Ok(false.into())
        );
        assert_eq!(run("startswith", &["", ""]), Ok(true.into()));
        assert_eq!(run("endswith", &["hello world", "world"]), Ok(true.into()));
        assert_eq!(run("endswith", &["hello world", "hello"]), Ok(false.into()));
        assert_eq!(run("endswith", &["hi", "high"]), Ok(false.into()));
    }

    #[test]
    fn unknown_strings() {
        let unknown = Value::Unknown(Type::String);
        assert_eq!(
            call("startswith", vec![unknown.clone(), "".into()]),
            Ok(true.into())
        );
        assert_eq!(
            call("endswith", vec![unknown, "x".into()]),
            Ok(Value::Unknown(Type::Bool))
        );
    }

    #[test]
    fn contains() {
        assert_eq!(run("strcontains", &["hello world", "wor"]), Ok(true.into()));
        assert_eq!(
            run("strcontains", &["hello world", "wod"]),
            Ok(false.into())
        );
        assert_eq!(run("strcontains", &["abc", ""]), Ok(true.into()));
    }

    #[test]
    fn replace_literal() {
        assert_eq!(
            run("replace", &["1 + 2 + 3", "+", "-"]),
            Ok("1 - 2 - 3".into())
        );
        assert_eq!(
            run("replace", &["hello world", "world", "everybody"]),
            Ok("hello everybody".into())
        );
        assert_eq!(run("replace", &["abc", "", "-"]), Ok("-a-b-c-".into()));
        assert_eq!(run("replace", &["a/b", "/", "\\"]), Ok("a\\b".into()));
    }

    #[test]
    fn replace_slashes_are_literal() {
        assert_eq!(
            run("replace", &["hello world", "/o(.)/", "0$1"]),
            Ok("hello world".into())
        );
        assert_eq!(
            run("replace", &["a/o(.)/b", "/o(.)/", "-"]),
            Ok("a-b".into())
        );
    }
}
