//! The cty name of the type a field wants ("list of string"), for
//! messages worded as cty's conversion errors ("list of string required").
//!
//! Serde tells a deserializer only that a sequence or map is wanted, not of
//! what; the visitor's value type is the one place the element type shows.
//! `std::any::type_name` spells it out (`alloc::vec::Vec<u16>`); its format
//! is not guaranteed, so anything not recognised gives `None` and the
//! message falls back to the bare kind ("list required"). No crate maps
//! Rust types to cty names, hence this small hand-written reader.

/// `list of …` / `map of …` for the Rust type `T`, if recognised.
pub(crate) fn cty_name<T>() -> Option<String> {
    name_of(std::any::type_name::<T>())
}

fn name_of(rust: &str) -> Option<String> {
    let rust = rust.trim();
    let (path, args) = match rust.split_once('<') {
        Some((p, rest)) => (p, split_args(rest.strip_suffix('>')?)),
        None => (rust, Vec::new()),
    };
    let ident = path.rsplit("::").next().unwrap_or(path);
    match (ident, args.as_slice()) {
        ("String" | "str" | "&str" | "PathBuf", []) => Some("string".into()),
        ("bool", []) => Some("bool".into()),
        (
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
            | "isize" | "f32" | "f64",
            [],
        ) => Some("number".into()),
        ("Option" | "Box", [inner]) => name_of(inner),
        ("Vec" | "VecDeque", [inner]) => Some(format!("list of {}", name_of(inner)?)),
        ("HashSet" | "BTreeSet" | "IndexSet", [inner, ..]) => {
            Some(format!("set of {}", name_of(inner)?))
        }
        ("HashMap" | "BTreeMap" | "IndexMap", [_key, value, ..]) => {
            Some(format!("map of {}", name_of(value)?))
        }
        _ => None,
    }
}

/// Top-level comma-separated generic arguments: `String, Vec<u8>` → two.
fn split_args(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s[start..].trim());
    out
}

#[cfg(test)]
mod tests {
    use super::cty_name;
    use std::collections::{BTreeMap, HashMap, HashSet};

    #[test]
    fn names_collections_as_cty_does() {
        assert_eq!(cty_name::<Vec<String>>().as_deref(), Some("list of string"));
        assert_eq!(cty_name::<Vec<u16>>().as_deref(), Some("list of number"));
        assert_eq!(
            cty_name::<Vec<Vec<bool>>>().as_deref(),
            Some("list of list of bool")
        );
        assert_eq!(
            cty_name::<HashMap<String, String>>().as_deref(),
            Some("map of string")
        );
        assert_eq!(
            cty_name::<BTreeMap<String, Vec<Option<String>>>>().as_deref(),
            Some("map of list of string")
        );
        assert_eq!(cty_name::<HashSet<i64>>().as_deref(), Some("set of number"));
    }

    #[test]
    fn unrecognised_types_have_no_name() {
        struct Rule;
        assert_eq!(cty_name::<Vec<Rule>>(), None);
        assert_eq!(cty_name::<Rule>(), None);
    }
}
