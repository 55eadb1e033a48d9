//! cty's conversion rules: how a value becomes a value of a wanted type.
//!
//! Used for variable type constraints, function arguments and decoding.
//! Primitives convert between each other where it is safe (`"5"` → 5,
//! `true` → `"true"`), sequences convert to lists/sets/tuples, mappings to
//! maps/objects; object attributes missing from a value are an error unless
//! marked `optional`, and extra attributes are dropped.

use super::{format_number, ObjectAttr, Type, Value};
use std::collections::BTreeMap;
use std::fmt;

/// Why a value could not be converted. `path` names where inside the value
/// the problem is (`[2]`, `.name`), outermost first.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertError {
    pub path: Vec<PathStep>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    Index(usize),
    Key(String),
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            return f.write_str(&self.message);
        }
        for step in &self.path {
            match step {
                PathStep::Index(i) => write!(f, "element {i}")?,
                PathStep::Key(k) => write!(f, "attribute \"{k}\"")?,
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConvertError {}

fn err(message: impl Into<String>) -> ConvertError {
    ConvertError {
        path: Vec::new(),
        message: message.into(),
    }
}

fn within(step: PathStep, mut e: ConvertError) -> ConvertError {
    e.path.insert(0, step);
    e
}

/// Convert `v` to type `ty`.
pub fn convert(v: Value, ty: &Type) -> Result<Value, ConvertError> {
    match (v, ty) {
        (v, Type::Any) => Ok(v),
        (Value::Null, _) => Ok(Value::Null),
        (Value::Unknown(t), ty) => {
            if t == Type::Any || can_convert_type(&t, ty) {
                Ok(Value::Unknown(ty.clone()))
            } else {
                Err(err(required_msg(ty)))
            }
        }
        (v, Type::String) => match v {
            Value::String(s) => Ok(Value::String(s)),
            Value::Number(n) => Ok(Value::String(format_number(n))),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(err("string required")),
        },
        (v, Type::Number) => match v {
            Value::Number(n) => Ok(Value::Number(n)),
            Value::String(s) => parse_number(&s)
                .map(Value::Number)
                .ok_or_else(|| err("a number is required")),
            _ => Err(err("number required")),
        },
        (v, Type::Bool) => match v {
            Value::Bool(b) => Ok(Value::Bool(b)),
            Value::String(s) => match s.as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err(err("a bool is required")),
            },
            _ => Err(err("bool required")),
        },
        (v, Type::List(et)) => match v {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                convert_elements(items, et).map(Value::List)
            }
            _ => Err(err(required_msg(ty))),
        },
        (v, Type::Set(et)) => match v {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                convert_elements(items, et).map(Value::set)
            }
            _ => Err(err(required_msg(ty))),
        },
        (v, Type::Map(et)) => match v {
            Value::Map(m) | Value::Object(m) => convert_map(m, et).map(Value::Map),
            _ => Err(err(required_msg(ty))),
        },
        (v, Type::Tuple(ts)) => match v {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                if items.len() != ts.len() {
                    return Err(err(format!("tuple required with {} elements", ts.len())));
                }
                items
                    .into_iter()
                    .zip(ts)
                    .enumerate()
                    .map(|(i, (item, t))| convert(item, t).map_err(|e| within(PathStep::Index(i), e)))
                    .collect::<Result<_, _>>()
                    .map(Value::Tuple)
            }
            _ => Err(err("tuple required")),
        },
        (v, Type::Object(attrs)) => match v {
            Value::Map(m) | Value::Object(m) => convert_object(m, attrs).map(Value::Object),
            _ => Err(err("object required")),
        },
    }
}

fn required_msg(ty: &Type) -> String {
    format!("{} required", ty.friendly_name())
}

/// cty accepts decimal numbers with optional sign, fraction and exponent.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let ok = !t.is_empty()
        && t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !ok {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn convert_elements(items: Vec<Value>, et: &Type) -> Result<Vec<Value>, ConvertError> {
    let target = if *et == Type::Any {
        let types: Vec<Type> = items.iter().map(Value::type_of).collect();
        match unify(&types) {
            Some(t) => t,
            None => return Err(err("all elements must have the same type")),
        }
    } else {
        et.clone()
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| convert(item, &target).map_err(|e| within(PathStep::Index(i), e)))
        .collect()
}

fn convert_map(
    m: BTreeMap<String, Value>,
    et: &Type,
) -> Result<BTreeMap<String, Value>, ConvertError> {
    let target = if *et == Type::Any {
        let types: Vec<Type> = m.values().map(Value::type_of).collect();
        match unify(&types) {
            Some(t) => t,
            None => return Err(err("all map elements must have the same type")),
        }
    } else {
        et.clone()
    };
    m.into_iter()
        .map(|(k, v)| {
            let converted = convert(v, &target).map_err(|e| within(PathStep::Key(k.clone()), e))?;
            Ok((k, converted))
        })
        .collect()
}

fn convert_object(
    mut m: BTreeMap<String, Value>,
    attrs: &BTreeMap<String, ObjectAttr>,
) -> Result<BTreeMap<String, Value>, ConvertError> {
    let mut out = BTreeMap::new();
    for (name, attr) in attrs {
        match m.remove(name) {
            Some(Value::Null) if attr.optional => {
                out.insert(name.clone(), default_for(attr)?);
            }
            Some(v) => {
                let c = convert(v, &attr.ty).map_err(|e| within(PathStep::Key(name.clone()), e))?;
                out.insert(name.clone(), c);
            }
            None if attr.optional => {
                out.insert(name.clone(), default_for(attr)?);
            }
            None => return Err(err(format!("attribute \"{name}\" is required"))),
        }
    }
    Ok(out)
}

fn default_for(attr: &ObjectAttr) -> Result<Value, ConvertError> {
    match &attr.default {
        Some(d) => convert(d.clone(), &attr.ty),
        None => Ok(Value::Null),
    }
}

/// Whether a value of type `from` can (in general) become a `to`.
pub fn can_convert_type(from: &Type, to: &Type) -> bool {
    match (from, to) {
        (_, Type::Any) | (Type::Any, _) => true,
        (a, b) if a == b => true,
        (a, b) if a.is_primitive() && b.is_primitive() => {
            !matches!((a, b), (Type::Bool, Type::Number) | (Type::Number, Type::Bool))
        }
        (Type::List(a) | Type::Set(a), Type::List(b) | Type::Set(b)) => can_convert_type(a, b),
        (Type::Tuple(ts), Type::List(b) | Type::Set(b)) => ts.iter().all(|t| can_convert_type(t, b)),
        (Type::Map(a), Type::Map(b)) => can_convert_type(a, b),
        (Type::Object(attrs), Type::Map(b)) => attrs.values().all(|a| can_convert_type(&a.ty, b)),
        (Type::Object(_) | Type::Map(_), Type::Object(_)) => true,
        (Type::Tuple(_) | Type::List(_) | Type::Set(_), Type::Tuple(_)) => true,
        _ => false,
    }
}

/// The one type all of `types` can convert to, as cty's `unify` finds it:
/// identical types unify to themselves, mixed primitives to string, objects
/// and maps attribute by attribute. Empty input unifies to `Any`.
pub fn unify(types: &[Type]) -> Option<Type> {
    let known: Vec<&Type> = types.iter().filter(|t| **t != Type::Any).collect();
    let Some(first) = known.first() else {
        return Some(Type::Any);
    };
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    if known.iter().all(|t| t.is_primitive()) {
        let has_bool = known.iter().any(|t| **t == Type::Bool);
        let has_number = known.iter().any(|t| **t == Type::Number);
        // bool and number have no common type except string.
        return Some(if has_bool || has_number { Type::String } else { (*first).clone() });
    }
    if known.iter().all(|t| matches!(t, Type::Object(_) | Type::Map(_))) {
        return unify_mappings(&known);
    }
    if known.iter().all(|t| matches!(t, Type::List(_) | Type::Tuple(_) | Type::Set(_))) {
        let mut elems = Vec::new();
        for t in &known {
            match t {
                Type::List(e) | Type::Set(e) => elems.push((**e).clone()),
                Type::Tuple(ts) => elems.extend(ts.iter().cloned()),
                _ => {}
            }
        }
        return unify(&elems).map(Type::list);
    }
    None
}

fn unify_mappings(types: &[&Type]) -> Option<Type> {
    // Objects with the same attribute names unify attribute by attribute;
    // anything else unifies to a map of the unified element types.
    let objects: Vec<&BTreeMap<String, ObjectAttr>> = types
        .iter()
        .filter_map(|t| match t {
            Type::Object(a) => Some(a),
            _ => None,
        })
        .collect();
    if objects.len() == types.len() {
        let first = objects[0];
        if objects.iter().all(|o| o.keys().eq(first.keys())) {
            let mut attrs = BTreeMap::new();
            for name in first.keys() {
                let ts: Vec<Type> = objects.iter().map(|o| o[name].ty.clone()).collect();
                attrs.insert(name.clone(), ObjectAttr::required(unify(&ts)?));
            }
            return Some(Type::Object(attrs));
        }
    }
    let mut elems = Vec::new();
    for t in types {
        match t {
            Type::Map(e) => elems.push((**e).clone()),
            Type::Object(a) => elems.extend(a.values().map(|a| a.ty.clone())),
            _ => {}
        }
    }
    unify(&elems).map(Type::map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives() {
        assert_eq!(convert("5".into(), &Type::Number), Ok(Value::Number(5.0)));
        assert_eq!(convert(Value::Number(2.5), &Type::String), Ok("2.5".into()));
        assert_eq!(convert("true".into(), &Type::Bool), Ok(Value::Bool(true)));
        assert!(convert("x".into(), &Type::Number).is_err());
        assert!(convert(Value::Bool(true), &Type::Number).is_err());
    }

    #[test]
    fn tuple_to_list_of_any_unifies() {
        let v = Value::Tuple(vec![1.0.into(), "a".into()]);
        assert_eq!(
            convert(v, &Type::list(Type::Any)),
            Ok(Value::List(vec!["1".into(), "a".into()]))
        );
    }

    #[test]
    fn object_optional_defaults_and_extra_dropped() {
        let mut attrs = BTreeMap::new();
        attrs.insert("a".to_string(), ObjectAttr::required(Type::String));
        attrs.insert(
            "b".to_string(),
            ObjectAttr {
                ty: Type::Number,
                optional: true,
                default: Some(Value::Number(7.0)),
            },
        );
        let v = Value::object([("a", Value::from("x")), ("z", Value::from(true))]);
        let out = convert(v, &Type::Object(attrs)).expect("converts");
        assert_eq!(out, Value::object([("a", Value::from("x")), ("b", Value::from(7.0))]));
    }

    #[test]
    fn missing_required_attribute() {
        let t = Type::object([("a", Type::String)]);
        let e = convert(Value::object::<&str>([]), &t).expect_err("fails");
        assert_eq!(e.to_string(), "attribute \"a\" is required");
    }

    #[test]
    fn nested_error_path() {
        let t = Type::list(Type::Number);
        let e = convert(Value::Tuple(vec![1.0.into(), "x".into()]), &t).expect_err("fails");
        assert_eq!(e.to_string(), "element 1: a number is required");
    }
}
