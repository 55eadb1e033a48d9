//! Decoding an attribute's value (or anything nested in one), converting
//! the way cty does when Packer decodes into a typed spec: `"1024"` into an
//! integer, `true` into a string, a tuple into a list.

use super::access::{MapEntries, SeqEntries, VariantAccess};
use super::error::{DecodeError, Path, Step};
use super::number::{to_number, to_signed, to_unsigned, whole};
use super::patches::{child, Patches};
use super::type_name::cty_name;
use crate::value::{convert, Type, Value};
use serde::de::{self, Visitor};

pub(crate) struct ValueDe<'a> {
    pub(crate) value: &'a Value,
    pub(crate) path: Path,
    pub(crate) patches: &'a Patches,
}

const NULL_MSG: &str = "a value is required, but it is null";
const UNKNOWN_MSG: &str = "the value is not known until the build runs";

macro_rules! signed {
    ($($method:ident => $ty:ty, $visit:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            let v = self.weak_number(self.present()?);
            let n = to_signed(&v, i64::from(<$ty>::MIN), i64::from(<$ty>::MAX))
                .map_err(|m| DecodeError::type_at(m, &self.path))?;
            self.located(visitor.$visit(n))
        }
    )*};
}

macro_rules! unsigned {
    ($($method:ident => $ty:ty;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            let v = self.weak_number(self.present()?);
            let n = to_unsigned(&v, u64::from(<$ty>::MAX)).map_err(|m| DecodeError::type_at(m, &self.path))?;
            self.located(visitor.visit_u64(n))
        }
    )*};
}

impl<'a> ValueDe<'a> {
    /// The value, unless it is null or unknown where a value is needed.
    fn present(&self) -> Result<&'a Value, DecodeError> {
        match self.value {
            Value::Null => Err(DecodeError::type_at(NULL_MSG, &self.path)),
            Value::Unknown(_) => Err(DecodeError::type_at(UNKNOWN_MSG, &self.path)),
            v => Ok(v),
        }
    }

    /// With weak decoding, what mapstructure reads as a number: an empty
    /// string is 0 and a bool is 1 or 0. Anything else is left as it is.
    fn weak_number(&self, v: &Value) -> Value {
        match v {
            Value::String(s) if self.patches.weak && s.is_empty() => Value::Number(0.0),
            Value::Bool(b) if self.patches.weak => Value::Number(if *b { 1.0 } else { 0.0 }),
            other => other.clone(),
        }
    }

    fn located<T>(&self, r: Result<T, DecodeError>) -> Result<T, DecodeError> {
        r.map_err(|e| e.or_path(&self.path))
    }

    fn string(&self) -> Result<String, DecodeError> {
        if let (true, Value::Bool(b)) = (self.patches.weak, self.value) {
            return Ok(if *b { "1" } else { "0" }.to_owned());
        }
        match convert(self.present()?.clone(), &Type::String) {
            Ok(Value::String(s)) => Ok(s),
            Ok(_) => Err(DecodeError::type_at("string required", &self.path)),
            Err(e) => Err(DecodeError::type_at(e.to_string(), &self.path)),
        }
    }

    /// `wanted`: the cty name of the field's type ("list of string"), for
    /// the error when the value is not a sequence.
    fn seq(&self, wanted: Option<String>) -> Result<SeqEntries<'a>, DecodeError> {
        match self.present()? {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                Ok(SeqEntries::of_values(items, &self.path, self.patches))
            }
            // Packer's plugins decode with mapstructure's
            // StringToSliceHookFunc(","): a string is split on commas, and
            // an empty one is an empty list.
            Value::String(s) if self.patches.weak => Ok(SeqEntries::of_owned(
                if s.is_empty() {
                    Vec::new()
                } else {
                    s.split(',').map(Value::from).collect()
                },
                &self.path,
                self.patches,
            )),
            v if self.patches.weak => Ok(SeqEntries::of_values(
                std::slice::from_ref(v),
                &self.path,
                self.patches,
            )),
            _ => Err(DecodeError::type_at(
                format!("{} required", wanted.as_deref().unwrap_or("list")),
                &self.path,
            )),
        }
    }

    /// `as_struct`: the field names of the struct being decoded.
    fn mapping(
        &self,
        as_struct: Option<&[&str]>,
        wanted: Option<String>,
    ) -> Result<MapEntries<'a>, DecodeError> {
        match self.present()? {
            Value::Map(m) | Value::Object(m) => Ok(MapEntries::of_mapping(
                m,
                &self.path,
                self.patches,
                as_struct,
            )),
            _ if as_struct.is_some() => Err(DecodeError::type_at("object required", &self.path)),
            _ => Err(DecodeError::type_at(
                format!("{} required", wanted.as_deref().unwrap_or("map")),
                &self.path,
            )),
        }
    }
}

/// A bool as mapstructure's weak decoding reads one: Go's
/// `strconv.ParseBool` for strings (an empty string is false), and any
/// number but zero is true.
fn weak_bool(v: &Value) -> Option<bool> {
    match v {
        Value::String(s) => match s.as_str() {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
            "" | "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
            _ => None,
        },
        Value::Number(n) => Some(*n != 0.0),
        _ => None,
    }
}

impl<'de> de::Deserializer<'de> for ValueDe<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let r = match self.value {
            Value::Null | Value::Unknown(_) => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match whole(*n) {
                Some(i) if i >= 0 => match u64::try_from(i) {
                    Ok(u) => visitor.visit_u64(u),
                    Err(_) => visitor.visit_f64(*n),
                },
                Some(i) => match i64::try_from(i) {
                    Ok(s) => visitor.visit_i64(s),
                    Err(_) => visitor.visit_f64(*n),
                },
                None => visitor.visit_f64(*n),
            },
            Value::String(s) => visitor.visit_str(s),
            Value::List(_) | Value::Set(_) | Value::Tuple(_) => visitor.visit_seq(self.seq(None)?),
            Value::Map(_) | Value::Object(_) => {
                let mut entries = self.mapping(None, None)?;
                let r = visitor.visit_map(&mut entries);
                return r.map_err(|e| entries.locate(e, &self.path));
            }
        };
        self.located(r)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.patches.weak {
            if let Some(b) = weak_bool(self.present()?) {
                return self.located(visitor.visit_bool(b));
            }
        }
        let b = match convert(self.present()?.clone(), &Type::Bool) {
            Ok(Value::Bool(b)) => b,
            Ok(_) => return Err(DecodeError::type_at("bool required", &self.path)),
            Err(e) => return Err(DecodeError::type_at(e.to_string(), &self.path)),
        };
        self.located(visitor.visit_bool(b))
    }

    signed! {
        deserialize_i8 => i8, visit_i64;
        deserialize_i16 => i16, visit_i64;
        deserialize_i32 => i32, visit_i64;
        deserialize_i64 => i64, visit_i64;
    }

    unsigned! {
        deserialize_u8 => u8;
        deserialize_u16 => u16;
        deserialize_u32 => u32;
        deserialize_u64 => u64;
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.weak_number(self.present()?);
        let n = to_number(&v).map_err(|m| DecodeError::type_at(m, &self.path))?;
        self.located(visitor.visit_f64(n))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let s = self.string()?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => self.located(visitor.visit_char(c)),
            _ => Err(DecodeError::type_at(
                "a single character is required",
                &self.path,
            )),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let s = self.string()?;
        self.located(visitor.visit_str(&s))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let s = self.string()?;
        self.located(visitor.visit_string(s))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let s = self.string()?;
        self.located(visitor.visit_bytes(s.as_bytes()))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let s = self.string()?;
        self.located(visitor.visit_byte_buf(s.into_bytes()))
    }

    /// Null and unknown both mean "not set".
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let r = match self.value {
            Value::Null | Value::Unknown(_) => visitor.visit_none(),
            // In Go an empty string is an unset one, and Packer's
            // "trilean" bools read "" as unset: weak decoding (legacy
            // JSON, where `"{{ user `x` }}"` with an empty x is common)
            // treats it as not set.
            Value::String(s) if self.patches.weak && s.is_empty() => visitor.visit_none(),
            _ => visitor.visit_some(ValueDe {
                value: self.value,
                path: self.path.clone(),
                patches: self.patches,
            }),
        };
        self.located(r)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Value::Null | Value::Unknown(_) => self.located(visitor.visit_unit()),
            _ => Err(DecodeError::type_at(
                "no value is expected here",
                &self.path,
            )),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let path = self.path.clone();
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| e.or_path(&path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let seq = self.seq(cty_name::<V::Value>())?;
        self.located(visitor.visit_seq(seq))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let mut entries = self.mapping(None, cty_name::<V::Value>())?;
        let r = visitor.visit_map(&mut entries);
        r.map_err(|e| entries.locate(e, &self.path))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let mut entries = self.mapping(Some(fields), None)?;
        let r = visitor.visit_map(&mut entries);
        r.map_err(|e| entries.locate(e, &self.path))
    }

    /// A unit variant is named by a string; a variant with content by an
    /// object with exactly one attribute, the variant's name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let access = match self.present()? {
            Value::Map(m) | Value::Object(m) => {
                let mut it = m.iter();
                match (it.next(), it.next()) {
                    (Some((k, v)), None) => VariantAccess {
                        name: k.clone(),
                        content: Some((v, child(&self.path, Step::Key(k.clone())))),
                        path: self.path.clone(),
                        patches: self.patches,
                    },
                    _ => {
                        return Err(DecodeError::type_at(
                            "an object with exactly one attribute is required",
                            &self.path,
                        ))
                    }
                }
            }
            _ => VariantAccess {
                name: self.string()?,
                content: None,
                path: self.path.clone(),
                patches: self.patches,
            },
        };
        self.located(visitor.visit_enum(access))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_unit())
    }
}
