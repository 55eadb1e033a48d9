//! `regex`, `regexall` and `regex_replace`.

use super::go_regex::compile;
use crate::functions::args::str_at;
use crate::functions::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};
use regex::{Captures, Regex};
use std::collections::BTreeMap;

pub(super) fn register(lib: &mut Library) {
    let pattern_and_string = || {
        vec![
            Param::new("pattern", Type::String),
            Param::new("string", Type::String),
        ]
    };
    lib.insert("regex", Function::new(pattern_and_string(), regex));
    lib.insert("regexall", Function::new(pattern_and_string(), regexall));
    lib.insert(
        "regex_replace",
        Function::new(
            vec![
                Param::new("str", Type::String),
                Param::new("substr", Type::String),
                Param::new("replace", Type::String),
            ],
            regex_replace,
        ),
    );
}

/// What a match becomes, decided by the pattern's capture groups.
enum Shape {
    /// No groups: the matched text.
    Whole,
    /// Unnamed groups: a tuple of them in order.
    Positional,
    /// Named groups: an object keyed by name.
    Named,
}

fn compile_pattern(pattern: &str) -> Result<(Regex, Shape), FuncError> {
    let re =
        compile(pattern).map_err(|e| FuncError::arg(0, format!("invalid regexp pattern: {e}")))?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let named = names.iter().filter(|n| n.is_some()).count();
    let shape = match (names.len() - named, named) {
        (0, 0) => Shape::Whole,
        (_, 0) => Shape::Positional,
        (0, _) => Shape::Named,
        _ => {
            return Err(FuncError::arg(
                0,
                "invalid regexp pattern: cannot mix both named and unnamed capture groups",
            ))
        }
    };
    Ok((re, shape))
}

fn result(re: &Regex, shape: &Shape, caps: &Captures<'_>) -> Value {
    let group = |m: Option<regex::Match<'_>>| m.map_or(Value::Null, |m| m.as_str().into());
    match shape {
        Shape::Whole => group(caps.get(0)),
        Shape::Positional => Value::Tuple(caps.iter().skip(1).map(group).collect()),
        Shape::Named => Value::Object(
            re.capture_names()
                .flatten()
                .map(|name| (name.to_string(), group(caps.name(name))))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

fn regex(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let (re, shape) = compile_pattern(str_at(&args, 0)?)?;
    let s = str_at(&args, 1)?;
    let caps = re
        .captures(s)
        .ok_or_else(|| FuncError::new("pattern did not match any part of the given string"))?;
    Ok(result(&re, &shape, &caps))
}

fn regexall(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let (re, shape) = compile_pattern(str_at(&args, 0)?)?;
    let s = str_at(&args, 1)?;
    Ok(Value::List(
        re.captures_iter(s)
            .map(|caps| result(&re, &shape, &caps))
            .collect(),
    ))
}

/// Replace every match of `pattern` in `s`, expanding `$1`, `${name}` and
/// `$$` in `replacement` as Go's `Regexp.ReplaceAllString` does.
pub(super) fn replace_all(s: &str, pattern: &str, replacement: &str, arg: usize) -> FuncResult {
    let re =
        compile(pattern).map_err(|e| FuncError::arg(arg, format!("error parsing regexp: {e}")))?;
    Ok(Value::String(re.replace_all(s, replacement).into_owned()))
}

fn regex_replace(_: &CallContext, args: Vec<Value>) -> FuncResult {
    replace_all(str_at(&args, 0)?, str_at(&args, 1)?, str_at(&args, 2)?, 1)
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::Value;

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    #[test]
    fn regex_shapes() {
        assert_eq!(
            call(
                "regex",
                vec![s("[a-z]+"), s("53453453.345345aaabbbccc23454")]
            ),
            Ok(s("aaabbbccc"))
        );
        assert_eq!(
            call(
                "regex",
                vec![s(r"(\d\d\d\d)-(\d\d)-(\d\d)"), s("2019-02-01")]
            ),
            Ok(Value::Tuple(vec![s("2019"), s("02"), s("01")]))
        );
        assert_eq!(
            call(
                "regex",
                vec![
                    s(r"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                    s("https://terraform.io/docs/")
                ]
            ),
            Ok(Value::object([
                ("scheme", s("https")),
                ("authority", s("terraform.io"))
            ]))
        );
        assert_eq!(
            call("regex", vec![s("(a)|(b)"), s("b")]),
            Ok(Value::Tuple(vec![Value::Null, s("b")]))
        );
    }

    #[test]
    fn regex_errors() {
        assert_eq!(
            call("regex", vec![s("[a-z]+"), s("123")]),
            Err(FuncError::new(
                "pattern did not match any part of the given string"
            ))
        );
        assert_eq!(
            call("regex", vec![s("(?P<a>x)(y)"), s("xy")]),
            Err(FuncError::arg(
                0,
                "invalid regexp pattern: cannot mix both named and unnamed capture groups"
            ))
        );
        assert_eq!(
            call("regex", vec![s("(x"), s("xy")]),
            Err(FuncError::arg(0, "invalid regexp pattern: unclosed group"))
        );
    }

    #[test]
    fn regexall_lists_every_match() {
        assert_eq!(
            call("regexall", vec![s("[a-z]+"), s("1234abcd5678efgh9")]),
            Ok(Value::List(vec![s("abcd"), s("efgh")]))
        );
        assert_eq!(
            call("regexall", vec![s("[a-z]+"), s("123")]),
            Ok(Value::List(vec![]))
        );
        assert_eq!(
            call("regexall", vec![s("(\\w)=(\\d)"), s("a=1 b=2")]),
            Ok(Value::List(vec![
                Value::Tuple(vec![s("a"), s("1")]),
                Value::Tuple(vec![s("b"), s("2")]),
            ]))
        );
    }

    #[test]
    fn regex_replace_expands_groups() {
        assert_eq!(
            call(
                "regex_replace",
                vec![s("hello world"), s("w.*d"), s("everybody")]
            ),
            Ok(s("hello everybody"))
        );
        assert_eq!(
            call("regex_replace", vec![s("-ab-axxb-"), s("a(x*)b"), s("$1W")]),
            Ok(s("---"))
        );
        assert_eq!(
            call(
                "regex_replace",
                vec![s("-ab-axxb-"), s("a(x*)b"), s("${1}W")]
            ),
            Ok(s("-W-xxW-"))
        );
        assert_eq!(
            call("regex_replace", vec![s("baaac"), s("a*"), s("-")]),
            Ok(s("-b-c-"))
        );
        assert_eq!(
            call("regex_replace", vec![s("a1"), s("(?P<d>\\d)"), s("<$d$$>")]),
            Ok(s("a<1$>"))
        );
        assert_eq!(
            call("regex_replace", vec![s("x"), s("("), s("y")]),
            Err(FuncError::arg(1, "error parsing regexp: unclosed group"))
        );
    }
}
