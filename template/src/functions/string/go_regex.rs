//! Go (RE2) regular expressions on top of the `regex` crate.
//!
//! The two syntaxes are nearly the same; where they differ in meaning the
//! pattern is rewritten before compiling: Go's `\d \s \w \b` are ASCII-only
//! (Rust's are Unicode), Go has `\Q…\E` literal quoting, and inside a
//! bracket class Go takes `[`, `&&` and `~~` literally where Rust would
//! nest classes or apply set operators.

use regex::Regex;

/// Compile a Go regular expression. The error is the reason alone
/// ("unclosed group"), for the caller to word.
pub(super) fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(&translate(pattern)).map_err(|e| reason(&e))
}

/// The one-line reason inside the `regex` crate's multi-line message.
fn reason(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find_map(|l| l.strip_prefix("error: "))
        .map_or(text.clone(), str::to_string)
}

fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    // Inside a bracket class, and whether a `]` would still be literal.
    let mut in_class = false;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let at_class_start = class_start;
        class_start = false;
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                match e {
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    's' => out.push_str(r"[\t\n\x0C\r ]"),
                    'S' => out.push_str(r"[^\t\n\x0C\r ]"),
                    'w' => out.push_str("[0-9A-Za-z_]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    'b' if !in_class => out.push_str(r"(?-u:\b)"),
                    'B' if !in_class => out.push_str(r"(?-u:\B)"),
                    'Q' if !in_class => {
                        let mut literal = String::new();
                        while let Some(q) = chars.next() {
                            if q == '\\' && chars.peek() == Some(&'E') {
                                chars.next();
                                break;
                            }
                            literal.push(q);
                        }
                        out.push_str(&regex::escape(&literal));
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            '[' if !in_class => {
                out.push('[');
                in_class = true;
                class_start = true;
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            ']' if in_class && at_class_start => out.push_str(r"\]"),
            ']' if in_class => {
                out.push(']');
                in_class = false;
            }
            '[' if in_class => {
                if chars.peek() == Some(&':') {
                    // A POSIX class such as [:alpha:], the same in both.
                    out.push('[');
                    for p in chars.by_ref() {
                        out.push(p);
                        if p == ']' {
                            break;
                        }
                    }
                } else {
                    out.push_str(r"\[");
                }
            }
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_are_ascii_like_go() {
        let re = compile(r"^\d+$").expect("compiles");
        assert!(re.is_match("123"));
        assert!(!re.is_match("١٢٣"));
        let re = compile(r"\w+").expect("compiles");
        assert_eq!(re.find("été").map(|m| m.as_str()), Some("t"));
        let re = compile(r"[\s,]+").expect("compiles");
        assert_eq!(re.replace_all("a, b\tc", "|"), "a|b|c");
    }

    #[test]
    fn go_only_syntax() {
        let re = compile(r"\Qa.b\E+").expect("compiles");
        assert!(re.is_match("a.bbb"));
        assert!(!re.is_match("axb"));
        let re = compile(r"[]a[]+").expect("compiles");
        assert_eq!(re.find("x][a").map(|m| m.as_str()), Some("][a"));
        let re = compile(r"[a&&b]+").expect("compiles");
        assert_eq!(re.find("&&ab").map(|m| m.as_str()), Some("&&ab"));
        let re = compile(r"[[:digit:]x]+").expect("compiles");
        assert_eq!(re.find("ab12x").map(|m| m.as_str()), Some("12x"));
    }

    #[test]
    fn errors_are_one_line() {
        assert_eq!(compile("(abc").expect_err("fails"), "unclosed group");
    }
}
