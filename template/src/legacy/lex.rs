//! Splitting a Go text/template string into text and actions, and an
//! action into tokens, following Go's lexer: `{{- ` and ` -}}` trim the
//! white space next to the action, `{{/* ... */}}` is a comment, and
//! strings are double-quoted (with Go escapes) or back-quoted (raw).

use super::LegacyError;

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Text(String),
    /// The tokens between `{{` and `}}`; `offset` is where the `{{` is,
    /// `end` just after the `}}`.
    Action {
        offset: usize,
        end: usize,
        tokens: Vec<Token>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// `.Name.Sub`: the field names, empty for a lone `.`.
    Field(Vec<String>),
    Ident(String),
    Str(String),
    Number(f64),
    Bool(bool),
    Nil,
    /// `if`, `else` or `end`, the control words this renderer implements.
    Keyword(&'static str),
    Pipe,
    Open,
    Close,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    /// Byte offset in the template.
    pub(crate) offset: usize,
}

/// Go's `isSpace` for trim markers and between tokens.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Control words of text/template this renderer implements (Packer's
/// default `execute_command`s use `if`).
const CONTROL: [&str; 3] = ["if", "else", "end"];

/// The other control words of text/template; Packer's templates do not use
/// them and this renderer does not implement them.
const KEYWORDS: [&str; 7] = [
    "range", "with", "define", "template", "block", "break", "continue",
];

pub(crate) fn lex(src: &str) -> Result<Vec<Item>, LegacyError> {
    let mut items = Vec::new();
    let mut pos = 0;
    let mut trim_next = false;
    while pos < src.len() {
        let rest = src.get(pos..).unwrap_or("");
        let Some(open) = rest.find("{{") else {
            push_text(&mut items, rest, trim_next, false);
            break;
        };
        let start = pos + open;
        let mut inner = start + 2;
        let after_open = src.get(inner..).unwrap_or("");
        let trim_before = after_open
            .strip_prefix('-')
            .is_some_and(|r| r.starts_with(is_space));
        if trim_before {
            inner += 2;
        }
        push_text(
            &mut items,
            rest.get(..open).unwrap_or(""),
            trim_next,
            trim_before,
        );
        let (tokens, end, trim_after) = lex_action(src, inner, start)?;
        if let Some(tokens) = tokens {
            items.push(Item::Action {
                offset: start,
                end,
                tokens,
            });
        }
        trim_next = trim_after;
        pos = end;
    }
    Ok(items)
}

fn push_text(items: &mut Vec<Item>, text: &str, trim_start: bool, trim_end: bool) {
    let mut t = text;
    if trim_start {
        t = t.trim_start_matches(is_space);
    }
    if trim_end {
        t = t.trim_end_matches(is_space);
    }
    if !t.is_empty() {
        items.push(Item::Text(t.to_owned()));
    }
}

/// Where the action starting at `inner` closes: " -}}" (trim after) or
/// "}}". Returns the position just past the delimiter.
fn close_at(src: &str, pos: usize) -> Option<(usize, bool)> {
    let rest = src.get(pos..)?;
    if rest.starts_with(is_space) && rest.get(1..)?.starts_with("-}}") {
        return Some((pos + 4, true));
    }
    if rest.starts_with("}}") {
        return Some((pos + 2, false));
    }
    None
}

/// Tokens of one action (None for a comment), the end position and
/// whether the following text is trimmed.
fn lex_action(
    src: &str,
    inner: usize,
    start: usize,
) -> Result<(Option<Vec<Token>>, usize, bool), LegacyError> {
    if src.get(inner..).is_some_and(|r| r.starts_with("/*")) {
        let body = src.get(inner + 2..).unwrap_or("");
        let Some(close) = body.find("*/") else {
            return Err(LegacyError::syntax(start, "unclosed comment"));
        };
        let after = inner + 2 + close + 2;
        return match close_at(src, after) {
            Some((end, trim)) => Ok((None, end, trim)),
            None => Err(LegacyError::syntax(
                start,
                "comment ends before closing delimiter",
            )),
        };
    }
    let mut tokens = Vec::new();
    let mut pos = inner;
    loop {
        if let Some((end, trim)) = close_at(src, pos) {
            return Ok((Some(tokens), end, trim));
        }
        let rest = src.get(pos..).unwrap_or("");
        let Some(c) = rest.chars().next() else {
            return Err(LegacyError::syntax(start, "unclosed action"));
        };
        if is_space(c) {
            pos += c.len_utf8();
            continue;
        }
        let (kind, len) = match c {
            '|' => (TokenKind::Pipe, 1),
            '(' => (TokenKind::Open, 1),
            ')' => (TokenKind::Close, 1),
            '"' => quoted(rest, pos)?,
            '`' => match rest.get(1..).and_then(|r| r.find('`')) {
                Some(n) => (
                    TokenKind::Str(rest.get(1..=n).unwrap_or("").to_owned()),
                    n + 2,
                ),
                None => return Err(LegacyError::syntax(pos, "unterminated raw quoted string")),
            },
            '.' if !rest
                .get(1..)
                .is_some_and(|r| r.starts_with(|d: char| d.is_ascii_digit())) =>
            {
                field(rest)
            }
            '$' => {
                return Err(LegacyError::syntax(
                    pos,
                    "template variables ($x) are not supported",
                ))
            }
            '\'' => {
                return Err(LegacyError::syntax(
                    pos,
                    "character constants are not supported",
                ))
            }
            c if c.is_ascii_digit() || matches!(c, '+' | '-' | '.') => number(rest, pos)?,
            c if c.is_alphabetic() || c == '_' => {
                let len = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let word = rest.get(..len).unwrap_or("");
                let kind = match word {
                    "true" => TokenKind::Bool(true),
                    "false" => TokenKind::Bool(false),
                    "nil" => TokenKind::Nil,
                    w if CONTROL.contains(&w) => {
                        TokenKind::Keyword(CONTROL.into_iter().find(|k| *k == w).unwrap_or("end"))
                    }
                    w if KEYWORDS.contains(&w) => {
                        return Err(LegacyError::syntax(
                            pos,
                            format!("\"{w}\" actions are not supported in legacy templates"),
                        ))
                    }
                    w => TokenKind::Ident(w.to_owned()),
                };
                (kind, len)
            }
            other => {
                return Err(LegacyError::syntax(
                    pos,
                    format!("unexpected \"{other}\" in action"),
                ))
            }
        };
        tokens.push(Token { kind, offset: pos });
        pos += len;
    }
}

/// `.`, `.Name` or `.Name.Sub`.
fn field(rest: &str) -> (TokenKind, usize) {
    let mut names = Vec::new();
    let mut len = 0;
    let mut r = rest;
    while let Some(after_dot) = r.strip_prefix('.') {
        let n = after_dot
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after_dot.len());
        if n == 0 {
            if names.is_empty() {
                len += 1;
            }
            break;
        }
        names.push(after_dot.get(..n).unwrap_or("").to_owned());
        len += 1 + n;
        r = after_dot.get(n..).unwrap_or("");
    }
    (TokenKind::Field(names), len)
}

fn number(rest: &str, pos: usize) -> Result<(TokenKind, usize), LegacyError> {
    let len = rest
        .char_indices()
        .find(|(i, c)| {
            let sign_after_exp = matches!(c, '+' | '-')
                && (*i == 0 || rest.get(..*i).is_some_and(|p| p.ends_with(['e', 'E'])));
            !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_' || sign_after_exp)
        })
        .map_or(rest.len(), |(i, _)| i);
    let text = rest.get(..len).unwrap_or("");
    let digits = text.replace('_', "");
    let (negative, unsigned) = match digits.strip_prefix('-') {
        Some(u) => (true, u),
        None => (false, digits.strip_prefix('+').unwrap_or(&digits)),
    };
    let parsed = if let Some(hex) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok().map(|n| n as f64)
    } else {
        unsigned.parse::<f64>().ok().filter(|n| n.is_finite())
    };
    match parsed {
        Some(n) => Ok((TokenKind::Number(if negative { -n } else { n }), len)),
        None => Err(LegacyError::syntax(
            pos,
            format!("bad number syntax: \"{text}\""),
        )),
    }
}

/// A double-quoted string with Go's escapes.
fn quoted(rest: &str, pos: usize) -> Result<(TokenKind, usize), LegacyError> {
    let mut out = String::new();
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((TokenKind::Str(out), i + 1)),
            '\n' => break,
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                let simple = match e {
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    'v' => Some('\u{b}'),
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    _ => None,
                };
                if let Some(s) = simple {
                    out.push(s);
                    continue;
                }
                let (digits, radix) = match e {
                    'x' => (2, 16),
                    'u' => (4, 16),
                    'U' => (8, 16),
                    '0'..='7' => (2, 8),
                    _ => {
                        return Err(LegacyError::syntax(
                            pos + i,
                            format!("unknown escape sequence \\{e}"),
                        ))
                    }
                };
                let mut code: String = if radix == 8 {
                    e.to_string()
                } else {
                    String::new()
                };
                for _ in 0..digits {
                    match chars.next() {
                        Some((_, d)) => code.push(d),
                        None => break,
                    }
                }
                let ch = u32::from_str_radix(&code, radix)
                    .ok()
                    .and_then(char::from_u32);
                match ch {
                    Some(ch) => out.push(ch),
                    None => {
                        return Err(LegacyError::syntax(
                            pos + i,
                            format!("invalid escape \\{e}{code}"),
                        ))
                    }
                }
            }
            c => out.push(c),
        }
    }
    Err(LegacyError::syntax(pos, "unterminated quoted string"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Vec<TokenKind>> {
        lex(src)
            .expect("lexes")
            .into_iter()
            .filter_map(|i| match i {
                Item::Action { tokens, .. } => Some(tokens.into_iter().map(|t| t.kind).collect()),
                Item::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn text_and_actions() {
        let items = lex("a {{ .Vars }} b").expect("lexes");
        assert_eq!(items.len(), 3);
        assert_eq!(items[0], Item::Text("a ".into()));
        assert!(matches!(&items[1], Item::Action { offset: 2, .. }));
        assert_eq!(items[2], Item::Text(" b".into()));
    }

    #[test]
    fn trim_markers_and_comments() {
        let items = lex("a  \n{{- .X -}}\n  b{{/* note */}}c{{- /* x */ -}}  d").expect("lexes");
        let text: Vec<&Item> = items
            .iter()
            .filter(|i| matches!(i, Item::Text(_)))
            .collect();
        assert_eq!(
            text,
            [
                &Item::Text("a".into()),
                &Item::Text("b".into()),
                &Item::Text("c".into()),
                &Item::Text("d".into())
            ]
        );
        // "{{-3}}" is the number -3, not a trim marker.
        assert_eq!(kinds("{{-3}}"), [vec![TokenKind::Number(-3.0)]]);
    }

    #[test]
    fn tokens() {
        assert_eq!(
            kinds(r#"{{ split .A.B "\t," 0 | upper }}{{ user `x` }}{{ . }}"#),
            [
                vec![
                    TokenKind::Ident("split".into()),
                    TokenKind::Field(vec!["A".into(), "B".into()]),
                    TokenKind::Str("\t,".into()),
                    TokenKind::Number(0.0),
                    TokenKind::Pipe,
                    TokenKind::Ident("upper".into()),
                ],
                vec![TokenKind::Ident("user".into()), TokenKind::Str("x".into())],
                vec![TokenKind::Field(vec![])],
            ]
        );
    }

    #[test]
    fn errors_carry_offsets() {
        assert_eq!(
            lex("ab{{ .X"),
            Err(LegacyError::syntax(2, "unclosed action"))
        );
        assert_eq!(
            lex("{{ \"abc }}"),
            Err(LegacyError::syntax(3, "unterminated quoted string"))
        );
        assert_eq!(
            lex("x{{ range .X }}y{{ end }}"),
            Err(LegacyError::syntax(
                4,
                "\"range\" actions are not supported in legacy templates"
            ))
        );
    }
}
