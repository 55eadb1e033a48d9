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
        let end = self.line_starts.get(line).map_or(self.text.len(), |e| e - 1);
        self.text.get(start..end).unwrap_or("").trim_end_matches('\r')
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
        let mut files = self.files.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        files.push(Arc::new(SourceFile::new(name.into(), text.into())));
        files.len() - 1
    }

    pub fn get(&self, id: FileId) -> Option<Arc<SourceFile>> {
        let files = self.files.read().unwrap_or_else(std::sync::PoisonError::into_inner);
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
}
