//! Sequences in, sequences out: `chunklist`, `compact`, `concat`,
//! `distinct`, `flatten`, `reverse`, `slice` and `sort`.
//!
//! Result kinds follow cty: a list stays a list, a tuple stays a tuple, and
//! `concat` gives a list only when every argument is a list.

use super::equals;
use crate::functions::args::{at, int_at, num_at, seq_at, whole_number};
use crate::functions::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{convert, unify, Type, Value};

pub(super) fn register(lib: &mut Library) {
    let any_list = || Type::list(Type::Any);
    lib.insert(
        "chunklist",
        Function::new(
            vec![
                Param::new("list", any_list()),
                Param::new("size", Type::Number),
            ],
            chunklist,
        ),
    );
    lib.insert(
        "compact",
        Function::new(vec![Param::new("list", Type::list(Type::String))], compact),
    );
    lib.insert(
        "concat",
        Function::new(vec![], concat).variadic(Param::new("seqs", Type::Any)),
    );
    lib.insert(
        "distinct",
        Function::new(vec![Param::new("list", any_list())], distinct),
    );
    lib.insert(
        "flatten",
        Function::new(vec![Param::new("list", Type::Any)], flatten),
    );
    lib.insert(
        "reverse",
        Function::new(vec![Param::new("list", Type::Any)], reverse),
    );
    lib.insert(
        "slice",
        Function::new(
            vec![
                Param::new("list", Type::Any),
                Param::new("start_index", Type::Number),
                Param::new("end_index", Type::Number),
            ],
            slice,
        ),
    );
    lib.insert(
        "sort",
        Function::new(vec![Param::new("list", Type::list(Type::String))], sort),
    );
}

fn chunklist(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let items = seq_at(&args, 0)?;
    let size = whole_number(num_at(&args, 1)?)
        .map_err(|e| FuncError::arg(1, format!("invalid size: {e}")))?;
    let size = usize::try_from(size)
        .map_err(|_| FuncError::arg(1, "the size argument must be positive"))?;
    if items.is_empty() {
        return Ok(Value::List(vec![]));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(items.to_vec())]));
    }
    Ok(Value::List(
        items
            .chunks(size)
            .map(|chunk| Value::List(chunk.to_vec()))
            .collect(),
    ))
}

/// Drop null and empty strings.
fn compact(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let list = at(&args, 0);
    if !list.is_wholly_known() {
        return Ok(Value::Unknown(Type::list(Type::String)));
    }
    Ok(Value::List(
        seq_at(&args, 0)?
            .iter()
            .filter(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
            .cloned()
            .collect(),
    ))
}

fn concat(_: &CallContext, args: Vec<Value>) -> FuncResult {
    if args.is_empty() {
        return Err(FuncError::new("at least one argument is required"));
    }
    if args.iter().all(|a| matches!(a, Value::List(_))) {
        let types: Vec<Type> = args.iter().map(Value::type_of).collect();
        if let Some(common) = unify(&types) {
            let mut out = Vec::new();
            for (i, list) in args.into_iter().enumerate() {
                match convert(list, &common) {
                    Ok(Value::List(items)) => out.extend(items),
                    Ok(_) => {}
                    Err(e) => return Err(FuncError::arg(i, e.to_string())),
                }
            }
            return Ok(Value::List(out));
        }
    }
    let mut out = Vec::new();
    for (i, seq) in args.into_iter().enumerate() {
        match seq {
            Value::List(items) | Value::Tuple(items) => out.extend(items),
            other => {
                return Err(FuncError::arg(
                    i,
                    format!(
                        "all arguments must be lists or tuples; got {}",
                        other.friendly_type()
                    ),
                ))
            }
        }
    }
    Ok(Value::Tuple(out))
}

/// Drop repeated elements, keeping the first of each.
fn distinct(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let list = at(&args, 0);
    if !list.is_wholly_known() {
        return Ok(Value::Unknown(list.type_of()));
    }
    let mut out: Vec<Value> = Vec::new();
    for item in seq_at(&args, 0)? {
        if !out.iter().any(|seen| equals(seen, item) == Some(true)) {
            out.push(item.clone());
        }
    }
    Ok(Value::List(out))
}

/// Replace nested lists, sets and tuples by their elements, recursively;
/// the result is a tuple.
fn flatten(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let items = at(&args, 0)
        .as_seq()
        .ok_or_else(|| FuncError::arg(0, "can only flatten lists, sets and tuples"))?;
    let mut out = Vec::new();
    if flatten_into(items, &mut out) {
        Ok(Value::Tuple(out))
    } else {
        Ok(Value::Unknown(Type::Any))
    }
}

/// False when an unknown value might be a sequence, so the result's
/// length cannot be known.
fn flatten_into(items: &[Value], out: &mut Vec<Value>) -> bool {
    for item in items {
        match item {
            Value::List(inner) | Value::Set(inner) | Value::Tuple(inner) => {
                if !flatten_into(inner, out) {
                    return false;
                }
            }
            Value::Unknown(Type::Any | Type::List(_) | Type::Set(_) | Type::Tuple(_)) => {
                return false
            }
            leaf => out.push(leaf.clone()),
        }
    }
    true
}

fn reverse(_: &CallContext, args: Vec<Value>) -> FuncResult {
    match at(&args, 0) {
        Value::Tuple(items) => Ok(Value::Tuple(items.iter().rev().cloned().collect())),
        // A set reverses as the list it converts to.
        Value::List(items) | Value::Set(items) => {
            Ok(Value::List(items.iter().rev().cloned().collect()))
        }
        other => Err(FuncError::arg(
            0,
            format!(
                "can only reverse list or tuple values, not {}",
                other.friendly_type()
            ),
        )),
    }
}

fn slice(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let (items, is_tuple) = match at(&args, 0) {
        Value::List(items) => (items, false),
        Value::Tuple(items) => (items, true),
        Value::Set(_) => {
            return Err(FuncError::arg(
                0,
                "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important",
            ))
        }
        _ => return Err(FuncError::arg(0, "must be a list or tuple value")),
    };
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let start = int_at(&args, 1)
        .map_err(|e| FuncError::arg(1, format!("invalid start index: {}", e.message)))?;
    if start < 0 {
        return Err(FuncError::arg(1, "start index must not be less than zero"));
    }
    if start > len {
        return Err(FuncError::arg(
            1,
            "start index must not be greater than the length of the list",
        ));
    }
    let end = int_at(&args, 2)
        .map_err(|e| FuncError::arg(2, format!("invalid end index: {}", e.message)))?;
    if end < 0 {
        return Err(FuncError::arg(2, "end index must not be less than zero"));
    }
    if end > len {
        return Err(FuncError::arg(
            2,
            "end index must not be greater than the length of the list",
        ));
    }
    if start > end {
        return Err(FuncError::arg(
            1,
            "start index must not be greater than end index",
        ));
    }
    let range = usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0);
    let picked = items.get(range).unwrap_or_default().to_vec();
    Ok(if is_tuple {
        Value::Tuple(picked)
    } else {
        Value::List(picked)
    })
}

/// Strings in lexical (byte) order.
fn sort(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let list = at(&args, 0);
    if !list.is_wholly_known() {
        return Ok(Value::Unknown(Type::list(Type::String)));
    }
    let mut strings = Vec::new();
    for (i, item) in seq_at(&args, 0)?.iter().enumerate() {
        match item.as_str() {
            Some(s) => strings.push(s),
            None => {
                return Err(FuncError::new(format!(
                    "given list element {i} is null; a null string cannot be sorted"
                )))
            }
        }
    }
    strings.sort_unstable();
    Ok(Value::List(strings.into_iter().map(Value::from).collect()))
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::{Type, Value};

    fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::from(*s)).collect())
    }

    fn nums(items: &[f64]) -> Value {
        Value::List(items.iter().map(|n| Value::from(*n)).collect())
    }

    #[test]
    fn chunklist_splits() {
        let l = strs(&["a", "b", "c", "d", "e"]);
        assert_eq!(
            call("chunklist", vec![l.clone(), 2.0.into()]),
            Ok(Value::List(vec![
                strs(&["a", "b"]),
                strs(&["c", "d"]),
                strs(&["e"])
            ]))
        );
        assert_eq!(
            call("chunklist", vec![l.clone(), 0.0.into()]),
            Ok(Value::List(vec![l.clone()]))
        );
        assert_eq!(
            call("chunklist", vec![strs(&[]), 3.0.into()]),
            Ok(Value::List(vec![]))
        );
        assert_eq!(
            call("chunklist", vec![l.clone(), (-1.0).into()]),
            Err(FuncError::arg(1, "the size argument must be positive"))
        );
        assert_eq!(
            call("chunklist", vec![l, 1.5.into()]),
            Err(FuncError::arg(
                1,
                "invalid size: value must be a whole number"
            ))
        );
    }

    #[test]
    fn compact_drops_empty_and_null() {
        let l = Value::List(vec!["a".into(), "".into(), Value::Null, "c".into()]);
        assert_eq!(call("compact", vec![l]), Ok(strs(&["a", "c"])));
        assert_eq!(call("compact", vec![strs(&["", ""])]), Ok(strs(&[])));
        let unknown = Value::List(vec![Value::Unknown(Type::String)]);
        assert_eq!(
            call("compact", vec![unknown]),
            Ok(Value::Unknown(Type::list(Type::String)))
        );
    }

    #[test]
    fn concat_lists_and_tuples() {
        assert_eq!(
            call("concat", vec![strs(&["a", ""]), strs(&["b", "c"])]),
            Ok(strs(&["a", "", "b", "c"]))
        );
        // Lists of different element types unify (number → string).
        assert_eq!(
            call("concat", vec![strs(&["a"]), nums(&[1.0])]),
            Ok(strs(&["a", "1"]))
        );
        assert_eq!(
            call("concat", vec![Value::Tuple(vec![1.0.into()]), strs(&["b"])]),
            Ok(Value::Tuple(vec![1.0.into(), "b".into()]))
        );
        assert_eq!(call("concat", vec![strs(&[])]), Ok(strs(&[])));
        assert_eq!(
            call("concat", vec![]),
            Err(FuncError::new("at least one argument is required"))
        );
        assert_eq!(
            call("concat", vec![strs(&["a"]), "b".into()]),
            Err(FuncError::arg(
                1,
                "all arguments must be lists or tuples; got string"
            ))
        );
        assert_eq!(
            call("concat", vec![Value::set(["a".into()])]),
            Err(FuncError::arg(
                0,
                "all arguments must be lists or tuples; got set of string"
            ))
        );
    }

    #[test]
    fn distinct_keeps_first() {
        assert_eq!(
            call("distinct", vec![strs(&["a", "b", "a", "c", "b"])]),
            Ok(strs(&["a", "b", "c"]))
        );
        assert_eq!(
            call("distinct", vec![Value::Tuple(vec![1.0.into(), "1".into()])]),
            Ok(strs(&["1"]))
        );
        assert_eq!(call("distinct", vec![strs(&[])]), Ok(strs(&[])));
    }

    #[test]
    fn flatten_nested() {
        let nested = Value::List(vec![strs(&["a", "b"]), strs(&[]), strs(&["c"])]);
        assert_eq!(
            call("flatten", vec![nested]),
            Ok(Value::Tuple(vec!["a".into(), "b".into(), "c".into()]))
        );
        let deep = Value::Tuple(vec![
            Value::Tuple(vec![1.0.into(), Value::Tuple(vec![2.0.into()])]),
            3.0.into(),
            Value::set(["x".into()]),
        ]);
        assert_eq!(
            call("flatten", vec![deep]),
            Ok(Value::Tuple(vec![
                1.0.into(),
                2.0.into(),
                3.0.into(),
                "x".into()
            ]))
        );
        assert_eq!(
            call("flatten", vec![Value::Tuple(vec![])]),
            Ok(Value::Tuple(vec![]))
        );
        assert_eq!(
            call("flatten", vec!["a".into()]),
            Err(FuncError::arg(0, "can only flatten lists, sets and tuples"))
        );
    }

    #[test]
    fn flatten_unknowns() {
        let leaf = Value::Tuple(vec![Value::Unknown(Type::String), "a".into()]);
        assert_eq!(call("flatten", vec![leaf.clone()]), Ok(leaf));
        let inner = Value::Tuple(vec![Value::Unknown(Type::list(Type::String))]);
        assert_eq!(call("flatten", vec![inner]), Ok(Value::Unknown(Type::Any)));
    }

    #[test]
    fn reverse_sequences() {
        assert_eq!(
            call("reverse", vec![strs(&["a", "b", "c"])]),
            Ok(strs(&["c", "b", "a"]))
        );
        assert_eq!(
            call("reverse", vec![Value::Tuple(vec![1.0.into(), "x".into()])]),
            Ok(Value::Tuple(vec!["x".into(), 1.0.into()]))
        );
        assert_eq!(
            call("reverse", vec![Value::set(["a".into(), "b".into()])]),
            Ok(strs(&["b", "a"]))
        );
        assert_eq!(
            call("reverse", vec!["ab".into()]),
            Err(FuncError::arg(
                0,
                "can only reverse list or tuple values, not string"
            ))
        );
    }

    #[test]
    fn slice_ranges() {
        let l = strs(&["a", "b", "c", "d"]);
        assert_eq!(
            call("slice", vec![l.clone(), 1.0.into(), 3.0.into()]),
            Ok(strs(&["b", "c"]))
        );
        assert_eq!(
            call("slice", vec![l.clone(), 2.0.into(), 2.0.into()]),
            Ok(strs(&[]))
        );
        assert_eq!(
            call("slice", vec![l.clone(), 0.0.into(), 4.0.into()]),
            Ok(l.clone())
        );
        let t = Value::Tuple(vec![1.0.into(), "x".into(), true.into()]);
        assert_eq!(
            call("slice", vec![t, 1.0.into(), 3.0.into()]),
            Ok(Value::Tuple(vec!["x".into(), true.into()]))
        );
    }

    #[test]
    fn slice_errors() {
        let l = strs(&["a", "b"]);
        let slice = |s: f64, e: f64| call("slice", vec![l.clone(), s.into(), e.into()]);
        assert_eq!(
            slice(-1.0, 1.0),
            Err(FuncError::arg(1, "start index must not be less than zero"))
        );
        assert_eq!(
            slice(3.0, 3.0),
            Err(FuncError::arg(
                1,
                "start index must not be greater than the length of the list"
            ))
        );
        assert_eq!(
            slice(0.0, 3.0),
            Err(FuncError::arg(
                2,
                "end index must not be greater than the length of the list"
            ))
        );
        assert_eq!(
            slice(2.0, 1.0),
            Err(FuncError::arg(
                1,
                "start index must not be greater than end index"
            ))
        );
        assert_eq!(
            slice(0.5, 1.0),
            Err(FuncError::arg(
                1,
                "invalid start index: value must be a whole number"
            ))
        );
        assert_eq!(
            call(
                "slice",
                vec![Value::set(["a".into()]), 0.0.into(), 1.0.into()]
            )
            .map_err(|e| e.arg),
            Err(Some(0))
        );
    }

    #[test]
    fn sort_strings_lexically() {
        assert_eq!(
            call("sort", vec![strs(&["e", "d", "a", "x"])]),
            Ok(strs(&["a", "d", "e", "x"]))
        );
        // Numbers become strings, so "10" sorts before "9".
        assert_eq!(
            call("sort", vec![nums(&[9.0, 10.0, 1.0])]),
            Ok(strs(&["1", "10", "9"]))
        );
        assert_eq!(
            call("sort", vec![Value::List(vec!["a".into(), Value::Null])]),
            Err(FuncError::new(
                "given list element 1 is null; a null string cannot be sorted"
            ))
        );
        assert_eq!(
            call(
                "sort",
                vec![Value::List(vec![Value::Unknown(Type::String)])]
            ),
            Ok(Value::Unknown(Type::list(Type::String)))
        );
    }
}
