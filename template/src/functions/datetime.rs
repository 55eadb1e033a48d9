//! Date and time functions. Timestamps are RFC 3339 strings, as in Packer.

mod formatdate;
pub(crate) mod go_time;
mod rfc3339;
mod strftime;

use super::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};
use go_time::{GoTime, RFC3339};
use std::sync::OnceLock;

pub(super) fn register(lib: &mut Library) {
    lib.insert("timestamp", Function::new(vec![], timestamp));
    lib.insert(
        "formatdate",
        Function::new(
            vec![
                Param::new("format", Type::String),
                Param::new("time", Type::String),
            ],
            formatdate,
        ),
    );
    lib.insert(
        "timeadd",
        Function::new(
            vec![
                Param::new("timestamp", Type::String),
                Param::new("duration", Type::String),
            ],
            timeadd,
        ),
    );
    lib.insert(
        "legacy_isotime",
        Function::new(vec![], legacy_isotime).variadic(Param::new("format", Type::String)),
    );
    lib.insert(
        "legacy_strftime",
        Function::new(vec![], legacy_strftime).variadic(Param::new("format", Type::String)),
    );
}

fn str_arg(args: &[Value], i: usize) -> Result<&str, FuncError> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| FuncError::arg(i, "a string is required"))
}

/// The moment the legacy functions report: fixed for the whole run, like
/// Packer's package-initialisation time, so every use agrees.
fn init_time() -> GoTime {
    static INIT: OnceLock<GoTime> = OnceLock::new();
    *INIT.get_or_init(GoTime::now)
}

fn timestamp(_: &CallContext, _: Vec<Value>) -> FuncResult {
    Ok(Value::String(GoTime::now().format(RFC3339)))
}

fn formatdate(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let t = rfc3339::parse(str_arg(&args, 1)?).map_err(|e| FuncError::arg(1, e.cty_message()))?;
    formatdate::format(str_arg(&args, 0)?, &t)
        .map(Value::String)
        .map_err(|e| FuncError::arg(0, e))
}

fn timeadd(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let t = rfc3339::parse(str_arg(&args, 0)?).map_err(|e| FuncError::new(e.go_message()))?;
    let nanos = kiln_gocompat::GoDuration::parse(str_arg(&args, 1)?)
        .map_err(|e| FuncError::new(e.to_string()))?
        .nanos();
    let later = t
        .add_nanos(nanos)
        .ok_or_else(|| FuncError::new("the resulting time is out of range"))?;
    Ok(Value::String(later.format(RFC3339)))
}

/// The single optional format argument of the legacy functions.
fn legacy_format(args: &[Value]) -> Result<Option<&str>, FuncError> {
    if args.len() > 1 {
        let shown: Vec<String> = args.iter().map(crate::value::format_hcl).collect();
        return Err(FuncError::new(format!(
            "too many values, 1 needed: [{}]",
            shown.join(" ")
        )));
    }
    args.first().map(|_| str_arg(args, 0)).transpose()
}

fn legacy_isotime(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let t = init_time();
    let layout = legacy_format(&args)?.unwrap_or(RFC3339);
    Ok(Value::String(t.format(layout)))
}

fn legacy_strftime(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let t = init_time();
    Ok(Value::String(match legacy_format(&args)? {
        Some(spec) => strftime::format(spec, &t),
        None => t.format(RFC3339),
    }))
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{call, err, ok, s};
    use crate::value::Value;

    fn text(v: Value) -> String {
        match v {
            Value::String(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn timestamp_is_rfc3339_utc_to_the_second() {
        let t = text(ok("timestamp", vec![]));
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z'));
        assert_eq!(t.get(10..11), Some("T"));
        let parsed: jiff::Timestamp = t.parse().expect("RFC 3339");
        let age = jiff::Timestamp::now().duration_since(parsed);
        assert!(age.as_secs() < 5, "{age:?}");
    }

    #[test]
    fn timeadd_keeps_the_offset() {
        let cases = [
            ("2017-11-22T00:00:00Z", "1s", "2017-11-22T00:00:01Z"),
            ("2017-11-22T00:00:00Z", "10m1s", "2017-11-22T00:10:01Z"),
            ("2017-11-22T00:00:00Z", "-1h", "2017-11-21T23:00:00Z"),
            ("2017-11-22T00:00:00Z", "1.5h", "2017-11-22T01:30:00Z"),
            ("2017-11-22T00:00:00Z", "300ms", "2017-11-22T00:00:00Z"),
            (
                "2017-11-22T00:00:00+05:00",
                "1h",
                "2017-11-22T01:00:00+05:00",
            ),
            (
                "2017-11-22T23:30:00-01:00",
                "1h",
                "2017-11-23T00:30:00-01:00",
            ),
            ("2016-02-28T12:00:00Z", "24h", "2016-02-29T12:00:00Z"),
            ("2017-11-22T00:00:00.900Z", "100ms", "2017-11-22T00:00:01Z"),
        ];
        for (ts, d, want) in cases {
            assert_eq!(ok("timeadd", vec![s(ts), s(d)]), s(want), "{ts} + {d}");
        }
    }

    #[test]
    fn timeadd_errors_are_go_errors() {
        assert_eq!(
            err("timeadd", vec![s("2017-11-22"), s("1h")]),
            "parsing time \"2017-11-22\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\""
        );
        assert_eq!(
            err("timeadd", vec![s("2017-11-22T00:00:00Z"), s("1d")]),
            "time: unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(
            err("timeadd", vec![s("2017-11-22T00:00:00Z"), s("1")]),
            "time: missing unit in duration \"1\""
        );
    }

    #[test]
    fn formatdate_examples() {
        assert_eq!(
            ok(
                "formatdate",
                vec![s("DD MMM YYYY hh:mm ZZZ"), s("2018-01-02T23:12:01Z")]
            ),
            s("02 Jan 2018 23:12 UTC")
        );
        assert_eq!(
            ok(
                "formatdate",
                vec![s("EEEE, DD-MMM-YY hh:mm:ss ZZZ"), s("2018-01-02T23:12:01Z")]
            ),
            s("Tuesday, 02-Jan-18 23:12:01 UTC")
        );
        assert_eq!(
            ok(
                "formatdate",
                vec![
                    s("EEE, DD MMM YYYY hh:mm:ss ZZZ"),
                    s("2018-01-02T23:12:01-08:00")
                ]
            ),
            s("Tue, 02 Jan 2018 23:12:01 -0800")
        );
        assert_eq!(
            ok(
                "formatdate",
                vec![s("MMM DD, YYYY"), s("2018-01-02T23:12:01Z")]
            ),
            s("Jan 02, 2018")
        );
        assert_eq!(
            ok("formatdate", vec![s("HH:mmaa"), s("2018-01-02T23:12:01Z")]),
            s("11:12pm")
        );
    }

    #[test]
    fn formatdate_blames_the_right_argument() {
        let e = call("formatdate", vec![s("YYYY"), s("2017-01-02")]).expect_err("fails");
        assert_eq!(e.arg, Some(1));
        assert_eq!(
            e.message,
            "not a valid RFC3339 timestamp: missing required time introducer 'T'"
        );
        let e = call("formatdate", vec![s("Y"), s("2017-01-02T00:00:00Z")]).expect_err("fails");
        assert_eq!(e.arg, Some(0));
    }

    #[test]
    fn legacy_functions_share_one_moment() {
        let iso = text(ok("legacy_isotime", vec![]));
        assert_eq!(text(ok("legacy_strftime", vec![])), iso);
        let date = text(ok("legacy_isotime", vec![s("2006-01-02")]));
        assert_eq!(Some(date.as_str()), iso.get(..10));
        let date = text(ok("legacy_strftime", vec![s("%Y-%m-%d")]));
        assert_eq!(Some(date.as_str()), iso.get(..10));
        assert_eq!(text(ok("legacy_isotime", vec![s("MST")])), "UTC");
    }

    #[test]
    fn legacy_functions_take_one_format() {
        assert_eq!(
            err("legacy_isotime", vec![s("a"), s("b")]),
            "too many values, 1 needed: [\"a\" \"b\"]"
        );
    }
}
