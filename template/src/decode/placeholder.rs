//! A stand-in for an item the error-collecting loop has neutralised. It
//! decodes as the emptiest value of whatever type is asked for (zero, "",
//! an empty list, a struct whose every field is itself a placeholder), so
//! decoding can go on and find the configuration's other errors.

use super::error::{DecodeError, Path, Step};
use super::patches::child;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

pub(crate) struct Placeholder {
    pub(crate) path: Path,
}

impl Placeholder {
    fn located<T>(&self, r: Result<T, DecodeError>) -> Result<T, DecodeError> {
        r.map_err(|e| e.or_path(&self.path))
    }
}

impl<'de> de::Deserializer<'de> for Placeholder {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_unit())
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_bool(false))
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_i64(0))
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_u64(0))
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_f64(0.0))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_char(' '))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_str(""))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_bytes(&[]))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_none())
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_unit())
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
        self.located(visitor.visit_seq(Elements {
            left: 0,
            path: self.path.clone(),
        }))
    }

    /// A fixed-size tuple needs exactly `len` elements.
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_seq(Elements {
            left: len,
            path: self.path.clone(),
        }))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_map(Fields {
            fields: [].iter(),
            path: self.path.clone(),
        }))
    }

    /// Every field present, each a placeholder: required fields of a
    /// replaced struct are not reported as missing.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_map(Fields {
            fields: fields.iter(),
            path: self.path.clone(),
        }))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let variant = variants.first().copied().unwrap_or("");
        self.located(visitor.visit_enum(FirstVariant {
            variant,
            path: self.path.clone(),
        }))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.located(visitor.visit_unit())
    }

    forward_narrow_types!();
}

struct Elements {
    left: usize,
    path: Path,
}

impl<'de> de::SeqAccess<'de> for Elements {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(Placeholder {
            path: self.path.clone(),
        })
        .map(Some)
    }
}

struct Fields {
    fields: std::slice::Iter<'static, &'static str>,
    path: Path,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        match self.fields.next() {
            Some(f) => seed.deserialize((*f).into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        seed.deserialize(Placeholder {
            path: child(&self.path, Step::Key(String::new())),
        })
    }
}

struct FirstVariant {
    variant: &'static str,
    path: Path,
}

impl<'de> de::EnumAccess<'de> for FirstVariant {
    type Error = DecodeError;
    type Variant = Placeholder;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Placeholder), DecodeError> {
        let v = seed.deserialize(self.variant.into_deserializer())?;
        Ok((v, Placeholder { path: self.path }))
    }
}

impl<'de> de::VariantAccess<'de> for Placeholder {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<(), DecodeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DecodeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        de::Deserializer::deserialize_tuple(self, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}
