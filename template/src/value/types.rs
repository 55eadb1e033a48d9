//! Types and type constraints (`list(string)`, `object({ a = optional(number, 1) })`).

use super::Value;
use std::collections::BTreeMap;
use std::fmt;

/// A cty type, also used as a *type constraint* where `Any` may appear.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// cty's DynamicPseudoType: "any type" in a constraint, "not yet known"
    /// for an unknown value.
    Any,
    Bool,
    Number,
    String,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, ObjectAttr>),
}

/// One attribute of an object type. `optional` attributes (only meaningful in
/// a type constraint) may be absent from a value and are then filled with
/// `default` (or null).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectAttr {
    pub ty: Type,
    pub optional: bool,
    pub default: Option<Value>,
}

impl ObjectAttr {
    pub fn required(ty: Type) -> ObjectAttr {
        ObjectAttr {
            ty,
            optional: false,
            default: None,
        }
    }
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object(
            attrs
                .into_iter()
                .map(|(k, t)| (k.into(), ObjectAttr::required(t)))
                .collect(),
        )
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Bool | Type::Number | Type::String)
    }

    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }

    /// True when the type (or anything nested in it) is `Any`.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Any => true,
            Type::Bool | Type::Number | Type::String => false,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.has_dynamic(),
            Type::Tuple(ts) => ts.iter().any(Type::has_dynamic),
            Type::Object(attrs) => attrs.values().any(|a| a.ty.has_dynamic()),
        }
    }

    /// Element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// The wording HCL uses in its error messages: "string", "list of
    /// string", "object", "tuple", "dynamic".
    pub fn friendly_name(&self) -> String {
        match self {
            Type::Any => "dynamic".into(),
            Type::Bool => "bool".into(),
            Type::Number => "number".into(),
            Type::String => "string".into(),
            Type::List(t) => format!("list of {}", t.friendly_name()),
            Type::Set(t) => format!("set of {}", t.friendly_name()),
            Type::Map(t) => format!("map of {}", t.friendly_name()),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) => "object".into(),
        }
    }
}

/// HCL type-expression syntax, as `kiln inspect` and `type()` show it.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => f.write_str("any"),
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
            Type::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (k, a)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if a.optional {
                        match &a.default {
                            Some(d) => write!(f, "{k}=optional({}, {})", a.ty, super::format_hcl(d))?,
                            None => write!(f, "{k}=optional({})", a.ty)?,
                        }
                    } else {
                        write!(f, "{k}={}", a.ty)?;
                    }
                }
                f.write_str("})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_type_expression() {
        let t = Type::map(Type::object([("a", Type::list(Type::String))]));
        assert_eq!(t.to_string(), "map(object({a=list(string)}))");
    }

    #[test]
    fn friendly_names() {
        assert_eq!(Type::list(Type::String).friendly_name(), "list of string");
    }
}
