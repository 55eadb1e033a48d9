//! `format` and `formatlist`.

use super::printf::sprintf;
use crate::functions::args::str_at;
use crate::functions::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};

pub(super) fn register(lib: &mut Library) {
    lib.insert(
        "format",
        Function::new(vec![Param::new("format", Type::String)], format)
            .variadic(Param::new("args", Type::Any).nullable()),
    );
    lib.insert(
        "formatlist",
        Function::new(vec![Param::new("format", Type::String)], formatlist)
            .variadic(Param::new("args", Type::Any).nullable().unknowable()),
    );
}

fn format(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let fmt = str_at(&args, 0)?;
    let values = args.get(1..).unwrap_or_default();
    // Collections are printed as JSON, which needs every nested value.
    if !values.iter().all(Value::is_wholly_known) {
        return Ok(Value::Unknown(Type::String));
    }
    sprintf(fmt, values).map(Value::String)
}

/// How one `formatlist` argument takes part in each iteration.
enum Source<'a> {
    /// A list, set or tuple: one element per iteration.
    Each(&'a [Value]),
    /// Anything else: the same value every time.
    Same(&'a Value),
}

fn formatlist(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let fmt = str_at(&args, 0)?;
    let values = args.get(1..).unwrap_or_default();
    let list_of_strings = Type::list(Type::String);
    if values.is_empty() {
        return sprintf(fmt, values).map(|s| Value::List(vec![Value::String(s)]));
    }

    let mut sources = Vec::with_capacity(values.len());
    let mut iterations: Option<(usize, usize)> = None; // (length, 0-based argument that set it)
    let mut unknown = false;
    for (i, value) in values.iter().enumerate() {
        let length = match value {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                sources.push(Source::Each(items));
                Some(items.len())
            }
            // An unknown tuple still has a known length, which must agree.
            Value::Unknown(Type::Tuple(types)) => {
                unknown = true;
                sources.push(Source::Same(value));
                Some(types.len())
            }
            Value::Unknown(Type::List(_) | Type::Set(_)) => {
                unknown = true;
                sources.push(Source::Same(value));
                None
            }
            _ => {
                sources.push(Source::Same(value));
                None
            }
        };
        if let Some(length) = length {
            match iterations {
                None => iterations = Some((length, i)),
                Some((expected, chooser)) if expected != length => {
                    return Err(FuncError::arg(
                        i + 1,
                        format!(
                            "argument {} has length {length}, which is inconsistent with argument {} of length {expected}",
                            i + 1,
                            chooser + 1
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    if unknown {
        return Ok(Value::Unknown(list_of_strings));
    }

    let count = iterations.map_or(1, |(length, _)| length);
    let mut out = Vec::with_capacity(count);
    for iteration in 0..count {
        let call_args: Vec<Value> = sources
            .iter()
            .map(|s| match s {
                Source::Each(items) => items.get(iteration).cloned().unwrap_or(Value::Null),
                Source::Same(v) => (*v).clone(),
            })
            .collect();
        if !call_args.iter().all(Value::is_wholly_known) {
            out.push(Value::Unknown(Type::String));
            continue;
        }
        let s = sprintf(fmt, &call_args).map_err(|e| {
            FuncError::new(format!(
                "error on format iteration {iteration}: {}",
                e.message
            ))
        })?;
        out.push(Value::String(s));
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use crate::functions::call;
    use crate::functions::FuncError;
    use crate::value::{Type, Value};

    fn format(fmt: &str, args: Vec<Value>) -> Result<String, String> {
        let mut all = vec![Value::from(fmt)];
        all.extend(args);
        match call("format", all) {
            Ok(Value::String(s)) => Ok(s),
            Ok(other) => Err(format!("not a string: {other:?}")),
            Err(e) => Err(e.message),
        }
    }

    fn ok(fmt: &str, args: Vec<Value>) -> String {
        format(fmt, args).expect("format succeeds")
    }

    fn err(fmt: &str, args: Vec<Value>) -> String {
        format(fmt, args).expect_err("format fails")
    }

    #[test]
    fn literals_and_percent() {
        assert_eq!(ok("", vec![]), "");
        assert_eq!(ok("100%% successful", vec![]), "100% successful");
        assert_eq!(ok("%%%v", vec![false.into()]), "%false");
    }

    #[test]
    fn default_verb() {
        assert_eq!(ok("string %v", vec!["hello".into()]), "string hello");
        assert_eq!(
            ok("string %[2]v", vec![true.into(), "hello".into()]),
            "string hello"
        );
        assert_eq!(ok("string %#v", vec!["hello".into()]), "string \"hello\"");
        assert_eq!(ok("number %v", vec![2.0.into()]), "number 2");
        assert_eq!(ok("%v", vec![1e6.into()]), "1e+06");
        assert_eq!(ok("bool %#v", vec![true.into()]), "bool true");
        assert_eq!(
            ok("object %v", vec![Value::object::<&str>([])]),
            "object {}"
        );
        assert_eq!(ok("tuple %v", vec![Value::Tuple(vec![])]), "tuple []");
        assert_eq!(
            ok(
                "%v",
                vec![Value::object([
                    ("b", Value::from(1.0)),
                    ("a", Value::from("<"))
                ])]
            ),
            r#"{"a":"\u003c","b":1}"#
        );
        assert_eq!(ok("%v", vec![Value::Null]), "null");
        assert_eq!(ok("[%5v]", vec![true.into()]), "[ true]");
    }

    #[test]
    fn string_verbs() {
        assert_eq!(
            ok("Hello, %s!", vec!["Ermintrude".into()]),
            "Hello, Ermintrude!"
        );
        assert_eq!(
            ok("Hello, %q!", vec!["Ermintrude".into()]),
            "Hello, \"Ermintrude\"!"
        );
        assert_eq!(
            ok("This statement is %s", vec![false.into()]),
            "This statement is false"
        );
        assert_eq!(ok("%10s", vec!["hello".into()]), "     hello");
        assert_eq!(ok("%-10s|", vec!["hello".into()]), "hello     |");
        assert_eq!(ok("%4s", vec!["💃🏿".into()]), "   💃🏿");
        assert_eq!(ok("%-6q", vec!["💃🏿".into()]), "\"💃🏿\"   ");
        assert_eq!(ok("%.2s", vec!["hello".into()]), "he");
        assert_eq!(ok("%.0s", vec!["hello".into()]), "hello");
        assert_eq!(ok("%.1q", vec!["日本語日本語".into()]), "\"日\"");
        assert_eq!(ok("%6.2q", vec!["hello".into()]), "  \"he\"");
        assert_eq!(ok("%05s", vec!["ab".into()]), "000ab");
        assert_eq!(ok("%q", vec!["Hello\nWorld".into()]), "\"Hello\\nWorld\"");
    }

    #[test]
    fn booleans_and_integers() {
        assert_eq!(ok("%t", vec!["false".into()]), "false");
        assert_eq!(ok("%[2]t", vec![true.into(), false.into()]), "false");
        assert_eq!(ok("%d bottles", vec![10.0.into()]), "10 bottles");
        assert_eq!(ok("%+d", vec![10.0.into()]), "+10");
        assert_eq!(ok("% d", vec![10.0.into()]), " 10");
        assert_eq!(ok("%5d|", vec![10.0.into()]), "   10|");
        assert_eq!(ok("%-5d|", vec![10.0.into()]), "10   |");
        assert_eq!(ok("%03d", vec!["7".into()]), "007");
        assert_eq!(
            ok(
                "%b %o %x %X",
                vec![5.0.into(), 9.0.into(), 254.0.into(), 254.0.into()]
            ),
            "101 11 fe FE"
        );
        assert_eq!(ok("%#x", vec![255.0.into()]), "0xff");
    }

    #[test]
    fn floats() {
        assert_eq!(ok("%f things", vec![10.0.into()]), "10.000000 things");
        assert_eq!(ok("%+f", vec![10.0.into()]), "+10.000000");
        assert_eq!(ok("%.1f", vec!["1.06".into()]), "1.1");
        assert_eq!(ok("%8.3f|", vec![1.23456.into()]), "   1.235|");
        assert_eq!(ok("%e", vec![1000.0.into()]), "1.000000e+03");
        assert_eq!(ok("%E", vec![1000.0.into()]), "1.000000E+03");
        assert_eq!(ok("%g", vec![1000.0.into()]), "1000");
        assert_eq!(ok("%G", vec!["0.00000000000000000000001".into()]), "1E-23");
    }

    #[test]
    fn argument_errors() {
        assert_eq!(
            err("%s", vec![Value::Null]),
            r#"unsupported value for "%s" at 0: null value cannot be formatted"#
        );
        assert_eq!(
            err("%d things", vec![true.into()]),
            r#"unsupported value for "%d" at 0: number required"#
        );
        assert_eq!(
            err("%d", vec![1.5.into()]),
            r#"unsupported value for "%d" at 0: an integer is required"#
        );
        assert_eq!(
            err("%s", vec![Value::object::<&str>([])]),
            r#"unsupported value for "%s" at 0: string required"#
        );
        assert_eq!(
            err("%s is not in the args list", vec![]),
            r#"not enough arguments for "%s" at 0: need index 1 but have 0 total"#
        );
        assert_eq!(
            err("%[3]s", vec![true.into(), true.into()]),
            r#"not enough arguments for "%[3]s" at 0: need index 3 but have 2 total"#
        );
        assert_eq!(
            err("%v %v %v", vec![true.into(), true.into()]),
            r#"not enough arguments for "%v" at 6: need index 3 but have 2 total"#
        );
    }

    #[test]
    fn grammar_errors() {
        assert_eq!(
            err("%[0]s", vec![true.into()]),
            "unrecognized format character '0' at offset 2"
        );
        assert_eq!(
            err("%z is not valid", vec![10.0.into()]),
            r#"unsupported format verb 'z' in "%z" at offset 0"#
        );
        assert_eq!(
            err("%012z", vec![10.0.into()]),
            r#"unsupported format verb 'z' in "%012z" at offset 0"#
        );
        assert_eq!(
            err("%☠ is not valid", vec![10.0.into()]),
            "unrecognized format character '☠' at offset 1"
        );
        assert_eq!(
            err("abc%", vec![]),
            "invalid format string starting at offset 4"
        );
        assert_eq!(
            err("%5", vec![1.0.into()]),
            "invalid format string starting at offset 2"
        );
        assert_eq!(
            err("%99999999999d", vec![1.0.into()]),
            r#"width or precision too large in "%99999999999d" at offset 0; the most is 1000000"#
        );
    }

    #[test]
    fn too_many_arguments_blames_the_first_extra() {
        let e = call("format", vec!["no verbs".into(), 10.0.into()]).expect_err("fails");
        assert_eq!(
            e,
            FuncError::arg(1, "too many arguments; no verbs in format string")
        );
        let e = call("format", vec!["one %d".into(), 10.0.into(), 11.0.into()]).expect_err("fails");
        assert_eq!(
            e,
            FuncError::arg(2, "too many arguments; only 1 used by format string")
        );
    }

    #[test]
    fn unknowns_make_the_result_unknown() {
        let v = call(
            "format",
            vec![
                "%v".into(),
                Value::Tuple(vec![Value::Unknown(Type::String)]),
            ],
        );
        assert_eq!(v, Ok(Value::Unknown(Type::String)));
    }

    fn strings(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::from(*s)).collect())
    }

    #[test]
    fn formatlist_iterates_sequences() {
        assert_eq!(
            call("formatlist", vec!["100%%".into()]),
            Ok(strings(&["100%"]))
        );
        assert_eq!(
            call(
                "formatlist",
                vec![
                    "%s %s".into(),
                    strings(&["hello", "goodbye"]),
                    strings(&["world", "universe"])
                ]
            ),
            Ok(strings(&["hello world", "goodbye universe"]))
        );
        assert_eq!(
            call(
                "formatlist",
                vec![
                    "%s %s".into(),
                    "hello".into(),
                    strings(&["world", "universe"])
                ]
            ),
            Ok(strings(&["hello world", "hello universe"]))
        );
        assert_eq!(
            call("formatlist", vec!["%v".into(), Value::Tuple(vec![])]),
            Ok(Value::List(vec![]))
        );
        assert_eq!(
            call("formatlist", vec!["%v".into(), Value::Null]),
            Ok(strings(&["null"]))
        );
    }

    #[test]
    fn formatlist_errors() {
        let e = call(
            "formatlist",
            vec!["%s %s".into(), strings(&["a", "b"]), strings(&["c"])],
        )
        .expect_err("fails");
        assert_eq!(
            e,
            FuncError::arg(
                2,
                "argument 2 has length 1, which is inconsistent with argument 1 of length 2"
            )
        );
        let e =
            call("formatlist", vec!["%s".into(), Value::object::<&str>([])]).expect_err("fails");
        assert_eq!(
            e.message,
            r#"error on format iteration 0: unsupported value for "%s" at 0: string required"#
        );
    }

    #[test]
    fn formatlist_unknowns() {
        let unknown_list = Value::Unknown(Type::list(Type::String));
        assert_eq!(
            call("formatlist", vec!["%v".into(), unknown_list]),
            Ok(Value::Unknown(Type::list(Type::String)))
        );
        let mixed = Value::List(vec![
            Value::Tuple(vec!["hello".into()]),
            Value::Tuple(vec![Value::Unknown(Type::String)]),
        ]);
        assert_eq!(
            call("formatlist", vec!["%v".into(), mixed]),
            Ok(Value::List(vec![
                r#"["hello"]"#.into(),
                Value::Unknown(Type::String)
            ]))
        );
        let e = call(
            "formatlist",
            vec![
                "%s %s".into(),
                strings(&["hi"]),
                Value::Unknown(Type::Tuple(vec![Type::String, Type::String])),
            ],
        )
        .expect_err("fails");
        assert_eq!(e.arg, Some(2));
    }
}
