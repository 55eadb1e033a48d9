//! Taking strings apart and putting them together: `join`, `split`,
//! `substr`, `strrev` and `indent`. "Characters" are grapheme clusters, as
//! everywhere in cty.

use crate::functions::args::{int_at, str_at};
use crate::functions::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};
use unicode_segmentation::UnicodeSegmentation;

pub(super) fn register(lib: &mut Library) {
    lib.insert(
        "join",
        Function::new(vec![Param::new("separator", Type::String)], join)
            .variadic(Param::new("lists", Type::list(Type::String))),
    );
    lib.insert(
        "split",
        Function::new(
            vec![
                Param::new("separator", Type::String),
                Param::new("str", Type::String),
            ],
            split,
        ),
    );
    lib.insert(
        "substr",
        Function::new(
            vec![
                Param::new("str", Type::String),
                Param::new("offset", Type::Number),
                Param::new("length", Type::Number),
            ],
            substr,
        ),
    );
    lib.insert(
        "strrev",
        Function::new(vec![Param::new("str", Type::String)], strrev),
    );
    lib.insert(
        "indent",
        Function::new(
            vec![
                Param::new("spaces", Type::Number),
                Param::new("str", Type::String),
            ],
            indent,
        ),
    );
}

fn join(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let sep = str_at(&args, 0)?;
    let lists = args.get(1..).unwrap_or_default();
    if lists.is_empty() {
        return Err(FuncError::new("at least one list is required"));
    }
    if !lists.iter().all(Value::is_wholly_known) {
        return Ok(Value::Unknown(Type::String));
    }
    let mut items = Vec::new();
    for (li, list) in lists.iter().enumerate() {
        for (ei, item) in list.as_seq().unwrap_or_default().iter().enumerate() {
            match item {
                Value::String(s) => items.push(s.as_str()),
                _ if lists.len() > 1 => {
                    return Err(FuncError::arg(
                        li + 1,
                        format!(
                            "element {ei} of list {} is null; cannot concatenate null values",
                            li + 1
                        ),
                    ))
                }
                _ => {
                    return Err(FuncError::arg(
                        li + 1,
                        format!("element {ei} is null; cannot concatenate null values"),
                    ))
                }
            }
        }
    }
    Ok(items.join(sep).into())
}

/// Go's `strings.Split`: an empty separator splits between characters
/// (code points, not graphemes), and splitting "" by it gives nothing.
fn split(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let sep = str_at(&args, 0)?;
    let s = str_at(&args, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep).map(Value::from).collect()
    };
    Ok(Value::List(parts))
}

/// cty's `substr`, including its corner cases: a negative offset counts
/// from the end (and clamps to the start), an offset past the end gives
/// "", a negative length takes the rest, and a zero length with a negative
/// offset also takes the rest.
fn substr(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let s = str_at(&args, 0)?;
    let mut offset = int_at(&args, 1)?;
    let length = int_at(&args, 2)?;
    let clusters: Vec<&str> = s.graphemes(true).collect();
    let total = i64::try_from(clusters.len()).unwrap_or(i64::MAX);
    if offset < 0 {
        offset += total;
    } else if length == 0 {
        return Ok("".into());
    }
    let start = usize::try_from(offset.clamp(0, total)).unwrap_or(0);
    let rest = clusters.get(start..).unwrap_or_default();
    let take = match usize::try_from(length) {
        Ok(n) if n > 0 => n.min(rest.len()),
        _ => rest.len(),
    };
    Ok(rest.get(..take).unwrap_or_default().concat().into())
}

fn strrev(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(str_at(&args, 0)?
        .graphemes(true)
        .rev()
        .collect::<String>()
        .into())
}

/// Add `spaces` spaces after every newline, indenting all lines but the
/// first.
fn indent(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let spaces = int_at(&args, 0)?;
    let s = str_at(&args, 1)?;
    // cty panics on a negative count (Go's strings.Repeat); say why instead.
    let n = usize::try_from(spaces)
        .map_err(|_| FuncError::arg(0, "the number of spaces must not be negative"))?;
    let pad = format!("\n{}", " ".repeat(n));
    Ok(s.replace('\n', &pad).into())
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::Value;

    fn strings(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::from(*s)).collect())
    }

    fn substr(s: &str, offset: i64, length: i64) -> Value {
        call("substr", vec![s.into(), offset.into(), length.into()]).expect("substr succeeds")
    }

    #[test]
    fn join_lists() {
        assert_eq!(
            call("join", vec![", ".into(), strings(&["foo", "bar", "baz"])]),
            Ok("foo, bar, baz".into())
        );
        assert_eq!(
            call(
                "join",
                vec!["-".into(), strings(&["a"]), strings(&["b", "c"])]
            ),
            Ok("a-b-c".into())
        );
        assert_eq!(call("join", vec!["-".into(), strings(&[])]), Ok("".into()));
        assert_eq!(
            call(
                "join",
                vec!["-".into(), Value::Tuple(vec![1.0.into(), true.into()])]
            ),
            Ok("1-true".into())
        );
    }

    #[test]
    fn join_errors() {
        assert_eq!(
            call("join", vec!["-".into()]),
            Err(FuncError::new("at least one list is required"))
        );
        assert_eq!(
            call(
                "join",
                vec!["-".into(), Value::List(vec!["a".into(), Value::Null])]
            ),
            Err(FuncError::arg(
                1,
                "element 1 is null; cannot concatenate null values"
            ))
        );
        assert_eq!(
            call(
                "join",
                vec!["-".into(), strings(&["a"]), Value::List(vec![Value::Null])]
            ),
            Err(FuncError::arg(
                2,
                "element 0 of list 2 is null; cannot concatenate null values"
            ))
        );
    }

    #[test]
    fn split_like_go() {
        assert_eq!(
            call("split", vec![",".into(), "foo,bar,baz".into()]),
            Ok(strings(&["foo", "bar", "baz"]))
        );
        assert_eq!(
            call("split", vec![",".into(), "foo".into()]),
            Ok(strings(&["foo"]))
        );
        assert_eq!(
            call("split", vec![",".into(), "".into()]),
            Ok(strings(&[""]))
        );
        assert_eq!(
            call("split", vec![",".into(), ",a,".into()]),
            Ok(strings(&["", "a", ""]))
        );
        assert_eq!(
            call("split", vec!["".into(), "héy".into()]),
            Ok(strings(&["h", "é", "y"]))
        );
        assert_eq!(call("split", vec!["".into(), "".into()]), Ok(strings(&[])));
    }

    #[test]
    fn substr_cases() {
        assert_eq!(substr("hello world", 1, 4), "ello".into());
        assert_eq!(substr("🤔🤷", 0, 1), "🤔".into());
        assert_eq!(substr("hello world", -5, -1), "world".into());
        assert_eq!(substr("hello world", 6, 10), "world".into());
        assert_eq!(substr("hello world", 20, 5), "".into());
        assert_eq!(substr("hello world", -20, 5), "hello".into());
        assert_eq!(substr("hello world", 3, 0), "".into());
        assert_eq!(substr("hello world", -3, 0), "rld".into());
        assert_eq!(substr("e\u{301}tude", 0, 2), "e\u{301}t".into());
        assert_eq!(substr("", 0, 1), "".into());
    }

    #[test]
    fn substr_needs_whole_numbers() {
        assert_eq!(
            call("substr", vec!["abc".into(), 1.5.into(), 1.0.into()]),
            Err(FuncError::arg(1, "value must be a whole number"))
        );
    }

    #[test]
    fn strrev_keeps_clusters() {
        assert_eq!(call("strrev", vec!["hello".into()]), Ok("olleh".into()));
        assert_eq!(call("strrev", vec!["a☃b".into()]), Ok("b☃a".into()));
        assert_eq!(
            call("strrev", vec!["e\u{301}x".into()]),
            Ok("xe\u{301}".into())
        );
        assert_eq!(call("strrev", vec!["".into()]), Ok("".into()));
    }

    #[test]
    fn indent_lines_after_the_first() {
        assert_eq!(
            call("indent", vec![2.0.into(), "a\nb\n".into()]),
            Ok("a\n  b\n  ".into())
        );
        assert_eq!(
            call("indent", vec![0.0.into(), "a\nb".into()]),
            Ok("a\nb".into())
        );
        assert_eq!(call("indent", vec!["4".into(), "x".into()]), Ok("x".into()));
        assert!(call("indent", vec![(-1.0).into(), "a\nb".into()]).is_err());
        assert!(call("indent", vec![1.5.into(), "a".into()]).is_err());
    }
}
