//! What the error-collecting loop has neutralised so far.
//!
//! Serde stops at the first error. To report every error of a block in one
//! run, decoding is repeated; after each failure the item at fault is taken
//! out of the way without touching the evaluated values: an argument or
//! block that should not be there is skipped, a bad value is replaced by a
//! *placeholder* that decodes as whatever the field needs, and a missing
//! field is supplied as a placeholder too.

use super::error::{Path, Step};
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Default)]
pub(crate) struct Patches {
    /// Arguments, object entries and blocks to leave out.
    skip: HashSet<Path>,
    /// Values to replace by a placeholder.
    placeholder: HashSet<Path>,
    /// Fields to add, as placeholders, to the body or object at a path.
    added: BTreeMap<Path, Vec<&'static str>>,
    /// Blocks whose labels have already been reported.
    labels_reported: HashSet<Path>,
    /// Weak decoding (see `EvaluatedBody::weak`); not a patch, but every
    /// deserializer of a body already carries this struct.
    pub(crate) weak: bool,
}

impl Patches {
    pub(crate) fn is_skipped(&self, path: &Path) -> bool {
        self.skip.contains(path)
    }

    pub(crate) fn is_placeholder(&self, path: &Path) -> bool {
        self.placeholder.contains(path)
    }

    pub(crate) fn added_fields(&self, path: &Path) -> &[&'static str] {
        self.added.get(path).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn labels_reported(&self, path: &Path) -> bool {
        self.labels_reported.contains(path)
    }

    /// True when `path` lies at or below a placeholder: an error there is an
    /// artefact of the placeholder, not of the configuration.
    pub(crate) fn within_placeholder(&self, path: &Path) -> bool {
        (0..=path.len()).any(|n| path.get(..n).is_some_and(|p| self.placeholder.contains(p)))
    }

    /// True when a placeholder sits strictly below `path`: a type's own
    /// check of the value at `path` may have failed because of it.
    pub(crate) fn placeholder_below(&self, path: &Path) -> bool {
        self.placeholder
            .iter()
            .any(|p| p.len() > path.len() && p.starts_with(path))
    }

    /// Each method returns false when the patch was already applied: the
    /// same error came back, so repeating would not make progress.
    pub(crate) fn skip(&mut self, path: Path) -> bool {
        self.skip.insert(path)
    }

    pub(crate) fn replace(&mut self, path: Path) -> bool {
        self.placeholder.insert(path)
    }

    /// The added field's placeholder sits at `path` + `Key(field)`.
    pub(crate) fn add_field(&mut self, path: Path, field: &'static str) -> bool {
        self.placeholder
            .insert(child(&path, Step::Key(field.to_owned())));
        let fields = self.added.entry(path).or_default();
        if fields.contains(&field) {
            return false;
        }
        fields.push(field);
        true
    }

    pub(crate) fn accept_labels(&mut self, path: Path) -> bool {
        self.labels_reported.insert(path)
    }
}

/// The path of an entry one step below `path`.
pub(crate) fn child(path: &Path, step: Step) -> Path {
    let mut p = Vec::with_capacity(path.len() + 1);
    p.extend_from_slice(path);
    p.push(step);
    p
}
