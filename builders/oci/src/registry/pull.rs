//! `docker://REGISTRY/REPO:TAG` as a base image: the manifest (picking
//! the build's platform from an index), the config, and the layer blobs
//! downloaded into the build's work directory.

use super::retry::retry;
use super::{block_on, client, reference};
use crate::error::OciError;
use crate::image::platform::Platform;
use crate::image::{parse_json, BlobRef, Image, Layer, DOCKER_LIST, INDEX};
use kiln_core::{Cancel, Ui};
use oci_client::secrets::RegistryAuth;
use oci_client::RegistryOperation;
use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};
use std::path::Path;

const ACCEPT: [&str; 4] = [
    crate::image::MANIFEST,
    INDEX,
    crate::image::DOCKER_MANIFEST,
    DOCKER_LIST,
];

pub fn pull(
    image: &str,
    auth: &RegistryAuth,
    platform: &Platform,
    dir: &Path,
    cancel: &Cancel,
    ui: &dyn Ui,
) -> Result<Image, OciError> {
    let r = reference(image)?;
    let c = client(&r);
    block_on(cancel, async {
        retry("authenticate", || c.auth(&r, auth, RegistryOperation::Pull)).await?;
        let (mut bytes, mut digest) =
            retry("pull manifest", || c.pull_manifest_raw(&r, auth, &ACCEPT)).await?;
        let kind: serde_json::Value = parse_json("manifest", &bytes)?;
        let mt = kind["mediaType"].as_str().unwrap_or_default().to_owned();
        if mt == INDEX || mt == DOCKER_LIST || kind.get("manifests").is_some() {
            let index: ImageIndex = parse_json("image index", &bytes)?;
            let pick = index
                .manifests()
                .iter()
                .find(|m| {
                    m.platform().as_ref().is_some_and(|p| {
                        platform.matches(
                            &p.os().to_string(),
                            &p.architecture().to_string(),
                            p.variant().as_deref(),
                        )
                    })
                })
                .ok_or_else(|| {
                    OciError::NotFound(format!("{image}: no image for platform {platform}"))
                })?;
            let by_digest = r.clone_with_digest(pick.digest().to_string());
            (bytes, digest) = retry("pull manifest", || {
                c.pull_manifest_raw(&by_digest, auth, &ACCEPT)
            })
            .await?;
        }
        ui.message(&format!("{image}: manifest {digest}"));
        let manifest: ImageManifest = parse_json("image manifest", &bytes)?;
        let cd = manifest.config().digest().to_string();
        let config_bytes = retry("pull config", || async {
            let mut buf = Vec::new();
            c.pull_blob(&r, cd.as_str(), &mut buf).await.map(|()| buf)
        })
        .await?;
        let config: ImageConfiguration = parse_json("image config", &config_bytes)?;
        let mut layers = Vec::new();
        for l in manifest.layers() {
            let d = l.digest().to_string();
            let hex = crate::digest::encoded(&d)
                .ok_or_else(|| OciError::Invalid(format!("{image}: unsupported digest {d}")))?;
            let path = dir.join(format!("pulled-{hex}"));
            ui.message(&format!("{image}: pulling layer {d} ({} bytes)", l.size()));
            retry("pull layer", || async {
                let f = tokio::fs::File::create(&path).await?;
                c.pull_blob(&r, d.as_str(), f).await
            })
            .await?;
            layers.push(Layer {
                media_type: l.media_type().to_string(),
                digest: d,
                size: l.size(),
                blob: BlobRef::whole(path, l.size()),
            });
        }
        Ok(Image {
            config,
            layers,
            digest: Some(digest.to_string()),
        })
    })
}
