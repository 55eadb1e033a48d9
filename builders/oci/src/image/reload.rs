//! A written image as a finished image again, for post-processors that
//! re-tag, save or push what a build wrote: from an OCI layout or an
//! oci-archive with its manifest and config bytes untouched, or from a
//! docker-archive, which keeps no manifest, with one made for its
//! config and layers as they are stored.

use super::layout::{ref_name, BlobStore, LayoutDir, Members};
use super::{docker_archive, oci_layer_type, parse_json, tar_index, INDEX, MANIFEST};
use crate::digest;
use crate::error::OciError;
use crate::output::compose::{self, Blob, Built};
use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};
use std::path::{Path, PathBuf};

/// Where a written image is, in each output form the builder writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Layout(PathBuf),
    OciArchive(PathBuf),
    DockerArchive(PathBuf),
}

impl Stored {
    pub fn path(&self) -> &Path {
        match self {
            Stored::Layout(p) | Stored::OciArchive(p) | Stored::DockerArchive(p) => p,
        }
    }
}

/// The image tagged `tag` (or the first one) of a layout or oci-archive;
/// a docker-archive's only image (`tag` plays no part: its names are
/// `REPO:TAG` pairs, and kiln writes one image per archive).
pub fn built(at: &Stored, tag: Option<&str>) -> Result<Built, OciError> {
    match at {
        Stored::Layout(dir) => from_store(&LayoutDir(dir.clone()), tag),
        Stored::OciArchive(file) => from_store(
            &Members {
                archive: file.clone(),
                members: tar_index::index(file)?,
            },
            tag,
        ),
        Stored::DockerArchive(file) => from_docker_archive(file),
    }
}

fn from_store(store: &dyn BlobStore, tag: Option<&str>) -> Result<Built, OciError> {
    let index: ImageIndex = parse_json("index.json", &store.file("index.json")?.read_all()?)?;
    let desc = index
        .manifests()
        .iter()
        .find(|d| tag.is_none() || ref_name(d) == tag)
        .ok_or_else(|| {
            OciError::NotFound(format!(
                "{}: no image tagged {:?}",
                store.describe(),
                tag.unwrap_or_default()
            ))
        })?;
    let mt = desc.media_type().to_string();
    if mt == INDEX || mt != MANIFEST {
        return Err(OciError::Invalid(format!(
            "{}: {mt} is not a single-platform image manifest",
            store.describe()
        )));
    }
    let manifest_digest = desc.digest().to_string();
    let manifest_bytes = store.blob(&manifest_digest)?.read_all()?;
    let manifest: ImageManifest = parse_json(&manifest_digest, &manifest_bytes)?;
    let config_digest = manifest.config().digest().to_string();
    let config_bytes = store.blob(&config_digest)?.read_all()?;
    let config: ImageConfiguration = parse_json(&config_digest, &config_bytes)?;
    let layers = manifest
        .layers()
        .iter()
        .map(|l| {
            let d = l.digest().to_string();
            Ok(Blob {
                media_type: l.media_type().to_string(),
                size: l.size(),
                src: store.blob(&d)?,
                digest: d,
            })
        })
        .collect::<Result<Vec<_>, OciError>>()?;
    Ok(Built {
        manifest: manifest_bytes,
        manifest_digest,
        config: config_bytes,
        config_digest,
        diff_ids: config.rootfs().diff_ids().clone(),
        layers,
    })
}

/// The config member byte for byte, so the image keeps its config digest
/// (its ID); the layers as stored (uncompressed in kiln's and Docker's
/// archives), each checked against its diff id when it is a plain tar, so
/// a damaged archive is not pushed as a broken image.
fn from_docker_archive(file: &Path) -> Result<Built, OciError> {
    let parts = docker_archive::parts(file, None)?;
    let config_bytes = parts.config.read_all()?;
    let config: ImageConfiguration = parse_json(&parts.config_name, &config_bytes)?;
    let diff_ids = config.rootfs().diff_ids().clone();
    if diff_ids.len() != parts.layers.len() {
        return Err(OciError::Invalid(format!(
            "archive {}: {} layers but its config lists {} diff ids",
            file.display(),
            parts.layers.len(),
            diff_ids.len()
        )));
    }
    let mut layers = Vec::new();
    for (i, (l, diff_id)) in parts.layers.into_iter().zip(&diff_ids).enumerate() {
        let media_type = oci_layer_type(&l.media_type).to_owned();
        if media_type == crate::compression::Compression::None.media_type() && l.digest != *diff_id
        {
            return Err(OciError::Invalid(format!(
                "archive {}: layer {} is {} but the config says {diff_id}",
                file.display(),
                i + 1,
                l.digest
            )));
        }
        layers.push(Blob {
            media_type,
            digest: l.digest,
            size: l.size,
            src: l.blob,
        });
    }
    let config_digest = digest::sha256_of(&config_bytes);
    let (manifest, manifest_digest) = compose::manifest(&config_bytes, &config_digest, &layers)?;
    Ok(Built {
        manifest,
        manifest_digest,
        config: config_bytes,
        config_digest,
        layers,
        diff_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compression::Compression;
    use crate::image::{BlobRef, Image};
    use crate::layer::{diff, snapshot, writer};
    use crate::output::compose::{Meta, NewLayer};
    use crate::output::{self, Format, Names, WriteOptions};
    use kiln_core::Cancel;

    /// An image of one gzip layer, as a build composes it.
    fn built(work: &Path) -> (Built, writer::WrittenLayer) {
        let root = work.join("root");
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(root.join("etc/motd"), "hello\n").unwrap();
        let changes = diff::changes(&root, &snapshot::Snapshot::default(), &[]).unwrap();
        let opts = writer::LayerOptions {
            compression: Compression::Gzip,
            epoch: Some(1_700_000_000),
        };
        let layer = writer::write(&root, &changes, opts, work, &Cancel::new()).unwrap();
        let base = Image {
            config: oci_spec::image::ImageConfiguration::default(),
            layers: Vec::new(),
            digest: None,
        };
        let new = NewLayer {
            blob: Blob {
                media_type: layer.media_type.into(),
                digest: layer.digest.clone(),
                size: layer.size,
                src: BlobRef::whole(layer.file.path().to_path_buf(), layer.size),
            },
            diff_id: layer.diff_id.clone(),
            created_by: "test".into(),
        };
        let meta = Meta {
            created: "2023-11-14T22:13:20Z".into(),
            ..Meta::default()
        };
        let b = compose::compose(&base, &[new], &Default::default(), &meta, &[]).unwrap();
        (b, layer)
    }

    fn written(b: &Built, format: Format, dest: &Path) {
        let names = Names {
            repository: "example/app".into(),
            tags: vec!["1.0".into(), "blue".into()],
        };
        let opts = WriteOptions {
            force: false,
            epoch: 0,
        };
        output::write(b, format, dest, &names, &opts).unwrap();
    }

    #[test]
    fn layouts_and_oci_archives_come_back_byte_for_byte() {
        let work = tempfile::tempdir().unwrap();
        let (b, _layer) = built(work.path());
        for (format, stored) in [
            (Format::Layout, Stored::Layout(work.path().join("layout"))),
            (
                Format::OciArchive,
                Stored::OciArchive(work.path().join("image.tar")),
            ),
        ] {
            written(&b, format, stored.path());
            let back = super::built(&stored, Some("blue")).unwrap();
            assert_eq!(back.manifest, b.manifest, "{stored:?}");
            assert_eq!(back.config, b.config, "{stored:?}");
            assert_eq!(back.layers.len(), 1);
            assert_eq!(back.layers[0].digest, b.layers[0].digest);
            assert_eq!(back.layers[0].src.read_all().unwrap(), {
                b.layers[0].src.read_all().unwrap()
            });
        }
    }

    /// docker-archive keeps no manifest: one is made for the config as it
    /// is stored and the uncompressed layers, which the registry checks.
    #[test]
    fn a_docker_archive_gets_a_manifest_of_its_own_blobs() {
        let work = tempfile::tempdir().unwrap();
        let (b, _layer) = built(work.path());
        let stored = Stored::DockerArchive(work.path().join("docker.tar"));
        written(&b, Format::DockerArchive, stored.path());
        let back = super::built(&stored, None).unwrap();
        assert_eq!(back.config, b.config);
        assert_eq!(back.config_digest, b.config_digest);
        assert_eq!(back.diff_ids, b.diff_ids);
        let layer = &back.layers[0];
        assert_eq!(layer.media_type, Compression::None.media_type());
        assert_eq!(
            layer.digest, b.diff_ids[0],
            "an uncompressed layer is its diff id"
        );
        assert_eq!(
            digest::sha256_of(&layer.src.read_all().unwrap()),
            layer.digest
        );
        assert_eq!(back.manifest_digest, digest::sha256_of(&back.manifest));
        let m: ImageManifest = parse_json("manifest", &back.manifest).unwrap();
        assert_eq!(m.config().digest().to_string(), b.config_digest);
        assert_eq!(m.layers()[0].digest().to_string(), b.diff_ids[0]);
        assert_eq!(m.layers()[0].size(), layer.size);
    }

    #[test]
    fn a_docker_archive_layer_that_is_not_its_diff_id_is_refused() {
        let work = tempfile::tempdir().unwrap();
        let (mut b, _layer) = built(work.path());
        // The config names another layer than the archive holds.
        let mut config: ImageConfiguration = parse_json("config", &b.config).unwrap();
        config
            .rootfs_mut()
            .set_diff_ids(vec![digest::sha256_of(b"something else")]);
        b.config = serde_json::to_vec(&config).unwrap();
        let stored = Stored::DockerArchive(work.path().join("docker.tar"));
        written(&b, Format::DockerArchive, stored.path());
        let err = super::built(&stored, None)
            .expect_err("an error")
            .to_string();
        assert!(err.contains("layer 1 is sha256:"), "{err}");
        assert!(err.contains("but the config says"), "{err}");
    }
}
