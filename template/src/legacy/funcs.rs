//! The functions a legacy template can call: Packer's (`template/
//! interpolate/funcs.go`) and the few text/template built-ins that make
//! sense on strings. Argument types are checked the way text/template
//! checks them against a Go signature: a string parameter takes only a
//! string, an int parameter only a whole number.

use super::clean::clean_resource_name;
use super::golayout;
use super::print::{go_type_name, print_value, truth};
use super::{LegacyContext, LegacyFuncs};
use crate::value::{format_number, Value};
use jiff::tz::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Int,
    Any,
}

type Imp = fn(&LegacyContext, Vec<Value>) -> Result<Value, String>;

struct Builtin {
    params: &'static [Kind],
    variadic: Option<Kind>,
    imp: Imp,
}

const fn f(params: &'static [Kind], imp: Imp) -> Builtin {
    Builtin {
        params,
        variadic: None,
        imp,
    }
}

const fn variadic(params: &'static [Kind], rest: Kind, imp: Imp) -> Builtin {
    Builtin {
        params,
        variadic: Some(rest),
        imp,
    }
}

use Kind::{Any, Int, Str};

/// Every built-in name, for "did you mean" hints.
pub(crate) const NAMES: &[&str] = &[
    "build_name",
    "build_type",
    "packer_version",
    "env",
    "isotime",
    "strftime",
    "pwd",
    "split",
    "template_dir",
    "timestamp",
    "uuid",
    "user",
    "build",
    "replace",
    "replace_all",
    "upper",
    "lower",
    "clean_resource_name",
    "consul_key",
    "vault",
    "aws_secretsmanager",
    "aws_secretsmanager_raw",
    "sed",
    "print",
    "len",
    "index",
    "not",
    "eq",
    "ne",
];

fn builtin(name: &str) -> Option<Builtin> {
    Some(match name {
        "build_name" => f(&[], |c, _| {
            known(c.funcs.build_name.as_deref(), "build_name")
        }),
        "build_type" => f(&[], |c, _| {
            known(c.funcs.build_type.as_deref(), "build_type")
        }),
        "packer_version" => f(&[], |c, _| {
            known(c.funcs.packer_version.as_deref(), "packer_version")
        }),
        "env" => f(&[Str], env),
        "isotime" => variadic(&[], Str, isotime),
        "strftime" => f(&[Str], strftime),
        "pwd" => f(&[], |_, _| {
            let dir = std::env::current_dir().map_err(|e| e.to_string())?;
            Ok(Value::String(dir.display().to_string()))
        }),
        "split" => f(&[Str, Str, Int], split),
        "template_dir" => f(&[], template_dir),
        "timestamp" => f(&[], |c, _| {
            Ok(Value::String(c.funcs.init_time.as_second().to_string()))
        }),
        "uuid" => f(&[], |_, _| time_ordered_uuid().map(Value::String)),
        "user" => f(&[Str], user),
        "build" => f(&[Str], build),
        "replace" => f(&[Str, Str, Int, Str], replace),
        "replace_all" => f(&[Str, Str, Str], |_, a| {
            let [old, new, src] = strings::<3>(a);
            Ok(Value::String(src.replace(&old, &new)))
        }),
        "upper" => f(&[Str], |_, a| {
            let [s] = strings::<1>(a);
            Ok(Value::String(s.to_uppercase()))
        }),
        "lower" => f(&[Str], |_, a| {
            let [s] = strings::<1>(a);
            Ok(Value::String(s.to_lowercase()))
        }),
        "clean_resource_name" => f(&[Str], |c, a| {
            let [s] = strings::<1>(a);
            match c.funcs.clean_resource_name {
                Some(style) => Ok(Value::String(clean_resource_name(style, &s))),
                None => Err("clean_resource_name is not available for this field".to_owned()),
            }
        }),
        "consul_key" => f(&[Str], |c, _| {
            remote(c, "consul_key is not allowed here", "consul_key")
        }),
        "vault" => f(&[Str, Str], |c, _| {
            remote(
                c,
                "Vault vars are only allowed in the variables section",
                "vault",
            )
        }),
        "aws_secretsmanager" => variadic(&[], Str, |c, _| {
            remote(
                c,
                "AWS Secrets Manager is only allowed in the variables section",
                "aws_secretsmanager",
            )
        }),
        "aws_secretsmanager_raw" => f(&[Str], |c, _| {
            remote(
                c,
                "AWS Secrets Manager is only allowed in the variables section",
                "aws_secretsmanager_raw",
            )
        }),
        "sed" => f(&[Str, Str], |_, _| {
            Err(
                "template function `sed` is deprecated use `replace` or `replace_all` instead."
                    .to_owned(),
            )
        }),
        // text/template built-ins.
        "print" => variadic(&[], Any, |_, a| go_sprint(&a).map(Value::String)),
        "len" => f(&[Any], |_, a| go_len(a.first().unwrap_or(&Value::Null))),
        "index" => variadic(&[Any], Any, go_index),
        "not" => f(&[Any], |_, a| {
            Ok(Value::Bool(!a.first().is_some_and(truth)))
        }),
        "eq" => variadic(&[Any], Any, |_, a| Ok(Value::Bool(go_eq(&a)))),
        "ne" => f(&[Any, Any], |_, a| Ok(Value::Bool(!go_eq(&a)))),
        _ => return None,
    })
}

/// Whether `name` can be called in this context.
pub(crate) fn is_defined(ctx: &LegacyContext, name: &str) -> bool {
    ctx.funcs.extra.contains_key(name) || builtin(name).is_some()
}

/// Call `name`: a function the caller added (these take precedence, as a
/// Packer context's own functions do) or a built-in one.
pub(crate) fn call(ctx: &LegacyContext, name: &str, args: Vec<Value>) -> Result<Value, String> {
    if let Some(extra) = ctx.funcs.extra.get(name) {
        return (extra.0)(&args);
    }
    let Some(b) = builtin(name) else {
        return Err(format!("function \"{name}\" not defined"));
    };
    let count_ok = match b.variadic {
        Some(_) => args.len() >= b.params.len(),
        None => args.len() == b.params.len(),
    };
    if !count_ok {
        let want = match b.variadic {
            Some(_) => format!("at least {}", b.params.len()),
            None => b.params.len().to_string(),
        };
        return Err(format!(
            "wrong number of args for {name}: want {want} got {}",
            args.len()
        ));
    }
    for (i, arg) in args.iter().enumerate() {
        let kind = b.params.get(i).copied().or(b.variadic).unwrap_or(Any);
        check_kind(kind, arg)?;
    }
    (b.imp)(ctx, args)
}

fn check_kind(kind: Kind, v: &Value) -> Result<(), String> {
    let expected = match kind {
        Kind::Any => return Ok(()),
        Kind::Str if matches!(v, Value::String(_)) => return Ok(()),
        Kind::Int if v.as_number().is_some_and(|n| n.fract() == 0.0) => return Ok(()),
        Kind::Str => "string",
        Kind::Int => "int",
    };
    if v.is_null() {
        return Err(format!("invalid value; expected {expected}"));
    }
    Err(format!(
        "wrong type for value; expected {expected}; got {}",
        go_type_name(v)
    ))
}

/// The string arguments, already checked to be strings.
fn strings<const N: usize>(args: Vec<Value>) -> [String; N] {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for (slot, v) in out.iter_mut().zip(args) {
        if let Value::String(s) = v {
            *slot = s;
        }
    }
    out
}

fn int_arg(v: Option<&Value>) -> i64 {
    // Checked by `check_kind` to be whole; the cast saturates outside i64.
    #[allow(clippy::cast_possible_truncation)]
    v.and_then(Value::as_number).map_or(0, |n| n as i64)
}

fn known(v: Option<&str>, name: &str) -> Result<Value, String> {
    match v {
        Some(s) if !s.is_empty() => Ok(Value::String(s.to_owned())),
        _ => Err(format!("{name} not available")),
    }
}

fn env(ctx: &LegacyContext, args: Vec<Value>) -> Result<Value, String> {
    if !ctx.funcs.enable_env {
        return Err("env vars are not allowed here".to_owned());
    }
    let [k] = strings::<1>(args);
    Ok(Value::String(std::env::var(k).unwrap_or_default()))
}

/// Functions that read secrets from a server. Packer allows them only
/// where `env` is allowed; kiln's template layer never touches the
/// network, so they are refused everywhere.
fn remote(ctx: &LegacyContext, packer_refusal: &str, name: &str) -> Result<Value, String> {
    if !ctx.funcs.enable_env {
        return Err(packer_refusal.to_owned());
    }
    Err(format!(
        "{name} is not supported by kiln: set the value through an HCL2 variable instead"
    ))
}

fn init_time(funcs: &LegacyFuncs) -> jiff::Zoned {
    funcs.init_time.to_zoned(TimeZone::UTC)
}

fn isotime(ctx: &LegacyContext, args: Vec<Value>) -> Result<Value, String> {
    let t = init_time(&ctx.funcs);
    match args.as_slice() {
        [] => Ok(Value::String(golayout::format(&t, golayout::RFC3339))),
        [Value::String(layout)] => Ok(Value::String(golayout::format(&t, layout))),
        more => {
            let list: Vec<String> = more
                .iter()
                .map(|v| print_value(v).unwrap_or_default())
                .collect();
            Err(format!("too many values, 1 needed: [{}]", list.join(" ")))
        }
    }
}

/// Packer uses a C-strftime port; jiff's strftime covers the same
/// conversions for the directives templates use (%Y %m %d %H %M %S…).
fn strftime(ctx: &LegacyContext, args: Vec<Value>) -> Result<Value, String> {
    let [layout] = strings::<1>(args);
    jiff::fmt::strtime::format(layout, &init_time(&ctx.funcs))
        .map(Value::String)
        .map_err(|e| e.to_string())
}

fn split(_: &LegacyContext, args: Vec<Value>) -> Result<Value, String> {
    let i = int_arg(args.get(2));
    let [s, sep, _] = strings::<3>(args);
    let parts = go_split(&s, &sep);
    usize::try_from(i)
        .ok()
        .and_then(|i| parts.get(i))
        .map(|p| Value::String((*p).to_owned()))
        .ok_or_else(|| {
            format!(
                "the substring {i} was unavailable using the separator value, {sep}, only {} values were found",
                parts.len()
            )
        })
}

/// Go's `strings.Split`: an empty separator splits into characters.
fn go_split<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    if sep.is_empty() {
        return s
            .char_indices()
            .map(|(i, c)| s.get(i..i + c.len_utf8()).unwrap_or(""))
            .collect();
    }
    s.split(sep).collect()
}

/// Go's `strings.Replace(src, old, new, n)`: a negative `n` replaces all.
fn replace(_: &LegacyContext, args: Vec<Value>) -> Result<Value, String> {
    let n = int_arg(args.get(2));
    let [old, new, _, src] = strings::<4>(args);
    Ok(Value::String(match usize::try_from(n) {
        Ok(n) => src.replacen(&old, &new, n),
        Err(_) => src.replace(&old, &new),
    }))
}

fn template_dir(ctx: &LegacyContext, _: Vec<Value>) -> Result<Value, String> {
    let Some(path) = ctx
        .funcs
        .template_path
        .as_ref()
        .filter(|p| !p.as_os_str().is_empty())
    else {
        return Err("template path not available".to_owned());
    };
    let abs = std::path::absolute(path).map_err(|e| e.to_string())?;
    let dir = abs.parent().unwrap_or(&abs);
    Ok(Value::String(dir.display().to_string()))
}

fn user(ctx: &LegacyContext, args: Vec<Value>) -> Result<Value, String> {
    let [k] = strings::<1>(args);
    let Some(vars) = &ctx.funcs.user_variables else {
        return Err("user variables are not available here".to_owned());
    };
    match vars.get(&k) {
        Some(v) => Ok(Value::String(v.clone())),
        // Packer errors only while interpolating the variables themselves
        // (where env is enabled); elsewhere an unset variable is empty.
        None if ctx.funcs.enable_env => Err(format!("Error: variable not set: {k}")),
        None => Ok(Value::String(String::new())),
    }
}

/// `{{ build `ID` }}`: a value the builder shares with provisioners.
fn build(ctx: &LegacyContext, args: Vec<Value>) -> Result<Value, String> {
    let [k] = strings::<1>(args);
    match ctx.data.get(&k) {
        Some(Value::String(s)) => Ok(Value::String(s.clone())),
        _ => Err(format!("loaded data, but couldnt find {k} in it.")),
    }
}

/// Packer's time-ordered UUID: the top 32 bits are the Unix time, the
/// other 96 random.
fn time_ordered_uuid() -> Result<String, String> {
    // Go converts the seconds to uint32, wrapping; so does this cast.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let unix = jiff::Timestamp::now().as_second() as u32;
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| format!("not enough entropy available: {e}"))?;
    let part = |r: std::ops::Range<usize>| kiln_gocompat::hex::encode(b.get(r).unwrap_or(&[]));
    Ok(format!(
        "{unix:08x}-{}-{}-{}-{}{}",
        part(0..2),
        part(2..4),
        part(4..6),
        part(6..8),
        part(8..12)
    ))
}

/// `fmt.Sprint`: a space between operands when neither is a string.
fn go_sprint(args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    for (i, v) in args.iter().enumerate() {
        let is_str = matches!(v, Value::String(_));
        let prev_str = i > 0 && matches!(args.get(i - 1), Some(Value::String(_)));
        if i > 0 && !is_str && !prev_str {
            out.push(' ');
        }
        out.push_str(&print_value(v)?);
    }
    Ok(out)
}

fn go_len(v: &Value) -> Result<Value, String> {
    #[allow(clippy::cast_precision_loss)]
    let n = match v {
        Value::String(s) => s.len(),
        Value::List(i) | Value::Set(i) | Value::Tuple(i) => i.len(),
        Value::Map(m) | Value::Object(m) => m.len(),
        other => return Err(format!("len of type {}", go_type_name(other))),
    } as f64;
    Ok(Value::Number(n))
}

fn go_index(_: &LegacyContext, args: Vec<Value>) -> Result<Value, String> {
    let mut it = args.into_iter();
    let mut cur = it.next().unwrap_or(Value::Null);
    for key in it {
        cur = match (&cur, &key) {
            (Value::Map(m) | Value::Object(m), Value::String(k)) => {
                m.get(k).cloned().unwrap_or(Value::Null)
            }
            (Value::List(items) | Value::Set(items) | Value::Tuple(items), Value::Number(n)) => {
                let i = format_number(*n);
                usize::try_from(int_arg(Some(&key)))
                    .ok()
                    .filter(|_| n.fract() == 0.0)
                    .and_then(|i| items.get(i))
                    .cloned()
                    .ok_or_else(|| format!("index out of range: {i}"))?
            }
            (Value::Null, _) => return Err("index of untyped nil".to_owned()),
            (c, k) => {
                return Err(format!(
                    "cannot index {} with {}",
                    go_type_name(c),
                    go_type_name(k)
                ))
            }
        };
    }
    Ok(cur)
}

/// `eq a b c…`: whether `a` equals any of the others. Numbers compare by
/// value, whatever their Go type would have been.
fn go_eq(args: &[Value]) -> bool {
    let Some((first, rest)) = args.split_first() else {
        return false;
    };
    rest.iter().any(|v| match (first, v) {
        (Value::Number(a), Value::Number(b)) => format_number(*a) == format_number(*b),
        (a, b) => a == b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_a_builtin() {
        for name in NAMES {
            assert!(builtin(name).is_some(), "{name}");
        }
    }

    #[test]
    fn split_like_go() {
        assert_eq!(go_split("a,b,,c", ","), ["a", "b", "", "c"]);
        assert_eq!(go_split("héj", ""), ["h", "é", "j"]);
    }

    #[test]
    fn uuid_shape() {
        let u = time_ordered_uuid().expect("uuid");
        let parts: Vec<usize> = u.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert!(u.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn argument_types_are_checked() {
        assert_eq!(
            check_kind(Kind::Str, &Value::Number(1.0)),
            Err("wrong type for value; expected string; got int".to_owned())
        );
        assert_eq!(
            check_kind(Kind::Int, &Value::Number(1.5)),
            Err("wrong type for value; expected int; got float64".to_owned())
        );
        assert_eq!(
            check_kind(Kind::Str, &Value::Null),
            Err("invalid value; expected string".to_owned())
        );
    }
}
