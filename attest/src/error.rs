//! What attesting, signing and verifying fail with.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a cosign private key (expected a PEM block \"ENCRYPTED SIGSTORE PRIVATE KEY\", \"ENCRYPTED COSIGN PRIVATE KEY\" or \"PRIVATE KEY\"): {why}", .path.display())]
    NotPrivateKey { path: PathBuf, why: String },
    #[error("{}: cannot decrypt the key: wrong password (COSIGN_PASSWORD), or the file is damaged", .path.display())]
    Decrypt { path: PathBuf },
    #[error("{}: unsupported key: {why}", .path.display())]
    KeyFormat { path: PathBuf, why: String },
    #[error("{}: not a PEM public key (\"PUBLIC KEY\", ECDSA P-256): {why}", .path.display())]
    PublicKey { path: PathBuf, why: String },
    #[error("the signature does not verify against key {keyid}")]
    BadSignature { keyid: String },
    #[error("the signature is not base64-encoded DER: {0}")]
    SignatureEncoding(String),
    #[error("not a DSSE envelope: {0}")]
    Envelope(String),
    #[error("the DSSE envelope has no signature")]
    Unsigned,
    #[error("not an in-toto statement: {0}")]
    Statement(String),
    #[error("encrypting the key: {0}")]
    Encrypt(String),
}

impl AttestError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> AttestError {
        AttestError::Io {
            path: path.into(),
            source,
        }
    }
}
