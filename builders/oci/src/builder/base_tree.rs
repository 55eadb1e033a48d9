//! The oci builder's boot entry in the step cache (step 0): the base
//! image unpacked once. Its key is the base's layers by digest, the
//! platform and the sandbox mode, nothing of the template, so every build
//! on a base seen before finds it. The entry holds:
//!
//! - `tree/`: the unpacked base, never written to again: it becomes the
//!   lower directory of the build's overlay root filesystem;
//! - `base.json`: what unpacking learnt (a root filesystem tarball's
//!   diff id, the device nodes left out);
//! - `contents`: the sha256 of every regular file, which the change set
//!   compares against without reading the base again.
//!
//! An entry without a tree (made where overlayfs is unavailable, or
//! imported: exports leave directories out) is unpacked again on the
//! first build that can mount it.

use super::state::State;
use crate::error::{IoContext, OciError};
use crate::image::Image;
use crate::overlay::{self, Overlay};
use crate::unpack::{self, Contents, UnpackOptions};
use kiln_core::step_cache::{Input, StepCache};
use kiln_core::BuildCtx;
use serde::{Deserialize, Serialize};
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// What unpacking the base learnt besides the tree.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Unpacked {
    /// The diff ids of the layers, in order.
    pub diff_ids: Vec<String>,
    /// Device nodes under `/dev` left out (unprivileged builds).
    pub skipped_devices: usize,
    #[serde(skip)]
    pub contents: Contents,
}

/// What the machine is before any provisioner: the base's layers by
/// digest (content, not name or tag), the platform and the sandbox mode.
/// A root filesystem tarball's digest must be known already.
pub fn boot_inputs(state: &State) -> Vec<Input> {
    let s = &state.settings;
    let layers = state
        .base
        .as_ref()
        .map(|b| {
            b.layers
                .iter()
                .map(|l| l.digest.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    vec![
        Input::new("base image layers", layers),
        Input::new(
            "platform",
            format!(
                "{}/{}/{:?}",
                s.platform.os, s.platform.arch, s.platform.variant
            ),
        ),
        Input::new("privileged", s.privileged.to_string()),
    ]
}

/// Apply the base's layers to `root`.
pub fn unpack_layers(
    root: &Path,
    base: &mut Image,
    opts: UnpackOptions,
    cancel: &kiln_core::Cancel,
) -> Result<Unpacked, OciError> {
    let mut out = Unpacked::default();
    for l in &mut base.layers {
        let applied = unpack::apply_layer(root, l.blob.tar()?, opts, &mut out.contents, cancel)?;
        out.skipped_devices += applied.skipped_devices;
        out.diff_ids.push(applied.diff_id);
    }
    Ok(out)
}

/// The mounted overlay and the hold on the entry under it.
pub struct Mounted {
    pub overlay: Overlay,
    pub hold: Option<Box<dyn std::any::Any + Send>>,
}

/// Make the build's root filesystem an overlay over the cached base,
/// unpacking the base into a new entry first when the cache has none.
/// `None`: the caller unpacks as without a cache (overlayfs is not
/// available, or the store could not keep the entry).
pub fn mount_cached(
    state: &mut State,
    cache: &dyn StepCache,
    ctx: &BuildCtx<'_>,
) -> Result<Option<(Mounted, Unpacked)>, OciError> {
    let (Some(work), Some(rootfs)) = (state.work_dir().map(Path::to_path_buf), state.rootfs())
    else {
        return Err(OciError::MissingState {
            step: "unpack",
            what: "work directory",
        });
    };
    // A mount in the host's namespace would outlive a SIGKILLed kiln.
    if !kiln_core::mount_ns::is_private() {
        ctx.ui.say(
            "Step cache: kiln has no mount namespace of its own here (that needs root): the base is unpacked on every build",
        );
        return Ok(None);
    }
    if let Err(e) = overlay::probe(&work, &work) {
        ctx.ui.say(&format!(
            "Step cache: overlayfs is not available here ({e}): the base is unpacked on every build"
        ));
        return Ok(None);
    }
    let opts = UnpackOptions {
        privileged: state.settings.privileged,
    };
    let base = state.base.as_mut().ok_or(OciError::MissingState {
        step: "unpack",
        what: "base image",
    })?;
    let mut hit = cache.hit(0);
    let mut loaded = hit.as_ref().and_then(|h| load(&h.dir).ok());
    if let Some(h) = hit.as_ref().filter(|_| loaded.is_some()) {
        cache.restored(ctx.ui, 0, h, h.took);
    } else if !cache.saves(0) {
        // `-cache=false`: unpacked as without a cache.
        return Ok(None);
    } else {
        if hit.is_some() {
            // Made without a tree: make it again with one.
            cache.discard(0);
        }
        ctx.ui.say(&format!(
            "Unpacking {} layer(s) into the step cache...",
            base.layers.len()
        ));
        let mut failed = None;
        let mut made = None;
        let r = cache.save_made(
            ctx.ui,
            0,
            &mut |dir| match unpack_into(dir, base, opts, ctx.cancel) {
                Ok(u) => {
                    made = Some(u);
                    Ok(())
                }
                Err(e) => {
                    let text = e.to_string();
                    failed = Some(e);
                    Err(text)
                }
            },
        );
        if let Some(e) = failed {
            return Err(e);
        }
        r.map_err(OciError::Invalid)?;
        hit = cache.hit(0);
        loaded = made;
    }
    let (Some(h), Some(unpacked)) = (hit, loaded) else {
        return Ok(None);
    };
    let hold = cache.hold(0);
    let tree = h.dir.join("tree");
    let upper = work.join("upper");
    let lower_work = work.join("overlay-work");
    for d in [&upper, &lower_work] {
        std::fs::create_dir(d).ctx(|| format!("create {}", d.display()))?;
    }
    same_owner_and_mode(&tree, &upper)?;
    let overlay = Overlay::mount(&tree, &upper, &lower_work, &rootfs).ctx(|| {
        format!(
            "mount an overlay of {} on {}",
            tree.display(),
            rootfs.display()
        )
    })?;
    Ok(Some((Mounted { overlay, hold }, unpacked)))
}

/// The merged root directory shows the upper directory's owner and mode.
fn same_owner_and_mode(from: &Path, to: &Path) -> Result<(), OciError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let m = std::fs::metadata(from).ctx(|| format!("stat {}", from.display()))?;
    std::os::unix::fs::chown(to, Some(m.uid()), Some(m.gid()))
        .ctx(|| format!("chown {}", to.display()))?;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(m.mode() & 0o7777))
        .ctx(|| format!("chmod {}", to.display()))
}

/// Unpack the base into the entry directory `dir`.
fn unpack_into(
    dir: &Path,
    base: &mut Image,
    opts: UnpackOptions,
    cancel: &kiln_core::Cancel,
) -> Result<Unpacked, OciError> {
    let tree = dir.join("tree");
    std::fs::create_dir(&tree).ctx(|| format!("create {}", tree.display()))?;
    let u = unpack_layers(&tree, base, opts, cancel)?;
    write_contents(&dir.join("contents"), &u.contents)?;
    let facts = serde_json::to_vec(&u).map_err(|e| OciError::Invalid(e.to_string()))?;
    let path = dir.join("base.json");
    std::fs::write(&path, facts).ctx(|| format!("write {}", path.display()))?;
    Ok(u)
}

/// The entry in `dir`, when it has a tree.
fn load(dir: &Path) -> Result<Unpacked, OciError> {
    let path = dir.join("base.json");
    let text = std::fs::read(&path).ctx(|| format!("read {}", path.display()))?;
    let mut u: Unpacked = crate::image::parse_json("cached base facts", &text)?;
    let tree = dir.join("tree");
    if !tree.is_dir() {
        return Err(OciError::Invalid(format!("{} is missing", tree.display())));
    }
    u.contents = read_contents(&dir.join("contents"))?;
    Ok(u)
}

// The contents file is a plain sequence of (u32 length, path bytes,
// 32-byte digest) records rather than JSON: paths need not be UTF-8, and a
// Debian base has tens of thousands of them.
fn write_contents(path: &Path, contents: &Contents) -> Result<(), OciError> {
    let io = |e| OciError::io(format!("write {}", path.display()), e);
    let mut w = BufWriter::new(std::fs::File::create(path).map_err(io)?);
    // Sorted: the same base gives the same bytes, so a shared cache
    // sees an entry saved again as the one it has.
    let mut sorted: Vec<_> = contents.0.iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (p, h) in sorted {
        let bytes = p.as_os_str().as_bytes();
        let len = u32::try_from(bytes.len()).map_err(|_| {
            OciError::Invalid(format!("a path of {} bytes in the base", bytes.len()))
        })?;
        w.write_all(&len.to_le_bytes()).map_err(io)?;
        w.write_all(bytes).map_err(io)?;
        w.write_all(h).map_err(io)?;
    }
    w.flush().map_err(io)
}

fn read_contents(path: &Path) -> Result<Contents, OciError> {
    let io = |e| OciError::io(format!("read {}", path.display()), e);
    let mut bytes = Vec::new();
    BufReader::new(std::fs::File::open(path).map_err(io)?)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let damaged = || OciError::Invalid(format!("{} is damaged", path.display()));
    let mut out = Contents::default();
    let mut rest = bytes.as_slice();
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<4>().ok_or_else(damaged)?;
        let len = u32::from_le_bytes(*len) as usize;
        if tail.len() < len + 32 {
            return Err(damaged());
        }
        let (name, tail) = tail.split_at(len);
        let (hash, tail) = tail.split_at(32);
        let hash: [u8; 32] = hash.try_into().map_err(|_| damaged())?;
        out.0
            .insert(PathBuf::from(std::ffi::OsStr::from_bytes(name)), hash);
        rest = tail;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_round_trip_and_a_truncated_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut c = Contents::default();
        c.0.insert(PathBuf::from("etc/passwd"), [1; 32]);
        c.0.insert(
            PathBuf::from(std::ffi::OsStr::from_bytes(b"bin/\xffodd")),
            [2; 32],
        );
        let p = tmp.path().join("contents");
        write_contents(&p, &c).unwrap();
        assert_eq!(read_contents(&p).unwrap().0, c.0);
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() - 1]).unwrap();
        assert!(read_contents(&p).is_err());
    }
}
