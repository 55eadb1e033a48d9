//! The pieces the deserializers hand to serde's visitors: entries of a body
//! or object (`MapAccess`), elements of a sequence (`SeqAccess`) and the
//! variant of an enum (`EnumAccess`).

use super::blocks_de::BlocksDe;
use super::body_de::BodyDe;
use super::error::{DecodeError, ErrorKind, Path, Step};
use super::patches::{child, Patches};
use super::placeholder::Placeholder;
use super::value_de::ValueDe;
use super::{EvaluatedBlock, EvaluatedBody};
use crate::value::Value;
use serde::de::{self, DeserializeSeed, IntoDeserializer};

/// Something that can be decoded: a value, a block body, the blocks of one
/// type, or a placeholder standing in for a neutralised item.
pub(crate) enum Node<'a> {
    Value(&'a Value),
    /// A value made while decoding: the parts of a string that weak
    /// decoding splits into a list.
    Owned(Value),
    Body(&'a EvaluatedBody),
    /// The blocks of one type with their occurrence index.
    Blocks(&'a str, Vec<(usize, &'a EvaluatedBlock)>),
    Placeholder,
}

/// Decode `node` at `path` with `seed`, or a placeholder if the loop has
/// replaced that item.
pub(crate) fn decode_node<'de, 'a, S: DeserializeSeed<'de>>(
    seed: S,
    node: Node<'a>,
    path: Path,
    patches: &'a Patches,
) -> Result<S::Value, DecodeError> {
    if patches.is_placeholder(&path) {
        return seed.deserialize(Placeholder { path });
    }
    match node {
        // A value only the build knows stands in as the emptiest value of
        // the wanted type (None for an Option): configs with `build.*`
        // references validate, and the engine decodes again once known.
        Node::Value(Value::Unknown(_)) => seed.deserialize(Placeholder { path }),
        Node::Value(value) => seed.deserialize(ValueDe {
            value,
            path,
            patches,
        }),
        Node::Owned(value) => seed.deserialize(ValueDe {
            value: &value,
            path,
            patches,
        }),
        Node::Body(body) => seed.deserialize(BodyDe {
            body,
            path,
            patches,
        }),
        Node::Blocks(kind, blocks) => seed.deserialize(BlocksDe {
            kind,
            blocks,
            path,
            patches,
        }),
        Node::Placeholder => seed.deserialize(Placeholder { path }),
    }
}

/// Key/value entries in order, each with its path.
pub(crate) struct MapEntries<'a> {
    entries: std::vec::IntoIter<(String, Node<'a>, Path)>,
    pending: Option<(Node<'a>, Path)>,
    patches: &'a Patches,
    /// Path of the last key handed out, to locate serde's "duplicate field".
    last_key: Option<Path>,
}

impl<'a> MapEntries<'a> {
    pub(crate) fn new(
        entries: Vec<(String, Node<'a>, Path)>,
        patches: &'a Patches,
    ) -> MapEntries<'a> {
        MapEntries {
            entries: entries.into_iter(),
            pending: None,
            patches,
            last_key: None,
        }
    }

    /// Entries of an object or map value. `as_struct` (the struct's field
    /// names) leaves out null and unknown values of those fields so they
    /// count as not set — a null of any other name stays, to be reported
    /// as unexpected — and adds the placeholders the loop asked for.
    pub(crate) fn of_mapping(
        items: &'a std::collections::BTreeMap<String, Value>,
        path: &Path,
        patches: &'a Patches,
        as_struct: Option<&[&str]>,
    ) -> MapEntries<'a> {
        let mut entries: Vec<(String, Node<'a>, Path)> = Vec::with_capacity(items.len());
        for (k, v) in items {
            if v.is_null() && as_struct.is_some_and(|f| f.contains(&k.as_str())) {
                continue;
            }
            let p = child(path, Step::Key(k.clone()));
            if patches.is_skipped(&p) {
                continue;
            }
            entries.push((k.clone(), Node::Value(v), p));
        }
        if as_struct.is_some() {
            add_placeholders(&mut entries, path, patches);
        }
        MapEntries::new(entries, patches)
    }

    /// Give an error raised by the visitor itself (not by a key or value)
    /// a location: a duplicate field is the last key, anything else the
    /// mapping as a whole.
    pub(crate) fn locate(&self, e: DecodeError, path: &Path) -> DecodeError {
        match (&e.kind, &self.last_key) {
            (ErrorKind::DuplicateField(_), Some(key)) => e.or_path(key),
            _ => e.or_path(path),
        }
    }
}

/// Fields the loop supplies because they were missing.
pub(crate) fn add_placeholders<'a>(
    entries: &mut Vec<(String, Node<'a>, Path)>,
    path: &Path,
    patches: &Patches,
) {
    for field in patches.added_fields(path) {
        if entries.iter().all(|(k, _, _)| k != field) {
            entries.push((
                (*field).to_owned(),
                Node::Placeholder,
                child(path, Step::Key((*field).to_owned())),
            ));
        }
    }
}

impl<'de> de::MapAccess<'de> for MapEntries<'_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((key, node, path)) = self.entries.next() else {
            return Ok(None);
        };
        let k = seed
            .deserialize(key.into_deserializer())
            .map_err(|e: DecodeError| e.or_path(&path))?;
        self.last_key = Some(path.clone());
        self.pending = Some((node, path));
        Ok(Some(k))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        match self.pending.take() {
            Some((node, path)) => decode_node(seed, node, path, self.patches),
            None => Err(de::Error::custom("value requested before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// Elements in order, each with its path.
pub(crate) struct SeqEntries<'a> {
    items: std::vec::IntoIter<(Node<'a>, Path)>,
    patches: &'a Patches,
}

impl<'a> SeqEntries<'a> {
    pub(crate) fn new(items: Vec<(Node<'a>, Path)>, patches: &'a Patches) -> SeqEntries<'a> {
        SeqEntries {
            items: items.into_iter(),
            patches,
        }
    }

    pub(crate) fn of_values(
        values: &'a [Value],
        path: &Path,
        patches: &'a Patches,
    ) -> SeqEntries<'a> {
        let items = values
            .iter()
            .enumerate()
            .map(|(i, v)| (Node::Value(v), child(path, Step::Index(i))))
            .collect();
        SeqEntries::new(items, patches)
    }

    pub(crate) fn of_owned(
        values: Vec<Value>,
        path: &Path,
        patches: &'a Patches,
    ) -> SeqEntries<'a> {
        let items = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Node::Owned(v), child(path, Step::Index(i))))
            .collect();
        SeqEntries::new(items, patches)
    }
}

impl<'de> de::SeqAccess<'de> for SeqEntries<'_> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        match self.items.next() {
            Some((node, path)) => decode_node(seed, node, path, self.patches).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An enum variant named by a string (unit variant) or by the single key of
/// an object (the variant's content is the key's value).
pub(crate) struct VariantAccess<'a> {
    pub(crate) name: String,
    pub(crate) content: Option<(&'a Value, Path)>,
    pub(crate) path: Path,
    pub(crate) patches: &'a Patches,
}

impl<'de, 'a> de::EnumAccess<'de> for VariantAccess<'a> {
    type Error = DecodeError;
    type Variant = VariantAccess<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), DecodeError> {
        let name: &str = &self.name;
        let v = seed
            .deserialize(name.into_deserializer())
            .map_err(|e: DecodeError| e.or_path(&self.path))?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'_> {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<(), DecodeError> {
        match self.content {
            None | Some((Value::Null, _)) => Ok(()),
            Some((_, path)) => Err(DecodeError::type_at(
                format!("\"{}\" takes no value", self.name),
                &path,
            )),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DecodeError> {
        let patches = self.patches;
        let (value, path) = self.content_or_err()?;
        decode_node(seed, Node::Value(value), path, patches)
    }

    fn tuple_variant<V: de::Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let patches = self.patches;
        let (value, path) = self.content_or_err()?;
        de::Deserializer::deserialize_tuple(
            ValueDe {
                value,
                path,
                patches,
            },
            len,
            visitor,
        )
    }

    fn struct_variant<V: de::Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let patches = self.patches;
        let (value, path) = self.content_or_err()?;
        de::Deserializer::deserialize_struct(
            ValueDe {
                value,
                path,
                patches,
            },
            "",
            fields,
            visitor,
        )
    }
}

impl<'a> VariantAccess<'a> {
    fn content_or_err(self) -> Result<(&'a Value, Path), DecodeError> {
        match self.content {
            Some(c) => Ok(c),
            None => Err(DecodeError::type_at(
                format!(
                    "\"{}\" needs a value: write {{ {} = ... }}",
                    self.name, self.name
                ),
                &self.path,
            )),
        }
    }
}
