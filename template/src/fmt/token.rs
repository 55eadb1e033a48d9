//! The token model the formatter works on: hclsyntax's token kinds plus the
//! count of spaces written before each token, which is the only thing the
//! formatter ever changes.

use unicode_segmentation::UnicodeSegmentation;

/// Token kinds, named after hclsyntax's `Token*` constants so the spacing
/// rules read like hclwrite's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    Ident,
    Number,
    /// `#`/`//` comments include their terminating newline; `/* */` does not.
    Comment,
    Newline,

    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,

    Dot,
    Comma,
    Colon,
    Question,
    Ellipsis,
    DoubleColon,
    FatArrow,

    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,

    OQuote,
    CQuote,
    QuotedLit,
    /// `<<EOT` or `<<-EOT` including the newline that ends the introducer.
    OHeredoc,
    /// The closing marker line without its newline, leading spaces included.
    CHeredoc,
    /// A piece of heredoc body text.
    StringLit,
    TemplateInterp,
    TemplateControl,
    TemplateSeqEnd,

    Eof,
}

impl TokenKind {
    /// How the token changes bracket nesting; template sequences count as
    /// brackets so multi-line interpolations indent like parentheses.
    pub(super) fn bracket_change(self) -> i32 {
        match self {
            TokenKind::OBrace
            | TokenKind::OBrack
            | TokenKind::OParen
            | TokenKind::TemplateControl
            | TokenKind::TemplateInterp => 1,
            TokenKind::CBrace
            | TokenKind::CBrack
            | TokenKind::CParen
            | TokenKind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token<'a> {
    pub(super) kind: TokenKind,
    pub(super) text: &'a str,
    pub(super) spaces_before: usize,
}

impl Token<'_> {
    /// Ends a formatting line: a newline, or a single-line comment, which
    /// swallows its own newline.
    pub(super) fn ends_line(&self) -> bool {
        match self.kind {
            TokenKind::Newline => true,
            TokenKind::Comment => self.text.ends_with('\n'),
            _ => false,
        }
    }
}

/// Display width of a token run as hclwrite measures it: leading spaces
/// plus grapheme clusters, so `"🇬🇧"` is three columns wide.
pub(super) fn columns(tokens: &[Token<'_>]) -> usize {
    tokens
        .iter()
        .map(|t| t.spaces_before + t.text.graphemes(true).count())
        .sum()
}

/// Writes the tokens back out, each preceded by its spaces.
pub(super) fn render(tokens: &[Token<'_>]) -> String {
    let len = tokens.iter().map(|t| t.spaces_before + t.text.len()).sum();
    let mut out = String::with_capacity(len);
    for token in tokens {
        out.extend(std::iter::repeat_n(' ', token.spaces_before));
        out.push_str(token.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(kind: TokenKind, text: &str, spaces_before: usize) -> Token<'_> {
        Token {
            kind,
            text,
            spaces_before,
        }
    }

    #[test]
    fn columns_count_grapheme_clusters_and_spaces() {
        let flag = [tok(TokenKind::QuotedLit, "🇬🇧", 2)];
        assert_eq!(columns(&flag), 3);
        let ident = [
            tok(TokenKind::Ident, "𝒜", 0),
            tok(TokenKind::Ident, "ab", 1),
        ];
        assert_eq!(columns(&ident), 4);
    }

    #[test]
    fn only_single_line_comments_end_a_line() {
        assert!(tok(TokenKind::Comment, "# x\n", 0).ends_line());
        assert!(!tok(TokenKind::Comment, "/* x */", 0).ends_line());
        assert!(!tok(TokenKind::Comment, "# at eof", 0).ends_line());
        assert!(tok(TokenKind::Newline, "\r\n", 0).ends_line());
    }

    #[test]
    fn render_writes_spaces_then_text() {
        let toks = [
            tok(TokenKind::Ident, "a", 2),
            tok(TokenKind::Equal, "=", 1),
            tok(TokenKind::Eof, "", 3),
        ];
        assert_eq!(render(&toks), "  a =   ");
    }
}
