//! The engine's [`Attestor`]: what a publishing post-processor (docker
//! push) attaches to the image it pushed. Signatures are cosign's simple
//! signing payloads, one per reference; attestations are the build's
//! signed DSSE envelopes (provenance, SBOMs), offered only for the image
//! they are about.

use kiln_attest::{keys, SigningKey};
use kiln_core::attestor::{Attestor, ImageAttestation, ImageSignature};
use std::sync::Arc;

pub struct Published {
    pub key: Arc<SigningKey>,
    /// `sha256:…` of the image the attestations are about.
    pub digest: String,
    pub attestations: Vec<ImageAttestation>,
}

/// containers/image's payload: `critical` (identity, image, type) and
/// `optional` (creator, timestamp), as skopeo writes and verifies it.
fn payload(reference: &str, digest: &str) -> Vec<u8> {
    let doc = serde_json::json!({
        "critical": {
            "identity": { "docker-reference": reference },
            "image": { "docker-manifest-digest": digest },
            "type": "cosign container image signature",
        },
        "optional": {
            "creator": format!("kiln {}", env!("CARGO_PKG_VERSION")),
            "timestamp": jiff::Timestamp::now().as_second(),
        },
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}

impl Attestor for Published {
    fn sign_image(&self, references: &[String], digest: &str) -> Vec<ImageSignature> {
        references
            .iter()
            .map(|r| {
                let payload = payload(r, digest);
                let signature = keys::encode_signature(&self.key.sign(&payload));
                ImageSignature { payload, signature }
            })
            .collect()
    }

    fn attestations(&self, digest: &str) -> Vec<ImageAttestation> {
        if digest == self.digest {
            self.attestations.clone()
        } else {
            Vec::new()
        }
    }
}
