//! Rendering values as HCL literals, the way `packer console` prints them.

use super::Value;
use std::fmt::Write;

/// Format a number as cty does: no trailing `.0`, no exponent.
pub fn format_number(n: f64) -> String {
    if n.is_infinite() {
        return if n > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    // Rust prints the shortest representation that round-trips and never
    // switches to exponent notation, which matches big.Float's 'f', -1.
    // Negative zero stays "-0", as big.Float prints it (jsonencode(-0)
    // gives "-0" in Packer).
    format!("{n}")
}

/// Render a value as an HCL expression (multi-line for non-empty
/// collections, two-space indent), as `packer console` does.
pub fn format_hcl(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, 0);
    out
}

fn write_value(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Unknown(_) => out.push_str("(known after build)"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number(*n)),
        Value::String(s) => write_quoted(out, s),
        Value::List(items) | Value::Tuple(items) | Value::Set(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            for item in items {
                pad(out, indent + 2);
                write_value(out, item, indent + 2);
                out.push_str(",\n");
            }
            pad(out, indent);
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{\n");
            let width = m.keys().map(|k| key_repr(k).len()).max().unwrap_or(0);
            for (k, item) in m {
                pad(out, indent + 2);
                let key = key_repr(k);
                let _ = write!(out, "{key:width$} = ");
                write_value(out, item, indent + 2);
                out.push('\n');
            }
            pad(out, indent);
            out.push('}');
        }
    }
}

fn key_repr(k: &str) -> String {
    let is_ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if is_ident {
        k.to_owned()
    } else {
        let mut s = String::new();
        write_quoted(&mut s, k);
        s
    }
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Quote a string with HCL's escapes; `${` and `%{` are doubled so the
/// output parses back to the same string.
pub(crate) fn write_quoted(out: &mut String, s: &str) {
    write_escaped(out, s, true);
}

/// Quote a string that is itself a template (HCL JSON syntax): escapes
/// quotes, backslashes and control characters but keeps `${…}` live.
pub(crate) fn write_quoted_template(out: &mut String, s: &str) {
    write_escaped(out, s, false);
}

fn write_escaped(out: &mut String, s: &str, literal: bool) {
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if literal && chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(0.1), "0.1");
        assert_eq!(format_number(1e21), "1000000000000000000000");
        assert_eq!(format_number(-0.0), "-0");
    }

    #[test]
    fn objects_align_keys() {
        let v = Value::object([("a", Value::from(1.0)), ("bcd", Value::from("x"))]);
        assert_eq!(format_hcl(&v), "{\n  a   = 1\n  bcd = \"x\"\n}");
    }

    #[test]
    fn strings_escape_templates() {
        assert_eq!(format_hcl(&Value::from("${x}\n")), "\"$${x}\\n\"");
    }
}
