//! `chomp`, `trim`, `trimprefix`, `trimsuffix` and `trimspace`.

use crate::functions::args::str_at;
use crate::functions::{CallContext, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};

pub(super) fn register(lib: &mut Library) {
    let one = || vec![Param::new("str", Type::String)];
    let two = |second| {
        vec![
            Param::new("str", Type::String),
            Param::new(second, Type::String),
        ]
    };
    lib.insert("chomp", Function::new(one(), chomp));
    lib.insert("trimspace", Function::new(one(), trimspace));
    lib.insert("trim", Function::new(two("cutset"), trim));
    lib.insert("trimprefix", Function::new(two("prefix"), trimprefix));
    lib.insert("trimsuffix", Function::new(two("suffix"), trimsuffix));
}

/// Remove every trailing newline, `\n`, `\r\n` or a lone `\r`.
fn chomp(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(str_at(&args, 0)?.trim_end_matches(['\r', '\n']).into())
}

/// Go's `strings.TrimSpace`; Rust's `trim` uses the same Unicode
/// White_Space property.
fn trimspace(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(str_at(&args, 0)?.trim().into())
}

/// Remove leading and trailing characters that appear in `cutset`.
fn trim(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let cutset = str_at(&args, 1)?;
    Ok(str_at(&args, 0)?
        .trim_matches(|c| cutset.contains(c))
        .into())
}

fn trimprefix(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let s = str_at(&args, 0)?;
    Ok(s.strip_prefix(str_at(&args, 1)?).unwrap_or(s).into())
}

fn trimsuffix(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let s = str_at(&args, 0)?;
    Ok(s.strip_suffix(str_at(&args, 1)?).unwrap_or(s).into())
}

#[cfg(test)]
mod tests {
    use crate::functions::call;
    use crate::value::Value;

    fn run(name: &str, args: &[&str]) -> Value {
        call(name, args.iter().map(|a| Value::from(*a)).collect()).expect("call succeeds")
    }

    #[test]
    fn chomp_removes_all_trailing_newlines() {
        assert_eq!(run("chomp", &["hello\n"]), "hello".into());
        assert_eq!(run("chomp", &["hello\r\n\n\r"]), "hello".into());
        assert_eq!(run("chomp", &["hello\nworld"]), "hello\nworld".into());
        assert_eq!(run("chomp", &["\n"]), "".into());
    }

    #[test]
    fn trimspace_uses_unicode_space() {
        assert_eq!(run("trimspace", &["  hello\n\t"]), "hello".into());
        assert_eq!(run("trimspace", &["\u{a0}\u{3000}x y\u{85}"]), "x y".into());
    }

    #[test]
    fn trim_cutset() {
        assert_eq!(run("trim", &["?!hello?!", "!?"]), "hello".into());
        assert_eq!(run("trim", &["foobar", "far"]), "oob".into());
        assert_eq!(
            run("trim", &["  hello! world.!  ", "! "]),
            "hello! world.".into()
        );
        assert_eq!(run("trim", &["ééxé", "é"]), "x".into());
        assert_eq!(run("trim", &["abc", ""]), "abc".into());
    }

    #[test]
    fn prefix_and_suffix() {
        assert_eq!(run("trimprefix", &["helloworld", "hello"]), "world".into());
        assert_eq!(
            run("trimprefix", &["helloworld", "cat"]),
            "helloworld".into()
        );
        assert_eq!(run("trimprefix", &["hellohello", "hello"]), "hello".into());
        assert_eq!(run("trimsuffix", &["helloworld", "world"]), "hello".into());
        assert_eq!(
            run("trimsuffix", &["helloworld", "cat"]),
            "helloworld".into()
        );
    }
}
