//! Pushing an image to a registry: every blob is checked first and only
//! uploaded (in chunks) when the registry lacks it, or mounted from
//! another repository of the same registry when one is named; then the
//! manifest goes up once per tag.

use super::retry::retry;
use super::{block_on, client, reference};
use crate::error::OciError;
use crate::image::{BlobRef, MANIFEST};
use crate::output::compose::Built;
use kiln_core::{Cancel, Ui};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::RegistryOperation;
use std::io::Read;

/// Chunk size of blob uploads.
const CHUNK: usize = 8 * 1024 * 1024;

pub struct PushRequest<'a> {
    pub built: &'a Built,
    /// `REGISTRY/REPO`.
    pub repository: &'a str,
    pub tags: &'a [String],
    pub auth: &'a RegistryAuth,
    /// Repositories of the same registry to mount existing blobs from.
    pub mount_from: &'a [String],
}

pub fn push(req: &PushRequest<'_>, cancel: &Cancel, ui: &dyn Ui) -> Result<(), OciError> {
    let first = req.tags.first().map_or("latest", String::as_str);
    let r = reference(&format!("{}:{first}", req.repository))?;
    let c = client(&r);
    let sources = req
        .mount_from
        .iter()
        .map(|m| reference(m))
        .collect::<Result<Vec<_>, _>>()?;
    let auth = req.auth;
    block_on(cancel, async {
        retry("authenticate", || c.auth(&r, auth, RegistryOperation::Push)).await?;
        let mut blobs: Vec<(String, Option<BlobRef>)> = req
            .built
            .layers
            .iter()
            .map(|l| (l.digest.clone(), Some(l.src.clone())))
            .collect();
        blobs.push((req.built.config_digest.clone(), None));
        for (digest, src) in &blobs {
            if retry("check blob", || c.blob_exists(&r, digest)).await? {
                ui.message(&format!("{digest}: already exists"));
                continue;
            }
            let mut mounted = false;
            for s in sources
                .iter()
                .filter(|s| s.resolve_registry() == r.resolve_registry())
            {
                if c.mount_blob(&r, s, digest).await.is_ok()
                    && retry("check blob", || c.blob_exists(&r, digest)).await?
                {
                    ui.message(&format!("{digest}: mounted from {}", s.repository()));
                    mounted = true;
                    break;
                }
            }
            if mounted {
                continue;
            }
            match src {
                Some(blob) => {
                    ui.message(&format!("{digest}: pushing {} bytes", blob.len));
                    retry("push blob", || async {
                        let chunks = Chunks::new(blob)?;
                        c.push_blob_stream(&r, futures_util::stream::iter(chunks), digest)
                            .await
                    })
                    .await?;
                }
                None => {
                    let bytes = req.built.config.clone();
                    retry("push config", || c.push_blob(&r, bytes.clone(), digest)).await?;
                }
            }
        }
        for tag in req.tags {
            let tagged = reference(&format!("{}:{tag}", req.repository))?;
            let body = req.built.manifest.clone();
            retry("push manifest", || {
                c.push_manifest_raw(
                    &tagged,
                    body.clone(),
                    http::HeaderValue::from_static(MANIFEST),
                )
            })
            .await?;
            ui.message(&format!(
                "{}:{tag}: digest {}",
                req.repository, req.built.manifest_digest
            ));
        }
        Ok(())
    })
}

/// A blob read in upload-sized chunks.
struct Chunks {
    reader: Box<dyn Read>,
    done: bool,
}

impl Chunks {
    fn new(blob: &BlobRef) -> Result<Chunks, OciDistributionError> {
        let reader = blob
            .open()
            .map_err(|e| OciDistributionError::GenericError(Some(e.to_string())))?;
        Ok(Chunks {
            reader: Box::new(reader),
            done: false,
        })
    }
}

impl Iterator for Chunks {
    type Item = Result<bytes::Bytes, OciDistributionError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut buf = Vec::with_capacity(CHUNK);
        match (&mut self.reader).take(CHUNK as u64).read_to_end(&mut buf) {
            Ok(0) => {
                self.done = true;
                None
            }
            Ok(_) => Some(Ok(bytes::Bytes::from(buf))),
            Err(e) => {
                self.done = true;
                Some(Err(e.into()))
            }
        }
    }
}
