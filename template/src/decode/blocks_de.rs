//! Decoding the blocks of one type: a sequence field takes every block, any
//! other field exactly one.

use super::access::{Node, SeqEntries};
use super::body_de::BodyDe;
use super::error::{DecodeError, ErrorKind, Path, Step};
use super::patches::{child, Patches};
use super::EvaluatedBlock;
use serde::de::{self, Visitor};

pub(crate) struct BlocksDe<'a> {
    pub(crate) kind: &'a str,
    /// Occurrence index (among blocks of this type) and block.
    pub(crate) blocks: Vec<(usize, &'a EvaluatedBlock)>,
    /// Path of the block type; each block is one `Index` below it.
    pub(crate) path: Path,
    pub(crate) patches: &'a Patches,
}

impl<'a> BlocksDe<'a> {
    /// Component schemas never declare labels on nested blocks, so a label
    /// is a mistake HCL would report too.
    fn check_labels(&self) -> Result<(), DecodeError> {
        for (i, block) in &self.blocks {
            let p = child(&self.path, Step::Index(*i));
            if !block.labels.is_empty() && !self.patches.labels_reported(&p) {
                return Err(DecodeError::at(
                    ErrorKind::ExtraneousLabel(self.kind.to_owned()),
                    &p,
                ));
            }
        }
        Ok(())
    }

    fn single(&self) -> Result<BodyDe<'a>, DecodeError> {
        self.check_labels()?;
        match self.blocks.as_slice() {
            [(i, block)] => Ok(BodyDe {
                body: &block.body,
                path: child(&self.path, Step::Index(*i)),
                patches: self.patches,
            }),
            [_, (i, _), ..] => Err(DecodeError::at(
                ErrorKind::DuplicateBlock(self.kind.to_owned()),
                &child(&self.path, Step::Index(*i)),
            )),
            [] => Err(DecodeError::type_at("no block given", &self.path)),
        }
    }

    fn all(&self) -> Result<SeqEntries<'a>, DecodeError> {
        self.check_labels()?;
        let items = self
            .blocks
            .iter()
            .map(|(i, b)| (Node::Body(&b.body), child(&self.path, Step::Index(*i))))
            .collect();
        Ok(SeqEntries::new(items, self.patches))
    }

    fn not_a_value<T>(&self) -> Result<T, DecodeError> {
        Err(DecodeError::at(
            ErrorKind::BlockNotExpected(self.kind.to_owned()),
            &self.path,
        ))
    }
}

impl<'de> de::Deserializer<'de> for BlocksDe<'_> {
    type Error = DecodeError;

    /// Self-describing targets see one block as a map and several as a
    /// sequence of maps.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.blocks.len() == 1 {
            self.single()?.deserialize_any(visitor)
        } else {
            let seq = self.all()?;
            visitor.visit_seq(seq).map_err(|e| e.or_path(&self.path))
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let seq = self.all()?;
        visitor.visit_seq(seq).map_err(|e| e.or_path(&self.path))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.single()?.deserialize_map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.single()?.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let path = self.path.clone();
        visitor.visit_some(self).map_err(|e| e.or_path(&path))
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

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }

    fn deserialize_bool<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DecodeError> {
        self.not_a_value()
    }

    fn deserialize_i64<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DecodeError> {
        self.not_a_value()
    }

    fn deserialize_u64<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DecodeError> {
        self.not_a_value()
    }

    fn deserialize_f64<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DecodeError> {
        self.not_a_value()
    }

    fn deserialize_str<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DecodeError> {
        self.not_a_value()
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DecodeError> {
        self.not_a_value()
    }

    fn deserialize_unit<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DecodeError> {
        self.not_a_value()
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.not_a_value()
    }

    forward_narrow_types!();
    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(v)
    }
}
