//! Decoding evaluated blocks into the typed configs components ask for.
//!
//! A builder, provisioner or post-processor describes its configuration as
//! a serde type; [`decode`] fills it from an [`EvaluatedBody`]. Struct
//! fields come from the body's arguments and from its nested blocks: the
//! blocks of type `foo` decode into field `foo`, a `Vec` taking every
//! block, any other type (a struct, `Option<struct>`) exactly one.
//!
//! Values convert as cty converts them when Packer decodes into a typed
//! spec: `"1024"` into an integer field, numbers and bools into a `String`
//! (`"true"`), a whole number into any integer type in range, a tuple into
//! a `Vec`; a list field needs a list, tuple or set (a lone string is not
//! wrapped). Objects decode into structs and maps (`HashMap`, `BTreeMap`,
//! `IndexMap`), a string into a unit enum variant.
//!
//! Null and unknown values:
//! - `null` means "not set". An argument (or an object attribute decoding
//!   into a struct) whose value is null is left out, so an `Option` field
//!   is `None`, a `#[serde(default)]` field takes its default and a required
//!   field is reported missing. Inside lists and maps a null decodes only
//!   into an `Option`.
//! - An unknown value (known only once the build runs) is treated exactly
//!   like null: `None`, the default, or — for a required field — an error
//!   saying the value is not known yet. Components that must accept
//!   unknowns declare the field `Option` or `#[serde(default)]`.
//!
//! Every error of a body is reported in one run (see `patches`), each
//! pointing at the argument or block at fault. Types should use
//! `#[serde(deny_unknown_fields)]`; without it, misspelt arguments and
//! blocks are silently ignored, as serde ignores unknown fields.
//! `#[serde(flatten)]` works, but its errors point at the whole block.

/// The serde methods every deserializer here answers by forwarding to a
/// wider one: narrow integers and floats, owned strings and identifiers,
/// byte buffers, unit and tuple structs.
macro_rules! forward_narrow_types {
    () => {
        fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_i64(v)
        }
        fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_i64(v)
        }
        fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_i64(v)
        }
        fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_u64(v)
        }
        fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_u64(v)
        }
        fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_u64(v)
        }
        fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_f64(v)
        }
        fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_str(v)
        }
        fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_str(v)
        }
        fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.deserialize_bytes(v)
        }
        fn deserialize_unit_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            v: V,
        ) -> Result<V::Value, DecodeError> {
            self.deserialize_unit(v)
        }
        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            len: usize,
            v: V,
        ) -> Result<V::Value, DecodeError> {
            self.deserialize_tuple(len, v)
        }
    };
}

mod access;
mod blocks_de;
mod body_de;
mod error;
mod number;
mod patches;
mod placeholder;
mod report;
mod type_name;
mod value_de;

#[cfg(test)]
mod tests;

use crate::diagnostic::Diagnostics;
use crate::source::SourceSpan;
use crate::value::Value;
use error::{DecodeError, ErrorKind};
use indexmap::IndexMap;
use patches::Patches;

/// An evaluated block body: attribute values with their spans, nested
/// blocks in source order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvaluatedBody {
    pub attrs: IndexMap<String, EvaluatedAttr>,
    pub blocks: Vec<EvaluatedBlock>,
    /// Span of the block header (for "missing required argument" errors).
    pub span: Option<SourceSpan>,
    /// Decode as mapstructure's weak decoding does, for legacy JSON
    /// templates, whose plugins decode that way: a string where a list is
    /// wanted is split on commas ("" is an empty list), another lone value
    /// is a list of one, an empty string or a bool where a number is wanted
    /// is 0 (or 1 for true), a bool where a string is wanted is "1"
    /// or "0", and a string where a bool is wanted is read as Go's
    /// `strconv.ParseBool` reads it ("" is false); "" for an optional
    /// field is not set (a Go zero value, and Packer's unset trilean).
    pub weak: bool,
}

/// One argument: its value, the span of the whole `name = expr` and of the
/// name alone.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluatedAttr {
    pub value: Value,
    pub span: Option<SourceSpan>,
    pub name_span: Option<SourceSpan>,
    /// Where each element is written when the value is a list literal
    /// `[a, b]` (empty otherwise), so an error about one element points at
    /// that element rather than at the opening bracket.
    pub element_spans: Vec<Option<SourceSpan>>,
}

/// A nested block: `kind "label" { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluatedBlock {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: EvaluatedBody,
    pub span: Option<SourceSpan>,
}

impl EvaluatedAttr {
    pub fn new(value: Value) -> EvaluatedAttr {
        EvaluatedAttr {
            value,
            span: None,
            name_span: None,
            element_spans: Vec::new(),
        }
    }
}

impl EvaluatedBody {
    /// Number of arguments, blocks and values nested in them: the most
    /// errors decoding can find, which bounds the error-collecting loop.
    fn item_count(&self) -> usize {
        let attrs: usize = self.attrs.values().map(|a| value_count(&a.value)).sum();
        let blocks: usize = self.blocks.iter().map(|b| 1 + b.body.item_count()).sum();
        attrs + blocks
    }
}

fn value_count(v: &Value) -> usize {
    match v {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            1 + items.iter().map(value_count).sum::<usize>()
        }
        Value::Map(m) | Value::Object(m) => 1 + m.values().map(value_count).sum::<usize>(),
        _ => 1,
    }
}

/// Missing fields are found one per round on top of the body's items;
/// this many rounds is more than any component has required fields.
const EXTRA_ROUNDS: usize = 64;

/// Decode `body` into `T`, reporting every error found, each pointing at
/// its argument or block.
pub fn decode<T: serde::de::DeserializeOwned>(body: &EvaluatedBody) -> Result<T, Diagnostics> {
    let mut patches = Patches::default();
    patches.weak = body.weak;
    let mut found: Vec<DecodeError> = Vec::new();
    for _ in 0..body.item_count() + EXTRA_ROUNDS {
        let root = body_de::BodyDe {
            body,
            path: Vec::new(),
            patches: &patches,
        };
        let e = match T::deserialize(root) {
            Ok(v) if found.is_empty() => return Ok(v),
            Ok(_) => break,
            Err(e) => e,
        };
        let path = e.path.clone().unwrap_or_default();
        if patches.within_placeholder(&path) {
            // Caused by a stand-in, not by the configuration; whatever
            // was replaced has been reported already.
            break;
        }
        // A type's own check (`try_from`, `deserialize_with`) of a value
        // holding a placeholder judged the placeholder, not the
        // configuration: neutralise it without reporting.
        let suspect = matches!(e.kind, ErrorKind::Custom(_)) && patches.placeholder_below(&path);
        let progressed = neutralise(&mut patches, &e);
        if !suspect && !found.contains(&e) {
            found.push(e);
        }
        if !progressed {
            break;
        }
    }
    Err(report(body, found))
}

/// Take the item at fault out of the way for the next round. False when
/// that is impossible or was done already (no progress).
fn neutralise(patches: &mut Patches, e: &DecodeError) -> bool {
    let Some(path) = e.path.clone() else {
        return false;
    };
    match &e.kind {
        ErrorKind::UnknownField { .. }
        | ErrorKind::DuplicateField(_)
        | ErrorKind::DuplicateBlock(_) => !path.is_empty() && patches.skip(path),
        ErrorKind::MissingField(field) => patches.add_field(path, field),
        ErrorKind::ExtraneousLabel(_) => patches.accept_labels(path),
        ErrorKind::Type(_)
        | ErrorKind::Custom(_)
        | ErrorKind::UnknownVariant { .. }
        | ErrorKind::BlockNotExpected(_) => !path.is_empty() && patches.replace(path),
    }
}

/// Diagnostics in the order found, missing arguments last: serde only
/// notices them once the rest of a struct decoded.
fn report(body: &EvaluatedBody, found: Vec<DecodeError>) -> Diagnostics {
    let (missing, others): (Vec<DecodeError>, Vec<DecodeError>) = found
        .into_iter()
        .partition(|e| matches!(e.kind, ErrorKind::MissingField(_)));
    let mut out = Diagnostics::new();
    for e in others.iter().chain(&missing) {
        let d = report::diagnose(body, e);
        if !out.iter().any(|x| *x == d) {
            out.push(d);
        }
    }
    out
}
