//! The values HCL expressions evaluate to.
//!
//! This follows go-cty, the value system behind Packer's HCL2: typed
//! collections (list, set, map), structural types (tuple, object), and
//! *unknown* values that stand for something only a running build knows
//! (`build.ID`, `build.Host`…). Numbers are `f64`: every value a template can
//! reasonably hold fits, and formatting follows cty (`3`, not `3.0`).

mod convert;
pub(crate) mod display;
mod printable;
mod types;

pub use convert::{can_convert_type, convert, parse_number, unify, ConvertError, PathStep};
pub use display::{format_hcl, format_number};
pub use printable::{go_float, printable};
pub use types::{ObjectAttr, Type};

use std::collections::BTreeMap;

/// An evaluated HCL value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`. Converts to any type.
    Null,
    /// A value that is not known until a build runs, of the given type
    /// (`Type::Any` when even the type is unknown).
    Unknown(Type),
    Bool(bool),
    Number(f64),
    String(String),
    /// A sequence of values that all have the same type.
    List(Vec<Value>),
    /// Unique values of one type, kept sorted (cty orders sets canonically).
    Set(Vec<Value>),
    /// A sequence whose elements may have different types: `[1, "a"]`.
    Tuple(Vec<Value>),
    /// String keys to values of one type.
    Map(BTreeMap<String, Value>),
    /// Named attributes of possibly different types: `{ a = 1, b = "x" }`.
    Object(BTreeMap<String, Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn object<K: Into<String>>(items: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(items.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Build a set, sorting and de-duplicating as cty does.
    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        let mut v: Vec<Value> = Vec::new();
        for item in items {
            if !v.contains(&item) {
                v.push(item);
            }
        }
        v.sort_by(set_order);
        Value::Set(v)
    }

    /// The value's type. For collections the element type is unified from
    /// the elements (or `Any` when empty).
    pub fn type_of(&self) -> Type {
        match self {
            Value::Null => Type::Any,
            Value::Unknown(t) => t.clone(),
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::List(Box::new(elem_type(items.iter()))),
            Value::Set(items) => Type::Set(Box::new(elem_type(items.iter()))),
            Value::Map(items) => Type::Map(Box::new(elem_type(items.values()))),
            Value::Tuple(items) => Type::Tuple(items.iter().map(Value::type_of).collect()),
            Value::Object(attrs) => Type::Object(
                attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), ObjectAttr::required(v.type_of())))
                    .collect(),
            ),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True when this value is unknown itself (not when it merely contains
    /// an unknown; see [`Value::is_wholly_known`]).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// True when neither this value nor anything nested in it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// Entries of a map or object.
    pub fn as_mapping(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The (key, element) pairs `for` expressions, `%{ for }` directives and
    /// `dynamic` blocks iterate: indices for sequences, keys for mappings.
    /// `Err` gives back anything else (null, unknown, primitives).
    pub fn into_pairs(self) -> Result<Vec<(Value, Value)>, Value> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Ok(v
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i64::try_from(i).unwrap_or(i64::MAX)), v))
                .collect()),
            Value::Map(m) | Value::Object(m) => {
                Ok(m.into_iter().map(|(k, v)| (Value::String(k), v)).collect())
            }
            other => Err(other),
        }
    }

    /// A short name of the value's kind, for error messages ("a list of string").
    pub fn friendly_type(&self) -> String {
        self.type_of().friendly_name()
    }

    /// Convert to JSON. Unknown values have no JSON form and become `null`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Unknown(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => J::String(s.clone()),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                J::Array(v.iter().map(Value::to_json).collect())
            }
            Value::Map(m) | Value::Object(m) => {
                J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// Convert from JSON the way cty's `jsondecode` does with an implied
    /// type: arrays become tuples and objects become objects.
    pub fn from_json(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => Value::String(s.clone()),
            J::Array(a) => Value::Tuple(a.iter().map(Value::from_json).collect()),
            J::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Whole numbers print and serialise without a fraction, as cty does.
pub(crate) fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        // The range check above keeps the cast exact.
        #[allow(clippy::cast_possible_truncation)]
        return serde_json::Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

fn elem_type<'a>(items: impl Iterator<Item = &'a Value>) -> Type {
    let mut ty: Option<Type> = None;
    for item in items {
        let t = item.type_of();
        ty = Some(match ty {
            None => t,
            Some(prev) if prev == t => prev,
            Some(_) => return Type::Any,
        });
    }
    ty.unwrap_or(Type::Any)
}

/// cty's canonical set order: numbers ascending, strings lexically, then
/// everything else by its HCL rendering (stable, if arbitrary).
fn set_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => format_hcl(a).cmp(&format_hcl(b)),
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        #[allow(clippy::cast_precision_loss)]
        Value::Number(n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_sorts_and_dedups() {
        let s = Value::set(["b".into(), "a".into(), "b".into()]);
        assert_eq!(s, Value::Set(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn type_of_homogeneous_list() {
        let l = Value::List(vec![1.0.into(), 2.0.into()]);
        assert_eq!(l.type_of(), Type::List(Box::new(Type::Number)));
    }

    #[test]
    fn whole_numbers_become_json_integers() {
        assert_eq!(Value::Number(3.0).to_json().to_string(), "3");
        assert_eq!(Value::Number(0.5).to_json().to_string(), "0.5");
    }

    #[test]
    fn unknown_nested_is_not_wholly_known() {
        let v = Value::Tuple(vec![Value::Unknown(Type::String)]);
        assert!(!v.is_wholly_known());
        assert!(!v.is_unknown());
    }
}
