//! How Packer prints a value in `console` and `inspect` (its
//! `PrintableCtyValue`): strings raw at the top level; other values in an
//! HCL-like layout with quoted keys, trailing commas in lists, null
//! attributes left out of objects, and numbers as Go's `%v` prints them.

use super::Value;
use kiln_gocompat::quote::quote as quote_str;

pub fn printable(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v if !v.is_wholly_known() => "<unknown>".into(),
        v => {
            let mut out = String::new();
            write(&mut out, v, 0);
            out
        }
    }
}

fn write(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Unknown(_) => out.push_str("<unknown>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_float(*n)),
        Value::String(s) => out.push_str(&quote_str(s)),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            for item in items {
                pad(out, indent + 2);
                write(out, item, indent + 2);
                out.push_str(",\n");
            }
            pad(out, indent);
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            let present: Vec<_> = m.iter().filter(|(_, v)| !v.is_null()).collect();
            if present.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{\n");
            for (k, item) in present {
                pad(out, indent + 2);
                out.push_str(&quote_str(k));
                out.push_str(" = ");
                write(out, item, indent + 2);
                out.push('\n');
            }
            pad(out, indent);
            out.push('}');
        }
    }
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Go's `fmt` `%v` of a float64: the shortest representation, in exponent
/// form (`1e-07`, `1e+21`) when the exponent is below -4 or at least 21.
pub fn go_float(n: f64) -> String {
    if n == 0.0 {
        return "0".into();
    }
    if n.is_infinite() {
        return if n > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if n.is_nan() {
        return "NaN".into();
    }
    let sci = format!("{n:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..21).contains(&exp) {
        return format!("{n}");
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_like_go() {
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(1e-7), "1e-07");
        assert_eq!(go_float(123_456_789_012.0), "123456789012");
        assert_eq!(go_float(-0.0), "0");
        assert_eq!(go_float(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(2.5e-5), "2.5e-05");
    }

    #[test]
    fn layout_like_packer_console() {
        let v = Value::object([("a", Value::Null), ("b", Value::from(1.0))]);
        assert_eq!(printable(&v), "{\n  \"b\" = 1\n}");
        let v = Value::Tuple(vec![Value::Null, Value::from(1.0)]);
        assert_eq!(printable(&v), "[\n  null,\n  1,\n]");
        let v = Value::object([("a", Value::object([("b", Value::Null)]))]);
        assert_eq!(printable(&v), "{\n  \"a\" = {}\n}");
        assert_eq!(printable(&Value::from("a\"b")), "a\"b");
        let v = Value::object([("a b", Value::from("x\"y\n"))]);
        assert_eq!(printable(&v), "{\n  \"a b\" = \"x\\\"y\\n\"\n}");
        assert_eq!(
            printable(&Value::Tuple(vec![Value::Tuple(vec![])])),
            "[\n  [],\n]"
        );
    }
}
