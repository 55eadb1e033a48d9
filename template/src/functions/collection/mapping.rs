//! Maps and objects: `keys`, `values`, `lookup`, `merge`, `transpose`
//! and `zipmap`.
//!
//! A map gives back lists and maps, an object tuples and objects, as cty's
//! result types do.

use crate::functions::args::{at, seq_at, str_at};
use crate::functions::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{convert, unify, Type, Value};
use kiln_gocompat::quote::quote as quote_str;
use std::collections::BTreeMap;

pub(super) fn register(lib: &mut Library) {
    lib.insert(
        "keys",
        Function::new(vec![Param::new("inputMap", Type::Any).unknowable()], keys),
    );
    lib.insert(
        "values",
        Function::new(vec![Param::new("values", Type::Any)], values),
    );
    lib.insert(
        "lookup",
        Function::new(
            vec![
                Param::new("inputMap", Type::Any),
                Param::new("key", Type::String),
            ],
            lookup,
        )
        .variadic(Param::new("default", Type::Any).nullable()),
    );
    lib.insert(
        "merge",
        Function::new(vec![], merge).variadic(Param::new("maps", Type::Any).nullable()),
    );
    lib.insert(
        "transpose",
        Function::new(
            vec![Param::new("values", Type::map(Type::list(Type::String)))],
            transpose,
        ),
    );
    lib.insert(
        "zipmap",
        Function::new(
            vec![
                Param::new("keys", Type::list(Type::String)),
                Param::new("values", Type::Any),
            ],
            zipmap,
        ),
    );
}

/// Keys in lexical order. An unknown object still has known attribute
/// names, so its keys are known.
fn keys(_: &CallContext, args: Vec<Value>) -> FuncResult {
    match at(&args, 0) {
        Value::Unknown(Type::Object(attrs)) => Ok(Value::Tuple(
            attrs.keys().map(|k| Value::from(k.as_str())).collect(),
        )),
        Value::Unknown(Type::Map(_)) => Ok(Value::Unknown(Type::list(Type::String))),
        Value::Unknown(Type::Any) => Ok(Value::Unknown(Type::Any)),
        Value::Map(m) => Ok(Value::List(
            m.keys().map(|k| Value::from(k.as_str())).collect(),
        )),
        Value::Object(m) => Ok(Value::Tuple(
            m.keys().map(|k| Value::from(k.as_str())).collect(),
        )),
        _ => Err(FuncError::arg(0, "must have map or object type")),
    }
}

/// Values in the lexical order of their keys.
fn values(_: &CallContext, args: Vec<Value>) -> FuncResult {
    match at(&args, 0) {
        Value::Map(m) => Ok(Value::List(m.values().cloned().collect())),
        Value::Object(m) => Ok(Value::Tuple(m.values().cloned().collect())),
        _ => Err(FuncError::new(
            "values() requires a map as the first argument",
        )),
    }
}

/// The element type of a map's values, `Any` when it has none.
fn element_type(m: &BTreeMap<String, Value>) -> Type {
    let types: Vec<Type> = m.values().map(Value::type_of).collect();
    unify(&types).unwrap_or(Type::Any)
}

/// `lookup(map, key)` or `lookup(map, key, default)`: the two-argument form
/// is Terraform's, and fails when the key is missing.
fn lookup(_: &CallContext, args: Vec<Value>) -> FuncResult {
    if args.len() > 3 {
        return Err(FuncError::arg(
            3,
            "too many arguments; lookup takes a map, a key and an optional default",
        ));
    }
    let key = str_at(&args, 1)?;
    let default = args.get(2);
    let (m, is_map) = match at(&args, 0) {
        Value::Map(m) => (m, true),
        Value::Object(m) => (m, false),
        _ => {
            return Err(FuncError::arg(
                0,
                "lookup() requires a map as the first argument",
            ))
        }
    };
    let default = match (default, is_map) {
        (Some(d), true) => Some(convert(d.clone(), &element_type(m)).map_err(|_| {
            FuncError::arg(
                2,
                "the default value must have the same type as the map elements",
            )
        })?),
        (d, _) => d.cloned(),
    };
    if !at(&args, 0).is_wholly_known() {
        return Ok(Value::Unknown(Type::Any));
    }
    if let Some(v) = m.get(key) {
        return Ok(v.clone());
    }
    default.ok_or_else(|| {
        if is_map {
            FuncError::new(format!("lookup failed to find key {}", quote_str(key)))
        } else {
            FuncError::arg(
                0,
                format!("the given object has no attribute {}", quote_str(key)),
            )
        }
    })
}

/// Later arguments win. All maps of one element type give a map; anything
/// else gives an object.
fn merge(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let mut merged = BTreeMap::new();
    let mut all_maps = true;
    let mut element_types = Vec::new();
    for arg in &args {
        match arg {
            Value::Null => {}
            Value::Map(m) => {
                if !m.is_empty() {
                    element_types.push(element_type(m));
                }
                merged.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            Value::Object(m) => {
                all_maps = false;
                merged.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            other => {
                return Err(FuncError::new(format!(
                    "arguments must be maps or objects, got {}",
                    quote_str(&other.friendly_type())
                )))
            }
        }
    }
    let same_element_type = element_types.windows(2).all(|w| w.first() == w.get(1));
    if all_maps && same_element_type && args.iter().any(|a| matches!(a, Value::Map(_))) {
        Ok(Value::Map(merged))
    } else {
        Ok(Value::Object(merged))
    }
}

/// Swap keys and values of a map of lists of strings.
fn transpose(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let input = at(&args, 0);
    if !input.is_wholly_known() {
        return Ok(Value::Unknown(Type::map(Type::list(Type::String))));
    }
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, list) in input.as_mapping().into_iter().flatten() {
        for item in list.as_seq().unwrap_or_default() {
            let value = item
                .as_str()
                .ok_or_else(|| FuncError::arg(0, "input must not contain null list elements"))?;
            out.entry(value.to_string()).or_default().push(key.clone());
        }
    }
    Ok(Value::Map(
        out.into_iter()
            .map(|(k, mut keys)| {
                keys.sort();
                (k, Value::List(keys.into_iter().map(Value::from).collect()))
            })
            .collect(),
    ))
}

/// A map (from a list of values) or an object (from a tuple) pairing each
/// key with the value at the same position.
fn zipmap(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let keys_arg = at(&args, 0);
    let (values, as_object) = match at(&args, 1) {
        Value::List(v) => (v, false),
        Value::Tuple(v) => (v, true),
        _ => {
            return Err(FuncError::arg(
                1,
                "values argument must be a list or tuple value",
            ))
        }
    };
    if !keys_arg.is_wholly_known() {
        return Ok(Value::Unknown(Type::Any));
    }
    let keys = seq_at(&args, 0)?;
    if keys.len() != values.len() {
        return Err(FuncError::new(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    let mut out = BTreeMap::new();
    for (i, (k, v)) in keys.iter().zip(values).enumerate() {
        let k = k
            .as_str()
            .ok_or_else(|| FuncError::arg(0, format!("keys list has null value at index {i}")))?;
        out.insert(k.to_string(), v.clone());
    }
    Ok(if as_object {
        Value::Object(out)
    } else {
        Value::Map(out)
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::{Type, Value};
    use std::collections::BTreeMap;

    fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::from(*s)).collect())
    }

    fn map(items: &[(&str, Value)]) -> Value {
        Value::Map(
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn obj(items: &[(&str, Value)]) -> Value {
        Value::object(items.iter().cloned())
    }

    #[test]
    fn keys_and_values() {
        let m = map(&[("b", 2.0.into()), ("a", 1.0.into())]);
        assert_eq!(call("keys", vec![m.clone()]), Ok(strs(&["a", "b"])));
        assert_eq!(
            call("values", vec![m]),
            Ok(Value::List(vec![1.0.into(), 2.0.into()]))
        );
        let o = obj(&[("z", "x".into()), ("y", true.into())]);
        assert_eq!(
            call("keys", vec![o.clone()]),
            Ok(Value::Tuple(vec!["y".into(), "z".into()]))
        );
        assert_eq!(
            call("values", vec![o]),
            Ok(Value::Tuple(vec![true.into(), "x".into()]))
        );
        assert_eq!(call("keys", vec![obj(&[])]), Ok(Value::Tuple(vec![])));
        let unknown_obj = Value::Unknown(Type::object([("b", Type::String), ("a", Type::Number)]));
        assert_eq!(
            call("keys", vec![unknown_obj]),
            Ok(Value::Tuple(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            call("keys", vec![Value::Unknown(Type::map(Type::String))]),
            Ok(Value::Unknown(Type::list(Type::String)))
        );
        assert_eq!(
            call("keys", vec![strs(&[])]),
            Err(FuncError::arg(0, "must have map or object type"))
        );
        assert_eq!(
            call("values", vec!["x".into()]),
            Err(FuncError::new(
                "values() requires a map as the first argument"
            ))
        );
    }

    #[test]
    fn lookup_with_and_without_default() {
        let m = map(&[("a", "ay".into()), ("b", "bee".into())]);
        assert_eq!(call("lookup", vec![m.clone(), "a".into()]), Ok("ay".into()));
        assert_eq!(
            call("lookup", vec![m.clone(), "c".into(), "what?".into()]),
            Ok("what?".into())
        );
        assert_eq!(
            call("lookup", vec![m.clone(), "c".into(), 1.0.into()]),
            Ok("1".into())
        );
        assert_eq!(
            call("lookup", vec![m.clone(), "c".into()]),
            Err(FuncError::new("lookup failed to find key \"c\""))
        );
        let o = obj(&[("n", 1.0.into()), ("s", "x".into())]);
        assert_eq!(call("lookup", vec![o.clone(), "n".into()]), Ok(1.0.into()));
        assert_eq!(
            call("lookup", vec![o.clone(), "z".into(), strs(&[])]),
            Ok(strs(&[]))
        );
        assert_eq!(
            call("lookup", vec![o, "z".into()]),
            Err(FuncError::arg(0, "the given object has no attribute \"z\""))
        );
        assert_eq!(
            call("lookup", vec![m.clone(), "c".into(), Value::Null]),
            Ok(Value::Null)
        );
    }

    #[test]
    fn lookup_errors() {
        let m = map(&[("a", "ay".into())]);
        assert_eq!(
            call("lookup", vec![m.clone(), "a".into(), strs(&["x"])]),
            Err(FuncError::arg(
                2,
                "the default value must have the same type as the map elements"
            ))
        );
        assert_eq!(
            call("lookup", vec![strs(&[]), "a".into()]),
            Err(FuncError::arg(
                0,
                "lookup() requires a map as the first argument"
            ))
        );
        assert_eq!(
            call("lookup", vec![m, "a".into(), "x".into(), "y".into()]).map_err(|e| e.arg),
            Err(Some(3))
        );
    }

    #[test]
    fn merge_kinds() {
        let a = map(&[("a", "b".into()), ("c", "d".into())]);
        let b = map(&[("e", "f".into()), ("c", "z".into())]);
        assert_eq!(
            call("merge", vec![a.clone(), b]),
            Ok(map(&[
                ("a", "b".into()),
                ("c", "z".into()),
                ("e", "f".into())
            ]))
        );
        let o = obj(&[("n", 1.0.into())]);
        assert_eq!(
            call("merge", vec![a, o, Value::Null]),
            Ok(obj(&[
                ("a", "b".into()),
                ("c", "d".into()),
                ("n", 1.0.into())
            ]))
        );
        let nums = map(&[("x", 1.0.into())]);
        assert_eq!(
            call("merge", vec![map(&[("a", "s".into())]), nums]),
            Ok(obj(&[("a", "s".into()), ("x", 1.0.into())]))
        );
        assert_eq!(call("merge", vec![]), Ok(obj(&[])));
        assert_eq!(
            call("merge", vec![strs(&[])]),
            Err(FuncError::new(
                "arguments must be maps or objects, got \"list of dynamic\""
            ))
        );
    }

    #[test]
    fn transpose_swaps() {
        let input = map(&[
            ("a", strs(&["1", "2"])),
            ("b", strs(&["2", "3"])),
            ("c", strs(&[])),
        ]);
        assert_eq!(
            call("transpose", vec![input]),
            Ok(map(&[
                ("1", strs(&["a"])),
                ("2", strs(&["a", "b"])),
                ("3", strs(&["b"]))
            ]))
        );
        assert_eq!(
            call("transpose", vec![map(&[])]),
            Ok(Value::Map(BTreeMap::new()))
        );
        assert!(call("transpose", vec![map(&[("a", "x".into())])]).is_err());
    }

    #[test]
    fn zipmap_pairs() {
        assert_eq!(
            call(
                "zipmap",
                vec![strs(&["a", "b"]), Value::List(vec![1.0.into(), 2.0.into()])]
            ),
            Ok(map(&[("a", 1.0.into()), ("b", 2.0.into())]))
        );
        assert_eq!(
            call(
                "zipmap",
                vec![
                    strs(&["a", "b"]),
                    Value::Tuple(vec![1.0.into(), "x".into()])
                ]
            ),
            Ok(obj(&[("a", 1.0.into()), ("b", "x".into())]))
        );
        assert_eq!(
            call("zipmap", vec![strs(&["a"]), strs(&[])]),
            Err(FuncError::new(
                "number of keys (1) does not match number of values (0)"
            ))
        );
        assert_eq!(
            call("zipmap", vec![strs(&["a"]), "x".into()]),
            Err(FuncError::arg(
                1,
                "values argument must be a list or tuple value"
            ))
        );
        assert_eq!(
            call(
                "zipmap",
                vec![
                    Value::List(vec![Value::Unknown(Type::String)]),
                    strs(&["x"])
                ]
            ),
            Ok(Value::Unknown(Type::Any))
        );
    }
}
