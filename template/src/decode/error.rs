//! The error type the decoding deserializer raises, with where it happened.

use std::fmt;

/// One step from a block body down to the item at fault.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Step {
    /// An argument of a block body.
    Attr(String),
    /// All blocks of one type in a block body; followed by `Index` for one
    /// of them.
    Block(String),
    /// An element of a sequence, or the n-th block of a type.
    Index(usize),
    /// An entry of an object or map value.
    Key(String),
}

/// Absolute location from the decoded body, outermost step first.
pub(crate) type Path = Vec<Step>;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ErrorKind {
    /// The value cannot become what the field needs ("a number is
    /// required"); the message reads like cty's conversion errors.
    Type(String),
    /// Anything else a type's own `Deserialize` reports.
    Custom(String),
    MissingField(&'static str),
    UnknownField {
        name: String,
        expected: &'static [&'static str],
    },
    UnknownVariant {
        name: String,
        expected: &'static [&'static str],
    },
    /// Serde saw the same field twice: an argument and a block of one name.
    DuplicateField(&'static str),
    /// A second block of a type that allows only one.
    DuplicateBlock(String),
    /// A block where the field wants a plain value.
    BlockNotExpected(String),
    /// Labels on a nested block, which component schemas never declare.
    ExtraneousLabel(String),
}

/// A decoding error. `path` is filled in by the innermost deserializer that
/// knows where it is, so a visitor's error (which knows nothing of paths)
/// still ends up pointing at the value it was visiting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DecodeError {
    pub(crate) kind: ErrorKind,
    pub(crate) path: Option<Path>,
}

impl DecodeError {
    pub(crate) fn new(kind: ErrorKind) -> DecodeError {
        DecodeError { kind, path: None }
    }

    pub(crate) fn at(kind: ErrorKind, path: &Path) -> DecodeError {
        DecodeError {
            kind,
            path: Some(path.clone()),
        }
    }

    pub(crate) fn type_at(message: impl Into<String>, path: &Path) -> DecodeError {
        DecodeError::at(ErrorKind::Type(message.into()), path)
    }

    /// Give a path-less error the path of the value being decoded.
    #[must_use]
    pub(crate) fn or_path(mut self, path: &Path) -> DecodeError {
        if self.path.is_none() {
            self.path = Some(path.clone());
        }
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Type(m) | ErrorKind::Custom(m) => f.write_str(m),
            ErrorKind::MissingField(n) => write!(f, "attribute \"{n}\" is required"),
            ErrorKind::UnknownField { name, .. } => write!(f, "unexpected attribute \"{name}\""),
            ErrorKind::UnknownVariant { name, expected } => {
                write!(f, "\"{name}\" is not a valid value; expected ")?;
                write_one_of(f, expected)
            }
            ErrorKind::DuplicateField(n) => write!(f, "\"{n}\" is defined more than once"),
            ErrorKind::DuplicateBlock(k) => write!(f, "only one {k} block is allowed"),
            ErrorKind::BlockNotExpected(k) => {
                write!(f, "blocks of type \"{k}\" are not expected here")
            }
            ErrorKind::ExtraneousLabel(k) => write!(f, "no labels are expected for {k} blocks"),
        }
    }
}

fn write_one_of(f: &mut fmt::Formatter<'_>, expected: &[&str]) -> fmt::Result {
    match expected {
        [] => f.write_str("no value at all"),
        [one] => write!(f, "\"{one}\""),
        many => {
            f.write_str("one of ")?;
            for (i, e) in many.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "\"{e}\"")?;
            }
            Ok(())
        }
    }
}

impl std::error::Error for DecodeError {}

impl serde::de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> DecodeError {
        DecodeError::new(ErrorKind::Custom(msg.to_string()))
    }

    fn missing_field(field: &'static str) -> DecodeError {
        DecodeError::new(ErrorKind::MissingField(field))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> DecodeError {
        DecodeError::new(ErrorKind::UnknownField {
            name: field.to_owned(),
            expected,
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> DecodeError {
        DecodeError::new(ErrorKind::UnknownVariant {
            name: variant.to_owned(),
            expected,
        })
    }

    fn duplicate_field(field: &'static str) -> DecodeError {
        DecodeError::new(ErrorKind::DuplicateField(field))
    }
}
