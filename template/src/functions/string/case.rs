//! `lower`, `upper` and `title`.
//!
//! Go maps case one rune to one rune (Unicode's *simple* case mapping),
//! while Rust's `to_uppercase` applies the full mapping (`ß` → `SS`). Runes
//! whose full mapping is longer than one character keep their Go result:
//! unchanged, except `İ`, whose simple lowercase is a plain `i`.

use crate::functions::args::str_at;
use crate::functions::{CallContext, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};

pub(super) fn register(lib: &mut Library) {
    for (name, imp) in [
        ("lower", lower as fn(&CallContext, Vec<Value>) -> FuncResult),
        ("upper", upper),
        ("title", title),
    ] {
        lib.insert(
            name,
            Function::new(vec![Param::new("str", Type::String)], imp),
        );
    }
}

fn single<I: ExactSizeIterator<Item = char>>(mut mapped: I, original: char) -> char {
    if mapped.len() == 1 {
        mapped.next().unwrap_or(original)
    } else {
        original
    }
}

fn to_upper(c: char) -> char {
    single(c.to_uppercase(), c)
}

fn to_lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    single(c.to_lowercase(), c)
}

/// Go's `unicode.ToTitle`: upper case, except that the Latin digraphs have
/// a title-case form of their own (`ǆ` → `ǅ`).
fn to_title(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        c => to_upper(c),
    }
}

fn lower(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(str_at(&args, 0)?
        .chars()
        .map(to_lower)
        .collect::<String>()
        .into())
}

fn upper(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(str_at(&args, 0)?
        .chars()
        .map(to_upper)
        .collect::<String>()
        .into())
}

/// Go's `strings.Title` word boundaries: anything but letters, digits and
/// `_` separates words outside ASCII only when it is a space.
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

/// Upper-case the first letter of every word, leaving the rest alone (as
/// Go's deprecated `strings.Title`, which cty uses).
fn title(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let mut prev = ' ';
    let out: String = str_at(&args, 0)?
        .chars()
        .map(|c| {
            let mapped = if is_separator(prev) { to_title(c) } else { c };
            prev = c;
            mapped
        })
        .collect();
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use crate::functions::call;
    use crate::value::Value;

    fn one(name: &str, arg: &str) -> Value {
        call(name, vec![arg.into()]).expect("call succeeds")
    }

    #[test]
    fn upper_and_lower() {
        assert_eq!(one("upper", "hello"), "HELLO".into());
        assert_eq!(one("upper", "алло!"), "АЛЛО!".into());
        assert_eq!(one("upper", "straße"), "STRAßE".into());
        assert_eq!(one("lower", "HELLO"), "hello".into());
        assert_eq!(one("lower", "АЛЛО!"), "алло!".into());
        assert_eq!(one("lower", "İ"), "i".into());
    }

    #[test]
    fn numbers_convert_to_strings() {
        assert_eq!(call("upper", vec![5.0.into()]), Ok("5".into()));
    }

    #[test]
    fn title_capitalises_words_only() {
        assert_eq!(one("title", "hello world"), "Hello World".into());
        assert_eq!(one("title", "hELLO wORLD"), "HELLO WORLD".into());
        assert_eq!(
            one("title", "don't stop_me now-ok"),
            "Don'T Stop_me Now-Ok".into()
        );
        assert_eq!(one("title", "ǆemal"), "ǅemal".into());
        assert_eq!(one("title", ""), "".into());
    }
}
