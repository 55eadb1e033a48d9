//! `rsadecrypt`: PKCS #1 v1.5 decryption with a PEM-encoded PKCS #1 RSA
//! private key, as Go's `crypto/rsa` does it for Packer.

use super::str_arg;
use crate::functions::{go_base64, CallContext, FuncError, FuncResult};
use crate::value::Value;
use kiln_gocompat::quote::quote;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};

pub(super) fn rsadecrypt(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let ciphertext = str_arg(&args, 0)?;
    let key = str_arg(&args, 1)?;
    let bytes = go_base64::decode(ciphertext).map_err(|_| {
        FuncError::new(format!(
            "failed to decode input {}: cipher text must be base64-encoded",
            quote(ciphertext)
        ))
    })?;
    let block =
        pem_decode(key).ok_or_else(|| FuncError::new("failed to parse key: no key found"))?;
    if block.encrypted {
        return Err(FuncError::new(
            "failed to parse key: password protected keys are not supported. Please decrypt the key prior to use",
        ));
    }
    let private = RsaPrivateKey::from_pkcs1_der(&block.der).map_err(|_| {
        // Go's hint when the key is in the other common format.
        if RsaPrivateKey::from_pkcs8_der(&block.der).is_ok() {
            FuncError::new(
                "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)",
            )
        } else {
            FuncError::new("x509: failed to parse private key")
        }
    })?;
    let plain = private
        .decrypt(Pkcs1v15Encrypt, &bytes)
        .map_err(|_| FuncError::new("crypto/rsa: decryption error"))?;
    Ok(Value::String(String::from_utf8_lossy(&plain).into_owned()))
}

struct PemBlock {
    der: Vec<u8>,
    encrypted: bool,
}

/// The first PEM block in `text`, like Go's `pem.Decode`: a BEGIN line,
/// optional `Name: value` headers, base64 body and the matching END line.
fn pem_decode(text: &str) -> Option<PemBlock> {
    let start = text.find("-----BEGIN ")?;
    let mut lines = text.get(start..)?.lines();
    let label = lines
        .next()?
        .trim_end()
        .strip_prefix("-----BEGIN ")?
        .strip_suffix("-----")?;
    let end = format!("-----END {label}-----");
    let mut encrypted = false;
    let mut body = String::new();
    let mut in_headers = true;
    for line in lines {
        let line = line.trim();
        if line == end {
            let der = go_base64::decode(&body).ok()?;
            return Some(PemBlock { der, encrypted });
        }
        if in_headers {
            if let Some((name, value)) = line.split_once(':') {
                if name.trim() == "Proc-Type" && value.trim() == "4,ENCRYPTED" {
                    encrypted = true;
                }
                continue;
            }
            in_headers = false;
        }
        body.push_str(line);
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{err, ok, s};

    /// A throwaway 1024-bit key made with openssl for these tests, and
    /// "message" encrypted to it with PKCS #1 v1.5 padding.
    const KEY: &str = "-----BEGIN RSA PRIVATE KEY-----
MIICWwIBAAKBgQDPePcktv/wriGzzoQiTrKVDxq35pQyHNLNi0644M9FdVY2VZMU
OqLRWIKlqrqzTZn9hWYDSzoH1A1P5Qi0qmqfVUB0sFY+lAtNU1N4jfsWTuxzNvIY
MppB9GUrZ9Zxw5EogwlHDfA6H85/TBWISOcr6aR5JmaGAoyyTUqsV0AhMQIDAQAB
AoGAQgfj0IGVr4ocG9fsYebeG2a1QDZYkCJwTQ67PUf/b8HKcHyH1PZcf3hGDGfs
B8j466EbOI0mqPsqSXVBcg6S5BQcQQXvfquhUrONsdFpg9Hk0vahQjZPIOrdd66C
5nIDZgbTUaH5+I1cd6Kbty4cJ06AlqDi/Jj1Tyjip8TWoSkCQQDzDHlnkpePtTXY
H7fsMvuzN09VEcPdn9HBxVDORBAEhol0jhzrBNhDkF1qKadR3vWrWeCR3lBMht9O
s6OpkjYnAkEA2ocuiTGQ73iy5tXq0Ib3Pkxv3J7aN1uz5fWpzQPZvrlraDVMY1Xi
iybTOI4102wy31IRpvJuRJFliY1tkpMc5wJALreGGm9l7HyDVgB6xM7j7IXEHPDm
OhI/KkS4DH2uqoAFqb6rNk1fGFWGbyKEg8scY4xKCx+1RZBjGeiTm8N73wJAMfkV
+EPAfDLi3ozuzM8AfVunfRFKn7w10JG0SfDme4oVeNgvZsv+KYowZU+IGZg1rgIr
jT0FYGLLkIAqHYnM4wJAXpE/b0VvvkSqIsegwK/U6YgqtJBiz8yjkT9/DOOPfQJG
5gyl73DQtBmKPw//aOboQARpPVwIVol0TsyLuFbDOg==
-----END RSA PRIVATE KEY-----";
    const KEY_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBAM949yS2//CuIbPO
hCJOspUPGrfmlDIc0s2LTrjgz0V1VjZVkxQ6otFYgqWqurNNmf2FZgNLOgfUDU/l
CLSqap9VQHSwVj6UC01TU3iN+xZO7HM28hgymkH0ZStn1nHDkSiDCUcN8Dofzn9M
FYhI5yvppHkmZoYCjLJNSqxXQCExAgMBAAECgYBCB+PQgZWvihwb1+xh5t4bZrVA
NliQInBNDrs9R/9vwcpwfIfU9lx/eEYMZ+wHyPjroRs4jSao+ypJdUFyDpLkFBxB
Be9+q6FSs42x0WmD0eTS9qFCNk8g6t13roLmcgNmBtNRofn4jVx3opu3LhwnToCW
oOL8mPVPKOKnxNahKQJBAPMMeWeSl4+1Ndgft+wy+7M3T1URw92f0cHFUM5EEASG
iXSOHOsE2EOQXWopp1He9atZ4JHeUEyG306zo6mSNicCQQDahy6JMZDveLLm1erQ
hvc+TG/cnto3W7Pl9anNA9m+uWtoNUxjVeKLJtM4jjXTbDLfUhGm8m5EkWWJjW2S
kxznAkAut4Yab2XsfINWAHrEzuPshcQc8OY6Ej8qRLgMfa6qgAWpvqs2TV8YVYZv
IoSDyxxjjEoLH7VFkGMZ6JObw3vfAkAx+RX4Q8B8MuLejO7MzwB9W6d9EUqfvDXQ
kbRJ8OZ7ihV42C9my/4pijBlT4gZmDWuAiuNPQVgYsuQgCodiczjAkBekT9vRW++
RKoix6DAr9TpiCq0kGLPzKORP38M4499AkbmDKXvcNC0GYo/D/9o5uhABGk9XAhW
iXROzIu4VsM6
-----END PRIVATE KEY-----";
    const OTHER_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----
MIICXQIBAAKBgQD0Mk/+eJObb4DKLtfgpnvHXDJMFsDgqzdwYYk7YgXlNLU8BCL/
ZapPRhQW7qYPQS3xFTGKC3Sy0MvMcD4OjUj9A+4g6ZfknfQVqxlFNy/fP4vHcg+Q
YryB15l2Xid14yjUIr+NK8HqaKsJc/G2zquLNeFs4Ykr6O9ptEwjS/wWEQIDAQAB
AoGAYV6+buV9Vfk8DWJoSfeYW4HzvEtGVU9wJ6t8oOURHLfLnEa5/cR4CGwVDp/S
Lzr6KqscucKfob2HxdjrpbnIY/OGrWUlMaLGnjFkyRj3XXNADAwmT+SoXDUGJzxL
pidKnm64ase3gMZwPNyj9Jz/PJhrM56RM3zWFWggvj2U3QECQQD9xuxGLlM5U9Ll
Nkp9H6xqUNfyDT4ou17FqrUxJJsGgnrEve4e/BmulmixY7GHlV78fsRsXX6YGDPv
hPZh8mhJAkEA9lXn6h39n8s87yi+o1S/9EAndIsyQtuguZXC6knz83zLnph4r5Eb
FQ9OOfIMoqA1UZCfWWtLXu6e/+1lv/YPiQJBAJC738sS5pIedXwWX5tG8i1cWByL
YvUWD7IKbvZNG0E2L1B/xgvT2c3RqHnrErfx/89feSUYmXei7hPfsCkieEkCQQCP
JqsIJXePFeeKQA5REl4eje2fz4hczA8h6kMELgfDdsFJn+d6d4PagDOAfwYSt7Fk
ffvsVerN9zOVHJtlq5OpAkBtDnLrRcdM3LNZ6sGdzUXy0G7PB+I50pkK1oNOEQeJ
TeQipgw3SUTZePueSzAlZKrRu6JpMTN2zx8KVFWCPGix
-----END RSA PRIVATE KEY-----";
    const CIPHER: &str = "lGUUCE8wRUm/TLpOoVjRiuc84AlCwJ86k2oDjAu54Spq9PouAphph1yadqsCxmy/p5iuQQFAl6mcI6Is6DFKyhjkRU/knJdcGjgZhOffpdOtaPHTojhlrsgSO48AZR7pH9+lBXH82QZ7erU9k8p7UwnSYEZNJtEElAkECBgtym8=";

    #[test]
    fn decrypts() {
        assert_eq!(ok("rsadecrypt", vec![s(CIPHER), s(KEY)]), s("message"));
    }

    #[test]
    fn key_problems() {
        assert_eq!(
            err("rsadecrypt", vec![s(CIPHER), s(OTHER_KEY)]),
            "crypto/rsa: decryption error"
        );
        assert_eq!(
            err("rsadecrypt", vec![s(CIPHER), s("bad key")]),
            "failed to parse key: no key found"
        );
        assert_eq!(
            err("rsadecrypt", vec![s(CIPHER), s("")]),
            "failed to parse key: no key found"
        );
        assert_eq!(
            err("rsadecrypt", vec![s(CIPHER), s(KEY_PKCS8)]),
            "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)"
        );
        let encrypted = KEY.replacen(
            "-----\n",
            "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n",
            1,
        );
        assert_eq!(
            err("rsadecrypt", vec![s(CIPHER), s(&encrypted)]),
            "failed to parse key: password protected keys are not supported. Please decrypt the key prior to use"
        );
    }

    #[test]
    fn cipher_problems() {
        assert_eq!(
            err("rsadecrypt", vec![s("bad cipher"), s(KEY)]),
            "failed to decode input \"bad cipher\": cipher text must be base64-encoded"
        );
        assert_eq!(
            err("rsadecrypt", vec![s(""), s(KEY)]),
            "crypto/rsa: decryption error"
        );
    }
}
