//! Splits tokens into lines of up to three cells, as hclwrite's
//! `linesForFormat` does: `lead` (everything else), `assign` (from an
//! attribute's `=` to the end of the line, when that expression closes on
//! the same line) and `comment` (a trailing single-line comment). The first
//! token of each cell is what gets indented or aligned.

use std::ops::Range;

use super::token::{Token, TokenKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FormatLine {
    pub(super) lead: Range<usize>,
    pub(super) assign: Option<Range<usize>>,
    /// Index of the trailing comment token.
    pub(super) comment: Option<usize>,
}

/// Lines over `tokens` (whose last token is EOF, which belongs to no line).
/// A heredoc body holds no newline tokens, so a whole heredoc is part of
/// the line that introduces it.
pub(super) fn split_lines(tokens: &[Token<'_>]) -> Vec<FormatLine> {
    let body_end = tokens
        .iter()
        .position(|t| t.kind == TokenKind::Eof)
        .unwrap_or(tokens.len());
    let mut lines = Vec::new();
    let mut start = 0;
    for (index, token) in tokens.iter().enumerate().take(body_end) {
        if token.ends_line() {
            lines.push(cells(tokens, start..index + 1));
            start = index + 1;
        }
    }
    lines.push(cells(tokens, start..body_end));
    lines
}

fn cells(tokens: &[Token<'_>], mut lead: Range<usize>) -> FormatLine {
    let mut comment = None;
    let last = lead.end.checked_sub(1);
    if lead.len() > 1
        && last.and_then(|i| tokens.get(i)).map(|t| t.kind) == Some(TokenKind::Comment)
    {
        comment = last;
        lead.end -= 1;
    }
    let lead_tokens = tokens.get(lead.clone()).unwrap_or_default();
    let equals = lead_tokens
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, t)| t.kind == TokenKind::Equal)
        .map(|(i, _)| i);
    let mut assign = None;
    if let Some(at) = equals {
        let rhs = lead_tokens.get(at..).unwrap_or_default();
        // An unbalanced right-hand side opens a multi-line expression, which
        // is not aligned with its neighbours.
        let net: i32 = rhs.iter().map(|t| t.kind.bracket_change()).sum();
        if net == 0 {
            assign = Some(lead.start + at..lead.end);
            lead.end = lead.start + at;
        }
    }
    FormatLine {
        lead,
        assign,
        comment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fmt::lexer::lex;

    #[test]
    fn assign_and_comment_cells() {
        let toks = lex("a = 1 # c\nb = (\n").expect("lexes");
        let lines = split_lines(&toks);
        assert_eq!(
            lines,
            vec![
                FormatLine {
                    lead: 0..1,
                    assign: Some(1..3),
                    comment: Some(3),
                },
                FormatLine {
                    lead: 4..8,
                    assign: None,
                    comment: None,
                },
                FormatLine {
                    lead: 8..8,
                    assign: None,
                    comment: None,
                },
            ]
        );
    }

    #[test]
    fn whole_line_comment_stays_in_lead() {
        let toks = lex("# only\n").expect("lexes");
        let lines = split_lines(&toks);
        assert_eq!(lines[0].lead, 0..1);
        assert_eq!(lines[0].comment, None);
    }

    #[test]
    fn heredoc_belongs_to_its_attribute_line() {
        let toks = lex("a = <<EOT\nx = 1\nEOT\nb = 2\n").expect("lexes");
        let lines = split_lines(&toks);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].assign, Some(1..6));
    }
}
