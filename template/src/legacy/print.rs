//! How text/template prints a value (`fmt`'s `%v`) and judges its truth,
//! for values from the data a builder provides.

use crate::value::{format_number, Value};

/// `%v`: strings as they are, whole numbers without a fraction, lists as
/// `[a b]`, maps as `map[k:v]` with sorted keys, and a missing value as
/// `<no value>`.
pub(crate) fn print_value(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, v)?;
    Ok(out)
}

fn write_value(out: &mut String, v: &Value) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("<no value>"),
        Value::Unknown(_) => return Err("the value is not known until the build runs".to_owned()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number(*n)),
        Value::String(s) => out.push_str(s),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_value(out, item)?;
            }
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            out.push_str("map[");
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_value(out, item)?;
            }
            out.push(']');
        }
    }
    Ok(())
}

/// The Go type a value would have had, for error messages.
pub(crate) fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Unknown(_) => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.fract() == 0.0 => "int",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::List(_) | Value::Set(_) | Value::Tuple(_) => "[]interface {}",
        Value::Map(_) | Value::Object(_) => "map[string]interface {}",
    }
}

/// text/template's truth: false, zero, nil and empty values are false.
pub(crate) fn truth(v: &Value) -> bool {
    match v {
        Value::Null | Value::Unknown(_) => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0,
        Value::String(s) => !s.is_empty(),
        Value::List(i) | Value::Set(i) | Value::Tuple(i) => !i.is_empty(),
        Value::Map(m) | Value::Object(m) => !m.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_go() {
        let v = Value::object([
            ("b", Value::Tuple(vec!["x".into(), Value::Number(2.0)])),
            ("a", Value::Number(0.5)),
        ]);
        assert_eq!(print_value(&v), Ok("map[a:0.5 b:[x 2]]".to_owned()));
        assert_eq!(print_value(&Value::Null), Ok("<no value>".to_owned()));
    }
}
