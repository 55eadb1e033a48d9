//! `jsonencode`/`jsondecode` with cty's conventions: compact output with
//! keys sorted and Go's HTML-safe string escaping; decoding to the implied
//! types (arrays become tuples, objects become objects).

use crate::value::Value;

/// Encode a wholly known value (the one Go-style JSON writer lives in
/// `go_text`, shared with `format`'s `%#v`).
pub(super) fn encode(v: &Value) -> String {
    crate::functions::go_text::json(v)
}

/// Decode JSON to the value cty's implied type gives it.
pub(super) fn decode(src: &str) -> Result<Value, String> {
    match serde_json::from_str::<serde_json::Value>(src) {
        Ok(json) => Ok(Value::from_json(&json)),
        // Go's decoder words running out of input this way.
        Err(e) if e.is_eof() && src.trim().is_empty() => Err("EOF".to_string()),
        Err(e) if e.is_eof() => Err("unexpected EOF".to_string()),
        Err(e) if e.to_string().starts_with("trailing characters") => {
            Err("extraneous data after JSON object".to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{err, ok, s};
    use crate::value::Value;

    #[test]
    fn encodes_compactly_with_sorted_keys() {
        let v = Value::object([
            ("b", Value::Tuple(vec![Value::from(1.0), Value::from("x")])),
            ("a", Value::Bool(true)),
            ("c", Value::Null),
        ]);
        assert_eq!(
            ok("jsonencode", vec![v]),
            s(r#"{"a":true,"b":[1,"x"],"c":null}"#)
        );
    }

    #[test]
    fn numbers_print_like_cty() {
        assert_eq!(ok("jsonencode", vec![Value::from(1.5)]), s("1.5"));
        assert_eq!(
            ok("jsonencode", vec![Value::from(1e21)]),
            s("1000000000000000000000")
        );
        // Packer 1.6.6 prints jsonencode([-0]) as "[-0]".
        assert_eq!(ok("jsonencode", vec![Value::from(-0.0)]), s("-0"));
    }

    #[test]
    fn strings_escape_like_go() {
        assert_eq!(
            ok("jsonencode", vec![s("<a & b>\n\"q\"\t\u{1}\u{2028}é")]),
            s(r#""\u003ca \u0026 b\u003e\n\"q\"\t\u0001\u2028é""#)
        );
    }

    #[test]
    fn sets_and_maps() {
        let v = Value::Map(
            [("k".to_string(), Value::set([s("b"), s("a")]))]
                .into_iter()
                .collect(),
        );
        assert_eq!(ok("jsonencode", vec![v]), s(r#"{"k":["a","b"]}"#));
    }

    #[test]
    fn decodes_to_implied_types() {
        assert_eq!(
            ok(
                "jsondecode",
                vec![s(r#"{"hello": "world", "n": [1, true, null]}"#)]
            ),
            Value::object([
                ("hello", s("world")),
                (
                    "n",
                    Value::Tuple(vec![Value::from(1.0), Value::Bool(true), Value::Null])
                ),
            ])
        );
        assert_eq!(ok("jsondecode", vec![s("true")]), Value::Bool(true));
        assert_eq!(ok("jsondecode", vec![s("null")]), Value::Null);
    }

    #[test]
    fn decode_errors() {
        assert_eq!(
            err("jsondecode", vec![s("{} {}")]),
            "extraneous data after JSON object"
        );
        assert_eq!(err("jsondecode", vec![s("{")]), "unexpected EOF");
        assert_eq!(err("jsondecode", vec![s("  ")]), "EOF");
        assert!(err("jsondecode", vec![s("[1,]")]).contains("line 1 column 4"));
    }
}
