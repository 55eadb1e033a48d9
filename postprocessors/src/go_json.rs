//! JSON the way Packer writes its manifest: Go's `json.MarshalIndent(v, "",
//! "  ")`. Go escapes `<`, `>`, `&`, U+2028 and U+2029, and (in the Go
//! release Packer 1.6 is built with) writes control characters other than
//! `\n`, `\r`, `\t` as `\u00XX`; serde_json's pretty printer does neither,
//! hence this small writer.

use kiln_template::functions::go_text::{json_string_with, ControlEscapes};
use serde_json::Value;
use std::fmt::Write;

/// `v` indented by two spaces per level, without a trailing newline.
pub(crate) fn to_string_indented(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, 0);
    out
}

/// `v` as Go's `json.Marshal` (and `Encoder.Encode`, less its newline)
/// writes it: no spaces. Object keys stay in `v`'s order (Go sorts map
/// keys; callers that mimic a map insert them sorted).
pub(crate) fn to_string_compact(v: &Value) -> String {
    let mut out = String::new();
    write_compact(&mut out, v);
    out
}

fn write_compact(out: &mut String, v: &Value) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_compact(out, item);
            }
            out.push('}');
        }
        scalar => write_value(out, scalar, 0),
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_value(out, item, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_string(out, k);
                out.push_str(": ");
                write_value(out, item, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push_str(&json_string_with(s, ControlEscapes::Unicode));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_go_marshal_indent() {
        let v: Value = serde_json::from_str(
            r#"{"builds":[{"name":"f","files":null,"custom_data":{"a":"b","c":"f-<no value>"},"n":[],"o":{}}],"last_run_uuid":"u"}"#,
        )
        .unwrap();
        let want = "{\n  \"builds\": [\n    {\n      \"name\": \"f\",\n      \"files\": null,\n      \"custom_data\": {\n        \"a\": \"b\",\n        \"c\": \"f-\\u003cno value\\u003e\"\n      },\n      \"n\": [],\n      \"o\": {}\n    }\n  ],\n  \"last_run_uuid\": \"u\"\n}";
        assert_eq!(to_string_indented(&v), want);
    }

    #[test]
    fn compact_matches_go_marshal() {
        let v: Value =
            serde_json::from_str(r#"{"a":[1,"<x>"],"b":{},"c":[],"d":{"e":true,"f":null}}"#)
                .unwrap();
        assert_eq!(
            to_string_compact(&v),
            r#"{"a":[1,"\u003cx\u003e"],"b":{},"c":[],"d":{"e":true,"f":null}}"#
        );
    }

    #[test]
    fn escapes_like_go() {
        let v = Value::String("a&b\u{1}\u{8}\u{2028}\"\\é".into());
        assert_eq!(
            to_string_indented(&v),
            "\"a\\u0026b\\u0001\\u0008\\u2028\\\"\\\\é\""
        );
    }
}
