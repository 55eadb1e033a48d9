//! `uuidv5`: name-based UUIDs under a well-known or given namespace.

use super::str_arg;
use crate::functions::{CallContext, FuncError, FuncResult};
use crate::value::Value;
use uuid::Uuid;

pub(super) fn uuidv5(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let ns = str_arg(&args, 0)?;
    let namespace = match ns {
        "dns" => Uuid::NAMESPACE_DNS,
        "url" => Uuid::NAMESPACE_URL,
        "oid" => Uuid::NAMESPACE_OID,
        "x500" => Uuid::NAMESPACE_X500,
        other => parse(other).map(Uuid::from_bytes).map_err(|e| {
            FuncError::new(format!("uuidv5() doesn't support namespace {other} ({e})"))
        })?,
    };
    let name = str_arg(&args, 1)?;
    Ok(Value::String(
        Uuid::new_v5(&namespace, name.as_bytes()).to_string(),
    ))
}

/// google/uuid's `Parse`, with its error messages: the hyphenated form,
/// optionally in braces or after `urn:uuid:`, or 32 bare hex digits.
fn parse(s: &str) -> Result<[u8; 16], String> {
    const FORMAT: &str = "invalid UUID format";
    let b = s.as_bytes();
    let hyphenated: &[u8] = match b.len() {
        36 => b,
        45 => {
            let (prefix, rest) = b.split_at(9);
            if !prefix.eq_ignore_ascii_case(b"urn:uuid:") {
                let shown = String::from_utf8_lossy(prefix);
                return Err(format!(
                    "invalid urn prefix: {}",
                    kiln_gocompat::quote::quote(&shown)
                ));
            }
            rest
        }
        // Go does not check the closing brace.
        38 => b.get(1..).unwrap_or_default(),
        32 => {
            let mut out = [0u8; 16];
            for (i, pair) in b.chunks_exact(2).enumerate() {
                let byte = hex_pair(pair).ok_or(FORMAT)?;
                if let Some(slot) = out.get_mut(i) {
                    *slot = byte;
                }
            }
            return Ok(out);
        }
        n => return Err(format!("invalid UUID length: {n}")),
    };
    if [8, 13, 18, 23]
        .iter()
        .any(|i| hyphenated.get(*i) != Some(&b'-'))
    {
        return Err(FORMAT.to_string());
    }
    let starts = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let mut out = [0u8; 16];
    for (slot, start) in out.iter_mut().zip(starts) {
        let pair = hyphenated.get(start..start + 2).ok_or(FORMAT)?;
        *slot = hex_pair(pair).ok_or(FORMAT)?;
    }
    Ok(out)
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(pair).ok()?;
    u8::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{err, ok, s};

    #[test]
    fn well_known_namespaces() {
        // Terraform's documented examples.
        assert_eq!(
            ok("uuidv5", vec![s("dns"), s("www.terraform.io")]),
            s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
        );
        assert_eq!(
            ok("uuidv5", vec![s("url"), s("https://www.terraform.io/")]),
            s("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5")
        );
        assert_eq!(
            ok("uuidv5", vec![s("oid"), s("1.3.6.1.4")]),
            s("af9d40a5-7a36-5c07-b23a-851cd99fbfa5")
        );
        assert_eq!(
            ok("uuidv5", vec![s("x500"), s("CN=Example,C=GB")]),
            s("84e09961-4aa4-57f8-95b7-03edb1073253")
        );
    }

    #[test]
    fn namespace_given_as_uuid() {
        let dns = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
        let want = s("a5008fae-b28c-5ba5-96cd-82b4c53552d6");
        let name = || s("www.terraform.io");
        assert_eq!(ok("uuidv5", vec![s(dns), name()]), want);
        assert_eq!(ok("uuidv5", vec![s(&format!("{{{dns}}}")), name()]), want);
        assert_eq!(
            ok("uuidv5", vec![s(&format!("urn:uuid:{dns}")), name()]),
            want
        );
        assert_eq!(ok("uuidv5", vec![s(&dns.replace('-', "")), name()]), want);
        assert_eq!(ok("uuidv5", vec![s(&dns.to_uppercase()), name()]), want);
    }

    #[test]
    fn bad_namespaces() {
        assert_eq!(
            err("uuidv5", vec![s("tada"), s("tada")]),
            "uuidv5() doesn't support namespace tada (invalid UUID length: 4)"
        );
        assert_eq!(
            err("uuidv5", vec![s("6ba7b810x9dad-11d1-80b4-00c04fd430c8"), s("x")]),
            "uuidv5() doesn't support namespace 6ba7b810x9dad-11d1-80b4-00c04fd430c8 (invalid UUID format)"
        );
        assert_eq!(
            err("uuidv5", vec![s("6ba7b810-9dad-11d1-80b4-00c04fd430cz"), s("x")]),
            "uuidv5() doesn't support namespace 6ba7b810-9dad-11d1-80b4-00c04fd430cz (invalid UUID format)"
        );
    }
}
