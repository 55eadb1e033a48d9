//! Collection functions: sequences, maps and objects, sets, and the
//! folds over them.

mod coalesce;
mod elements;
mod folds;
mod mapping;
mod reshape;
mod sets;

use super::Library;
use crate::value::Value;

pub(super) fn register(lib: &mut Library) {
    coalesce::register(lib);
    elements::register(lib);
    folds::register(lib);
    mapping::register(lib);
    reshape::register(lib);
    sets::register(lib);
}

/// cty's `==` on two values: `None` when an unknown value decides it.
/// Values of different kinds are never equal (`"1"` is not `1`).
fn equals(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::List(x), Value::List(y))
        | (Value::Set(x), Value::Set(y))
        | (Value::Tuple(x), Value::Tuple(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (l, r) in x.iter().zip(y) {
                if !equals(l, r)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            if !x.keys().eq(y.keys()) {
                return Some(false);
            }
            for (l, r) in x.values().zip(y.values()) {
                if !equals(l, r)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        (a, b) => Some(a == b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Type;

    #[test]
    fn equality_follows_cty() {
        assert_eq!(equals(&1.0.into(), &1.0.into()), Some(true));
        assert_eq!(equals(&"1".into(), &1.0.into()), Some(false));
        assert_eq!(equals(&Value::Null, &Value::Null), Some(true));
        let unknown = Value::Unknown(Type::String);
        assert_eq!(equals(&unknown, &"a".into()), None);
        let a = Value::Tuple(vec![unknown, "a".into()]);
        let b = Value::Tuple(vec!["x".into(), "b".into()]);
        assert_eq!(equals(&a, &b), None);
        let short = Value::Tuple(vec!["x".into()]);
        assert_eq!(equals(&a, &short), Some(false));
    }
}
