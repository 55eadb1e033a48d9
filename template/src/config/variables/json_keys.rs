//! Where the top-level keys of a JSON variables file are written, so that
//! its diagnostics point at the variable they are about.
//!
//! serde_json reports no positions for what it parses, and only these keys
//! are needed, so a small scanner finds them in the (already validated)
//! text instead of a second, span-aware JSON parser.

use std::collections::HashMap;
use std::ops::Range;

/// Byte range of each top-level key, quotes included; for a key written
/// twice, the last one (the one serde_json keeps).
pub(super) fn top_level_keys(text: &str) -> HashMap<String, Range<usize>> {
    let mut out = HashMap::new();
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let end = string_end(bytes, i);
                if depth == 1 && next_non_space(bytes, end) == Some(b':') {
                    if let Some(Ok(key)) = text.get(i..end).map(serde_json::from_str::<String>) {
                        out.insert(key, i..end);
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Index just past the closing quote of the string starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn next_non_space(bytes: &[u8], from: usize) -> Option<u8> {
    bytes
        .get(from..)?
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::top_level_keys;

    #[test]
    fn finds_only_top_level_keys() {
        let text = "{\n  \"a\": {\"inner\": 1},\n  \"b\\\"q\" : [\"x\", {\"c\": 2}],\n  \"a\": \"again\"\n}";
        let keys = top_level_keys(text);
        assert_eq!(keys.len(), 2, "{keys:?}");
        assert_eq!(&text[keys["a"].clone()], "\"a\"");
        assert_eq!(Some(keys["a"].start), text.rfind("\"a\""));
        assert_eq!(&text[keys["b\"q"].clone()], "\"b\\\"q\"");
        assert!(!keys.contains_key("inner"));
        assert!(!keys.contains_key("c"));
    }
}
