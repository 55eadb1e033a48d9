//! A lexer producing the same token boundaries as hclsyntax's scanner
//! (`scan_tokens.rl`), which is what hclwrite formats. Whitespace between
//! tokens is not kept as tokens, only counted, exactly like hclwrite's
//! `SpacesBefore`.
//!
//! Runs of literal template text are kept as one token where hclsyntax
//! would emit several adjacent ones: the formatter never puts spaces
//! between or around literal text, so the output is the same.

use super::error::FormatError;
use super::token::{Token, TokenKind};

const BOM: &str = "\u{feff}";

/// Lexes a whole config file. A leading byte-order mark is skipped (and
/// so dropped from the formatted output, as hclwrite does).
pub(super) fn lex(src: &str) -> Result<Vec<Token<'_>>, FormatError> {
    let start = if src.starts_with(BOM) { BOM.len() } else { 0 };
    let mut lexer = Lexer {
        src,
        pos: start,
        last_end: 0,
        tokens: Vec::new(),
        modes: vec![Mode::Expr { open: None }],
        braces: 0,
        ret_braces: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

/// What the lexer is inside; hclsyntax's scanner keeps the same thing as
/// a stack of Ragel machines.
enum Mode<'a> {
    /// Expression/structural syntax; `open` is the `${`/`%{` that started
    /// it, or `None` for the top level of the file.
    Expr { open: Option<usize> },
    /// Inside `"..."`.
    Quoted { open: usize },
    Heredoc {
        open: usize,
        marker: &'a str,
        /// Nothing but literal text so far on this body line, so the line
        /// may still turn out to be the closing marker.
        start_of_line: bool,
    },
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    last_end: usize,
    tokens: Vec<Token<'a>>,
    modes: Vec<Mode<'a>>,
    /// Open braces of any kind, and the brace depths at which a `}` ends a
    /// template sequence instead: the scanner's `braces`/`retBraces`.
    braces: i64,
    ret_braces: Vec<i64>,
}

impl<'a> Lexer<'a> {
    fn run(&mut self) -> Result<(), FormatError> {
        while self.pos < self.src.len() {
            match self.modes.last() {
                Some(Mode::Quoted { .. }) => self.lex_quoted()?,
                Some(&Mode::Heredoc {
                    open,
                    marker,
                    start_of_line,
                }) => self.lex_heredoc(open, marker, start_of_line)?,
                Some(Mode::Expr { .. }) | None => self.lex_expr()?,
            }
        }
        match self.modes.last() {
            Some(Mode::Quoted { open }) => {
                return Err(FormatError::UnterminatedString { offset: *open })
            }
            Some(Mode::Heredoc { open, marker, .. }) => {
                return Err(FormatError::UnterminatedHeredoc {
                    offset: *open,
                    marker: (*marker).to_owned(),
                })
            }
            Some(Mode::Expr { open: Some(open) }) => {
                return Err(FormatError::UnterminatedTemplate { offset: *open })
            }
            Some(Mode::Expr { open: None }) | None => {}
        }
        self.emit(TokenKind::Eof, 0);
        Ok(())
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn emit(&mut self, kind: TokenKind, len: usize) {
        let end = self.pos + len;
        let text = self.src.get(self.pos..end).unwrap_or("");
        self.tokens.push(Token {
            kind,
            text,
            spaces_before: self.pos.saturating_sub(self.last_end),
        });
        self.pos = end;
        self.last_end = end;
    }

    fn unexpected_char(&self) -> FormatError {
        FormatError::UnexpectedChar {
            offset: self.pos,
            ch: self.rest().chars().next().unwrap_or('\0'),
        }
    }

    fn lex_expr(&mut self) -> Result<(), FormatError> {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let Some(&first) = bytes.first() else {
            return Ok(());
        };
        let second = bytes.get(1).copied();
        match first {
            b' ' | b'\t' => {
                // Skipped, not emitted: only the gap between tokens counts.
                self.pos += bytes
                    .iter()
                    .take_while(|b| matches!(b, b' ' | b'\t'))
                    .count();
            }
            b'\n' => self.emit(TokenKind::Newline, 1),
            b'\r' if second == Some(b'\n') => self.emit(TokenKind::Newline, 2),
            b'0'..=b'9' => self.emit(TokenKind::Number, number_len(bytes)),
            b'#' => self.emit(TokenKind::Comment, line_comment_len(rest)),
            b'/' if second == Some(b'/') => self.emit(TokenKind::Comment, line_comment_len(rest)),
            b'/' if second == Some(b'*') => match rest.get(2..).and_then(|r| r.find("*/")) {
                Some(at) => self.emit(TokenKind::Comment, at + 4),
                None => return Err(FormatError::UnterminatedComment { offset: self.pos }),
            },
            b'"' => {
                let open = self.pos;
                self.emit(TokenKind::OQuote, 1);
                self.modes.push(Mode::Quoted { open });
            }
            b'{' => {
                self.emit(TokenKind::OBrace, 1);
                self.braces += 1;
            }
            b'}' => self.close_brace(1),
            b'~' if second == Some(b'}') => self.close_brace(2),
            _ => {
                if let Some((len, marker)) = heredoc_intro(rest) {
                    let open = self.pos;
                    self.emit(TokenKind::OHeredoc, len);
                    self.modes.push(Mode::Heredoc {
                        open,
                        marker,
                        start_of_line: true,
                    });
                } else if let Some((kind, len)) = operator(bytes) {
                    self.emit(kind, len);
                } else {
                    let len = ident_len(rest);
                    if len == 0 {
                        return Err(self.unexpected_char());
                    }
                    self.emit(TokenKind::Ident, len);
                }
            }
        }
        Ok(())
    }

    /// `}` (or `~}`) either closes a brace or, at the depth where a
    /// template sequence opened, ends that sequence and resumes the
    /// template. A `~}` is always a sequence end, as in hclsyntax, so the
    /// parser can complain about a stray one.
    fn close_brace(&mut self, len: usize) {
        let ends_sequence = self.ret_braces.last() == Some(&self.braces);
        let kind = if ends_sequence || len == 2 {
            TokenKind::TemplateSeqEnd
        } else {
            TokenKind::CBrace
        };
        self.emit(kind, len);
        self.braces -= 1;
        if ends_sequence {
            self.ret_braces.pop();
            self.modes.pop();
        }
    }

    /// Starts `${`/`%{` (with optional `~`) at the current position.
    fn begin_sequence(&mut self, kind: TokenKind) {
        let open = self.pos;
        let len = if self.rest().as_bytes().get(2) == Some(&b'~') {
            3
        } else {
            2
        };
        self.emit(kind, len);
        self.braces += 1;
        self.ret_braces.push(self.braces);
        self.modes.push(Mode::Expr { open: Some(open) });
    }

    fn lex_quoted(&mut self) -> Result<(), FormatError> {
        let bytes = self.rest().as_bytes();
        match (bytes.first(), bytes.get(1)) {
            (Some(b'"'), _) => {
                self.emit(TokenKind::CQuote, 1);
                self.modes.pop();
            }
            (Some(b'$'), Some(b'{')) => self.begin_sequence(TokenKind::TemplateInterp),
            (Some(b'%'), Some(b'{')) => self.begin_sequence(TokenKind::TemplateControl),
            (Some(b'\n' | b'\r'), _) => {
                return Err(FormatError::NewlineInString { offset: self.pos })
            }
            _ => {
                let len = quoted_literal_len(self.rest());
                self.emit(TokenKind::QuotedLit, len);
            }
        }
        Ok(())
    }

    fn lex_heredoc(
        &mut self,
        open: usize,
        marker: &'a str,
        start_of_line: bool,
    ) -> Result<(), FormatError> {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        match (bytes.first(), bytes.get(1)) {
            (Some(b'$'), Some(b'{')) => {
                self.set_start_of_line(false);
                self.begin_sequence(TokenKind::TemplateInterp);
                return Ok(());
            }
            (Some(b'%'), Some(b'{')) => {
                self.set_start_of_line(false);
                self.begin_sequence(TokenKind::TemplateControl);
                return Ok(());
            }
            _ => {}
        }
        let (len, ends_line) = heredoc_literal_len(rest);
        let text = rest.get(..len).unwrap_or("");
        if !ends_line {
            if self.pos + len >= self.src.len() {
                return Err(FormatError::UnterminatedHeredoc {
                    offset: open,
                    marker: marker.to_owned(),
                });
            }
            self.set_start_of_line(false);
            self.emit(TokenKind::StringLit, len);
        } else if start_of_line && text.trim() == marker {
            // The closing marker and its newline are separate tokens so the
            // newline still ends the attribute line.
            let newline_len = if text.ends_with("\r\n") { 2 } else { 1 };
            self.emit(TokenKind::CHeredoc, len - newline_len);
            self.emit(TokenKind::Newline, newline_len);
            self.modes.pop();
        } else {
            self.set_start_of_line(true);
            self.emit(TokenKind::StringLit, len);
        }
        Ok(())
    }

    fn set_start_of_line(&mut self, value: bool) {
        if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
            *start_of_line = value;
        }
    }
}

/// Length of a number literal: a digit, then digits, `.` and exponents,
/// never ending in `.` (so `1..2` scans but `1.` leaves the dot alone).
fn number_len(bytes: &[u8]) -> usize {
    let mut at = 1;
    let mut end = 1;
    loop {
        match bytes.get(at) {
            Some(b) if b.is_ascii_digit() => {
                at += 1;
                end = at;
            }
            Some(b'.') => at += 1,
            Some(b'e' | b'E') => {
                let mut digit = at + 1;
                if matches!(bytes.get(digit), Some(b'+' | b'-')) {
                    digit += 1;
                }
                if !bytes.get(digit).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                at = digit + 1;
                end = at;
            }
            _ => break,
        }
    }
    end
}

/// `#` and `//` comments run up to and including the newline.
fn line_comment_len(rest: &str) -> usize {
    rest.find('\n').map_or(rest.len(), |at| at + 1)
}

/// Identifier length: Unicode ID_Start or `_`, then ID_Continue or `-`.
fn ident_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        Some((_, c)) if c == '_' || unicode_ident::is_xid_start(c) => {}
        _ => return 0,
    }
    chars
        .find(|&(_, c)| !(c == '-' || unicode_ident::is_xid_continue(c)))
        .map_or(rest.len(), |(at, _)| at)
}

/// `<<EOT` / `<<-EOT` followed directly by a newline; anything else is
/// two less-than operators.
fn heredoc_intro(rest: &str) -> Option<(usize, &str)> {
    let after = rest.strip_prefix("<<")?;
    let dash = usize::from(after.starts_with('-'));
    let name = after.get(dash..)?;
    let marker_len = ident_len(name);
    if marker_len == 0 {
        return None;
    }
    let tail = name.get(marker_len..)?;
    let newline_len = if tail.starts_with('\n') {
        1
    } else if tail.starts_with("\r\n") {
        2
    } else {
        return None;
    };
    Some((2 + dash + marker_len + newline_len, name.get(..marker_len)?))
}

fn operator(bytes: &[u8]) -> Option<(TokenKind, usize)> {
    let two = match (bytes.first()?, bytes.get(1)) {
        (b'.', Some(b'.')) if bytes.get(2) == Some(&b'.') => {
            return Some((TokenKind::Ellipsis, 3));
        }
        (b'=', Some(b'=')) => Some(TokenKind::EqualOp),
        (b'!', Some(b'=')) => Some(TokenKind::NotEqual),
        (b'>', Some(b'=')) => Some(TokenKind::GreaterThanEq),
        (b'<', Some(b'=')) => Some(TokenKind::LessThanEq),
        (b'&', Some(b'&')) => Some(TokenKind::And),
        (b'|', Some(b'|')) => Some(TokenKind::Or),
        (b':', Some(b':')) => Some(TokenKind::DoubleColon),
        (b'=', Some(b'>')) => Some(TokenKind::FatArrow),
        _ => None,
    };
    if let Some(kind) = two {
        return Some((kind, 2));
    }
    let kind = match bytes.first()? {
        b'[' => TokenKind::OBrack,
        b']' => TokenKind::CBrack,
        b'(' => TokenKind::OParen,
        b')' => TokenKind::CParen,
        b'.' => TokenKind::Dot,
        b',' => TokenKind::Comma,
        b'*' => TokenKind::Star,
        b'/' => TokenKind::Slash,
        b'%' => TokenKind::Percent,
        b'+' => TokenKind::Plus,
        b'-' => TokenKind::Minus,
        b'=' => TokenKind::Equal,
        b'<' => TokenKind::LessThan,
        b'>' => TokenKind::GreaterThan,
        b'!' => TokenKind::Bang,
        b'?' => TokenKind::Question,
        b':' => TokenKind::Colon,
        _ => return None,
    };
    Some((kind, 1))
}

/// Advances over one `$`/`%` that does not start a sequence: `$${` and
/// `%%{` are escapes and stay literal as a whole.
fn escaped_sigil_len(bytes: &[u8], at: usize, sigil: u8) -> usize {
    if bytes.get(at + 1) == Some(&sigil) && bytes.get(at + 2) == Some(&b'{') {
        3
    } else {
        1
    }
}

fn char_len_at(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|s| s.chars().next())
        .map_or(1, char::len_utf8)
}

/// Literal text inside `"..."`, up to a quote, a newline or a sequence.
fn quoted_literal_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'"' | b'\n' | b'\r' => break,
            b'\\' => {
                at += 1;
                // An escape takes the next character, but never a newline:
                // that is left for the caller to reject.
                if bytes.get(at).is_some_and(|&n| n != b'\n' && n != b'\r') {
                    at += char_len_at(rest, at);
                }
            }
            b'$' | b'%' if bytes.get(at + 1) == Some(&b'{') => break,
            b'$' | b'%' => at += escaped_sigil_len(bytes, at, b),
            _ => at += char_len_at(rest, at),
        }
    }
    at
}

/// Heredoc body text up to a sequence or through the end of the line;
/// the flag says whether it ended with a newline.
fn heredoc_literal_len(rest: &str) -> (usize, bool) {
    let bytes = rest.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'\n' => return (at + 1, true),
            b'$' | b'%' if bytes.get(at + 1) == Some(&b'{') => break,
            b'$' | b'%' => at += escaped_sigil_len(bytes, at, b),
            _ => at += char_len_at(rest, at),
        }
    }
    (at, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        lex(src)
            .expect("lexes")
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn attribute_with_spaces_counted() {
        let toks = lex("a  =\t1").expect("lexes");
        let summary: Vec<_> = toks.iter().map(|t| (t.kind, t.spaces_before)).collect();
        assert_eq!(summary, vec![(Ident, 0), (Equal, 2), (Number, 1), (Eof, 0)]);
    }

    #[test]
    fn numbers_follow_hcl_number_literal_shape() {
        assert_eq!(number_len(b"1.5e+3x"), 6);
        assert_eq!(number_len(b"1."), 1);
        assert_eq!(number_len(b"1...x"), 1);
        assert_eq!(number_len(b"0.1.2"), 5);
        assert_eq!(number_len(b"2e"), 1);
        assert_eq!(
            kinds("a.0.1")[..3],
            [(Ident, "a"), (Dot, "."), (Number, "0.1")]
        );
    }

    #[test]
    fn identifiers_allow_dashes_and_unicode() {
        assert_eq!(
            kinds("foo-bar_1 𝒜")[..2],
            [(Ident, "foo-bar_1"), (Ident, "𝒜")]
        );
    }

    #[test]
    fn comments_keep_their_newline() {
        assert_eq!(
            kinds("# a\n// b\r\n/* c\n*/x"),
            vec![
                (Comment, "# a\n"),
                (Comment, "// b\r\n"),
                (Comment, "/* c\n*/"),
                (Ident, "x"),
                (Eof, "")
            ]
        );
    }

    #[test]
    fn operators_take_the_longest_match() {
        assert_eq!(
            kinds("== != <= >= && || :: ... => ! < > ? : % ")
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>(),
            vec![
                EqualOp,
                NotEqual,
                LessThanEq,
                GreaterThanEq,
                And,
                Or,
                DoubleColon,
                Ellipsis,
                FatArrow,
                Bang,
                LessThan,
                GreaterThan,
                Question,
                Colon,
                Percent,
                Eof
            ]
        );
    }

    #[test]
    fn quoted_template_with_interpolation_and_escapes() {
        assert_eq!(
            kinds(r#""a \"${ b }\" $${c} %{ if x }y%{~ endif ~}""#),
            vec![
                (OQuote, "\""),
                (QuotedLit, "a \\\""),
                (TemplateInterp, "${"),
                (Ident, "b"),
                (TemplateSeqEnd, "}"),
                (QuotedLit, "\\\" $${c} "),
                (TemplateControl, "%{"),
                (Ident, "if"),
                (Ident, "x"),
                (TemplateSeqEnd, "}"),
                (QuotedLit, "y"),
                (TemplateControl, "%{~"),
                (Ident, "endif"),
                (TemplateSeqEnd, "~}"),
                (CQuote, "\""),
                (Eof, "")
            ]
        );
    }

    #[test]
    fn braces_inside_interpolation_nest() {
        assert_eq!(
            kinds(r#""${ {a = 1} }""#)
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>(),
            vec![
                OQuote,
                TemplateInterp,
                OBrace,
                Ident,
                Equal,
                Number,
                CBrace,
                TemplateSeqEnd,
                CQuote,
                Eof
            ]
        );
    }

    #[test]
    fn heredoc_body_and_closing_marker() {
        assert_eq!(
            kinds("x = <<-EOT\n  hi ${n}\n  EOT\ny"),
            vec![
                (Ident, "x"),
                (Equal, "="),
                (OHeredoc, "<<-EOT\n"),
                (StringLit, "  hi "),
                (TemplateInterp, "${"),
                (Ident, "n"),
                (TemplateSeqEnd, "}"),
                (StringLit, "\n"),
                (CHeredoc, "  EOT"),
                (Newline, "\n"),
                (Ident, "y"),
                (Eof, "")
            ]
        );
    }

    #[test]
    fn marker_text_after_an_interpolation_is_body_text() {
        let toks = kinds("<<EOT\n${a}EOT\nEOT\n");
        assert_eq!(toks[4], (StringLit, "EOT\n"));
        assert_eq!(toks[5], (CHeredoc, "EOT"));
    }

    #[test]
    fn heredoc_crlf_newlines() {
        let toks = kinds("<<EOT\r\nbody\r\nEOT\r\n");
        assert_eq!(
            toks,
            vec![
                (OHeredoc, "<<EOT\r\n"),
                (StringLit, "body\r\n"),
                (CHeredoc, "EOT"),
                (Newline, "\r\n"),
                (Eof, "")
            ]
        );
    }

    #[test]
    fn less_than_twice_when_not_a_heredoc() {
        assert_eq!(
            kinds("<<EOT x")[..3],
            [(LessThan, "<"), (LessThan, "<"), (Ident, "EOT")]
        );
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let toks = lex("\u{feff}a").expect("lexes");
        assert_eq!(toks[0].text, "a");
        assert_eq!(toks[0].spaces_before, 3);
    }

    #[test]
    fn errors_carry_offsets() {
        assert_eq!(
            lex("a = \"abc"),
            Err(FormatError::UnterminatedString { offset: 4 })
        );
        assert_eq!(
            lex("a = \"ab\nc\""),
            Err(FormatError::NewlineInString { offset: 7 })
        );
        assert_eq!(
            lex("a = <<EOT\nbody\n"),
            Err(FormatError::UnterminatedHeredoc {
                offset: 4,
                marker: "EOT".into()
            })
        );
        assert_eq!(
            lex("a = <<EOT\nbody\nEOT"),
            Err(FormatError::UnterminatedHeredoc {
                offset: 4,
                marker: "EOT".into()
            })
        );
        assert_eq!(
            lex("a = \"${b"),
            Err(FormatError::UnterminatedTemplate { offset: 5 })
        );
        assert_eq!(
            lex("/* open"),
            Err(FormatError::UnterminatedComment { offset: 0 })
        );
        assert_eq!(
            lex("a = b & c"),
            Err(FormatError::UnexpectedChar { offset: 6, ch: '&' })
        );
        assert_eq!(
            lex("a = \"x\\"),
            Err(FormatError::UnterminatedString { offset: 4 })
        );
    }
}
