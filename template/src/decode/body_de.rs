//! Decoding a block body: its arguments, then its nested blocks grouped by
//! type, as the fields of a struct (or the entries of a map).

use super::access::{add_placeholders, MapEntries, Node};
use super::error::{DecodeError, Path, Step};
use super::patches::{child, Patches};
use super::{EvaluatedBlock, EvaluatedBody};
use indexmap::IndexMap;
use serde::de::{self, Visitor};

pub(crate) struct BodyDe<'a> {
    pub(crate) body: &'a EvaluatedBody,
    pub(crate) path: Path,
    pub(crate) patches: &'a Patches,
}

impl<'a> BodyDe<'a> {
    /// Arguments in source order, leaving out null and unknown ones (they
    /// count as not set), then one entry per block type in order of first
    /// appearance, then any placeholders the loop added.
    ///
    /// `fields` are the struct's field names when known: a null argument
    /// of any other name is kept, so that a misspelt `contnet = null` is
    /// still reported as unexpected (as HCL does).
    fn entries(&self, fields: Option<&[&str]>) -> MapEntries<'a> {
        let mut entries: Vec<(String, Node<'a>, Path)> = Vec::new();
        for (name, attr) in &self.body.attrs {
            let known = fields.is_none_or(|f| f.contains(&name.as_str()));
            if attr.value.is_null() && known {
                continue;
            }
            let p = child(&self.path, Step::Attr(name.clone()));
            if !self.patches.is_skipped(&p) {
                entries.push((name.clone(), Node::Value(&attr.value), p));
            }
        }
        let mut groups: IndexMap<&'a str, Vec<(usize, &'a EvaluatedBlock)>> = IndexMap::new();
        for block in &self.body.blocks {
            let group = groups.entry(block.kind.as_str()).or_default();
            group.push((group.len(), block));
        }
        for (kind, blocks) in groups {
            let p = child(&self.path, Step::Block(kind.to_owned()));
            if self.patches.is_skipped(&p) {
                continue;
            }
            let kept: Vec<(usize, &EvaluatedBlock)> = blocks
                .into_iter()
                .filter(|(i, _)| !self.patches.is_skipped(&child(&p, Step::Index(*i))))
                .collect();
            if !kept.is_empty() {
                entries.push((kind.to_owned(), Node::Blocks(kind, kept), p));
            }
        }
        add_placeholders(&mut entries, &self.path, self.patches);
        MapEntries::new(entries, self.patches)
    }

    fn visit_entries<'de, V: Visitor<'de>>(
        self,
        fields: Option<&[&str]>,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let mut entries = self.entries(fields);
        let r = visitor.visit_map(&mut entries);
        r.map_err(|e| entries.locate(e, &self.path))
    }
}

impl<'de> de::Deserializer<'de> for BodyDe<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.visit_entries(None, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.visit_entries(Some(fields), visitor)
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

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map enum identifier
    }
}
