//! ECDSA P-256 keys in cosign's file formats: the private key as PKCS#8
//! encrypted under a password (scrypt, then NaCl secretbox, in a JSON
//! document inside an `ENCRYPTED COSIGN PRIVATE KEY` PEM block), the
//! public key as a PKIX `PUBLIC KEY` PEM block. cosign, skopeo
//! (`--sign-by-sigstore-private-key`) and containers/image's
//! `sigstoreSigned` policy read these files.
//!
//! Written here rather than taken from sigstore-rs: that crate pulls a
//! TUF client, OAuth and an HTTP stack for what is a page of code on the
//! RustCrypto crates it uses itself.

use crate::error::AttestError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::XSalsa20Poly1305;
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey as EcKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The label cosign 1.x writes and every version reads.
const ENCRYPTED_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";
/// The label cosign 2.x writes.
const ENCRYPTED_LABEL_V2: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
const PLAIN_LABEL: &str = "PRIVATE KEY";

/// cosign's scrypt cost (N = 2^15, r = 8, p = 1); it refuses others, and
/// reading a file with other parameters is refused here too, so that a
/// hostile key file cannot ask for gigabytes of memory.
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_N: u32 = 1 << SCRYPT_LOG_N;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// The JSON inside an encrypted key's PEM block (go-tuf's `encrypted`).
#[derive(Serialize, Deserialize)]
struct Sealed {
    kdf: Kdf,
    cipher: Cipher,
    #[serde(with = "b64")]
    ciphertext: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: ScryptParams,
    #[serde(with = "b64")]
    salt: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u32,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    #[serde(with = "b64")]
    nonce: Vec<u8>,
}

mod b64 {
    use super::B64;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        B64.decode(text).map_err(serde::de::Error::custom)
    }
}

fn secretbox_key(password: &[u8], salt: &[u8]) -> Result<[u8; 32], String> {
    let params =
        scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32).map_err(|e| e.to_string())?;
    let mut key = [0u8; 32];
    scrypt::scrypt(password, salt, &params, &mut key).map_err(|e| e.to_string())?;
    Ok(key)
}

/// A private key that signs.
pub struct SigningKey {
    key: EcKey,
}

impl SigningKey {
    pub fn generate() -> SigningKey {
        SigningKey {
            key: EcKey::random(&mut OsRng),
        }
    }

    /// Read a key file: cosign's encrypted format (with `password`), or an
    /// unencrypted PKCS#8 `PRIVATE KEY`.
    pub fn load(path: &Path, password: &[u8]) -> Result<SigningKey, AttestError> {
        let text = std::fs::read_to_string(path).map_err(|e| AttestError::io(path, e))?;
        SigningKey::from_pem(&text, password, path)
    }

    /// `path` only names the file in errors.
    pub fn from_pem(text: &str, password: &[u8], path: &Path) -> Result<SigningKey, AttestError> {
        let not_key = |why: String| AttestError::NotPrivateKey {
            path: path.to_path_buf(),
            why,
        };
        let (label, body) =
            pem_rfc7468::decode_vec(text.trim().as_bytes()).map_err(|e| not_key(e.to_string()))?;
        let der = match label {
            ENCRYPTED_LABEL | ENCRYPTED_LABEL_V2 => open(&body, password, path)?,
            PLAIN_LABEL => body,
            other => return Err(not_key(format!("the PEM block is {other:?}"))),
        };
        let key = EcKey::from_pkcs8_der(&der).map_err(|e| AttestError::KeyFormat {
            path: path.to_path_buf(),
            why: format!("not an ECDSA P-256 PKCS#8 key ({e})"),
        })?;
        Ok(SigningKey { key })
    }

    /// The key as cosign writes it, encrypted under `password`.
    pub fn to_encrypted_pem(&self, password: &[u8]) -> Result<String, AttestError> {
        let der = self
            .key
            .to_pkcs8_der()
            .map_err(|e| AttestError::Encrypt(e.to_string()))?;
        let mut salt = vec![0u8; SALT_LEN];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = vec![0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let key = secretbox_key(password, &salt).map_err(AttestError::Encrypt)?;
        let cipher = XSalsa20Poly1305::new(&key.into());
        let ciphertext = cipher
            .encrypt(crypto_secretbox::Nonce::from_slice(&nonce), der.as_bytes())
            .map_err(|e| AttestError::Encrypt(e.to_string()))?;
        let sealed = Sealed {
            kdf: Kdf {
                name: "scrypt".into(),
                params: ScryptParams {
                    n: SCRYPT_N,
                    r: SCRYPT_R,
                    p: SCRYPT_P,
                },
                salt,
            },
            cipher: Cipher {
                name: "nacl/secretbox".into(),
                nonce,
            },
            ciphertext,
        };
        let json = serde_json::to_vec(&sealed).map_err(|e| AttestError::Encrypt(e.to_string()))?;
        pem_rfc7468::encode_string(ENCRYPTED_LABEL, pem_rfc7468::LineEnding::LF, &json)
            .map_err(|e| AttestError::Encrypt(e.to_string()))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            key: *self.key.verifying_key(),
        }
    }

    /// ASN.1 DER ECDSA signature over SHA-256 of `message` (what cosign's
    /// `sign-blob` and DSSE's `ecdsa-sha2-nistp256` produce).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let sig: Signature = self.key.sign(message);
        sig.to_der().as_bytes().to_vec()
    }

    /// The same signature from the SHA-256 digest of the message, for
    /// files too large to hold in memory.
    pub fn sign_digest(&self, sha256: &[u8; 32]) -> Result<Vec<u8>, AttestError> {
        let sig: Signature = self
            .key
            .sign_prehash(sha256)
            .map_err(|e| AttestError::Encrypt(e.to_string()))?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

/// Decrypt cosign's sealed PKCS#8 document.
fn open(body: &[u8], password: &[u8], path: &Path) -> Result<Vec<u8>, AttestError> {
    let format = |why: String| AttestError::KeyFormat {
        path: path.to_path_buf(),
        why,
    };
    let sealed: Sealed = serde_json::from_slice(body).map_err(|e| format(e.to_string()))?;
    if sealed.kdf.name != "scrypt" || sealed.cipher.name != "nacl/secretbox" {
        return Err(format(format!(
            "key derivation {:?} with cipher {:?} (cosign uses scrypt with nacl/secretbox)",
            sealed.kdf.name, sealed.cipher.name
        )));
    }
    let p = &sealed.kdf.params;
    if (p.n, p.r, p.p) != (SCRYPT_N, SCRYPT_R, SCRYPT_P) {
        return Err(format(format!(
            "scrypt parameters N={} r={} p={} (cosign's are N={SCRYPT_N} r={SCRYPT_R} p={SCRYPT_P})",
            p.n, p.r, p.p
        )));
    }
    if sealed.cipher.nonce.len() != NONCE_LEN {
        return Err(format(format!(
            "a {}-byte nonce (secretbox takes {NONCE_LEN})",
            sealed.cipher.nonce.len()
        )));
    }
    let key = secretbox_key(password, &sealed.kdf.salt).map_err(format)?;
    XSalsa20Poly1305::new(&key.into())
        .decrypt(
            crypto_secretbox::Nonce::from_slice(&sealed.cipher.nonce),
            sealed.ciphertext.as_slice(),
        )
        .map_err(|_| AttestError::Decrypt {
            path: path.to_path_buf(),
        })
}

/// A public key that verifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl PublicKey {
    pub fn load(path: &Path) -> Result<PublicKey, AttestError> {
        let text = std::fs::read_to_string(path).map_err(|e| AttestError::io(path, e))?;
        PublicKey::from_pem(&text, path)
    }

    pub fn from_pem(text: &str, path: &Path) -> Result<PublicKey, AttestError> {
        let key =
            VerifyingKey::from_public_key_pem(text.trim()).map_err(|e| AttestError::PublicKey {
                path: path.to_path_buf(),
                why: e.to_string(),
            })?;
        Ok(PublicKey { key })
    }

    pub fn to_pem(&self) -> String {
        self.key
            .to_public_key_pem(p256::pkcs8::LineEnding::LF)
            .unwrap_or_default()
    }

    /// sha256 of the key's PKIX DER, hex: the `keyid` of kiln's DSSE
    /// signatures, and how kiln names a key in its messages.
    pub fn keyid(&self) -> String {
        let der = self
            .key
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default();
        hex::encode(Sha256::digest(der))
    }

    /// Check a DER signature over SHA-256 of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), AttestError> {
        let sig = self.parse(signature)?;
        self.key
            .verify(message, &sig)
            .map_err(|_| AttestError::BadSignature {
                keyid: self.keyid(),
            })
    }

    /// Check a DER signature made from a SHA-256 digest.
    pub fn verify_digest(&self, sha256: &[u8; 32], signature: &[u8]) -> Result<(), AttestError> {
        let sig = self.parse(signature)?;
        self.key
            .verify_prehash(sha256, &sig)
            .map_err(|_| AttestError::BadSignature {
                keyid: self.keyid(),
            })
    }

    fn parse(&self, signature: &[u8]) -> Result<Signature, AttestError> {
        Signature::from_der(signature).map_err(|e| AttestError::SignatureEncoding(e.to_string()))
    }
}

/// A detached signature file's text (cosign `sign-blob`'s output: the DER
/// signature in base64).
pub fn encode_signature(der: &[u8]) -> String {
    B64.encode(der)
}

pub fn decode_signature(text: &str) -> Result<Vec<u8>, AttestError> {
    B64.decode(text.trim())
        .map_err(|e| AttestError::SignatureEncoding(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encrypted_key_round_trips_and_refuses_the_wrong_password() {
        let key = SigningKey::generate();
        let pem = key.to_encrypted_pem(b"s3cret").unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----"));
        let back = SigningKey::from_pem(&pem, b"s3cret", Path::new("k")).unwrap();
        assert_eq!(back.public(), key.public());
        let e = SigningKey::from_pem(&pem, b"wrong", Path::new("k"))
            .err()
            .unwrap();
        assert!(matches!(e, AttestError::Decrypt { .. }), "{e}");
    }

    #[test]
    fn signatures_verify_only_for_their_message_and_key() {
        let key = SigningKey::generate();
        let sig = key.sign(b"hello");
        key.public().verify(b"hello", &sig).unwrap();
        assert!(key.public().verify(b"hellp", &sig).is_err());
        assert!(SigningKey::generate()
            .public()
            .verify(b"hello", &sig)
            .is_err());
        let digest: [u8; 32] = Sha256::digest(b"hello").into();
        let by_digest = key.sign_digest(&digest).unwrap();
        key.public().verify(b"hello", &by_digest).unwrap();
        key.public().verify_digest(&digest, &sig).unwrap();
    }

    #[test]
    fn the_public_key_round_trips_through_pem() {
        let key = SigningKey::generate().public();
        let pem = key.to_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(PublicKey::from_pem(&pem, Path::new("p")).unwrap(), key);
        assert_eq!(key.keyid().len(), 64);
    }

    #[test]
    fn other_files_are_refused_with_the_reason() {
        let e = SigningKey::from_pem("not pem", b"", Path::new("k"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("not a cosign private key"), "{e}");
        let pub_pem = SigningKey::generate().public().to_pem();
        let e = SigningKey::from_pem(&pub_pem, b"", Path::new("k"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("\"PUBLIC KEY\""), "{e}");
        assert!(PublicKey::from_pem("x", Path::new("p")).is_err());
    }

    #[test]
    fn hostile_scrypt_parameters_are_refused() {
        let key = SigningKey::generate();
        let pem = key.to_encrypted_pem(b"pw").unwrap();
        let (_, body) = pem_rfc7468::decode_vec(pem.as_bytes()).unwrap();
        let mut doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        doc["kdf"]["params"]["N"] = serde_json::json!(1u64 << 30);
        let bad = pem_rfc7468::encode_string(
            ENCRYPTED_LABEL,
            pem_rfc7468::LineEnding::LF,
            &serde_json::to_vec(&doc).unwrap(),
        )
        .unwrap();
        let e = SigningKey::from_pem(&bad, b"pw", Path::new("k"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("scrypt parameters"), "{e}");
    }
}
