//! Signatures and attestations beside a pushed image, in the layouts
//! cosign and containers/image read:
//!
//! - signatures: the manifest tagged `sha256-<hex>.sig`, one
//!   `application/vnd.dev.cosign.simplesigning.v1+json` layer per
//!   signature, the signature in its `dev.cosignproject.cosign/signature`
//!   annotation (skopeo's `use-sigstore-attachments`, `cosign verify`);
//! - attestations: each DSSE envelope as an OCI 1.1 artifact whose
//!   `subject` is the image, listed in the referrers fallback index tagged
//!   `sha256-<hex>` (distribution 2.8 has no referrers API, and a
//!   registry that has one indexes the `subject` itself), and as a layer
//!   of cosign's `sha256-<hex>.att` manifest (`cosign verify-attestation`).
//!
//! Existing signatures and attestations are kept: a second signer adds
//! to the manifests, never replaces them.

use super::retry::retry;
use super::{block_on, client, reference};
use crate::error::OciError;
use crate::image::{INDEX, MANIFEST};
use kiln_core::attestor::{ImageAttestation, ImageSignature};
use kiln_core::{Cancel, Ui};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
const DSSE: &str = "application/vnd.dsse.envelope.v1+json";
const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const CONFIG: &str = "application/vnd.oci.image.config.v1+json";

pub struct AttachRequest<'a> {
    /// `REGISTRY/REPO`.
    pub repository: &'a str,
    /// The image's manifest: digest, size and media type (the referrers'
    /// `subject`).
    pub digest: &'a str,
    pub manifest_size: u64,
    pub manifest_media_type: &'a str,
    pub signatures: &'a [ImageSignature],
    pub attestations: &'a [ImageAttestation],
    pub auth: &'a RegistryAuth,
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn descriptor(media_type: &str, bytes: &[u8]) -> Value {
    json!({ "mediaType": media_type, "digest": sha256(bytes), "size": bytes.len() })
}

/// cosign's config for its signature and attestation images: the layers'
/// digests as diff ids, nothing else.
fn cosign_config(layers: &[Value]) -> Vec<u8> {
    let diff_ids: Vec<&Value> = layers.iter().map(|l| &l["digest"]).collect();
    serde_json::to_vec(&json!({
        "architecture": "",
        "config": {},
        "created": "0001-01-01T00:00:00Z",
        "history": [{ "created": "0001-01-01T00:00:00Z" }],
        "os": "",
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    }))
    .unwrap_or_default()
}

pub fn attach(req: &AttachRequest<'_>, cancel: &Cancel, ui: &dyn Ui) -> Result<(), OciError> {
    let hex = req
        .digest
        .strip_prefix("sha256:")
        .ok_or_else(|| OciError::Invalid(format!("not a sha256 digest: {}", req.digest)))?;
    let base = reference(&format!("{}:sha256-{hex}", req.repository))?;
    let c = client(&base);
    block_on(cancel, async {
        retry("authenticate", || {
            c.auth(&base, req.auth, RegistryOperation::Push)
        })
        .await?;
        if !req.signatures.is_empty() {
            let mut layers = Vec::new();
            for s in req.signatures {
                push_blob(&c, &base, &s.payload).await?;
                let mut d = descriptor(SIMPLE_SIGNING, &s.payload);
                d["annotations"] = json!({ SIGNATURE_ANNOTATION: s.signature });
                layers.push(d);
            }
            let tag = format!("{}:sha256-{hex}.sig", req.repository);
            merge_layers(&c, req.auth, &tag, layers).await?;
            ui.message(&format!(
                "Signed {}@{} ({} signature(s), tag sha256-{}.sig)",
                req.repository,
                req.digest,
                req.signatures.len(),
                &hex[..12]
            ));
        }
        if req.attestations.is_empty() {
            return Ok(());
        }
        push_blob(&c, &base, b"{}").await?;
        let subject = json!({
            "mediaType": req.manifest_media_type,
            "digest": req.digest,
            "size": req.manifest_size,
        });
        let mut referrers = Vec::new();
        let mut att_layers = Vec::new();
        for a in req.attestations {
            push_blob(&c, &base, &a.envelope).await?;
            let mut layer = descriptor(DSSE, &a.envelope);
            layer["annotations"] = json!({ "in-toto.io/predicate-type": a.predicate_type });
            let manifest = serde_json::to_vec(&json!({
                "schemaVersion": 2,
                "mediaType": MANIFEST,
                "artifactType": DSSE,
                "config": descriptor(EMPTY, b"{}"),
                "layers": [layer.clone()],
                "subject": subject,
                "annotations": { "in-toto.io/predicate-type": a.predicate_type },
            }))
            .unwrap_or_default();
            let by_digest = base.clone_with_digest(sha256(&manifest));
            put_manifest(&c, &by_digest, &manifest, MANIFEST).await?;
            let mut d = descriptor(MANIFEST, &manifest);
            d["artifactType"] = json!(DSSE);
            d["annotations"] = json!({ "in-toto.io/predicate-type": a.predicate_type });
            referrers.push(d);
            let mut cosign_layer = descriptor(DSSE, &a.envelope);
            cosign_layer["annotations"] = json!({ "predicateType": a.predicate_type });
            att_layers.push(cosign_layer);
        }
        merge_index(&c, req.auth, &base, referrers).await?;
        let att = format!("{}:sha256-{hex}.att", req.repository);
        merge_layers(&c, req.auth, &att, att_layers).await?;
        ui.message(&format!(
            "Attached {} attestation(s) to {}@{} (referrers, tag sha256-{}.att)",
            req.attestations.len(),
            req.repository,
            req.digest,
            &hex[..12]
        ));
        Ok(())
    })
}

async fn push_blob(c: &Client, r: &Reference, bytes: &[u8]) -> Result<(), OciError> {
    let digest = sha256(bytes);
    if retry("check blob", || c.blob_exists(r, &digest)).await? {
        return Ok(());
    }
    let body = bytes::Bytes::copy_from_slice(bytes);
    retry("push blob", || c.push_blob(r, body.clone(), &digest)).await?;
    Ok(())
}

async fn put_manifest(
    c: &Client,
    r: &Reference,
    body: &[u8],
    media_type: &'static str,
) -> Result<(), OciError> {
    let body = bytes::Bytes::copy_from_slice(body);
    retry("push manifest", || {
        c.push_manifest_raw(r, body.clone(), http::HeaderValue::from_static(media_type))
    })
    .await?;
    Ok(())
}

/// The manifest tagged `tag`, if there is one (a missing tag is normal:
/// nobody signed yet).
async fn existing(
    c: &Client,
    auth: &RegistryAuth,
    r: &Reference,
    accept: &[&str],
) -> Option<Value> {
    let (bytes, _) = c.pull_manifest_raw(r, auth, accept).await.ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// cosign's tag layout: one manifest whose layers are the signatures (or
/// attestations); layers already there stay, ours are added once.
async fn merge_layers(
    c: &Client,
    auth: &RegistryAuth,
    tag: &str,
    new: Vec<Value>,
) -> Result<(), OciError> {
    let r = reference(tag)?;
    let mut layers: Vec<Value> = existing(c, auth, &r, &[MANIFEST])
        .await
        .and_then(|m| m["layers"].as_array().cloned())
        .unwrap_or_default();
    for l in new {
        let same = |o: &Value| o["digest"] == l["digest"] && o["annotations"] == l["annotations"];
        if !layers.iter().any(same) {
            layers.push(l);
        }
    }
    let config = cosign_config(&layers);
    push_blob(c, &r, &config).await?;
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": descriptor(CONFIG, &config),
        "layers": layers,
    }))
    .unwrap_or_default();
    put_manifest(c, &r, &manifest, MANIFEST).await
}

/// The referrers tag schema's index (`sha256-<hex>`): existing entries
/// stay, ours are added once.
async fn merge_index(
    c: &Client,
    auth: &RegistryAuth,
    r: &Reference,
    new: Vec<Value>,
) -> Result<(), OciError> {
    let mut manifests: Vec<Value> = existing(c, auth, r, &[INDEX])
        .await
        .and_then(|m| m["manifests"].as_array().cloned())
        .unwrap_or_default();
    for m in new {
        if !manifests.iter().any(|o| o["digest"] == m["digest"]) {
            manifests.push(m);
        }
    }
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": INDEX,
        "manifests": manifests,
    }))
    .unwrap_or_default();
    put_manifest(c, r, &index, INDEX).await
}
