//! DSSE (Dead Simple Signing Envelope) v1: the envelope in-toto
//! attestations travel in, signed over the pre-authentication encoding
//! of payload type and payload.

use crate::error::AttestError;
use crate::keys::{PublicKey, SigningKey};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The payload type of an in-toto statement.
pub const IN_TOTO: &str = "application/vnd.in-toto+json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// base64 of the payload.
    pub payload: String,
    pub payload_type: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    pub keyid: String,
    /// base64 of the DER ECDSA signature over the PAE.
    pub sig: String,
}

/// `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// An envelope of `payload`, signed by `key` when there is one (kiln
    /// writes provenance for every artifact; without a key it is
    /// unsigned, and `kiln verify` says so).
    pub fn seal(payload_type: &str, payload: &[u8], key: Option<&SigningKey>) -> Envelope {
        let signatures = key
            .map(|k| EnvelopeSignature {
                keyid: k.public().keyid(),
                sig: B64.encode(k.sign(&pae(payload_type, payload))),
            })
            .into_iter()
            .collect();
        Envelope {
            payload: B64.encode(payload),
            payload_type: payload_type.to_owned(),
            signatures,
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<Envelope, AttestError> {
        serde_json::from_slice(bytes).map_err(|e| AttestError::Envelope(e.to_string()))
    }

    /// The payload, without checking any signature.
    pub fn payload_unverified(&self) -> Result<Vec<u8>, AttestError> {
        B64.decode(&self.payload)
            .map_err(|e| AttestError::Envelope(format!("payload: {e}")))
    }

    /// The payload, if a signature verifies against `key` (signatures by
    /// other keys are ignored, as DSSE's threshold of one does).
    pub fn verify(&self, key: &PublicKey) -> Result<Vec<u8>, AttestError> {
        let payload = self.payload_unverified()?;
        if self.signatures.is_empty() {
            return Err(AttestError::Unsigned);
        }
        let message = pae(&self.payload_type, &payload);
        let mut last = None;
        for s in &self.signatures {
            let der = match B64.decode(&s.sig) {
                Ok(d) => d,
                Err(e) => {
                    last = Some(AttestError::SignatureEncoding(e.to_string()));
                    continue;
                }
            };
            match key.verify(&message, &der) {
                Ok(()) => return Ok(payload),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(AttestError::Unsigned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_specification_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn a_sealed_envelope_verifies_and_a_changed_one_does_not() {
        let key = SigningKey::generate();
        let env = Envelope::seal(IN_TOTO, b"{\"a\":1}", Some(&key));
        assert_eq!(env.verify(&key.public()).unwrap(), b"{\"a\":1}");
        let mut changed = env.clone();
        changed.payload = B64.encode(b"{\"a\":2}");
        assert!(matches!(
            changed.verify(&key.public()),
            Err(AttestError::BadSignature { .. })
        ));
        let mut retyped = env.clone();
        retyped.payload_type = "text/plain".into();
        assert!(retyped.verify(&key.public()).is_err());
        assert!(env.verify(&SigningKey::generate().public()).is_err());
        let unsigned = Envelope::seal(IN_TOTO, b"{}", None);
        assert!(matches!(
            unsigned.verify(&key.public()),
            Err(AttestError::Unsigned)
        ));
    }
}
