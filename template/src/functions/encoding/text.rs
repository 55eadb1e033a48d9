//! `textencodebase64`/`textdecodebase64`: strings to and from other
//! character encodings named as in the IANA registry, base64 on the byte
//! side.
//!
//! `encoding_rs` covers the WHATWG encodings; its label table follows the
//! web, where "latin1", "ascii" and "utf-16" mean something else than in
//! the IANA registry Packer uses, so those (and a few IANA-only aliases) are
//! resolved here first. Encodings outside WHATWG (IBM437, EBCDIC…) are not
//! supported.

use super::str_arg;
use crate::functions::{go_base64, CallContext, FuncError, FuncResult};
use crate::value::Value;
use encoding_rs::Encoding;
use kiln_gocompat::quote::quote;

enum Charset {
    Web(&'static Encoding),
    Latin1,
    Ascii,
    Utf16 { big_endian: bool, bom: bool },
}

/// The charset for an IANA name or alias and its preferred name.
fn lookup(label: &str) -> Option<(Charset, &'static str)> {
    let lower = label.trim().to_ascii_lowercase();
    let special = match lower.as_str() {
        "iso-8859-1" | "iso_8859-1" | "iso_8859-1:1987" | "iso-ir-100" | "latin1" | "l1"
        | "ibm819" | "cp819" | "csisolatin1" => Some((Charset::Latin1, "ISO-8859-1")),
        "us-ascii" | "ascii" | "us" | "iso-ir-6" | "ansi_x3.4-1968" | "ansi_x3.4-1986"
        | "iso_646.irv:1991" | "iso646-us" | "ibm367" | "cp367" | "csascii" => {
            Some((Charset::Ascii, "US-ASCII"))
        }
        "utf-16" | "csutf16" => Some((
            Charset::Utf16 {
                big_endian: true,
                bom: true,
            },
            "UTF-16",
        )),
        "utf-16be" | "csutf16be" => Some((
            Charset::Utf16 {
                big_endian: true,
                bom: false,
            },
            "UTF-16BE",
        )),
        "utf-16le" | "csutf16le" => Some((
            Charset::Utf16 {
                big_endian: false,
                bom: false,
            },
            "UTF-16LE",
        )),
        "cp936" | "ms936" | "windows-936" | "csgbk" => {
            Some((Charset::Web(encoding_rs::GBK), "GBK"))
        }
        _ => None,
    };
    if special.is_some() {
        return special;
    }
    let enc = Encoding::for_label_no_replacement(lower.as_bytes())?;
    // Web-only encodings with no IANA registration.
    if enc == encoding_rs::X_USER_DEFINED || enc == encoding_rs::X_MAC_CYRILLIC {
        return None;
    }
    let name = if enc == encoding_rs::GB18030 {
        "GB18030"
    } else {
        enc.name()
    };
    Some((Charset::Web(enc), name))
}

fn charset_arg(args: &[Value]) -> Result<(Charset, &'static str), FuncError> {
    let label = str_arg(args, 1)?;
    lookup(label).ok_or_else(|| {
        FuncError::arg(
            1,
            format!(
                "{} is not a supported IANA encoding name or alias",
                quote(label)
            ),
        )
    })
}

pub(super) fn encode_base64(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let (charset, name) = charset_arg(&args)?;
    let s = str_arg(&args, 0)?;
    let bytes = encode(&charset, s).ok_or_else(|| {
        FuncError::arg(
            0,
            format!("the given string contains characters that cannot be represented in {name}"),
        )
    })?;
    Ok(Value::String(go_base64::encode(&bytes)))
}

pub(super) fn decode_base64(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let (charset, name) = charset_arg(&args)?;
    let s = str_arg(&args, 0)?;
    let bytes = go_base64::decode(s).map_err(|e| {
        FuncError::arg(
            0,
            format!(
                "the given value is has an invalid base64 symbol at offset {}",
                go_base64::error_offset(s, &e)
            ),
        )
    })?;
    // Like Packer, a replacement character in the result means the input
    // had bytes the encoding does not define.
    decode(&charset, &bytes)
        .filter(|text| !text.contains('\u{fffd}'))
        .map(Value::String)
        .ok_or_else(|| {
            FuncError::arg(
                0,
                format!("the given string contains symbols that are not defined for {name}"),
            )
        })
}

fn encode(charset: &Charset, s: &str) -> Option<Vec<u8>> {
    match charset {
        Charset::Web(enc) if *enc == encoding_rs::UTF_8 => Some(s.as_bytes().to_vec()),
        Charset::Web(enc) => {
            let (bytes, _, unmappable) = enc.encode(s);
            (!unmappable).then(|| bytes.into_owned())
        }
        Charset::Latin1 => s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect(),
        Charset::Ascii => s
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    u8::try_from(c).ok()
                } else {
                    None
                }
            })
            .collect(),
        Charset::Utf16 { big_endian, bom } => {
            let mut out = Vec::with_capacity(s.len() * 2 + 2);
            let units = bom
                .then_some(0xFEFF_u16)
                .into_iter()
                .chain(s.encode_utf16());
            for unit in units {
                let pair = if *big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                };
                out.extend_from_slice(&pair);
            }
            Some(out)
        }
    }
}

fn decode(charset: &Charset, bytes: &[u8]) -> Option<String> {
    match charset {
        Charset::Web(enc) => enc
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(std::borrow::Cow::into_owned),
        Charset::Latin1 => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        Charset::Ascii => bytes
            .iter()
            .map(|b| b.is_ascii().then(|| char::from(*b)))
            .collect(),
        Charset::Utf16 { big_endian, bom } => {
            let mut big_endian = *big_endian;
            let mut body = bytes;
            if *bom {
                if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
                    body = rest;
                } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
                    body = rest;
                    big_endian = false;
                }
            }
            if !body.len().is_multiple_of(2) {
                return None;
            }
            let units = body.chunks_exact(2).map(|pair| {
                let pair = [
                    pair.first().copied().unwrap_or(0),
                    pair.get(1).copied().unwrap_or(0),
                ];
                if big_endian {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            });
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{call, ok, s};

    fn err_at(name: &str, args: Vec<crate::value::Value>) -> (Option<usize>, String) {
        let e = call(name, args).expect_err("fails");
        (e.arg, e.message)
    }

    #[test]
    fn encodes_to_utf16_and_back() {
        let input = "abc123!?$*&()'-=@~";
        let encoded = "YQBiAGMAMQAyADMAIQA/ACQAKgAmACgAKQAnAC0APQBAAH4A";
        assert_eq!(
            ok("textencodebase64", vec![s(input), s("UTF-16LE")]),
            s(encoded)
        );
        assert_eq!(
            ok("textdecodebase64", vec![s(encoded), s("UTF-16LE")]),
            s(input)
        );
    }

    #[test]
    fn utf8_and_ascii_compatible_encodings() {
        let input = "abc123!?$*&()'-=@~";
        let encoded = "YWJjMTIzIT8kKiYoKSctPUB+";
        assert_eq!(
            ok("textencodebase64", vec![s(input), s("UTF-8")]),
            s(encoded)
        );
        assert_eq!(
            ok("textencodebase64", vec![s(input), s("CP936")]),
            s(encoded)
        );
        assert_eq!(
            ok("textencodebase64", vec![s(input), s("windows-1250")]),
            s(encoded)
        );
    }

    #[test]
    fn iana_latin1_is_not_windows_1252() {
        // U+0080 exists in ISO-8859-1 as byte 0x80 but not in windows-1252.
        assert_eq!(
            ok("textencodebase64", vec![s("\u{80}é"), s("latin1")]),
            s("gOk=")
        );
        assert_eq!(
            ok("textdecodebase64", vec![s("gOk="), s("ISO-8859-1")]),
            s("\u{80}é")
        );
    }

    #[test]
    fn utf16_with_bom() {
        assert_eq!(
            ok("textencodebase64", vec![s("a"), s("UTF-16")]),
            s("/v8AYQ==")
        );
        assert_eq!(
            ok("textdecodebase64", vec![s("//5hAA=="), s("utf-16")]),
            s("a")
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            err_at("textencodebase64", vec![s("x"), s("NOT-EXISTS")]),
            (
                Some(1),
                "\"NOT-EXISTS\" is not a supported IANA encoding name or alias".to_string()
            )
        );
        assert_eq!(
            err_at("textencodebase64", vec![s("🤔"), s("windows-1252")]),
            (
                Some(0),
                "the given string contains characters that cannot be represented in windows-1252"
                    .to_string()
            )
        );
        assert_eq!(
            err_at("textencodebase64", vec![s("é"), s("us-ascii")]),
            (
                Some(0),
                "the given string contains characters that cannot be represented in US-ASCII"
                    .to_string()
            )
        );
        assert_eq!(
            err_at("textdecodebase64", vec![s("dGV!"), s("UTF-8")]),
            (
                Some(0),
                "the given value is has an invalid base64 symbol at offset 3".to_string()
            )
        );
        // 0xff is not UTF-8.
        assert_eq!(
            err_at("textdecodebase64", vec![s("/w=="), s("UTF-8")]),
            (
                Some(0),
                "the given string contains symbols that are not defined for UTF-8".to_string()
            )
        );
    }
}
