//! `yamlencode`: a value as YAML in go-cty-yaml's style.
//!
//! go-cty-yaml feeds events to libyaml's emitter (in go-yaml's port) with
//! block collections, double-quoted strings (literal `|` blocks for strings
//! with newlines) and plain numbers, bools and nulls. This is a small
//! emitter for exactly that subset, keeping libyaml's layout decisions:
//! indentless sequences under mapping keys, `[]`/`{}` for empty
//! collections, folding of long quoted strings at 80 columns, escapes for
//! characters libyaml deems unprintable, and the `...` end marker after a
//! plain top-level scalar.

use crate::value::{format_number, Value};

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;
/// Longest key libyaml writes as a simple `key: value`.
const MAX_SIMPLE_KEY: usize = 128;

pub(super) fn encode(v: &Value) -> Result<String, String> {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
        open_ended: false,
        ctx: Context::default(),
    };
    e.node(
        v,
        Context {
            root: true,
            ..Context::default()
        },
    )?;
    // Document end (implicit), then stream end.
    e.write_indent();
    if e.open_ended {
        e.write_indicator("...", true, false, false);
        e.write_indent();
    }
    Ok(e.out)
}

#[derive(Clone, Copy, Default)]
struct Context {
    root: bool,
    mapping: bool,
    simple_key: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    DoubleQuoted,
    Literal,
}

/// What libyaml's `analyze_scalar` finds out about a scalar, as far as the
/// styles used here care.
struct Analysis {
    multiline: bool,
    block_allowed: bool,
}

struct Emitter {
    out: String,
    /// Characters written on the current line.
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    /// The last thing written was whitespace.
    whitespace: bool,
    /// Only indentation has been written on the current line.
    indention: bool,
    open_ended: bool,
    ctx: Context,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self) {
        let indent = usize::try_from(self.indent.max(0)).unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        s: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in s.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn restore_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, v: &Value, ctx: Context) -> Result<(), String> {
        self.ctx = ctx;
        match v {
            Value::Unknown(_) => Err("cannot serialize unknown value as YAML".to_string()),
            Value::Null => {
                self.scalar("null", Style::Plain);
                Ok(())
            }
            Value::Bool(b) => {
                self.scalar(if *b { "true" } else { "false" }, Style::Plain);
                Ok(())
            }
            Value::Number(n) => {
                let text = if n.is_infinite() {
                    if *n > 0.0 { "+.Inf" } else { "-.Inf" }.to_string()
                } else {
                    format_number(*n)
                };
                self.scalar(&text, Style::Plain);
                Ok(())
            }
            Value::String(s) => {
                let style = if s.contains('\n') {
                    Style::Literal
                } else {
                    Style::DoubleQuoted
                };
                self.scalar(s, style);
                Ok(())
            }
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => self.sequence(items),
            Value::Map(m) | Value::Object(m) => self.mapping(m),
        }
    }

    fn sequence(&mut self, items: &[Value]) -> Result<(), String> {
        if items.is_empty() {
            self.write_indicator("[", true, true, false);
            self.write_indicator("]", false, false, false);
            return Ok(());
        }
        // A sequence that is a mapping value sits at the key's indentation.
        let indentless = self.ctx.mapping && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context::default())?;
        }
        self.restore_indent();
        Ok(())
    }

    fn mapping(&mut self, m: &std::collections::BTreeMap<String, Value>) -> Result<(), String> {
        if m.is_empty() {
            self.write_indicator("{", true, true, false);
            self.write_indicator("}", false, false, false);
            return Ok(());
        }
        self.increase_indent(false, false);
        let as_value = Context {
            mapping: true,
            ..Context::default()
        };
        for (k, v) in m {
            self.write_indent();
            let simple = !analyze(k).multiline && k.len() <= MAX_SIMPLE_KEY;
            if simple {
                self.node(
                    &Value::String(k.clone()),
                    Context {
                        mapping: true,
                        simple_key: true,
                        ..Context::default()
                    },
                )?;
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(&Value::String(k.clone()), as_value)?;
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(v, as_value)?;
        }
        self.restore_indent();
        Ok(())
    }

    fn scalar(&mut self, text: &str, wanted: Style) {
        let analysis = analyze(text);
        let mut style = wanted;
        if self.ctx.simple_key && analysis.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!analysis.block_allowed || self.ctx.simple_key) {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        match style {
            Style::Plain => self.write_plain(text),
            Style::DoubleQuoted => self.write_double_quoted(text, !self.ctx.simple_key),
            Style::Literal => self.write_literal(text),
        }
        self.restore_indent();
    }

    /// Plain style is only used for numbers, bools and null, which never
    /// need folding or escaping.
    fn write_plain(&mut self, text: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        for c in text.chars() {
            self.put(c);
        }
        self.whitespace = false;
        self.indention = false;
        if self.ctx.root {
            self.open_ended = true;
        }
    }

    fn write_double_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let mut spaces = false;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if needs_escape(c) {
                self.put('\\');
                self.write_escape(c);
                spaces = false;
            } else if c == ' ' {
                let last = i + 1 == text.len();
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && !last {
                    self.write_indent();
                    if chars.peek().is_some_and(|(_, next)| *next == ' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_escape(&mut self, c: char) {
        let short = match c {
            '\0' => Some('0'),
            '\u{7}' => Some('a'),
            '\u{8}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{b}' => Some('v'),
            '\u{c}' => Some('f'),
            '\r' => Some('r'),
            '\u{1b}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{a0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(s) = short {
            self.put(s);
            return;
        }
        let code = u32::from(c);
        let (marker, width) = if code <= 0xFF {
            ('x', 2)
        } else if code <= 0xFFFF {
            ('u', 4)
        } else {
            ('U', 8)
        };
        self.put(marker);
        for ch in format!("{code:0width$X}").chars() {
            self.put(ch);
        }
    }

    fn write_literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        if text.starts_with([' ', '\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        self.open_ended = false;
        let mut rev = text.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (None, _) => Some("-"),
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(hint) = chomp {
            self.write_indicator(hint, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in text.chars() {
            if is_break(c) {
                if c == '\n' {
                    self.put_break();
                } else {
                    self.out.push(c);
                    self.column = 0;
                }
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's notion of printable: most of the BMP, but nothing beyond it.
fn is_printable(c: char) -> bool {
    matches!(u32::from(c),
        0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD)
        && c != '\u{feff}'
}

fn needs_escape(c: char) -> bool {
    !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\'
}

fn analyze(text: &str) -> Analysis {
    if text.is_empty() {
        return Analysis {
            multiline: false,
            block_allowed: false,
        };
    }
    let mut multiline = false;
    let mut special = false;
    let mut space_break = false;
    let mut previous_space = false;
    for c in text.chars() {
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            previous_space = true;
        } else if is_break(c) {
            multiline = true;
            if previous_space {
                space_break = true;
            }
            previous_space = false;
        } else {
            previous_space = false;
        }
    }
    let trailing_space = text.ends_with(' ');
    Analysis {
        multiline,
        block_allowed: !(trailing_space || space_break || special),
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{ok, s};
    use crate::value::Value;

    fn yaml(v: Value) -> String {
        match ok("yamlencode", vec![v]) {
            Value::String(out) => out,
            other => panic!("not a string: {other:?}"),
        }
    }

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::object(pairs)
    }

    #[test]
    fn scalars_at_the_top() {
        assert_eq!(yaml(Value::Bool(true)), "true\n...\n");
        assert_eq!(yaml(Value::Number(0.0)), "0\n...\n");
        assert_eq!(yaml(Value::Null), "null\n...\n");
        assert_eq!(yaml(s("")), "\"\"\n");
        assert_eq!(yaml(s("hello")), "\"hello\"\n");
        assert_eq!(yaml(Value::Number(f64::INFINITY)), "+.Inf\n...\n");
    }

    #[test]
    fn empty_collections_are_flow() {
        assert_eq!(yaml(Value::Tuple(vec![])), "[]\n");
        assert_eq!(yaml(obj(vec![])), "{}\n");
        assert_eq!(
            yaml(obj(vec![("a", Value::Tuple(vec![])), ("b", obj(vec![]))])),
            "\"a\": []\n\"b\": {}\n"
        );
    }

    #[test]
    fn terraform_documented_examples() {
        assert_eq!(
            yaml(obj(vec![("a", s("b")), ("c", s("d"))])),
            "\"a\": \"b\"\n\"c\": \"d\"\n"
        );
        assert_eq!(
            yaml(obj(vec![
                (
                    "foo",
                    Value::Tuple(vec![1.0.into(), 2.0.into(), 3.0.into()])
                ),
                ("bar", s("baz")),
            ])),
            "\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n"
        );
        assert_eq!(
            yaml(obj(vec![
                (
                    "foo",
                    Value::Tuple(vec![
                        1.0.into(),
                        obj(vec![("a", s("b")), ("c", s("d"))]),
                        3.0.into()
                    ])
                ),
                ("bar", s("baz")),
            ])),
            "\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n"
        );
    }

    #[test]
    fn nesting() {
        assert_eq!(
            yaml(obj(vec![(
                "a",
                obj(vec![("b", obj(vec![("c", Value::Null)]))])
            )])),
            "\"a\":\n  \"b\":\n    \"c\": null\n"
        );
        assert_eq!(
            yaml(Value::Tuple(vec![
                Value::Tuple(vec![1.0.into(), 2.0.into()]),
                s("x")
            ])),
            "- - 1\n  - 2\n- \"x\"\n"
        );
    }

    #[test]
    fn multiline_strings_use_literal_blocks() {
        assert_eq!(yaml(s("a\nb")), "|-\n  a\n  b\n");
        assert_eq!(yaml(s("a\nb\n")), "|\n  a\n  b\n");
        assert_eq!(yaml(s("a\n\n")), "|+\n  a\n\n");
        assert_eq!(yaml(s(" a\nb")), "|2-\n   a\n  b\n");
        assert_eq!(
            yaml(obj(vec![("k", s("line1\nline2\n"))])),
            "\"k\": |\n  line1\n  line2\n"
        );
        // A tab or a space before a line break rules the block style out.
        assert_eq!(yaml(s("a\tb\nc")), "\"a\\tb\\nc\"\n");
        assert_eq!(yaml(s("a \nb")), "\"a \\nb\"\n");
    }

    #[test]
    fn escapes() {
        assert_eq!(
            yaml(s("say \"hi\" \\ bye")),
            "\"say \\\"hi\\\" \\\\ bye\"\n"
        );
        assert_eq!(yaml(s("é€")), "\"é€\"\n");
        assert_eq!(yaml(s("🤔")), "\"\\U0001F914\"\n");
        assert_eq!(yaml(s("\u{1}\u{7f}")), "\"\\x01\\x7F\"\n");
    }

    #[test]
    fn long_strings_fold_at_eighty_columns() {
        let words = vec!["word"; 30].join(" ");
        let out = yaml(obj(vec![("k", s(&words))]));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("\"k\": \"word word"));
        assert!(lines[1].starts_with("  word"));
        // Reading it back gives the same string.
        assert_eq!(ok("yamldecode", vec![s(&out)]), obj(vec![("k", s(&words))]));
    }

    #[test]
    fn multiline_keys_use_the_explicit_form() {
        assert_eq!(
            yaml(obj(vec![("a\nb", 1.0.into())])),
            "? |-\n  a\n  b\n: 1\n"
        );
    }
}
