//! The attestation seam for publishing post-processors: one that puts an
//! image in a registry asks the engine's attestor for the signatures and
//! attestations to attach beside it. The engine holds the key and the
//! build's attestations; the post-processor only uploads.

/// A cosign "simple signing" signature: the payload bytes (which name the
/// image's reference and digest) and the base64 signature over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSignature {
    pub payload: Vec<u8>,
    pub signature: String,
}

/// An attestation to attach to an image: a DSSE envelope (JSON) of an
/// in-toto statement about it, with the statement's predicate type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageAttestation {
    pub predicate_type: String,
    pub envelope: Vec<u8>,
}

pub trait Attestor: Send + Sync {
    /// Signatures of the image with manifest `digest` (`sha256:…`) under
    /// each of `references` (`REGISTRY/REPO:TAG`); empty without a key.
    fn sign_image(&self, references: &[String], digest: &str) -> Vec<ImageSignature>;
    /// The build's attestations about the image with `digest`: none when
    /// they are about something else (a post-processor changed it).
    fn attestations(&self, digest: &str) -> Vec<ImageAttestation>;
}
