//! Spaces between the tokens of a cell, as hclwrite's `formatSpaces` and
//! `spaceAfterToken`: each token decides whether the next one in the same
//! cell gets one space or none. The first token of a cell is left to the
//! indentation and alignment passes, except that `=` starting an assign
//! cell always gets one space.

use std::ops::Range;

use super::lines::FormatLine;
use super::token::{Token, TokenKind};

pub(super) fn space_lines(tokens: &mut [Token<'_>], lines: &[FormatLine]) {
    for line in lines {
        space_cell(tokens, line.lead.clone());
        if let Some(assign) = &line.assign {
            if let Some(equals) = tokens.get_mut(assign.start) {
                equals.spaces_before = 1;
            }
            space_cell(tokens, assign.clone());
        }
    }
}

fn space_cell(tokens: &mut [Token<'_>], cell: Range<usize>) {
    for index in cell.start..cell.end.saturating_sub(1) {
        let before = index
            .checked_sub(1)
            .filter(|&b| b >= cell.start)
            .and_then(|b| tokens.get(b));
        let (Some(subject), Some(after)) = (tokens.get(index), tokens.get(index + 1)) else {
            continue;
        };
        let spaces = usize::from(space_after(subject, before, after));
        if let Some(after) = tokens.get_mut(index + 1) {
            after.spaces_before = spaces;
        }
    }
}

/// Whether `subject` is followed by a space when `after` comes next;
/// `before` is the token preceding `subject` in the same cell, if any.
/// The order of the checks matters and follows hclwrite's.
fn space_after(subject: &Token<'_>, before: Option<&Token<'_>>, after: &Token<'_>) -> bool {
    use TokenKind::*;
    let (s, a) = (subject.kind, after.kind);
    let before_kind = before.map(|t| t.kind);

    if a == Newline {
        return false;
    }
    if s == Ident && a == OParen {
        return false; // f(x)
    }
    if (s == Ident && a == DoubleColon) || (s == DoubleColon && a == Ident) {
        return false; // provider::ns::f()
    }
    if s == Dot || a == Dot {
        return false; // a.b
    }
    if a == Comma || a == Ellipsis {
        return false;
    }
    if s == Comma {
        return true;
    }
    if matches!(s, QuotedLit | StringLit | OQuote | OHeredoc)
        || matches!(a, QuotedLit | StringLit | CQuote | CHeredoc)
    {
        return false; // template text is never padded
    }
    if s == Ident && subject.text == "in" && before_kind == Some(Ident) {
        // `for x in [y]` rather than `in[y]`, which would read as an index.
        return true;
    }
    if a == OBrack && (matches!(s, Ident | Number) || s.bracket_change() < 0) {
        return false; // a[0], f()[0]
    }
    if s == Bang {
        return false;
    }
    if s == Minus {
        // Negation, not subtraction, unless something that can end an
        // expression comes before it.
        return !matches!(
            before_kind,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | GreaterThan
                    | GreaterThanEq
                    | LessThan
                    | LessThanEq
                    | And
                    | Or
                    | Bang
            )
        );
    }
    if s == OBrace || a == CBrace {
        // Braces are padded (`b { a = 1 }`) except when empty (`b {}`).
        return !(s == OBrace && a == CBrace);
    }
    if matches!(s, TemplateInterp | TemplateControl) && a == OBrace {
        return true; // "${ {a = 1} }" keeps the object visible
    }
    if s == CBrace && a == TemplateSeqEnd {
        return true;
    }
    if s == TemplateSeqEnd && matches!(a, TemplateInterp | TemplateControl) {
        return false; // "${a}${b}"
    }
    if s.bracket_change() > 0 {
        return false;
    }
    if a.bracket_change() < 0 {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(kind: TokenKind, text: &str) -> Token<'_> {
        Token {
            kind,
            text,
            spaces_before: 0,
        }
    }

    #[test]
    fn minus_after_an_operand_is_subtraction() {
        let minus = tok(TokenKind::Minus, "-");
        let two = tok(TokenKind::Number, "2");
        let a = tok(TokenKind::Ident, "a");
        let open = tok(TokenKind::OParen, "(");
        assert!(space_after(&minus, Some(&a), &two));
        assert!(!space_after(&minus, Some(&open), &two));
        assert!(!space_after(&minus, None, &two));
    }

    #[test]
    fn in_keyword_before_a_tuple() {
        let x = tok(TokenKind::Ident, "x");
        let kw = tok(TokenKind::Ident, "in");
        let open = tok(TokenKind::OBrack, "[");
        assert!(space_after(&kw, Some(&x), &open));
        assert!(!space_after(&kw, None, &open));
    }
}
