//! A JSON document with the byte range of every value and key, so that
//! errors about a legacy template point at the line and column a user
//! wrote. serde_json checks the syntax (its messages are the familiar
//! ones); jsonc-parser, in strict mode, gives the ranges.

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// As written, so a number is passed on without rounding.
    Number(String),
    String(String),
    Array(Vec<Spanned>),
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub value: Json,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_range: Range<usize>,
    pub value: Spanned,
}

impl Spanned {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Json::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The last member named `key`: Go's encoding/json keeps the last of
    /// repeated keys.
    pub fn get(&self, key: &str) -> Option<&Spanned> {
        self.as_object()?
            .iter()
            .rev()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// What Go calls the JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

/// Why a text is not a JSON document: the message and the byte offset.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub offset: usize,
}

pub fn parse(text: &str) -> Result<Spanned, SyntaxError> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(SyntaxError {
            message: e.to_string(),
            offset: offset_of(text, e.line(), e.column()),
        });
    }
    let strict = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        ..jsonc_parser::ParseOptions::default()
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &strict).map_err(|e| {
        SyntaxError {
            message: e.kind().to_string(),
            offset: e.range().start,
        }
    })?;
    match parsed.value {
        Some(v) => Ok(convert(v)),
        None => Err(SyntaxError {
            message: "unexpected end of JSON input".to_owned(),
            offset: text.len(),
        }),
    }
}

fn convert(v: ast::Value<'_>) -> Spanned {
    let (value, range) = match v {
        ast::Value::NullKeyword(n) => (Json::Null, n.range),
        ast::Value::BooleanLit(b) => (Json::Bool(b.value), b.range),
        ast::Value::NumberLit(n) => (Json::Number(n.value.to_owned()), n.range),
        ast::Value::StringLit(s) => (Json::String(s.value.into_owned()), s.range),
        ast::Value::Array(a) => (
            Json::Array(a.elements.into_iter().map(convert).collect()),
            a.range,
        ),
        ast::Value::Object(o) => (
            Json::Object(
                o.properties
                    .into_iter()
                    .map(|p| {
                        let key_range = p.name.range();
                        Member {
                            key: p.name.into_string(),
                            key_range: key_range.start..key_range.end,
                            value: convert(p.value),
                        }
                    })
                    .collect(),
            ),
            o.range,
        ),
    };
    Spanned {
        value,
        range: range.start..range.end,
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_ranges_of_keys_and_values() {
        let text = "{\n  \"a\": [1, \"x\"],\n  \"a\": true\n}";
        let doc = parse(text).expect("parses");
        let obj = doc.as_object().expect("object");
        assert_eq!(&text[obj[0].key_range.clone()], "\"a\"");
        let Json::Array(items) = &obj[0].value.value else {
            panic!("array")
        };
        assert_eq!(&text[items[1].range.clone()], "\"x\"");
        assert_eq!(doc.get("a").map(|v| &v.value), Some(&Json::Bool(true)));
    }

    #[test]
    fn syntax_errors_carry_an_offset() {
        let e = parse("{\n  \"a\": ,\n}").expect_err("invalid");
        assert_eq!(e.offset, 9);
        assert!(parse("{\"a\": 1,}").is_err(), "no trailing commas");
        assert!(parse("// c\n{}").is_err(), "no comments");
    }
}
