//! `yamldecode`: a single YAML document to the value go-cty-yaml gives it.
//!
//! Plain scalars are typed with YAML 1.1-style rules (`yes` and `on` are
//! true, `~` is null, `2006-1-2` is a timestamp, rendered in RFC 3339);
//! quoted ones are always strings. Sequences become tuples and mappings
//! objects; anchors, aliases and `<<` merge keys are followed.

use crate::functions::go_base64;
use crate::value::{format_number, parse_number, Value};
use kiln_gocompat::quote::quote;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput};
use std::collections::{BTreeMap, HashMap, HashSet};

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// How many nodes aliases may copy in, in all.
const MAX_ALIAS_EXPANSION: usize = 1_000_000;

fn node_count(v: &Value) -> usize {
    1 + match v {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            items.iter().map(node_count).sum()
        }
        Value::Map(m) | Value::Object(m) => m.values().map(node_count).sum(),
        _ => 0,
    }
}

pub(super) fn decode(src: &str) -> Result<Value, String> {
    let mut d = Decoder {
        parser: Parser::new_from_str(src),
        src,
        anchors: HashMap::new(),
        expanded: 0,
        pending: HashSet::new(),
        unterminated_len: (!src.ends_with('\n')).then(|| src.chars().count()),
    };
    let (ev, span) = d.next()?;
    if !matches!(ev, Event::StreamStart) {
        return Err(at(span, "missing stream start token"));
    }
    let (ev, span) = d.next()?;
    match ev {
        Event::DocumentStart(_) => {}
        // Nothing but whitespace and comments: an empty document is null.
        Event::StreamEnd => return Ok(Value::Null),
        _ => return Err(at(span, "missing start of document")),
    }
    let (ev, span) = d.next()?;
    let value = d.node(ev, span)?;
    let (ev, span) = d.next()?;
    match ev {
        Event::DocumentEnd => {}
        Event::DocumentStart(_) => return Err(at(span, "only a single document is allowed")),
        _ => return Err(at(span, "unexpected extra content after value")),
    }
    let (ev, span) = d.next()?;
    match ev {
        Event::StreamEnd => Ok(value),
        Event::DocumentStart(_) => Err(at(span, "only a single document is allowed")),
        _ => Err(at(span, "unexpected extra content after value")),
    }
}

/// Prefix `msg` with the position of `span` the way go-cty-yaml reports it:
/// libyaml's zero-based line and one-based column, left out on the first
/// line.
fn at(span: Span, msg: &str) -> String {
    let line = span.start.line().saturating_sub(1);
    if line == 0 {
        return msg.to_string();
    }
    format!("on line {line}, column {}: {msg}", span.start.col() + 1)
}

fn scan_error(e: &ScanError) -> String {
    format!(
        "on line {}, column {}: {}",
        e.marker().line(),
        e.marker().col() + 1,
        e.info()
    )
}

struct Decoder<'a> {
    parser: Parser<'a, StrInput<'a>>,
    src: &'a str,
    /// Values of completed anchors and their sizes in nodes, by the
    /// parser's anchor id.
    anchors: HashMap<usize, (Value, usize)>,
    /// Nodes copied in by aliases so far.
    expanded: usize,
    /// Anchors whose node is still being read.
    pending: HashSet<usize>,
    /// The source's length in characters when it does not end with a line
    /// break.
    unterminated_len: Option<usize>,
}

/// What a scalar resolves to: a value, or the `<<` merge key.
enum Scalar {
    Value(Value),
    Merge,
}

impl<'a> Decoder<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), String> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => Err(scan_error(&e)),
            None => Err("expecting value but found end of stream".to_string()),
        }
    }

    /// The source text of `span`, for naming an alias in messages.
    fn text(&self, span: Span) -> String {
        self.src
            .chars()
            .skip(span.start.index())
            .take(span.len())
            .collect()
    }

    fn node(&mut self, ev: Event<'a>, span: Span) -> Result<Value, String> {
        match ev {
            Event::Scalar(mut text, style, anchor, tag) => {
                // libyaml keeps no final line break in a block scalar that
                // runs to the end of an input lacking one; saphyr adds it.
                let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                if block && self.unterminated_len == Some(span.end.index()) && text.ends_with('\n')
                {
                    text.to_mut().pop();
                }
                if anchor > 0 {
                    self.pending.insert(anchor);
                }
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let v = match resolve(tag.as_deref(), &text, style) {
                    Ok(Scalar::Value(v)) => v,
                    // Outside key position `<<` is just text.
                    Ok(Scalar::Merge) => Value::String(text.into_owned()),
                    Err(e) => return Err(at(span, &e)),
                };
                self.complete(anchor, &v);
                Ok(v)
            }
            Event::Alias(id) => {
                let name = self.text(span);
                let name = name.trim_start_matches('*').trim();
                if self.pending.contains(&id) {
                    return Err(at(
                        span,
                        &format!(
                            "cannot refer to anchor {} from inside its own definition",
                            quote(name)
                        ),
                    ));
                }
                let Some((v, size)) = self.anchors.get(&id) else {
                    return Err(at(
                        span,
                        &format!("reference to undefined anchor {}", quote(name)),
                    ));
                };
                // Each alias is a copy here (cty shares them), so nested
                // aliases could grow exponentially: cap the copying.
                self.expanded += size;
                if self.expanded > MAX_ALIAS_EXPANSION {
                    return Err("document contains excessive aliasing".to_string());
                }
                Ok(v.clone())
            }
            Event::SequenceStart(anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                if let Some(t) = tag.filter(|t| *t != format!("{TAG_PREFIX}seq")) {
                    return Err(at(span, &format!("can't interpret sequence as {t}")));
                }
                if anchor > 0 {
                    self.pending.insert(anchor);
                }
                let mut items = Vec::new();
                loop {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(ev, span)?);
                }
                let v = Value::Tuple(items);
                self.complete(anchor, &v);
                Ok(v)
            }
            Event::MappingStart(anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                if let Some(t) = tag.filter(|t| *t != format!("{TAG_PREFIX}map")) {
                    return Err(at(span, &format!("can't interpret mapping as {t}")));
                }
                if anchor > 0 {
                    self.pending.insert(anchor);
                }
                let v = Value::Object(self.mapping_entries()?);
                self.complete(anchor, &v);
                Ok(v)
            }
            Event::DocumentStart(_) => Err(at(span, "only a single document is allowed")),
            Event::StreamEnd => Err(at(span, "expecting value but found end of stream")),
            Event::MappingEnd => Err(at(span, "expecting value but found end of mapping")),
            Event::SequenceEnd => Err(at(span, "expecting value but found end of sequence")),
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {
                Err(at(span, "unexpected parser event"))
            }
        }
    }

    fn complete(&mut self, anchor: usize, v: &Value) {
        if anchor > 0 {
            self.pending.remove(&anchor);
            self.anchors.insert(anchor, (v.clone(), node_count(v)));
        }
    }

    fn mapping_entries(&mut self) -> Result<BTreeMap<String, Value>, String> {
        let mut out = BTreeMap::new();
        loop {
            let (ev, span) = self.next()?;
            let (text, style, tag) = match ev {
                Event::MappingEnd => return Ok(out),
                Event::Scalar(text, style, _, tag) => (
                    text,
                    style,
                    tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                ),
                _ => return Err(at(span, "only strings are allowed as mapping keys")),
            };
            let key = match resolve(tag.as_deref(), &text, style)? {
                Scalar::Merge => {
                    let (ev, vspan) = self.next()?;
                    let merged = self.node(ev, vspan)?;
                    merge_into(&mut out, merged, span)?;
                    continue;
                }
                Scalar::Value(Value::String(s)) => s,
                Scalar::Value(Value::Number(n)) => format_number(n),
                Scalar::Value(Value::Bool(b)) => b.to_string(),
                Scalar::Value(Value::Null) => return Err(at(span, "mapping key cannot be null")),
                Scalar::Value(_) => {
                    return Err(at(span, "only strings are allowed as mapping keys"))
                }
            };
            let (ev, vspan) = self.next()?;
            let v = self.node(ev, vspan)?;
            out.insert(key, v);
        }
    }
}

/// Apply a `<<` merge: the value must be a mapping or a sequence of them.
/// Like go-cty-yaml, merged keys replace keys seen before.
fn merge_into(out: &mut BTreeMap<String, Value>, merged: Value, span: Span) -> Result<(), String> {
    match merged {
        Value::Object(m) | Value::Map(m) => out.extend(m),
        Value::Tuple(items) | Value::List(items) => {
            for item in items {
                match item {
                    Value::Object(m) | Value::Map(m) => out.extend(m),
                    other => {
                        return Err(at(
                            span,
                            &format!(
                                "cannot merge {} (from sequence) into mapping",
                                other.friendly_type()
                            ),
                        ))
                    }
                }
            }
        }
        other => {
            return Err(at(
                span,
                &format!("cannot merge {} into mapping", other.friendly_type()),
            ))
        }
    }
    Ok(())
}

/// go-cty-yaml's scalar resolution.
fn resolve(tag: Option<&str>, src: &str, style: ScalarStyle) -> Result<Scalar, String> {
    let mut tag: Option<String> = match tag {
        None => None,
        Some(t) => match t.strip_prefix(TAG_PREFIX) {
            Some("str" | "bool" | "int" | "float" | "null" | "timestamp" | "binary") => {
                Some(t.to_string())
            }
            _ => return Err(format!("unsupported tag {}", quote(t))),
        },
    };
    let short = tag.as_deref().and_then(|t| t.strip_prefix(TAG_PREFIX));
    let hint = src.bytes().next().map_or(Some(Hint::Null), hint_for);
    if let Some(hint) = hint.filter(|_| !matches!(short, Some("str" | "binary"))) {
        if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
            return Ok(Scalar::Value(Value::String(src.to_string())));
        }
        if let Some(v) = well_known(src) {
            return Ok(Scalar::Value(v));
        }
        if tag.is_none() && matches!(src, ".nan" | ".NaN" | ".NAN") {
            return Err("floating point NaN is not supported".to_string());
        }
        match hint {
            Hint::Float => {
                if let Some(n) = parse_number(src) {
                    return Ok(Scalar::Value(Value::Number(n)));
                }
            }
            Hint::Digit | Hint::Sign => {
                if matches!(short, None | Some("timestamp")) {
                    if let Some(ts) = parse_timestamp(src) {
                        return Ok(Scalar::Value(Value::String(ts)));
                    }
                }
                if is_yaml_int(src) {
                    tag = Some(format!("{TAG_PREFIX}int"));
                } else if is_yaml_float(src) {
                    tag = Some(format!("{TAG_PREFIX}float"));
                }
            }
            Hint::Null | Hint::Map => {}
        }
    }
    if tag.is_none() && src == "<<" && matches!(style, ScalarStyle::Plain) {
        return Ok(Scalar::Merge);
    }
    let Some(tag) = tag else {
        return Ok(Scalar::Value(Value::String(src.to_string())));
    };
    let cannot = || format!("cannot parse {} as {tag}", quote(src));
    let v = match tag.strip_prefix(TAG_PREFIX).unwrap_or("") {
        "str" => Value::String(src.to_string()),
        "binary" => {
            if go_base64::decode(src).is_err() {
                return Err(format!("{}: not valid base64", cannot()));
            }
            Value::String(src.to_string())
        }
        "bool" => match well_known(src) {
            Some(Value::Bool(b)) => Value::Bool(b),
            _ => return Err(cannot()),
        },
        "int" | "float" => {
            let plain = src.replace('_', "");
            match parse_number(&plain).or_else(|| parse_go_int(&plain)) {
                Some(n) => Value::Number(n),
                None => return Err(cannot()),
            }
        }
        "timestamp" => Value::String(parse_timestamp(src).ok_or_else(cannot)?),
        "null" => Value::Null,
        _ => return Err(format!("unsupported tag {}", quote(&tag))),
    };
    Ok(Scalar::Value(v))
}

/// What a scalar's first byte suggests it might be.
#[derive(Clone, Copy)]
enum Hint {
    Null,
    Sign,
    Digit,
    Map,
    Float,
}

fn hint_for(b: u8) -> Option<Hint> {
    match b {
        b'+' | b'-' => Some(Hint::Sign),
        b'0'..=b'9' => Some(Hint::Digit),
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            Some(Hint::Map)
        }
        b'.' => Some(Hint::Float),
        _ => None,
    }
}

/// The YAML 1.1 words for booleans, null and infinities.
fn well_known(src: &str) -> Option<Value> {
    Some(match src {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Number(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Number(f64::NEG_INFINITY),
        _ => return None,
    })
}

fn strip_sign(s: &str) -> &str {
    s.strip_prefix(['+', '-']).unwrap_or(s)
}

/// `[-+]?(0o[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)`
fn is_yaml_int(s: &str) -> bool {
    let body = strip_sign(s);
    let all = |t: &str, ok: fn(char) -> bool| !t.is_empty() && t.chars().all(ok);
    if let Some(oct) = body.strip_prefix("0o") {
        return all(oct, |c| matches!(c, '0'..='7' | '_'));
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return all(hex, |c| c.is_ascii_hexdigit() || c == '_');
    }
    all(body, |c| c.is_ascii_digit() || c == '_')
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_yaml_float(s: &str) -> bool {
    let body = strip_sign(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(strip_sign(e)))
}

/// Go's `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint`: base
/// prefixes `0x`, `0o`, `0b` and a bare leading `0` for octal.
#[allow(clippy::cast_precision_loss)]
fn parse_go_int(s: &str) -> Option<f64> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        // ParseInt's range: down to -2^63.
        (magnitude <= 1 << 63).then(|| -(magnitude as f64))
    } else {
        Some(magnitude as f64)
    }
}

/// The YAML timestamp forms go-cty-yaml accepts, rendered in RFC 3339:
/// `2006-1-2T15:4:5.999999999Z07:00` (or lower-case `t`),
/// `2006-1-2 15:4:5.999999999` (UTC) and `2006-1-2` (midnight UTC).
fn parse_timestamp(s: &str) -> Option<String> {
    let mut c = Cursor { rest: s };
    let year = c.digits(4, 4)?;
    c.lit('-')?;
    let month = c.digits(1, 2)?;
    c.lit('-')?;
    let day = c.digits(1, 2)?;
    let mut time = (0, 0, 0);
    let mut offset_minutes: i32 = 0;
    if !c.rest.is_empty() {
        let zoned = if c.lit('T').is_some() || c.lit('t').is_some() {
            true
        } else {
            c.lit(' ')?;
            false
        };
        let hour = c.digits(1, 2)?;
        c.lit(':')?;
        let minute = c.digits(1, 2)?;
        c.lit(':')?;
        let second = c.digits(1, 2)?;
        if c.rest.starts_with(['.', ',']) && c.rest[1..].starts_with(|ch: char| ch.is_ascii_digit())
        {
            c.rest = c.rest[1..].trim_start_matches(|ch: char| ch.is_ascii_digit());
        }
        if zoned && c.lit('Z').is_none() {
            let sign = if c.lit('+').is_some() {
                1
            } else {
                c.lit('-')?;
                -1
            };
            let oh = c.digits(2, 2)?;
            c.lit(':')?;
            let om = c.digits(2, 2)?;
            if oh > 24 || om > 60 {
                return None;
            }
            offset_minutes = sign * i32::try_from(oh * 60 + om).ok()?;
        }
        if hour >= 24 || minute >= 60 || second >= 60 {
            return None;
        }
        time = (hour, minute, second);
    }
    if !c.rest.is_empty() {
        return None;
    }
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let zone = if offset_minutes == 0 {
        "Z".to_string()
    } else {
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let m = offset_minutes.unsigned_abs();
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    };
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
        date.year(),
        date.month(),
        date.day(),
        time.0,
        time.1,
        time.2
    ))
}

struct Cursor<'s> {
    rest: &'s str,
}

impl Cursor<'_> {
    fn lit(&mut self, c: char) -> Option<()> {
        self.rest = self.rest.strip_prefix(c)?;
        Some(())
    }

    /// Between `min` and `max` ASCII digits, as many as there are.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let n = self
            .rest
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if n < min {
            return None;
        }
        let (d, rest) = self.rest.split_at(n);
        self.rest = rest;
        d.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{err, n, ok, s};
    use crate::value::Value;

    fn yaml(src: &str) -> Value {
        ok("yamldecode", vec![s(src)])
    }

    #[test]
    fn scalars_resolve_like_go_cty_yaml() {
        assert_eq!(yaml("hello"), s("hello"));
        assert_eq!(yaml("\"hello\""), s("hello"));
        assert_eq!(yaml("true"), Value::Bool(true));
        assert_eq!(yaml("yes"), Value::Bool(true));
        assert_eq!(yaml("Off"), Value::Bool(false));
        assert_eq!(yaml("'true'"), s("true"));
        assert_eq!(yaml("!!str true"), s("true"));
        assert_eq!(yaml("!!bool true"), Value::Bool(true));
        assert_eq!(yaml("12"), n(12.0));
        assert_eq!(yaml("-12"), n(-12.0));
        assert_eq!(yaml(".5"), n(0.5));
        assert_eq!(yaml("1.5e3"), n(1500.0));
        assert_eq!(yaml("0x1F"), n(31.0));
        assert_eq!(yaml("0o17"), n(15.0));
        assert_eq!(yaml("1_000"), n(1000.0));
        assert_eq!(yaml("!!int 1"), n(1.0));
        assert_eq!(yaml("!!float 1.5"), n(1.5));
        assert_eq!(yaml(".inf"), n(f64::INFINITY));
        assert_eq!(yaml("-.Inf"), n(f64::NEG_INFINITY));
        assert_eq!(yaml("+Inf"), s("+Inf"));
        assert_eq!(yaml("1.2.3"), s("1.2.3"));
        assert_eq!(yaml("null"), Value::Null);
        assert_eq!(yaml("~"), Value::Null);
        assert_eq!(yaml(""), Value::Null);
        assert_eq!(yaml("# just a comment\n"), Value::Null);
        assert_eq!(yaml("|\n  hello\n  world"), s("hello\nworld"));
        assert_eq!(yaml(">\n  hello\n  world"), s("hello world"));
        assert_eq!(yaml("!!binary 'aGVsbG8='"), s("aGVsbG8="));
    }

    #[test]
    fn timestamps_become_rfc3339() {
        assert_eq!(yaml("2006-1-2"), s("2006-01-02T00:00:00Z"));
        assert_eq!(yaml("!!timestamp 2006-1-2"), s("2006-01-02T00:00:00Z"));
        assert_eq!(
            yaml("2001-12-14t21:59:43.10-05:00"),
            s("2001-12-14T21:59:43-05:00")
        );
        assert_eq!(yaml("2001-12-14 21:59:43.10"), s("2001-12-14T21:59:43Z"));
        assert_eq!(yaml("2001-12-14T21:59:43Z"), s("2001-12-14T21:59:43Z"));
        // Not a date: stays a string.
        assert_eq!(yaml("2001-02-30"), s("2001-02-30"));
    }

    #[test]
    fn collections() {
        assert_eq!(
            yaml("a: 1\nb:\n  - foo\n  - true\n"),
            Value::object([
                ("a", n(1.0)),
                ("b", Value::Tuple(vec![s("foo"), Value::Bool(true)])),
            ])
        );
        assert_eq!(yaml("[]"), Value::Tuple(vec![]));
        assert_eq!(yaml("{}"), Value::object::<&str>([]));
        assert_eq!(
            yaml("{a: 1, 2: b, true: c}"),
            Value::object([("a", n(1.0)), ("2", s("b")), ("true", s("c"))])
        );
    }

    #[test]
    fn anchors_aliases_and_merges() {
        let three = Value::Tuple(vec![n(1.0), n(2.0), n(3.0)]);
        assert_eq!(
            yaml("{a: &foo [1, 2, 3], b: *foo}"),
            Value::object([("a", three.clone()), ("b", three)])
        );
        assert_eq!(
            yaml("foo: &bar\n  a: b\nbar:\n  <<: *bar\n  c: d\n"),
            Value::object([
                ("foo", Value::object([("a", s("b"))])),
                ("bar", Value::object([("a", s("b")), ("c", s("d"))])),
            ])
        );
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            src.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert_eq!(
            err("yamldecode", vec![s(&src)]),
            "document contains excessive aliasing"
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("yamldecode", vec![s("{a: &foo [1, *foo, 3]}")]),
            "cannot refer to anchor \"foo\" from inside its own definition"
        );
        assert_eq!(
            err("yamldecode", vec![s("\nfoo: &bar\n  - x\n  - *bar\n")]),
            "on line 3, column 5: cannot refer to anchor \"bar\" from inside its own definition"
        );
        assert_eq!(
            err("yamldecode", vec![s("{a: !not-supported foo}")]),
            "unsupported tag \"!not-supported\""
        );
        assert_eq!(
            err("yamldecode", vec![s("!!bool bananas")]),
            "cannot parse \"bananas\" as tag:yaml.org,2002:bool"
        );
        assert_eq!(
            err("yamldecode", vec![s("!!binary '>>>>>>>>>'")]),
            "cannot parse \">>>>>>>>>\" as tag:yaml.org,2002:binary: not valid base64"
        );
        assert_eq!(
            err("yamldecode", vec![s(".NaN")]),
            "floating point NaN is not supported"
        );
        assert_eq!(
            err("yamldecode", vec![s("a: 1\n---\nb: 2\n")]),
            "on line 1, column 1: only a single document is allowed"
        );
        assert_eq!(
            err("yamldecode", vec![s("? [a]\n: 1\n")]),
            "only strings are allowed as mapping keys"
        );
        assert_eq!(
            err("yamldecode", vec![s("a: 1\n<<: 2\n")]),
            "on line 1, column 1: cannot merge number into mapping"
        );
        assert!(err("yamldecode", vec![s("a: [1, 2")]).starts_with("on line "));
    }
}
