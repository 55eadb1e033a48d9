//! Go's quoting: `strconv.Quote` (what `%q` prints, and what Packer's and
//! cty's messages put around names and values), `strconv.QuoteRune`, and
//! the time package's own smaller `quote` that duration and time-parsing
//! errors use.

use std::fmt::Write;
use unicode_general_category::{get_general_category, GeneralCategory};

/// Go's `strconv.Quote` (`%q` of a string): double quotes, `\"` and `\\`,
/// the short escapes (`\a \b \f \n \r \t \v`), `\xNN` for other ASCII
/// controls and `\uNNNN`/`\UNNNNNNNN` for anything else Go does not deem
/// printable.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune`: `'x'`, with the same escapes (`\'` instead of
/// `\"`).
pub fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// The time package's `quote`: double quotes, `\"` and `\\`, and every
/// byte of a non-ASCII or control character as `\xNN` (DEL stays as it
/// is, as in Go).
pub fn time_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c.is_ascii() && c >= ' ' {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    out
}

/// `appendEscapedRune` of Go's strconv.
fn push_escaped(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    let code = u32::from(c);
    let _ = match c {
        '\x07' => out.write_str("\\a"),
        '\x08' => out.write_str("\\b"),
        '\x0c' => out.write_str("\\f"),
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\x0b' => out.write_str("\\v"),
        _ if code < 0x20 || code == 0x7f => write!(out, "\\x{code:02x}"),
        _ if code < 0x10000 => write!(out, "\\u{code:04x}"),
        _ => write!(out, "\\U{code:08x}"),
    };
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space. (Go's tables follow its Unicode version; this
/// follows the crate's, which only differs for newly assigned characters.)
pub fn is_print(c: char) -> bool {
    use GeneralCategory as G;
    if c == ' ' {
        return true;
    }
    !matches!(
        get_general_category(c),
        G::Control
            | G::Format
            | G::Surrogate
            | G::PrivateUse
            | G::Unassigned
            | G::SpaceSeparator
            | G::LineSeparator
            | G::ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_strconv() {
        // From Go's strconv quoteTests.
        assert_eq!(quote("\x07\x08\x0c\r\n\t\x0b"), r#""\a\b\f\r\n\t\v""#);
        assert_eq!(quote("\\"), r#""\\""#);
        assert_eq!(quote("abc\u{ff}def"), "\"abc\u{ff}def\"");
        assert_eq!(quote("\u{263a}"), "\"\u{263a}\"");
        assert_eq!(quote("\u{10ffff}"), r#""\U0010ffff""#);
        assert_eq!(quote("\x04"), r#""\x04""#);
        assert_eq!(
            quote("!\u{00a0}!\u{2000}!\u{3000}!"),
            r#""!\u00a0!\u2000!\u3000!""#
        );
        assert_eq!(quote("\x7f"), r#""\x7f""#);
        assert_eq!(quote("a\"b'c"), r#""a\"b'c""#);
        // Format characters (zero-width space, byte-order mark) are not
        // printable to Go.
        assert_eq!(quote("a\u{200b}b\u{feff}"), r#""a\u200bb\ufeff""#);
        assert_eq!(quote("%[3]s é"), "\"%[3]s é\"");
    }

    #[test]
    fn quotes_runes_like_strconv() {
        assert_eq!(quote_rune('z'), "'z'");
        assert_eq!(quote_rune('☠'), "'☠'");
        assert_eq!(quote_rune('\''), r"'\''");
        assert_eq!(quote_rune('"'), "'\"'");
        assert_eq!(quote_rune('\n'), r"'\n'");
    }

    #[test]
    fn time_quote_escapes_bytes() {
        assert_eq!(time_quote("1s\"\\"), r#""1s\"\\""#);
        assert_eq!(time_quote("µs"), r#""\xc2\xb5s""#);
        assert_eq!(time_quote("\n\x7f"), "\"\\x0a\x7f\"");
    }
}
