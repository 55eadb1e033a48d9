//! `coalesce` and `coalescelist`.

use crate::functions::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{convert, unify, Type, Value};

pub(super) fn register(lib: &mut Library) {
    lib.insert(
        "coalesce",
        Function::new(vec![], coalesce)
            .variadic(Param::new("vals", Type::Any).nullable().unknowable()),
    );
    lib.insert(
        "coalescelist",
        Function::new(vec![], coalescelist)
            .variadic(Param::new("vals", Type::Any).nullable().unknowable()),
    );
}

/// The first argument that is neither null nor an empty string, after
/// converting all of them to their common type (Packer's version, which
/// also skips empty strings).
fn coalesce(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let types: Vec<Type> = args.iter().map(Value::type_of).collect();
    let common =
        unify(&types).ok_or_else(|| FuncError::new("all arguments must have the same type"))?;
    for (i, arg) in args.into_iter().enumerate() {
        let v = convert(arg, &common).map_err(|e| FuncError::arg(i, e.to_string()))?;
        match v {
            Value::Unknown(_) => return Ok(Value::Unknown(common)),
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            v => return Ok(v),
        }
    }
    Err(FuncError::new("no non-null, non-empty-string arguments"))
}

/// The first list or tuple argument that is not empty.
fn coalescelist(_: &CallContext, args: Vec<Value>) -> FuncResult {
    if args.is_empty() {
        return Err(FuncError::new("at least one argument is required"));
    }
    for arg in &args {
        if !matches!(
            arg,
            Value::List(_)
                | Value::Tuple(_)
                | Value::Null
                | Value::Unknown(Type::Any | Type::List(_) | Type::Tuple(_))
        ) {
            return Err(FuncError::new(
                "coalescelist arguments must be lists or tuples",
            ));
        }
    }
    for arg in args {
        match arg {
            Value::Unknown(_) => return Ok(Value::Unknown(Type::Any)),
            Value::List(ref items) | Value::Tuple(ref items) if !items.is_empty() => {
                return Ok(arg)
            }
            _ => {}
        }
    }
    Err(FuncError::new("no non-null arguments"))
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::{Type, Value};

    fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::from(*s)).collect())
    }

    #[test]
    fn coalesce_skips_null_and_empty() {
        assert_eq!(
            call("coalesce", vec!["a".into(), "b".into()]),
            Ok("a".into())
        );
        assert_eq!(
            call("coalesce", vec!["".into(), "b".into()]),
            Ok("b".into())
        );
        assert_eq!(
            call("coalesce", vec![Value::Null, 2.0.into()]),
            Ok(2.0.into())
        );
        // Mixed primitives unify to string.
        assert_eq!(
            call("coalesce", vec![1.0.into(), "a".into()]),
            Ok("1".into())
        );
        assert_eq!(
            call("coalesce", vec![Value::Unknown(Type::String), "a".into()]),
            Ok(Value::Unknown(Type::String))
        );
    }

    #[test]
    fn coalesce_errors() {
        assert_eq!(
            call("coalesce", vec![Value::Null, "".into()]),
            Err(FuncError::new("no non-null, non-empty-string arguments"))
        );
        assert_eq!(
            call("coalesce", vec![]),
            Err(FuncError::new("no non-null, non-empty-string arguments"))
        );
        assert_eq!(
            call("coalesce", vec!["a".into(), strs(&["b"])]),
            Err(FuncError::new("all arguments must have the same type"))
        );
    }

    #[test]
    fn coalescelist_first_non_empty() {
        assert_eq!(
            call("coalescelist", vec![strs(&[]), strs(&["c", "d"])]),
            Ok(strs(&["c", "d"]))
        );
        assert_eq!(
            call("coalescelist", vec![strs(&["a", "b"]), strs(&["c"])]),
            Ok(strs(&["a", "b"]))
        );
        let tuple = Value::Tuple(vec![1.0.into()]);
        assert_eq!(
            call("coalescelist", vec![Value::Null, tuple.clone()]),
            Ok(tuple)
        );
        assert_eq!(
            call(
                "coalescelist",
                vec![strs(&[]), Value::Unknown(Type::list(Type::String))]
            ),
            Ok(Value::Unknown(Type::Any))
        );
    }

    #[test]
    fn coalescelist_errors() {
        assert_eq!(
            call("coalescelist", vec![]),
            Err(FuncError::new("at least one argument is required"))
        );
        assert_eq!(
            call("coalescelist", vec![strs(&[]), "a".into()]),
            Err(FuncError::new(
                "coalescelist arguments must be lists or tuples"
            ))
        );
        assert_eq!(
            call("coalescelist", vec![strs(&[]), Value::Tuple(vec![])]),
            Err(FuncError::new("no non-null arguments"))
        );
    }
}
