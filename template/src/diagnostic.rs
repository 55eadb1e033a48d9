//! Errors and warnings about a configuration, each pointing at its source.
//!
//! Every problem the template layer finds becomes a [`Diagnostic`]; callers
//! collect them in [`Diagnostics`] so that one run reports all of a
//! template's errors, not just the first.

use crate::source::{SourceMap, SourceSpan};
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short title: "Unsupported argument".
    pub summary: String,
    /// The explanation: "An argument named \"foo\" is not expected here."
    pub detail: String,
    pub span: Option<SourceSpan>,
    /// A one-line suggestion: "did you mean `ssh_username`?"
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            span: None,
            hint: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    #[must_use]
    pub fn at(mut self, span: impl Into<Option<SourceSpan>>) -> Diagnostic {
        self.span = span.into();
        self
    }

    /// Set the span only if none is set yet.
    #[must_use]
    pub fn or_at(mut self, span: impl Into<Option<SourceSpan>>) -> Diagnostic {
        if self.span.is_none() {
            self.span = span.into();
        }
        self
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Render as Packer-like text with file:line:col, the source line and a
    /// caret under the offending snippet.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        let _ = writeln!(out, "{label}: {}", self.summary);
        if let Some(span) = self.span.as_ref().map(|s| sources.resolve(s)) {
            if let Some(file) = sources.get(span.file) {
                let (line, col) = file.line_col(span.range.start);
                let _ = writeln!(out, "\n  on {}:{line}:{col}:", file.name);
                let text = file.line_text(line);
                let _ = writeln!(out, "  {line:>4} | {text}");
                let (end_line, end_col) = file.line_col(span.range.end);
                let width = if end_line == line {
                    end_col.saturating_sub(col).max(1)
                } else {
                    text.chars().count().saturating_sub(col - 1).max(1)
                };
                let lead: String = text
                    .chars()
                    .take(col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "       | {lead}{}", "^".repeat(width));
            }
        }
        if !self.detail.is_empty() {
            let _ = writeln!(out, "\n{}", self.detail);
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "\nHint: {hint}");
        }
        out
    }

    /// "file:line:col" of the diagnostic's start, if it has a location.
    pub fn location(&self, sources: &SourceMap) -> Option<String> {
        let span = sources.resolve(self.span.as_ref()?);
        let file = sources.get(span.file)?;
        let (line, col) = file.line_col(span.range.start);
        Some(format!("{}:{line}:{col}", file.name))
    }
}

/// An ordered collection of diagnostics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    pub fn render(&self, sources: &SourceMap) -> String {
        self.0
            .iter()
            .map(|d| d.render(sources))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The closest candidate to a misspelt name, for "did you mean" hints.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_and_caret() {
        let map = SourceMap::new();
        let id = map.add("t.pkr.hcl", "source \"null\" \"x\" {\n  foo = 1\n}\n");
        let d = Diagnostic::error(
            "Unsupported argument",
            "An argument named \"foo\" is not expected here.",
        )
        .at(SourceSpan::new(id, 22..25));
        let text = d.render(&map);
        assert!(text.contains("on t.pkr.hcl:2:3:"), "{text}");
        assert!(text.contains("   2 |   foo = 1"), "{text}");
        assert!(text.contains("|   ^^^\n"), "{text}");
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            did_you_mean("ssh_usrname", ["ssh_username", "ssh_port"]),
            Some("ssh_username")
        );
        assert_eq!(did_you_mean("zzz", ["ssh_username"]), None);
    }
}
