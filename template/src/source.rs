//! The files a configuration was read from, so diagnostics can point into them.

use std::ops::Range;
use std::sync::{Arc, RwLock};

/// Index of a file in a [`SourceMap`].
pub type FileId = usize;

/// A byte range in one source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceSpan {
    pub file: FileId,
    pub range: Range<usize>,
}

impl SourceSpan {
    pub fn new(file: FileId, range: Range<usize>) -> SourceSpan {
        SourceSpan { file, range }
    }
}

/// One loaded file: its display name and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
    /// For text kiln wrote from another file (a legacy JSON template
    /// translated to HCL): where each part of it came from.
    origin: Option<Origin>,
}

/// Where the parts of a translated file came from: byte ranges of the
/// translated text, each with the span of the original it was written
/// from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub segments: Vec<(Range<usize>, SourceSpan)>,
}

impl Origin {
    pub fn push(&mut self, translated: Range<usize>, original: SourceSpan) {
        self.segments.push((translated, original));
    }

    /// The original span of the smallest segment holding `offset`.
    fn find(&self, offset: usize) -> Option<&SourceSpan> {
        self.segments
            .iter()
            .filter(|(r, _)| r.start <= offset && offset <= r.end)
            .min_by_key(|(r, _)| r.end - r.start)
            .map(|(_, s)| s)
    }
}

impl SourceFile {
    fn new(name: String, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            text,
            line_starts,
            origin: None,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |e| e - 1);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// All files of one configuration. Cheap to clone and shareable across
/// threads: the evaluator adds files (`file()`, `templatefile()`) while
/// diagnostics read them.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Arc<RwLock<Vec<Arc<SourceFile>>>>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let mut files = self
            .files
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.push(Arc::new(SourceFile::new(name.into(), text.into())));
        files.len() - 1
    }

    /// Add text translated from another file; diagnostics about it point
    /// into the original through [`SourceMap::resolve`].
    pub fn add_translated(
        &self,
        name: impl Into<String>,
        text: impl Into<String>,
        origin: Origin,
    ) -> FileId {
        let mut file = SourceFile::new(name.into(), text.into());
        file.origin = Some(origin);
        let mut files = self
            .files
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.push(Arc::new(file));
        files.len() - 1
    }

    /// The span a user wrote: a span in translated text becomes the span
    /// of the original it came from; any other span is returned as it is.
    pub fn resolve(&self, span: &SourceSpan) -> SourceSpan {
        let Some(file) = self.get(span.file) else {
            return span.clone();
        };
        match file.origin.as_ref().and_then(|o| o.find(span.range.start)) {
            Some(original) => original.clone(),
            None => span.clone(),
        }
    }

    pub fn get(&self, id: FileId) -> Option<Arc<SourceFile>> {
        let files = self
            .files
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.get(id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let map = SourceMap::new();
        let id = map.add("a.pkr.hcl", "ab\ncdé\nf");
        let f = map.get(id).expect("file");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 2));
        assert_eq!(f.line_col(8), (3, 1));
        assert_eq!(f.line_text(2), "cdé");
    }

    #[test]
    fn translated_spans_resolve_to_the_innermost_original() {
        let map = SourceMap::new();
        let json = map.add("t.json", "{\"a\": [1, 2]}");
        let mut origin = Origin::default();
        origin.push(0..12, SourceSpan::new(json, 1..13));
        origin.push(8..9, SourceSpan::new(json, 11..12));
        let hcl = map.add_translated("t.json (as HCL)", "a = [1, 2]\n", origin);
        assert_eq!(
            map.resolve(&SourceSpan::new(hcl, 8..9)),
            SourceSpan::new(json, 11..12)
        );
        assert_eq!(
            map.resolve(&SourceSpan::new(hcl, 1..2)),
            SourceSpan::new(json, 1..13)
        );
        let plain = SourceSpan::new(json, 3..4);
        assert_eq!(map.resolve(&plain), plain);
    }
}
