//! Text the way Go renders it, where Packer's messages and results depend on
//! it: `encoding/json` output (which cty's `%#v`, `%q` and `%v` of
//! collections use). `%q` quoting is `kiln_gocompat::quote`.

use crate::value::{format_number, Value};
use std::fmt::Write;

/// A value as cty's JSON encoder writes it (`%#v`): object keys sorted,
/// sets as arrays, whole numbers without a fraction, and strings escaped
/// the way Go's `encoding/json` does, HTML characters included.
pub(in crate::functions) fn json(v: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, v);
    out
}

fn write_json(out: &mut String, v: &Value) {
    match v {
        Value::Null | Value::Unknown(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number(*n)),
        Value::String(s) => out.push_str(&json_string(s)),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_string(k));
                out.push(':');
                write_json(out, item);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal with Go's escaping: `<`, `>`, `&`, U+2028 and
/// U+2029 become `\u` escapes so the output is safe inside HTML.
pub fn json_string(s: &str) -> String {
    json_string_with(s, ControlEscapes::Short)
}

/// How Go's `encoding/json` writes backspace and form feed: `\b`/`\f`
/// since Go 1.22 (what cty-based functions show today), `\u0008`/`\u000c`
/// before (the Go that built Packer 1.6, whose manifest format kiln
/// reproduces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlEscapes {
    Short,
    Unicode,
}

pub fn json_string_with(s: &str, controls: ControlEscapes) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' if controls == ControlEscapes::Short => out.push_str("\\b"),
            '\x0c' if controls == ControlEscapes::Short => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_html_like_go() {
        assert_eq!(
            json_string("<a href=\"x\">&</a>"),
            r#""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e""#
        );
        assert_eq!(json_string("tab\there\u{1}"), r#""tab\there\u0001""#);
    }

    #[test]
    fn json_of_structures() {
        let v = Value::object([
            ("b", Value::Tuple(vec![1.0.into(), Value::Null])),
            ("a", Value::from(1e21)),
        ]);
        assert_eq!(json(&v), r#"{"a":1000000000000000000000,"b":[1,null]}"#);
    }
}
