//! cty's printf: the verb grammar and formatting behind `format` and
//! `formatlist`, with cty's error messages.
//!
//! A verb is `%` flags width? precision? `[argindex]`? letter, where flags
//! are `0 # - + space`. Byte offsets in messages count from the start of
//! the format string, as cty reports them.

use super::number_text::{self, Spec};
use crate::functions::go_text::{json, json_string};
use crate::functions::FuncError;
use crate::value::{convert, Type, Value};
use kiln_gocompat::quote::{quote as quote_str, quote_rune};
use unicode_segmentation::UnicodeSegmentation;

/// One parsed verb.
struct Verb<'a> {
    /// The verb as written, for messages: `%-5[2]d`.
    raw: &'a str,
    offset: usize,
    /// 1-based index of the argument it formats.
    arg_num: usize,
    mode: char,
    spec: Spec,
}

/// Format `args` (the values after the format string) as `fmt` says.
/// Errors blame the function's argument list, where `fmt` is argument 0.
pub(super) fn sprintf(fmt: &str, args: &[Value]) -> Result<String, FuncError> {
    let bytes = fmt.as_bytes();
    let mut out = String::with_capacity(fmt.len());
    let mut p = 0;
    let mut next_arg = 1;
    let mut highest = 0;
    while p < bytes.len() {
        let Some(rel) = fmt.get(p..).and_then(|rest| rest.find('%')) else {
            out.push_str(fmt.get(p..).unwrap_or(""));
            break;
        };
        out.push_str(fmt.get(p..p + rel).unwrap_or(""));
        p += rel;
        if bytes.get(p + 1) == Some(&b'%') {
            out.push('%');
            p += 2;
            continue;
        }
        let verb = parse_verb(fmt, p, next_arg)?;
        p = verb.offset + verb.raw.len();
        highest = highest.max(verb.arg_num);
        append(&mut out, &verb, args)?;
        next_arg = verb.arg_num + 1;
    }
    if highest < args.len() {
        let message = if highest == 0 {
            "too many arguments; no verbs in format string".to_string()
        } else {
            format!("too many arguments; only {highest} used by format string")
        };
        return Err(FuncError::arg(highest + 1, message));
    }
    Ok(out)
}

/// Parse the verb whose `%` is at byte `start`.
fn parse_verb(fmt: &str, start: usize, next_arg: usize) -> Result<Verb<'_>, FuncError> {
    let bytes = fmt.as_bytes();
    let mut p = start + 1;
    let mut spec = Spec::default();
    while let Some(b) = bytes.get(p) {
        match b {
            b'0' => spec.zero = true,
            b'#' => spec.sharp = true,
            b'-' => spec.minus = true,
            b'+' => spec.plus = true,
            b' ' => spec.space = true,
            _ => break,
        }
        p += 1;
    }
    if matches!(bytes.get(p), Some(b'1'..=b'9')) {
        spec.width = Some(digits(bytes, &mut p));
    }
    if bytes.get(p) == Some(&b'.') {
        p += 1;
        spec.prec = Some(digits(bytes, &mut p));
    }
    let mut arg_num = next_arg;
    if bytes.get(p) == Some(&b'[') {
        p += 1;
        if !matches!(bytes.get(p), Some(b'1'..=b'9')) {
            return Err(unexpected(fmt, p));
        }
        arg_num = digits(bytes, &mut p);
        if bytes.get(p) != Some(&b']') {
            return Err(unexpected(fmt, p));
        }
        p += 1;
    }
    match bytes.get(p) {
        Some(b) if b.is_ascii_alphabetic() => Ok(Verb {
            raw: fmt.get(start..=p).unwrap_or(""),
            offset: start,
            arg_num,
            mode: char::from(*b),
            spec,
        }),
        _ => Err(unexpected(fmt, p)),
    }
}

/// Read a run of decimal digits at `p`, advancing past it.
fn digits(bytes: &[u8], p: &mut usize) -> usize {
    let mut n: usize = 0;
    while let Some(b @ b'0'..=b'9') = bytes.get(*p) {
        n = n.saturating_mul(10).saturating_add(usize::from(b - b'0'));
        *p += 1;
    }
    n
}

/// The error for a character the grammar does not allow at `p` (or for
/// the format string ending inside a verb).
fn unexpected(fmt: &str, p: usize) -> FuncError {
    match fmt.get(p..).and_then(|rest| rest.chars().next()) {
        Some(c) => FuncError::new(format!(
            "unrecognized format character {} at offset {p}",
            quote_rune(c)
        )),
        None => FuncError::new(format!(
            "invalid format string starting at offset {}",
            fmt.len()
        )),
    }
}

/// Go's fmt refuses widths and precisions beyond a million; without a cap a
/// typo such as `%999999999d` would try to allocate gigabytes.
const MAX_WIDTH: usize = 1_000_000;

fn append(out: &mut String, verb: &Verb<'_>, args: &[Value]) -> Result<(), FuncError> {
    if verb.spec.width.unwrap_or(0) > MAX_WIDTH || verb.spec.prec.unwrap_or(0) > MAX_WIDTH {
        return Err(FuncError::new(format!(
            "width or precision too large in {} at offset {}; the most is {MAX_WIDTH}",
            quote_str(verb.raw),
            verb.offset
        )));
    }
    let Some(arg) = verb.arg_num.checked_sub(1).and_then(|i| args.get(i)) else {
        return Err(FuncError::new(format!(
            "not enough arguments for {} at {}: need index {} but have {} total",
            quote_str(verb.raw),
            verb.offset,
            verb.arg_num,
            args.len()
        )));
    };
    if verb.mode != 'v' && arg.is_null() {
        return Err(unsupported(verb, "null value cannot be formatted"));
    }
    match verb.mode {
        'v' => {
            let text = match arg {
                Value::String(s) if !verb.spec.sharp => s.clone(),
                Value::Number(n) if !verb.spec.sharp => number_text::shortest_g(*n),
                other => json(other),
            };
            out.push_str(&pad(verb, text));
        }
        't' => {
            let b = convert(arg.clone(), &Type::Bool).map_err(|e| unsupported(verb, e))?;
            out.push_str(if b.as_bool() == Some(true) {
                "true"
            } else {
                "false"
            });
        }
        'b' | 'd' | 'o' | 'x' | 'X' => {
            let n = number(verb, arg)?;
            let text = number_text::integer(n, verb.mode, &verb.spec)
                .ok_or_else(|| unsupported(verb, "an integer is required"))?;
            out.push_str(&text);
        }
        'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = number(verb, arg)?;
            out.push_str(&number_text::float(n, verb.mode, &verb.spec));
        }
        's' | 'q' => {
            let s = convert(arg.clone(), &Type::String).map_err(|e| unsupported(verb, e))?;
            let s = s.as_str().unwrap_or_default();
            // cty ignores a zero precision rather than truncating to nothing.
            let s = match verb.spec.prec {
                Some(p) if p > 0 => s.graphemes(true).take(p).collect::<String>(),
                _ => s.to_string(),
            };
            let text = if verb.mode == 'q' { json_string(&s) } else { s };
            out.push_str(&pad(verb, text));
        }
        other => {
            return Err(FuncError::new(format!(
                "unsupported format verb {} in {} at offset {}",
                quote_rune(other),
                quote_str(verb.raw),
                verb.offset
            )))
        }
    }
    Ok(())
}

fn number(verb: &Verb<'_>, arg: &Value) -> Result<f64, FuncError> {
    let n = convert(arg.clone(), &Type::Number).map_err(|e| unsupported(verb, e))?;
    n.as_number()
        .ok_or_else(|| unsupported(verb, "number required"))
}

fn unsupported(verb: &Verb<'_>, why: impl std::fmt::Display) -> FuncError {
    FuncError::new(format!(
        "unsupported value for {} at {}: {why}",
        quote_str(verb.raw),
        verb.offset
    ))
}

/// Pad to the verb's width, counted in grapheme clusters as cty does.
fn pad(verb: &Verb<'_>, text: String) -> String {
    let Some(width) = verb.spec.width else {
        return text;
    };
    let given = text.graphemes(true).count();
    if given >= width {
        return text;
    }
    let fill = if verb.spec.zero { "0" } else { " " }.repeat(width - given);
    if verb.spec.minus {
        text + &fill
    } else {
        fill + &text
    }
}
