//! `setunion`, `setintersection`, `setsubtract` and `setproduct`.
//!
//! Arguments are first converted to one common element type, so
//! `setunion(["1"], [1])` is a single-element set of strings, as in cty.

use super::equals;
use crate::functions::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{convert, unify, Type, Value};

pub(super) fn register(lib: &mut Library) {
    let set = |name| Param::new(name, Type::set(Type::Any));
    lib.insert(
        "setunion",
        Function::new(vec![set("first_set")], setunion).variadic(set("other_sets")),
    );
    lib.insert(
        "setintersection",
        Function::new(vec![set("first_set")], setintersection).variadic(set("other_sets")),
    );
    lib.insert(
        "setsubtract",
        Function::new(vec![set("a"), set("b")], setsubtract),
    );
    lib.insert(
        "setproduct",
        Function::new(vec![], setproduct).variadic(Param::new("sets", Type::Any)),
    );
}

/// The sets' elements, all converted to the sets' common element type.
fn common_sets(args: Vec<Value>) -> Result<(Vec<Vec<Value>>, Type), FuncError> {
    let element_types: Vec<Type> = args
        .iter()
        .filter(|a| a.as_seq().is_some_and(|items| !items.is_empty()))
        .map(|a| a.type_of().element_type().cloned().unwrap_or(Type::Any))
        .collect();
    let element = unify(&element_types)
        .ok_or_else(|| FuncError::new("given sets must all have compatible element types"))?;
    let set_type = Type::set(element.clone());
    let mut sets = Vec::with_capacity(args.len());
    for (i, arg) in args.into_iter().enumerate() {
        match convert(arg, &set_type) {
            Ok(Value::Set(items)) => sets.push(items),
            Ok(_) => sets.push(Vec::new()),
            Err(e) => return Err(FuncError::arg(i, e.to_string())),
        }
    }
    Ok((sets, element))
}

fn contains(set: &[Value], v: &Value) -> bool {
    set.iter().any(|item| equals(item, v) == Some(true))
}

fn setunion(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let (sets, _) = common_sets(args)?;
    Ok(Value::set(sets.into_iter().flatten()))
}

fn setintersection(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let known = args.iter().all(Value::is_wholly_known);
    let (sets, element) = common_sets(args)?;
    // An unknown element could turn out equal to any other.
    if !known {
        return Ok(Value::Unknown(Type::set(element)));
    }
    let mut sets = sets.into_iter();
    let first = sets.next().unwrap_or_default();
    let rest: Vec<Vec<Value>> = sets.collect();
    Ok(Value::set(
        first
            .into_iter()
            .filter(|v| rest.iter().all(|other| contains(other, v))),
    ))
}

fn setsubtract(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let known = args.iter().all(Value::is_wholly_known);
    let (sets, element) = common_sets(args)?;
    if !known {
        return Ok(Value::Unknown(Type::set(element)));
    }
    let mut sets = sets.into_iter();
    let first = sets.next().unwrap_or_default();
    let second = sets.next().unwrap_or_default();
    Ok(Value::set(
        first.into_iter().filter(|v| !contains(&second, v)),
    ))
}

/// Every combination of one element from each argument, as tuples: a list
/// when all arguments are lists (or tuples), otherwise a set.
fn setproduct(_: &CallContext, args: Vec<Value>) -> FuncResult {
    if args.len() < 2 {
        return Err(FuncError::new("at least two arguments are required"));
    }
    let mut all_lists = true;
    let mut columns: Vec<Vec<Value>> = Vec::with_capacity(args.len());
    for (i, arg) in args.into_iter().enumerate() {
        let element = match &arg {
            Value::Set(_) => {
                all_lists = false;
                arg.type_of().element_type().cloned().unwrap_or(Type::Any)
            }
            Value::List(_) => arg.type_of().element_type().cloned().unwrap_or(Type::Any),
            Value::Tuple(items) => {
                let types: Vec<Type> = items.iter().map(Value::type_of).collect();
                unify(&types)
                    .ok_or_else(|| FuncError::arg(i, "all elements must be of the same type"))?
            }
            _ => return Err(FuncError::arg(i, "a set or a list is required")),
        };
        let items = match arg {
            Value::Set(items) | Value::List(items) | Value::Tuple(items) => items,
            _ => Vec::new(),
        };
        let converted = items
            .into_iter()
            .map(|v| convert(v, &element))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| FuncError::arg(i, e.to_string()))?;
        columns.push(converted);
    }
    let mut product: Vec<Vec<Value>> = vec![Vec::new()];
    for column in &columns {
        product = product
            .iter()
            .flat_map(|prefix| {
                column.iter().map(move |v| {
                    let mut row = prefix.clone();
                    row.push(v.clone());
                    row
                })
            })
            .collect();
    }
    let rows = product.into_iter().map(Value::Tuple);
    Ok(if all_lists {
        Value::List(rows.collect())
    } else {
        Value::set(rows)
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::{Type, Value};

    fn set(items: &[&str]) -> Value {
        Value::set(items.iter().map(|s| Value::from(*s)))
    }

    fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::from(*s)).collect())
    }

    fn pair(a: &str, b: &str) -> Value {
        Value::Tuple(vec![a.into(), b.into()])
    }

    #[test]
    fn union() {
        assert_eq!(
            call(
                "setunion",
                vec![strs(&["a", "b"]), strs(&["b", "c"]), strs(&["d"])]
            ),
            Ok(set(&["a", "b", "c", "d"]))
        );
        assert_eq!(
            call(
                "setunion",
                vec![strs(&["1"]), Value::List(vec![1.0.into()])]
            ),
            Ok(set(&["1"]))
        );
        assert_eq!(call("setunion", vec![strs(&[]), strs(&[])]), Ok(set(&[])));
        assert_eq!(
            call(
                "setunion",
                vec![strs(&["a"]), Value::Tuple(vec![Value::Tuple(vec![])])]
            ),
            Err(FuncError::new(
                "given sets must all have compatible element types"
            ))
        );
    }

    #[test]
    fn intersection_and_subtract() {
        assert_eq!(
            call(
                "setintersection",
                vec![
                    strs(&["a", "b", "c"]),
                    strs(&["b", "c", "d"]),
                    strs(&["c", "b", "x"])
                ]
            ),
            Ok(set(&["b", "c"]))
        );
        assert_eq!(call("setintersection", vec![strs(&["a"])]), Ok(set(&["a"])));
        assert_eq!(
            call(
                "setsubtract",
                vec![strs(&["a", "b", "c"]), strs(&["a", "c"])]
            ),
            Ok(set(&["b"]))
        );
        assert_eq!(
            call("setsubtract", vec![strs(&["a"]), strs(&[])]),
            Ok(set(&["a"]))
        );
        let unknown = Value::List(vec![Value::Unknown(Type::String)]);
        assert_eq!(
            call("setsubtract", vec![strs(&["a"]), unknown]),
            Ok(Value::Unknown(Type::set(Type::String)))
        );
    }

    #[test]
    fn product_of_lists_is_a_list() {
        assert_eq!(
            call("setproduct", vec![strs(&["a", "b"]), strs(&["x", "y"])]),
            Ok(Value::List(vec![
                pair("a", "x"),
                pair("a", "y"),
                pair("b", "x"),
                pair("b", "y")
            ]))
        );
        assert_eq!(
            call("setproduct", vec![strs(&["a"]), strs(&[])]),
            Ok(Value::List(vec![]))
        );
    }

    #[test]
    fn product_with_a_set_is_a_set() {
        assert_eq!(
            call("setproduct", vec![set(&["b", "a"]), strs(&["x"])]),
            Ok(Value::set([pair("a", "x"), pair("b", "x")]))
        );
    }

    #[test]
    fn product_errors() {
        assert_eq!(
            call("setproduct", vec![strs(&["a"])]),
            Err(FuncError::new("at least two arguments are required"))
        );
        assert_eq!(
            call("setproduct", vec![strs(&["a"]), "b".into()]),
            Err(FuncError::arg(1, "a set or a list is required"))
        );
        assert_eq!(
            call(
                "setproduct",
                vec![strs(&["a"]), Value::Tuple(vec!["a".into(), strs(&[])])]
            ),
            Err(FuncError::arg(1, "all elements must be of the same type"))
        );
    }
}
