//! One step-cache entry as an OCI artifact: the entry's `meta.json` is
//! the config blob, each payload file a layer whose title annotation is
//! its file name. Directories are left out, as `kiln cache export` leaves
//! them out (the oci builder's unpacked base: the first build on the
//! pulling side unpacks it again), and so are the local bookkeeping files
//! (`used`, hold markers).

use kiln_catalog::oci::{self, Descriptor, Manifest};
use kiln_core::step_cache::FORMAT;
use kiln_step_cache::dir::HELD;
use kiln_step_cache::Meta;
use std::path::{Path, PathBuf};

pub const ARTIFACT_TYPE: &str = "application/vnd.kiln.step-cache.v1";
pub const META_TYPE: &str = "application/vnd.kiln.step-cache.meta.v1+json";
pub const FILE_TYPE: &str = "application/vnd.kiln.step-cache.file.v1";

/// The tag of `key`'s entry. Keys are sha256 hex, which tags allow.
pub fn tag(key: &str) -> String {
    format!("step-{key}")
}

/// The payload files of the entry in `dir` that travel, sorted by name.
pub fn payload(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if !e.file_type()?.is_file() {
            continue;
        }
        let Some(name) = e.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if travels(&name) {
            out.push((name, e.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a file of that name is part of what an entry is, rather than
/// this machine's bookkeeping about it.
fn travels(name: &str) -> bool {
    !(name == "meta.json" || name == "used" || name.starts_with(HELD))
}

/// A layer's file name, checked before anything is written under it: a
/// plain name inside the entry, never a path.
pub fn file_name(d: &Descriptor) -> Result<&str, String> {
    let name = d
        .annotations
        .get(oci::ANN_TITLE)
        .ok_or_else(|| format!("layer {} has no title", d.digest))?;
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains('\0');
    if plain && travels(name) {
        Ok(name)
    } else {
        Err(format!("layer title {name:?} is not a file name"))
    }
}

/// The manifest of an entry: `meta` (its bytes as stored) and the layers.
pub fn manifest(meta: Descriptor, layers: Vec<Descriptor>) -> Manifest {
    let mut m = Manifest::artifact(ARTIFACT_TYPE, layers);
    m.config = meta;
    m
}

/// A layer descriptor for one payload file.
pub fn layer(name: &str, digest: &str, size: u64) -> Descriptor {
    let mut d = Descriptor::blob(FILE_TYPE, digest, size);
    d.annotations
        .insert(oci::ANN_TITLE.to_owned(), name.to_owned());
    d
}

/// The entry a manifest describes, checked: its config is a meta of this
/// cache format for `key`, its layers are plain file names.
pub fn check(m: &Manifest, meta: &Meta, key: &str) -> Result<(), String> {
    if m.artifact_type.as_deref() != Some(ARTIFACT_TYPE) || m.config.media_type != META_TYPE {
        return Err("it is another kind of artifact".to_owned());
    }
    if meta.key.key != key {
        return Err(format!("its meta is for key {}", meta.key.key));
    }
    if meta.format != FORMAT {
        return Err(format!("it has cache format {}", meta.format));
    }
    let mut seen = std::collections::BTreeSet::new();
    for l in &m.layers {
        let name = file_name(l)?;
        if !seen.insert(name) {
            return Err(format!("file {name:?} is in it twice"));
        }
    }
    Ok(())
}
