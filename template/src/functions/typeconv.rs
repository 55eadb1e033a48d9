//! Explicit conversions: `tobool`, `tonumber`, `tostring`, `tolist`,
//! `toset` and `tomap`.
//!
//! They follow cty's conversion rules (`value::convert`), with the wording
//! of an explicit conversion in errors. Null converts to null; an unknown
//! value converts to an unknown of the wanted type.

use super::args::at;
use super::{FuncError, FuncResult, Function, Library, Param};
use crate::value::{can_convert_type, convert, Type, Value};
use kiln_gocompat::quote::quote as quote_str;

pub(super) fn register(lib: &mut Library) {
    let param = || vec![Param::new("v", Type::Any).nullable().unknowable()];
    lib.insert("tobool", Function::new(param(), |_, a| to(a, &Type::Bool)));
    lib.insert(
        "tonumber",
        Function::new(param(), |_, a| to(a, &Type::Number)),
    );
    lib.insert(
        "tostring",
        Function::new(param(), |_, a| to(a, &Type::String)),
    );
    lib.insert(
        "tolist",
        Function::new(param(), |_, a| to(a, &Type::list(Type::Any))),
    );
    lib.insert(
        "toset",
        Function::new(param(), |_, a| to(a, &Type::set(Type::Any))),
    );
    lib.insert(
        "tomap",
        Function::new(param(), |_, a| to(a, &Type::map(Type::Any))),
    );
}

/// cty's wording for a conversion target: "list of any single type".
fn constraint_name(ty: &Type) -> String {
    match ty {
        Type::List(e) if **e == Type::Any => "list of any single type".into(),
        Type::Set(e) if **e == Type::Any => "set of any single type".into(),
        Type::Map(e) if **e == Type::Any => "map of any single type".into(),
        other => other.friendly_name(),
    }
}

fn to(args: Vec<Value>, want: &Type) -> FuncResult {
    let v = at(&args, 0).clone();
    let got = v.type_of();
    let cannot = || {
        FuncError::arg(
            0,
            format!(
                "cannot convert {} to {}",
                got.friendly_name(),
                constraint_name(want)
            ),
        )
    };
    if !can_convert_type(&got, want) {
        return Err(cannot());
    }
    let original = v.clone();
    convert(v, want).map_err(|_| match (&original, want) {
        (Value::String(s), Type::Bool) => FuncError::arg(
            0,
            format!(
                "cannot convert {} to bool; only the strings \"true\" or \"false\" are allowed",
                quote_str(s)
            ),
        ),
        (Value::String(s), Type::Number) => FuncError::arg(
            0,
            format!(
                "cannot convert {} to number; given string must be a decimal representation of a number",
                quote_str(s)
            ),
        ),
        _ => cannot(),
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::{Type, Value};
    use std::collections::BTreeMap;

    #[test]
    fn primitives() {
        assert_eq!(call("tostring", vec![1.0.into()]), Ok("1".into()));
        assert_eq!(call("tostring", vec![true.into()]), Ok("true".into()));
        assert_eq!(call("tostring", vec![Value::Null]), Ok(Value::Null));
        assert_eq!(call("tonumber", vec!["1".into()]), Ok(1.0.into()));
        assert_eq!(call("tonumber", vec!["-2.5e1".into()]), Ok((-25.0).into()));
        assert_eq!(call("tobool", vec!["true".into()]), Ok(true.into()));
        assert_eq!(call("tobool", vec![false.into()]), Ok(false.into()));
    }

    #[test]
    fn primitive_errors() {
        assert_eq!(
            call("tonumber", vec!["no".into()]),
            Err(FuncError::arg(
                0,
                "cannot convert \"no\" to number; given string must be a decimal representation of a number"
            ))
        );
        assert_eq!(
            call("tobool", vec!["yes".into()]),
            Err(FuncError::arg(0, "cannot convert \"yes\" to bool; only the strings \"true\" or \"false\" are allowed"))
        );
        assert_eq!(
            call("tonumber", vec![true.into()]),
            Err(FuncError::arg(0, "cannot convert bool to number"))
        );
        assert_eq!(
            call("tostring", vec![Value::Tuple(vec![])]),
            Err(FuncError::arg(0, "cannot convert tuple to string"))
        );
    }

    #[test]
    fn collections() {
        let mixed = Value::Tuple(vec!["a".into(), 1.0.into(), true.into()]);
        assert_eq!(
            call("tolist", vec![mixed]),
            Ok(Value::List(vec!["a".into(), "1".into(), "true".into()]))
        );
        let dupes = Value::Tuple(vec!["b".into(), "a".into(), "b".into()]);
        assert_eq!(
            call("toset", vec![dupes]),
            Ok(Value::set(["a".into(), "b".into()]))
        );
        let obj = Value::object([("a", Value::from(1.0)), ("b", Value::from("x"))]);
        let want: BTreeMap<String, Value> = [
            ("a".to_string(), Value::from("1")),
            ("b".to_string(), Value::from("x")),
        ]
        .into();
        assert_eq!(call("tomap", vec![obj]), Ok(Value::Map(want)));
        assert_eq!(
            call("tolist", vec![Value::set(["a".into()])]),
            Ok(Value::List(vec!["a".into()]))
        );
    }

    #[test]
    fn collection_errors() {
        assert_eq!(
            call("tolist", vec!["a".into()]),
            Err(FuncError::arg(
                0,
                "cannot convert string to list of any single type"
            ))
        );
        assert_eq!(
            call("tomap", vec![Value::Tuple(vec![])]),
            Err(FuncError::arg(
                0,
                "cannot convert tuple to map of any single type"
            ))
        );
        let unmixable = Value::Tuple(vec!["a".into(), Value::Tuple(vec![])]);
        assert_eq!(
            call("toset", vec![unmixable]),
            Err(FuncError::arg(
                0,
                "cannot convert tuple to set of any single type"
            ))
        );
    }

    #[test]
    fn unknowns_keep_the_wanted_type() {
        assert_eq!(
            call("tostring", vec![Value::Unknown(Type::Number)]),
            Ok(Value::Unknown(Type::String))
        );
        assert_eq!(
            call("tolist", vec![Value::Unknown(Type::Any)]),
            Ok(Value::Unknown(Type::list(Type::Any)))
        );
        assert!(call("tonumber", vec![Value::Unknown(Type::Bool)]).is_err());
    }
}
