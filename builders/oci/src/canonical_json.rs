//! Stable JSON for manifests and configs: object keys sorted at every
//! level (Go's `encoding/json` sorts map keys; oci-spec keeps labels and
//! annotations in `HashMap`s whose order changes from run to run), no
//! whitespace, so equal documents give equal digests.

use crate::error::OciError;
use serde::Serialize;
use serde_json::Value;

pub fn to_vec<T: Serialize>(what: &str, doc: &T) -> Result<Vec<u8>, OciError> {
    let v = serde_json::to_value(doc).map_err(|source| OciError::Json {
        what: what.to_owned(),
        source,
    })?;
    serde_json::to_vec(&sorted(v)).map_err(|source| OciError::Json {
        what: what.to_owned(),
        source,
    })
}

fn sorted(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        v => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn keys_are_sorted_at_every_level() {
        let mut m = HashMap::new();
        for k in ["z", "a", "m", "b", "y"] {
            m.insert(k, HashMap::from([("q", 1), ("c", 2)]));
        }
        let out = to_vec("test", &m).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":{"c":2,"q":1},"b":{"c":2,"q":1},"m":{"c":2,"q":1},"y":{"c":2,"q":1},"z":{"c":2,"q":1}}"#
        );
    }
}
