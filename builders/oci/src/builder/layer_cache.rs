//! The OCI builder's step cache entries: what one provisioner changed in
//! the root filesystem, as a layer blob (compressed as the build
//! compresses) and `layer.json` (its media type, digest, diff id and
//! history line); an entry without `layer.json` is a step that changed
//! nothing. Restoring applies the layers in order to the freshly unpacked
//! base; with `layer_per_provisioner` they also become the image's
//! layers, byte for byte, so a push uploads only the changed ones.

use super::state::State;
use crate::compression::decompressed;
use crate::error::{IoContext, OciError};
use crate::image::BlobRef;
use crate::output::compose::{Blob, NewLayer};
use crate::unpack::{self, Contents, UnpackOptions};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Serialize, Deserialize)]
struct LayerFacts {
    media_type: String,
    digest: String,
    diff_id: String,
    size: u64,
    created_by: String,
}

/// Write `layer` (its blob at `blob`) into the entry directory `dir`.
pub fn save(dir: &Path, layer: Option<(&NewLayer, &Path)>) -> Result<(), String> {
    let Some((l, blob)) = layer else {
        return Ok(());
    };
    // The blob is finished: on the same filesystem the entry shares it.
    let dest = dir.join("layer");
    if std::fs::hard_link(blob, &dest).is_err() {
        std::fs::copy(blob, &dest).map_err(|e| format!("copying the layer: {e}"))?;
    }
    let facts = LayerFacts {
        media_type: l.blob.media_type.clone(),
        digest: l.blob.digest.clone(),
        diff_id: l.diff_id.clone(),
        size: l.blob.size,
        created_by: l.created_by.clone(),
    };
    let text = serde_json::to_vec(&facts).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("layer.json"), text).map_err(|e| format!("writing layer.json: {e}"))
}

/// Apply the entry in `dir` to the build's root filesystem; with
/// `as_layer`, the layer joins the image's new layers: the entry's own
/// blob while `hold` keeps the entry from eviction, else a copy in the
/// work directory.
pub fn restore(
    state: &mut State,
    dir: &Path,
    as_layer: bool,
    hold: Option<Box<dyn std::any::Any + Send>>,
    cancel: &kiln_core::Cancel,
) -> Result<(), OciError> {
    let facts_path = dir.join("layer.json");
    if !facts_path.exists() {
        return Ok(());
    }
    let text = std::fs::read(&facts_path).ctx(|| format!("read {}", facts_path.display()))?;
    let facts: LayerFacts = crate::image::parse_json("cached layer facts", &text)?;
    let (Some(work), Some(rootfs)) = (state.work_dir().map(Path::to_path_buf), state.rootfs())
    else {
        return Err(OciError::MissingState {
            step: "cache restore",
            what: "work directory",
        });
    };
    let blob = dir.join("layer");
    let file = std::fs::File::open(&blob).ctx(|| format!("open {}", blob.display()))?;
    let tar =
        decompressed(std::io::BufReader::new(file)).ctx(|| format!("read {}", blob.display()))?;
    let opts = UnpackOptions {
        privileged: state.settings.privileged,
    };
    unpack::apply_layer(&rootfs, tar, opts, &mut Contents::default(), cancel)?;
    if as_layer {
        let src = match hold {
            Some(h) => {
                state.holds.push(h);
                blob
            }
            None => {
                let copy = tempfile::NamedTempFile::new_in(&work)
                    .ctx(|| format!("create a file in {}", work.display()))?;
                std::fs::copy(&blob, copy.path()).ctx(|| format!("copy {}", blob.display()))?;
                let path = copy.path().to_path_buf();
                state.layer_files.push(copy);
                path
            }
        };
        state.layers.push(NewLayer {
            blob: Blob {
                media_type: facts.media_type,
                digest: facts.digest,
                size: facts.size,
                src: BlobRef::whole(src, facts.size),
            },
            diff_id: facts.diff_id,
            created_by: facts.created_by,
        });
    }
    Ok(())
}
