//! `metadata.json` as the plugin writes it: a Go map through
//! `json.Encoder`, so keys sorted, no spaces, Go's escaping and a final
//! newline.

use serde_json::{Map, Value};

pub fn render(fields: &[(&str, Value)]) -> Vec<u8> {
    let mut sorted: Vec<&(&str, Value)> = fields.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut map = Map::new();
    for (k, v) in sorted {
        map.insert((*k).to_owned(), v.clone());
    }
    let mut text = crate::go_json::to_string_compact(&Value::Object(map));
    text.push('\n');
    text.into_bytes()
}
