//! Reading back what [`super::attach`] (or cosign) put beside an image:
//! its signatures from the `sha256-<hex>.sig` tag, and its DSSE
//! attestations from the referrers (the API, else the tag schema) and
//! cosign's `sha256-<hex>.att` tag. For `kiln verify docker://…`; nothing
//! here is trusted until the caller checks the signatures.

use super::retry::retry;
use super::{block_on, client, reference};
use crate::error::OciError;
use crate::image::{DOCKER_LIST, DOCKER_MANIFEST, INDEX, MANIFEST};
use kiln_core::attestor::ImageSignature;
use kiln_core::Cancel;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use serde_json::Value;

const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
const DSSE: &str = "application/vnd.dsse.envelope.v1+json";
/// A hostile registry could send anything; kiln reads at most this many
/// signatures and attestations.
const MAX_ITEMS: usize = 64;

pub struct Attachments {
    /// The image's manifest digest, `sha256:…`.
    pub digest: String,
    pub signatures: Vec<ImageSignature>,
    /// DSSE envelopes (JSON), unverified.
    pub attestations: Vec<Vec<u8>>,
}

pub fn fetch(image: &str, auth: &RegistryAuth, cancel: &Cancel) -> Result<Attachments, OciError> {
    let r = reference(image)?;
    let c = client(&r);
    block_on(cancel, async {
        retry("authenticate", || c.auth(&r, auth, RegistryOperation::Pull)).await?;
        let accept = [MANIFEST, INDEX, DOCKER_MANIFEST, DOCKER_LIST];
        let (_, digest) = retry("pull manifest", || c.pull_manifest_raw(&r, auth, &accept)).await?;
        let hex = digest
            .strip_prefix("sha256:")
            .ok_or_else(|| OciError::Invalid(format!("{image}: digest {digest}")))?
            .to_owned();
        let at = |tag: &str| {
            Reference::with_tag(
                r.registry().to_owned(),
                r.repository().to_owned(),
                tag.to_owned(),
            )
        };
        let mut signatures = Vec::new();
        for layer in layers(&c, auth, &at(&format!("sha256-{hex}.sig"))).await {
            if layer["mediaType"] != SIMPLE_SIGNING || signatures.len() >= MAX_ITEMS {
                continue;
            }
            let Some(sig) = layer["annotations"]["dev.cosignproject.cosign/signature"].as_str()
            else {
                continue;
            };
            if let Some(payload) = blob(&c, &r, &layer).await {
                signatures.push(ImageSignature {
                    payload,
                    signature: sig.to_owned(),
                });
            }
        }
        let mut attestations = Vec::new();
        let subject = r.clone_with_digest(digest.clone());
        let referrers = c
            .pull_referrers(&subject, None)
            .await
            .map(|i| i.manifests)
            .unwrap_or_default();
        for m in referrers.iter().take(MAX_ITEMS) {
            for layer in layers(&c, auth, &r.clone_with_digest(m.digest.clone())).await {
                if layer["mediaType"] == DSSE && attestations.len() < MAX_ITEMS {
                    attestations.extend(blob(&c, &r, &layer).await);
                }
            }
        }
        for layer in layers(&c, auth, &at(&format!("sha256-{hex}.att"))).await {
            if layer["mediaType"] == DSSE && attestations.len() < MAX_ITEMS {
                if let Some(b) = blob(&c, &r, &layer).await {
                    if !attestations.contains(&b) {
                        attestations.push(b);
                    }
                }
            }
        }
        Ok(Attachments {
            digest,
            signatures,
            attestations,
        })
    })
}

/// The layers of the manifest at `r`; none when it does not exist.
async fn layers(c: &Client, auth: &RegistryAuth, r: &Reference) -> Vec<Value> {
    let Ok((bytes, _)) = c.pull_manifest_raw(r, auth, &[MANIFEST]).await else {
        return Vec::new();
    };
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|m| m["layers"].as_array().cloned())
        .unwrap_or_default()
}

/// A small blob by its descriptor (signature payloads and envelopes are
/// kilobytes; anything over 16 MiB is not one).
async fn blob(c: &Client, r: &Reference, layer: &Value) -> Option<Vec<u8>> {
    let digest = layer["digest"].as_str()?;
    if layer["size"].as_u64().is_none_or(|s| s > 16 << 20) {
        return None;
    }
    let mut buf = Vec::new();
    c.pull_blob(r, digest, &mut buf).await.ok()?;
    Some(buf)
}
