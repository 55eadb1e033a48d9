//! Reading `.pkr.hcl` text into hcl-edit's lossless syntax tree.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap, SourceSpan};
use hcl_edit::structure::Body;

/// A parsed file: its id in the source map and its body.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub file: FileId,
    pub body: Body,
}

/// Parse HCL native syntax. A syntax error becomes a diagnostic at the
/// place the parser stopped.
pub fn parse_hcl(sources: &SourceMap, name: &str, text: &str) -> Result<ParsedFile, Diagnostic> {
    let file = sources.add(name, text);
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(ParsedFile { file, body }),
        Err(e) => Err(syntax_error(file, text, &e)),
    }
}

/// Parse HCL that kiln translated from another file (see
/// [`Origin`](crate::source::Origin)): errors point into the original.
pub fn parse_translated_hcl(
    sources: &SourceMap,
    name: &str,
    text: &str,
    origin: crate::source::Origin,
) -> Result<ParsedFile, Diagnostic> {
    let file = sources.add_translated(name, text, origin);
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(ParsedFile { file, body }),
        Err(e) => Err(syntax_error(file, text, &e)),
    }
}

/// Parse a standalone expression (console input, `-var` values).
pub fn parse_expr(
    sources: &SourceMap,
    name: &str,
    text: &str,
) -> Result<(FileId, hcl_edit::expr::Expression), Diagnostic> {
    let file = sources.add(name, text);
    match hcl_edit::parser::parse_expr(text) {
        Ok(expr) => Ok((file, expr)),
        Err(e) => Err(syntax_error(file, text, &e)),
    }
}

fn syntax_error(file: FileId, text: &str, e: &hcl_edit::parser::Error) -> Diagnostic {
    let mut offset = e.location().offset().min(text.len());
    // hcl-edit clamps an error at the end of input to the last byte; when
    // that is the final newline, the problem is really past it (where
    // Packer reports it: the line after the last one).
    if offset + 1 == text.len() && text.ends_with('\n') && unexpected_end(e.message()) {
        offset = text.len();
    }
    // An unclosed heredoc runs to the end of the file, which is where the
    // missing delimiter belongs.
    if e.message().contains("heredoc end delimiter") {
        offset = text.len();
    }
    let end = text
        .get(offset..)
        .and_then(|rest| rest.char_indices().nth(1))
        .map_or(text.len(), |(i, _)| offset + i);
    Diagnostic::error("Invalid syntax", capitalise(e.message()))
        .at(SourceSpan::new(file, offset..end.max(offset)))
}

fn unexpected_end(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("expected `}`")
        || m.contains("heredoc end")
        || m.contains("eof")
        || m.contains("end of input")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_has_location() {
        let map = SourceMap::new();
        let e = parse_hcl(&map, "x.pkr.hcl", "a = 1\nb = = 2\n").expect_err("invalid");
        let loc = e.location(&map).expect("located");
        assert!(loc.starts_with("x.pkr.hcl:2:"), "{loc}");
    }

    #[test]
    fn parses_valid_body() {
        let map = SourceMap::new();
        let f = parse_hcl(&map, "x.pkr.hcl", "source \"null\" \"a\" {\n}\n").expect("valid");
        assert_eq!(f.body.blocks().count(), 1);
    }
}
