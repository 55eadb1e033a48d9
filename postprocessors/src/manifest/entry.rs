//! One build's record in the manifest.

use kiln_core::{Artifact, PostProcessCtx, Ui};
use serde_json::{Map, Value};
use std::fs;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use super::ManifestConfig;
use crate::digest::{digest_file, HashKind};
use crate::error::PostProcessError;
use crate::output_template;

/// The entry, keys in Packer's order: `name`, `builder_type`,
/// `build_time` (left out when `strip_time` is set, as Go's `omitempty`
/// drops the zero Packer stores), `files` (`null` without files),
/// `artifact_id`, `packer_run_uuid`, `custom_data` (`null` when not set),
/// then kiln's `image` for container images. No sensitive value is in it
/// (see [`mask_sensitive`]).
pub(super) fn build_entry(
    config: &ManifestConfig,
    ctx: &PostProcessCtx<'_>,
    input: &Artifact,
) -> Result<Value, PostProcessError> {
    let mut e = Map::new();
    e.insert("name".into(), ctx.info.source_name.clone().into());
    e.insert("builder_type".into(), ctx.info.builder_type.clone().into());
    if !config.strip_time.unwrap_or(false) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        e.insert("build_time".into(), now.into());
    }
    let files = if input.files.is_empty() {
        Value::Null
    } else {
        let strip = config.strip_path.unwrap_or(false);
        let mut list = Vec::new();
        for f in &input.files {
            list.push(file_entry(f, strip, input, ctx)?);
        }
        Value::Array(list)
    };
    e.insert("files".into(), files);
    e.insert("artifact_id".into(), input.id.clone().into());
    e.insert("packer_run_uuid".into(), ctx.info.run_uuid.clone().into());
    let custom = match &config.custom_data {
        None => Value::Null,
        Some(m) => {
            let tctx = output_template::context(ctx.info, ctx.generated, &[]);
            let mut out = Map::new();
            for (k, v) in m {
                let r = output_template::render(v, &tctx).map_err(PostProcessError::CustomData)?;
                out.insert(k.clone(), r.into());
            }
            Value::Object(out)
        }
    };
    e.insert("custom_data".into(), custom);
    // Container images (kiln's OCI builder and its post-processors): where
    // the image went, under which names, and its manifest digest. Packer
    // has no such key; other artifacts keep Packer's exact entry.
    if let Some(digest) = input.state.get("digest") {
        let mut image = Map::new();
        for key in ["repository", "tags"] {
            if let Some(v) = input.state.get(key) {
                image.insert(key.into(), v.clone());
            }
        }
        image.insert("digest".into(), digest.clone());
        e.insert("image".into(), Value::Object(image));
    }
    // kiln's SBOMs, provenance and signature of the build's artifact,
    // each with its sha256.
    if let Some(a) = input.state.get("attestations") {
        e.insert("attestations".into(), a.clone());
    }
    let mut entry = Value::Object(e);
    mask_sensitive(&mut entry, ctx.ui);
    Ok(entry)
}

/// Sensitive values never reach the manifest, a file other tools read and
/// CI jobs keep: a `custom_data` value that contains one becomes
/// `<sensitive>` as a whole (the rest of it was built around the secret,
/// `"Bearer ${var.token}"`); in any other string (names, ids, paths) just
/// the secret is replaced, as in the output. The Ui knows the secrets and
/// masks the same strings it masks on screen.
fn mask_sensitive(entry: &mut Value, ui: &dyn Ui) {
    if let Some(Value::Object(custom)) = entry.get_mut("custom_data") {
        for v in custom.values_mut() {
            if let Value::String(s) = v {
                if ui.mask(s) != *s {
                    *s = SENSITIVE.to_owned();
                }
            }
        }
    }
    mask_strings(entry, ui);
}

const SENSITIVE: &str = "<sensitive>";

/// Every string and object key of `v`, masked.
fn mask_strings(v: &mut Value, ui: &dyn Ui) {
    match v {
        Value::String(s) => *s = ui.mask(s),
        Value::Array(items) => items.iter_mut().for_each(|i| mask_strings(i, ui)),
        Value::Object(m) => {
            let masked = std::mem::take(m)
                .into_iter()
                .map(|(k, mut v)| {
                    mask_strings(&mut v, ui);
                    (ui.mask(&k), v)
                })
                .collect();
            *m = masked;
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `{"name", "size", "sha256"}`. A file that cannot be read is recorded
/// with size 0 and no digest, as Packer records it (it ignores the stat
/// error); a directory gets its size but no digest.
fn file_entry(
    path: &Path,
    strip: bool,
    input: &Artifact,
    ctx: &PostProcessCtx<'_>,
) -> Result<Value, PostProcessError> {
    let name = if strip {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string_lossy().into_owned())
    } else {
        path.to_string_lossy().into_owned()
    };
    let meta = fs::metadata(path).ok();
    let size = meta.as_ref().map(|m| m.len()).unwrap_or(0);
    let mut f = Map::new();
    f.insert("name".into(), name.into());
    f.insert("size".into(), size.into());
    let known = input.sha256.get(path).cloned();
    let sha = match known {
        Some(s) => Some(s),
        None if meta.as_ref().is_some_and(|m| m.is_file()) => {
            let sums = digest_file(path, &[HashKind::Sha256], ctx.cancel).map_err(|source| {
                PostProcessError::Hash {
                    kind: "sha256",
                    path: path.to_owned(),
                    source,
                }
            })?;
            sums.into_iter().next()
        }
        None => None,
    };
    if let Some(s) = sha {
        f.insert("sha256".into(), s.into());
    }
    Ok(Value::Object(f))
}
