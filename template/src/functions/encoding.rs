//! Encoding functions: base64, gzip, JSON, YAML, CSV, URL escaping and
//! legacy text encodings.

mod csv;
mod json;
mod text;
mod yaml_decode;
mod yaml_encode;

use super::{go_base64, CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;

pub(super) fn register(lib: &mut Library) {
    let one_string = |imp| Function::new(vec![Param::new("str", Type::String)], imp);
    lib.insert("base64decode", one_string(base64decode));
    lib.insert("base64encode", one_string(base64encode));
    lib.insert("base64gzip", one_string(base64gzip));
    lib.insert("urlencode", one_string(urlencode));
    lib.insert("csvdecode", one_string(csvdecode));
    lib.insert("jsondecode", one_string(jsondecode));
    lib.insert(
        "yamldecode",
        Function::new(vec![Param::new("src", Type::String)], yamldecode),
    );
    lib.insert(
        "jsonencode",
        Function::new(
            vec![Param::new("val", Type::Any).nullable().unknowable()],
            jsonencode,
        ),
    );
    lib.insert(
        "yamlencode",
        Function::new(vec![Param::new("value", Type::Any).nullable()], yamlencode),
    );
    lib.insert(
        "textencodebase64",
        Function::new(
            vec![
                Param::new("string", Type::String),
                Param::new("encoding", Type::String),
            ],
            text::encode_base64,
        ),
    );
    lib.insert(
        "textdecodebase64",
        Function::new(
            vec![
                Param::new("source", Type::String),
                Param::new("encoding", Type::String),
            ],
            text::decode_base64,
        ),
    );
}

/// The string argument at `i`; the evaluator has already converted it.
fn str_arg(args: &[Value], i: usize) -> Result<&str, FuncError> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| FuncError::arg(i, "a string is required"))
}

fn base64decode(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let s = str_arg(&args, 0)?;
    let bytes = go_base64::decode(s)
        .map_err(|_| FuncError::new(format!("failed to decode base64 data '{s}'")))?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        FuncError::new("the result of decoding the the provided string is not valid UTF-8")
    })
}

fn base64encode(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(Value::String(go_base64::encode(
        str_arg(&args, 0)?.as_bytes(),
    )))
}

fn base64gzip(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let s = str_arg(&args, 0)?;
    // Packer flushes before closing, which leaves an empty sync block in
    // the stream; do the same so the output has the same structure.
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    let compressed = gz
        .write_all(s.as_bytes())
        .and_then(|()| gz.flush())
        .and_then(|()| gz.finish())
        .map_err(|e| FuncError::new(format!("failed to write gzip raw data: {e}")))?;
    Ok(Value::String(go_base64::encode(&compressed)))
}

/// Go's `url.QueryEscape`: unreserved characters stay, spaces become `+`,
/// every other byte is percent-encoded in upper-case hex.
fn urlencode(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let s = str_arg(&args, 0)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}

fn csvdecode(_: &CallContext, args: Vec<Value>) -> FuncResult {
    csv::decode(str_arg(&args, 0)?).map_err(FuncError::new)
}

fn jsondecode(_: &CallContext, args: Vec<Value>) -> FuncResult {
    json::decode(str_arg(&args, 0)?).map_err(FuncError::new)
}

fn jsonencode(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let v = args.first().unwrap_or(&Value::Null);
    // Unknowns have no JSON form; the result is only known once they are.
    if !v.is_wholly_known() {
        return Ok(Value::Unknown(Type::String));
    }
    Ok(Value::String(json::encode(v)))
}

fn yamldecode(_: &CallContext, args: Vec<Value>) -> FuncResult {
    yaml_decode::decode(str_arg(&args, 0)?).map_err(FuncError::new)
}

fn yamlencode(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let v = args.first().unwrap_or(&Value::Null);
    yaml_encode::encode(v)
        .map(Value::String)
        .map_err(FuncError::new)
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{err, ok, s};
    use crate::value::{Type, Value};
    use flate2::read::GzDecoder;
    use std::io::Read;

    #[test]
    fn base64_round_trip() {
        assert_eq!(
            ok("base64encode", vec![s("Hello World")]),
            s("SGVsbG8gV29ybGQ=")
        );
        assert_eq!(
            ok("base64decode", vec![s("SGVsbG8gV29ybGQ=")]),
            s("Hello World")
        );
        assert_eq!(ok("base64encode", vec![s("")]), s(""));
        assert_eq!(ok("base64encode", vec![s("🤔")]), s("8J+klA=="));
    }

    #[test]
    fn base64decode_errors() {
        assert_eq!(
            err("base64decode", vec![s("dfdfd")]),
            "failed to decode base64 data 'dfdfd'"
        );
        // 0xff 0xfe is not UTF-8.
        assert_eq!(
            err("base64decode", vec![s("//4=")]),
            "the result of decoding the the provided string is not valid UTF-8"
        );
    }

    #[test]
    fn base64gzip_decompresses_to_the_input() {
        let Value::String(b64) = ok("base64gzip", vec![s("test")]) else {
            panic!("not a string");
        };
        let gz = super::go_base64::decode(&b64).expect("base64");
        // gzip magic, deflate, no flags, no mtime, "unknown" OS as Go writes.
        assert_eq!(
            gz.get(..10),
            Some(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff][..])
        );
        let mut out = String::new();
        GzDecoder::new(&gz[..])
            .read_to_string(&mut out)
            .expect("gunzip");
        assert_eq!(out, "test");
    }

    #[test]
    fn urlencode_matches_go_query_escape() {
        assert_eq!(ok("urlencode", vec![s("abc123-_")]), s("abc123-_"));
        assert_eq!(
            ok("urlencode", vec![s("foo:bar@localhost?foo=bar&bar=baz")]),
            s("foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz")
        );
        assert_eq!(ok("urlencode", vec![s("foo/bar baz")]), s("foo%2Fbar+baz"));
        assert_eq!(ok("urlencode", vec![s("a~b.c")]), s("a~b.c"));
        assert_eq!(ok("urlencode", vec![s("é")]), s("%C3%A9"));
    }

    #[test]
    fn jsonencode_unknowns_stay_unknown() {
        let v = Value::Tuple(vec![Value::Unknown(Type::String)]);
        assert_eq!(ok("jsonencode", vec![v]), Value::Unknown(Type::String));
        assert_eq!(
            ok("jsonencode", vec![Value::Unknown(Type::Any)]),
            Value::Unknown(Type::String)
        );
        assert_eq!(ok("jsonencode", vec![Value::Null]), s("null"));
    }

    #[test]
    fn yamlencode_of_unknowns() {
        // The evaluator answers unknown before calling...
        let v = Value::object([("a", Value::Unknown(Type::String))]);
        assert_eq!(ok("yamlencode", vec![v.clone()]), Value::Unknown(Type::Any));
        // ...and the encoder itself refuses them as go-cty-yaml does.
        assert_eq!(
            super::yaml_encode::encode(&v),
            Err("cannot serialize unknown value as YAML".to_string())
        );
    }
}
