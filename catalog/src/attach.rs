//! What a version index holds for each build: the OCI image itself for
//! container builds (copied from the build's OCI layout, blobs the bucket
//! has already skipped), a disk as a KubeVirt containerDisk image
//! (`/disk/NAME.qcow2`, owned by uid 107, qemu's user in KubeVirt), and
//! for everything else (AMIs, disks not pushed) a metadata artifact.

use crate::catalog::Catalog;
use crate::digest::file_digest;
use crate::error::CatalogError;
use crate::model::BuildRecord;
use crate::oci::{self, Descriptor, Manifest, Platform};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub enum Attachment {
    /// An image in an OCI layout directory, by manifest digest.
    OciLayout { dir: PathBuf, manifest: String },
    /// A disk image to store as a containerDisk, named `name` under `/disk/`.
    ContainerDisk { path: PathBuf, name: String },
    /// The build's SBOMs, provenance and signatures: one artifact with a
    /// layer per file (`media_type`, titled by file name), beside the
    /// build's content.
    Attestations { files: Vec<(PathBuf, String)> },
}

impl Attachment {
    /// Whether it stores the build itself (else the build's record is
    /// stored as well).
    pub fn is_content(&self) -> bool {
        !matches!(self, Attachment::Attestations { .. })
    }
}

const LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
/// KubeVirt runs qemu as uid/gid 107 and reads the disk from `/disk/`.
const KUBEVIRT_QEMU_ID: u64 = 107;

pub(crate) fn store(
    cat: &Catalog,
    b: &str,
    build: &BuildRecord,
    a: &Attachment,
) -> Result<Descriptor, CatalogError> {
    let mut desc = match a {
        Attachment::OciLayout { dir, manifest } => copy_layout_image(cat, b, dir, manifest)?,
        Attachment::ContainerDisk { path, name } => container_disk(cat, b, path, name)?,
        Attachment::Attestations { files } => return attestations(cat, b, build, files),
    };
    desc.annotations
        .insert(oci::ANN_TITLE.into(), build.name.clone());
    Ok(desc)
}

fn attestations(
    cat: &Catalog,
    b: &str,
    build: &BuildRecord,
    files: &[(PathBuf, String)],
) -> Result<Descriptor, CatalogError> {
    let mut layers = Vec::new();
    for (path, media_type) in files {
        let (digest, size) = file_digest(path).map_err(|e| CatalogError::io("read", path, e))?;
        cat.backend.put_blob_file(b, &digest, path)?;
        let mut d = Descriptor::blob(media_type, &digest, size);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        d.annotations.insert(oci::ANN_TITLE.into(), name);
        layers.push(d);
    }
    let mut m = Manifest::artifact(oci::ATTESTATIONS_TYPE, layers);
    m.annotations
        .insert(oci::ANN_TITLE.into(), build.name.clone());
    let raw = m.raw();
    cat.backend.put_manifest(b, &raw)?;
    let mut desc = Descriptor::of(&raw);
    desc.artifact_type = Some(oci::ATTESTATIONS_TYPE.to_owned());
    desc.annotations
        .insert(oci::ANN_TITLE.into(), build.name.clone());
    Ok(desc)
}

/// A build with nothing to store but its record (AMIs, disks kept
/// outside the catalog).
pub(crate) fn build_metadata(
    cat: &Catalog,
    b: &str,
    build: &BuildRecord,
) -> Result<Descriptor, CatalogError> {
    let json = serde_json::to_string(build).map_err(|e| CatalogError::corrupt("build", e))?;
    let layer = cat.put_json_blob(b, oci::BUILD_TYPE, json.as_bytes())?;
    let mut m = Manifest::artifact(oci::BUILD_TYPE, vec![layer]);
    m.annotations
        .insert(oci::ANN_TITLE.into(), build.name.clone());
    let raw = m.raw();
    cat.backend.put_manifest(b, &raw)?;
    let mut desc = Descriptor::of(&raw);
    desc.artifact_type = Some(oci::BUILD_TYPE.to_owned());
    desc.annotations
        .insert(oci::ANN_TITLE.into(), build.name.clone());
    Ok(desc)
}

fn layout_blob(dir: &Path, digest: &str) -> Result<PathBuf, CatalogError> {
    let hex = crate::digest::hex_of(digest).ok_or_else(|| {
        CatalogError::corrupt(dir.display().to_string(), format!("digest {digest:?}"))
    })?;
    Ok(dir.join("blobs/sha256").join(hex))
}

fn copy_layout_image(
    cat: &Catalog,
    b: &str,
    dir: &Path,
    manifest: &str,
) -> Result<Descriptor, CatalogError> {
    let mpath = layout_blob(dir, manifest)?;
    let bytes = std::fs::read(&mpath).map_err(|e| CatalogError::io("read", &mpath, e))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| CatalogError::corrupt(mpath.display().to_string(), e))?;
    let mut blobs: Vec<String> = Vec::new();
    if let Some(d) = value["config"]["digest"].as_str() {
        blobs.push(d.to_owned());
    }
    for l in value["layers"].as_array().into_iter().flatten() {
        if let Some(d) = l["digest"].as_str() {
            blobs.push(d.to_owned());
        }
    }
    for d in &blobs {
        if !cat.backend.has_blob(b, d)? {
            cat.backend.put_blob_file(b, d, &layout_blob(dir, d)?)?;
        }
    }
    let media_type = value["mediaType"]
        .as_str()
        .unwrap_or(oci::MANIFEST)
        .to_owned();
    let raw = crate::backend::RawManifest::new(&media_type, bytes);
    cat.backend.put_manifest(b, &raw)?;
    let mut desc = Descriptor::of(&raw);
    desc.platform = platform_of(dir, &value);
    Ok(desc)
}

fn platform_of(dir: &Path, manifest: &serde_json::Value) -> Option<Platform> {
    let config = manifest["config"]["digest"].as_str()?;
    let bytes = std::fs::read(layout_blob(dir, config).ok()?).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    Some(Platform {
        architecture: v["architecture"].as_str()?.to_owned(),
        os: v["os"].as_str()?.to_owned(),
    })
}

/// A one-layer image: `/disk/` and the disk in it, both owned by 107.
fn container_disk(
    cat: &Catalog,
    b: &str,
    path: &Path,
    name: &str,
) -> Result<Descriptor, CatalogError> {
    let tmp = tempfile::NamedTempFile::new()
        .map_err(|e| CatalogError::io("create a temporary file in", std::env::temp_dir(), e))?;
    {
        let mut t = tar::Builder::new(tmp.as_file());
        let mut dir = tar::Header::new_gnu();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_mode(0o555);
        dir.set_uid(KUBEVIRT_QEMU_ID);
        dir.set_gid(KUBEVIRT_QEMU_ID);
        dir.set_size(0);
        dir.set_mtime(0);
        t.append_data(&mut dir, "disk/", std::io::empty())
            .map_err(|e| CatalogError::io("write the containerDisk layer for", path, e))?;
        let mut f = std::fs::File::open(path).map_err(|e| CatalogError::io("open", path, e))?;
        let size = f
            .metadata()
            .map_err(|e| CatalogError::io("read", path, e))?
            .len();
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o440);
        h.set_uid(KUBEVIRT_QEMU_ID);
        h.set_gid(KUBEVIRT_QEMU_ID);
        h.set_size(size);
        h.set_mtime(0);
        t.append_data(&mut h, format!("disk/{name}"), &mut f)
            .and_then(|()| t.finish())
            .map_err(|e| CatalogError::io("write the containerDisk layer for", path, e))?;
    }
    let (layer_digest, layer_size) =
        file_digest(tmp.path()).map_err(|e| CatalogError::io("read", tmp.path(), e))?;
    cat.backend.put_blob_file(b, &layer_digest, tmp.path())?;
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        "config": {},
    });
    let config_bytes = serde_json::to_vec(&config).unwrap_or_default();
    let config_desc = cat.put_json_blob(b, oci::IMAGE_CONFIG, &config_bytes)?;
    let manifest = Manifest {
        schema_version: 2,
        media_type: oci::MANIFEST.to_owned(),
        artifact_type: None,
        config: config_desc,
        layers: vec![Descriptor::blob(LAYER_TAR, &layer_digest, layer_size)],
        subject: None,
        annotations: Default::default(),
    };
    let raw = manifest.raw();
    cat.backend.put_manifest(b, &raw)?;
    let mut desc = Descriptor::of(&raw);
    desc.platform = Some(Platform {
        architecture: "amd64".into(),
        os: "linux".into(),
    });
    Ok(desc)
}
