//! Text the way Go renders it, where Packer's messages and results depend on
//! it: `%q` quoting in error messages and `encoding/json` output (which
//! cty's `%#v`, `%q` and `%v` of collections use).

use crate::value::{format_number, Value};
use std::fmt::Write;

/// Go's `strconv.QuoteRune`: `'x'`, with escapes for unprintable runes.
pub(in crate::functions) fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    if c == '\'' {
        out.push_str("\\'");
    } else {
        push_escaped(&mut out, c);
    }
    out.push('\'');
    out
}

/// Go's `strconv.Quote`: a double-quoted Go string literal.
pub(crate) fn quote_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' {
            out.push_str("\\\"");
        } else {
            push_escaped(&mut out, c);
        }
    }
    out.push('"');
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\x7f' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        // Go's notion of "printable" is letters, marks, numbers,
        // punctuation, symbols and the ASCII space; Rust has no such
        // predicate, and controls plus non-ASCII spaces are the cases that
        // matter in practice.
        c if c.is_control() || (c.is_whitespace() && c != ' ') => {
            if (c as u32) < 0x10000 {
                let _ = write!(out, "\\u{:04x}", c as u32);
            } else {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
        c => out.push(c),
    }
}

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
    fn quotes_like_go() {
        assert_eq!(quote_rune('z'), "'z'");
        assert_eq!(quote_rune('☠'), "'☠'");
        assert_eq!(quote_rune('\n'), "'\\n'");
        assert_eq!(quote_str("%[3]s"), "\"%[3]s\"");
        assert_eq!(quote_str("a\"b\x01"), "\"a\\\"b\\x01\"");
    }

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
