//! Hashing, bcrypt, UUIDs and RSA decryption.

mod rsa_decrypt;
mod uuid_v5;

use super::go_int::to_int;
use super::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};
use kiln_gocompat::hash::HashKind;

pub(super) fn register(lib: &mut Library) {
    let one_string = |imp| Function::new(vec![Param::new("str", Type::String)], imp);
    lib.insert("md5", one_string(md5));
    lib.insert("sha1", one_string(sha1));
    lib.insert("sha256", one_string(sha256));
    lib.insert("sha512", one_string(sha512));
    lib.insert(
        "bcrypt",
        one_string(bcrypt).variadic(Param::new("cost", Type::Number)),
    );
    lib.insert("uuidv4", Function::new(vec![], uuidv4));
    lib.insert(
        "uuidv5",
        Function::new(
            vec![
                Param::new("namespace", Type::String),
                Param::new("name", Type::String),
            ],
            uuid_v5::uuidv5,
        ),
    );
    lib.insert(
        "rsadecrypt",
        Function::new(
            vec![
                Param::new("ciphertext", Type::String),
                Param::new("privatekey", Type::String),
            ],
            rsa_decrypt::rsadecrypt,
        ),
    );
}

fn str_arg(args: &[Value], i: usize) -> Result<&str, FuncError> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| FuncError::arg(i, "a string is required"))
}

fn hash_hex(kind: HashKind, args: &[Value]) -> FuncResult {
    Ok(Value::String(kind.hex_digest(str_arg(args, 0)?.as_bytes())))
}

fn md5(_: &CallContext, args: Vec<Value>) -> FuncResult {
    hash_hex(HashKind::Md5, &args)
}

fn sha1(_: &CallContext, args: Vec<Value>) -> FuncResult {
    hash_hex(HashKind::Sha1, &args)
}

fn sha256(_: &CallContext, args: Vec<Value>) -> FuncResult {
    hash_hex(HashKind::Sha256, &args)
}

fn sha512(_: &CallContext, args: Vec<Value>) -> FuncResult {
    hash_hex(HashKind::Sha512, &args)
}

/// Go's `bcrypt.GenerateFromPassword`: `$2a$` hashes, costs below 4 mean
/// the default of 10, passwords over 72 bytes are refused.
fn bcrypt(_: &CallContext, args: Vec<Value>) -> FuncResult {
    const DEFAULT_COST: i64 = 10;
    const MIN_COST: i64 = 4;
    const MAX_COST: i64 = 31;
    let mut cost = DEFAULT_COST;
    if let Some(arg) = args.get(1) {
        let n = arg
            .as_number()
            .ok_or_else(|| FuncError::arg(1, "a number is required"))?;
        cost = to_int(n).map_err(|e| FuncError::arg(1, e))?;
    }
    if args.len() > 2 {
        return Err(FuncError::new("bcrypt() takes no more than two arguments"));
    }
    let password = str_arg(&args, 0)?;
    let failed = |why: String| FuncError::new(format!("error occured generating password {why}"));
    if password.len() > 72 {
        return Err(failed("bcrypt: password length exceeds 72 bytes".into()));
    }
    if cost < MIN_COST {
        cost = DEFAULT_COST;
    }
    let cost = u32::try_from(cost)
        .ok()
        .filter(|c| i64::from(*c) <= MAX_COST)
        .ok_or_else(|| {
            failed(format!(
                "crypto/bcrypt: cost {cost} is outside allowed inclusive range {MIN_COST}..{MAX_COST}"
            ))
        })?;
    let parts = ::bcrypt::hash_with_result(password, cost).map_err(|e| failed(e.to_string()))?;
    Ok(Value::String(
        parts.format_for_version(::bcrypt::Version::TwoA),
    ))
}

fn uuidv4(_: &CallContext, _: Vec<Value>) -> FuncResult {
    Ok(Value::String(uuid::Uuid::new_v4().to_string()))
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{err, n, ok, s};
    use crate::value::Value;

    fn text(v: Value) -> String {
        match v {
            Value::String(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn hashes_are_lower_hex_of_utf8() {
        assert_eq!(
            ok("md5", vec![s("tada")]),
            s("ce47d07243bb6eaf5e1322c81baf9bbf")
        );
        assert_eq!(
            ok("sha1", vec![s("test")]),
            s("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3")
        );
        assert_eq!(
            ok("sha256", vec![s("test")]),
            s("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        );
        assert_eq!(
            ok("sha512", vec![s("test")]),
            s("ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff")
        );
        assert_eq!(
            ok("md5", vec![s("")]),
            s("d41d8cd98f00b204e9800998ecf8427e")
        );
        assert_eq!(
            ok("md5", vec![s("é")]),
            s("66ddcd97cfdeabb2f6fb8a999b4bc76f")
        );
    }

    #[test]
    fn bcrypt_hashes_verify() {
        let hash = text(ok("bcrypt", vec![s("test"), n(4.0)]));
        assert!(hash.starts_with("$2a$04$"), "{hash}");
        assert!(::bcrypt::verify("test", &hash).expect("valid hash"));
        // Below the minimum, Go falls back to the default cost.
        let hash = text(ok("bcrypt", vec![s("test"), n(1.0)]));
        assert!(hash.starts_with("$2a$10$"), "{hash}");
    }

    #[test]
    fn bcrypt_errors() {
        assert_eq!(
            err("bcrypt", vec![s("test"), n(32.0)]),
            "error occured generating password crypto/bcrypt: cost 32 is outside allowed inclusive range 4..31"
        );
        assert_eq!(
            err("bcrypt", vec![s(&"x".repeat(73)), n(4.0)]),
            "error occured generating password bcrypt: password length exceeds 72 bytes"
        );
        assert_eq!(
            err("bcrypt", vec![s("test"), n(4.5)]),
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
        );
        assert_eq!(
            err("bcrypt", vec![s("test"), n(4.0), n(5.0)]),
            "bcrypt() takes no more than two arguments"
        );
    }

    #[test]
    fn uuidv4_is_random_and_well_formed() {
        let a = text(ok("uuidv4", vec![]));
        let b = text(ok("uuidv4", vec![]));
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.chars().nth(14), Some('4'));
        assert!(a
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
}
