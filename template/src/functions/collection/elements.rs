//! Reading elements: `element`, `index`, `contains`, `one` and `length`.

use super::equals;
use crate::functions::args::{at, count, grapheme_len, num_at, whole_number};
use crate::functions::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};

pub(super) fn register(lib: &mut Library) {
    lib.insert(
        "element",
        Function::new(
            vec![
                Param::new("list", Type::Any),
                Param::new("index", Type::Number),
            ],
            element,
        ),
    );
    lib.insert(
        "index",
        Function::new(
            vec![
                Param::new("list", Type::Any),
                Param::new("value", Type::Any),
            ],
            index,
        ),
    );
    lib.insert(
        "contains",
        Function::new(
            vec![
                Param::new("list", Type::Any),
                Param::new("value", Type::Any).unknowable(),
            ],
            contains,
        ),
    );
    lib.insert(
        "one",
        Function::new(vec![Param::new("list", Type::Any)], one),
    );
    lib.insert(
        "length",
        Function::new(vec![Param::new("value", Type::Any).unknowable()], length),
    );
}

/// The element at `index`, wrapping around past the end.
fn element(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let index = num_at(&args, 1)?;
    if index < 0.0 {
        return Err(FuncError::arg(
            1,
            "cannot use element function with a negative index",
        ));
    }
    let items = match at(&args, 0) {
        Value::List(items) | Value::Tuple(items) => items,
        other => {
            return Err(FuncError::arg(
                0,
                format!("cannot read elements from {}", other.friendly_type()),
            ))
        }
    };
    let index =
        whole_number(index).map_err(|e| FuncError::arg(1, format!("invalid index: {e}")))?;
    if items.is_empty() {
        return Err(FuncError::arg(
            0,
            "cannot use element function with an empty list",
        ));
    }
    let wrapped = usize::try_from(index).unwrap_or(0) % items.len();
    Ok(items.get(wrapped).cloned().unwrap_or(Value::Null))
}

/// Packer's `index`: the position of the first element equal to `value`.
fn index(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let items = match at(&args, 0) {
        Value::List(items) | Value::Tuple(items) => items,
        _ => return Err(FuncError::new("argument must be a list or tuple")),
    };
    if items.is_empty() {
        return Err(FuncError::new("cannot search an empty list"));
    }
    let value = at(&args, 1);
    for (i, item) in items.iter().enumerate() {
        match equals(item, value) {
            None => return Ok(Value::Unknown(Type::Number)),
            Some(true) => return Ok(count(i)),
            Some(false) => {}
        }
    }
    Err(FuncError::new("item not found"))
}

fn contains(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let items = match at(&args, 0) {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => items,
        _ => return Err(FuncError::arg(0, "argument must be list, tuple, or set")),
    };
    if items.is_empty() {
        return Ok(Value::Bool(false));
    }
    let value = at(&args, 1);
    if value.is_unknown() {
        return Ok(Value::Unknown(Type::Bool));
    }
    // An unknown element might turn out to match, but only if nothing
    // known already does.
    let mut maybe = false;
    for item in items {
        match equals(value, item) {
            Some(true) => return Ok(Value::Bool(true)),
            Some(false) => {}
            None => maybe = true,
        }
    }
    Ok(if maybe {
        Value::Unknown(Type::Bool)
    } else {
        Value::Bool(false)
    })
}

/// The only element of a zero- or one-element collection, or null.
fn one(_: &CallContext, args: Vec<Value>) -> FuncResult {
    const WRONG: &str = "must be a list, set, or tuple value with either zero or one elements";
    match at(&args, 0).as_seq() {
        Some([]) => Ok(Value::Null),
        Some([only]) => Ok(only.clone()),
        _ => Err(FuncError::arg(0, WRONG)),
    }
}

/// Elements of a collection, attributes of an object, or characters
/// (grapheme clusters) of a string.
fn length(_: &CallContext, args: Vec<Value>) -> FuncResult {
    match at(&args, 0) {
        Value::String(s) => Ok(count(grapheme_len(s))),
        Value::List(v) | Value::Set(v) | Value::Tuple(v) => Ok(count(v.len())),
        Value::Map(m) | Value::Object(m) => Ok(count(m.len())),
        Value::Unknown(Type::Tuple(types)) => Ok(count(types.len())),
        Value::Unknown(Type::Object(attrs)) => Ok(count(attrs.len())),
        Value::Unknown(Type::Any | Type::String | Type::List(_) | Type::Set(_) | Type::Map(_)) => {
            Ok(Value::Unknown(Type::Number))
        }
        _ => Err(FuncError::arg(
            0,
            "argument must be a string, a collection type, or a structural type",
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::{Type, Value};

    fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::from(*s)).collect())
    }

    #[test]
    fn element_wraps() {
        let l = strs(&["a", "b", "c"]);
        assert_eq!(call("element", vec![l.clone(), 1.0.into()]), Ok("b".into()));
        assert_eq!(call("element", vec![l.clone(), 3.0.into()]), Ok("a".into()));
        assert_eq!(call("element", vec![l, "5".into()]), Ok("c".into()));
        let t = Value::Tuple(vec![1.0.into(), "x".into()]);
        assert_eq!(call("element", vec![t, 1.0.into()]), Ok("x".into()));
    }

    #[test]
    fn element_errors() {
        let l = strs(&["a"]);
        assert_eq!(
            call("element", vec![l.clone(), (-1.0).into()]),
            Err(FuncError::arg(
                1,
                "cannot use element function with a negative index"
            ))
        );
        assert_eq!(
            call("element", vec![l, 0.5.into()]),
            Err(FuncError::arg(
                1,
                "invalid index: value must be a whole number"
            ))
        );
        assert_eq!(
            call("element", vec![strs(&[]), 0.0.into()]),
            Err(FuncError::arg(
                0,
                "cannot use element function with an empty list"
            ))
        );
        assert_eq!(
            call("element", vec![Value::set(["a".into()]), 0.0.into()]),
            Err(FuncError::arg(0, "cannot read elements from set of string"))
        );
    }

    #[test]
    fn index_finds_first() {
        let l = strs(&["a", "b", "c", "b"]);
        assert_eq!(call("index", vec![l.clone(), "b".into()]), Ok(1.0.into()));
        assert_eq!(
            call("index", vec![l.clone(), "z".into()]),
            Err(FuncError::new("item not found"))
        );
        assert_eq!(
            call("index", vec![strs(&[]), "z".into()]),
            Err(FuncError::new("cannot search an empty list"))
        );
        assert_eq!(
            call("index", vec!["abc".into(), "a".into()]),
            Err(FuncError::new("argument must be a list or tuple"))
        );
        let unknown_first = Value::Tuple(vec![Value::Unknown(Type::String), "b".into()]);
        assert_eq!(
            call("index", vec![unknown_first, "b".into()]),
            Ok(Value::Unknown(Type::Number))
        );
    }

    #[test]
    fn contains_compares_by_type_too() {
        let l = strs(&["a", "b"]);
        assert_eq!(
            call("contains", vec![l.clone(), "a".into()]),
            Ok(true.into())
        );
        assert_eq!(call("contains", vec![l, "c".into()]), Ok(false.into()));
        let nums = Value::List(vec![1.0.into(), 2.0.into()]);
        assert_eq!(call("contains", vec![nums, "1".into()]), Ok(false.into()));
        assert_eq!(
            call("contains", vec![Value::set(["x".into()]), "x".into()]),
            Ok(true.into())
        );
        assert_eq!(
            call("contains", vec![strs(&[]), "x".into()]),
            Ok(false.into())
        );
        assert_eq!(
            call("contains", vec!["abc".into(), "a".into()]),
            Err(FuncError::arg(0, "argument must be list, tuple, or set"))
        );
    }

    #[test]
    fn contains_with_unknowns() {
        let mixed = Value::Tuple(vec![Value::Unknown(Type::String), "a".into()]);
        assert_eq!(
            call("contains", vec![mixed.clone(), "a".into()]),
            Ok(true.into())
        );
        assert_eq!(
            call("contains", vec![mixed, "b".into()]),
            Ok(Value::Unknown(Type::Bool))
        );
        assert_eq!(
            call("contains", vec![strs(&["a"]), Value::Unknown(Type::String)]),
            Ok(Value::Unknown(Type::Bool))
        );
    }

    #[test]
    fn one_of_zero_or_one() {
        assert_eq!(call("one", vec![strs(&[])]), Ok(Value::Null));
        assert_eq!(call("one", vec![strs(&["a"])]), Ok("a".into()));
        assert_eq!(call("one", vec![Value::set([1.0.into()])]), Ok(1.0.into()));
        let err = FuncError::arg(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        );
        assert_eq!(call("one", vec![strs(&["a", "b"])]), Err(err.clone()));
        assert_eq!(call("one", vec!["a".into()]), Err(err));
    }

    #[test]
    fn length_of_everything() {
        assert_eq!(call("length", vec![strs(&["a", "b"])]), Ok(2.0.into()));
        assert_eq!(call("length", vec!["héllo".into()]), Ok(5.0.into()));
        assert_eq!(call("length", vec!["💃🏿".into()]), Ok(1.0.into()));
        assert_eq!(
            call("length", vec![Value::object([("a", Value::from(1.0))])]),
            Ok(1.0.into())
        );
        assert_eq!(call("length", vec![Value::Tuple(vec![])]), Ok(0.0.into()));
        assert_eq!(
            call("length", vec![Value::Unknown(Type::list(Type::String))]),
            Ok(Value::Unknown(Type::Number))
        );
        assert_eq!(
            call(
                "length",
                vec![Value::Unknown(Type::Tuple(vec![Type::String; 3]))]
            ),
            Ok(3.0.into())
        );
        assert_eq!(
            call("length", vec![5.0.into()]),
            Err(FuncError::arg(
                0,
                "argument must be a string, a collection type, or a structural type"
            ))
        );
    }
}
