//! The build's steps: scratch space, base image, unpacking, (the
//! engine's provisioning step), commit.

use super::base_tree;
use super::settings::{env_epoch, Output};
use super::state::State;
use crate::error::{IoContext, OciError};
use crate::image::{self, layout, Image};
use crate::layer::{diff, snapshot, writer};
use crate::output::{self, compose};
use crate::source::Source;
use crate::unpack::UnpackOptions;
use kiln_core::{Artifact, BuildCtx, BuildError, Step};
use oci_spec::image::{Arch, ImageConfiguration, Os};
use std::path::{Path, PathBuf};

/// A private directory for the root filesystem and layer blobs.
pub struct StepWorkDir;

impl Step<State> for StepWorkDir {
    fn name(&self) -> &str {
        "work directory"
    }
    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        // An output in the way fails the build before any work is done.
        match &state.settings.output {
            Output::Image { path, .. } | Output::Export(path) => {
                output::stage::check_free(path, ctx.info.force)?;
            }
            Output::Discard => {}
        }
        // Named for this process: a later run removes it if kiln is killed.
        let dir = kiln_core::tempdir::owned("oci").ctx(|| "create a work directory".into())?;
        std::fs::create_dir(dir.path().join("rootfs"))
            .ctx(|| format!("create {}/rootfs", dir.path().display()))?;
        // Packer's docker builder exposes the container id as build.ID;
        // the work directory's name is this build's equivalent.
        if let Some(name) = dir.path().file_name() {
            state
                .generated
                .insert("ID".into(), name.to_string_lossy().into_owned());
        }
        state.work = Some(dir);
        Ok(())
    }
    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(dir) = state.work.take() {
            let path = dir.path().to_path_buf();
            dir.close()
                .map_err(|e| OciError::io(format!("remove {}", path.display()), e))?;
        }
        Ok(())
    }
    fn left_behind(&self, state: &State) -> Vec<String> {
        state
            .work_dir()
            .map(|p| vec![format!("directory {}", p.display())])
            .unwrap_or_default()
    }
}

/// Find the base image and read its config and layer list.
pub struct StepBase;

impl Step<State> for StepBase {
    fn name(&self) -> &str {
        "base image"
    }
    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let s = &state.settings;
        let image = match &s.base {
            Source::Layout { path, tag } => {
                ctx.ui
                    .say(&format!("Using OCI layout {}", shown(path, tag.as_deref())));
                layout::load(
                    &layout::LayoutDir(path.clone()),
                    tag.as_deref(),
                    &s.platform,
                )?
            }
            Source::OciArchive { path, tag } => {
                ctx.ui.say(&format!(
                    "Using oci-archive {}",
                    shown(path, tag.as_deref())
                ));
                image::oci_archive::load(path, tag.as_deref(), &s.platform)?
            }
            Source::DockerArchive { path, repo_tag } => {
                ctx.ui.say(&format!(
                    "Using docker-archive {}",
                    shown(path, repo_tag.as_deref())
                ));
                image::docker_archive::load(path, repo_tag.as_deref())?
            }
            Source::Rootfs { path } => {
                ctx.ui
                    .say(&format!("Using root filesystem tarball {}", path.display()));
                let len = std::fs::metadata(path)
                    .map_err(|e| {
                        OciError::io(format!("root filesystem tarball {}", path.display()), e)
                    })?
                    .len();
                let mut img = empty_image(s)?;
                // The digest is learnt while unpacking.
                img.layers.push(image::Layer {
                    media_type: String::new(),
                    digest: String::new(),
                    size: len,
                    blob: image::BlobRef::whole(path.clone(), len),
                });
                img
            }
            Source::Scratch => empty_image(s)?,
            Source::Registry { reference } => {
                ctx.ui.say(&format!("Pulling {reference}..."));
                let dir = state.work_dir().ok_or(OciError::MissingState {
                    step: "oci",
                    what: "work directory",
                })?;
                let auth = match &s.login {
                    Some((u, p)) => crate::registry::auth::from_login(Some(u), Some(p)),
                    None => crate::registry::auth::from_login(None, None),
                };
                crate::registry::pull::pull(reference, &auth, &s.platform, dir, ctx.cancel, ctx.ui)?
            }
        };
        state.base = Some(image);
        Ok(())
    }
}

fn shown(path: &Path, tag: Option<&str>) -> String {
    match tag {
        Some(t) => format!("{}:{t}", path.display()),
        None => path.display().to_string(),
    }
}

fn empty_image(s: &super::settings::Settings) -> Result<Image, OciError> {
    let mut config = ImageConfiguration::default();
    config.set_os(Os::from(s.platform.os.as_str()));
    config.set_architecture(Arch::from(s.platform.arch.as_str()));
    config.set_variant(s.platform.variant.clone());
    Ok(Image {
        config,
        layers: Vec::new(),
        digest: None,
    })
}

/// The base as provenance names it: what the template wrote, and the
/// base's digest (a rootfs tarball's own sha256).
fn record_base(a: &mut Artifact, s: &super::settings::Settings, base: &Image) {
    let sha256 = match (&s.base, &base.digest) {
        (_, Some(d)) => crate::digest::encoded(d).map(str::to_owned),
        (Source::Rootfs { path }, None) => kiln_core::step_cache::digest_path(path).ok(),
        _ => None,
    };
    if !matches!(s.base, Source::Scratch) {
        a.set_base_image(s.base.uri(), sha256);
    }
}

/// Apply the base's layers to the root filesystem and record its state.
/// With the step cache, the base is unpacked once per digest into the
/// cache and the root filesystem is an overlay over it.
pub struct StepUnpack;

impl Step<State> for StepUnpack {
    fn name(&self) -> &str {
        "unpack"
    }
    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let rootfs = state.rootfs().ok_or(OciError::MissingState {
            step: "oci",
            what: "work directory",
        })?;
        let is_rootfs = matches!(state.settings.base, Source::Rootfs { .. });
        let opts = UnpackOptions {
            privileged: state.settings.privileged,
        };
        if is_rootfs {
            // A plain tarball is its own layer; its digest and type come
            // from its bytes, and key the cached base.
            if let Some(l) = state.base.as_mut().and_then(|b| b.layers.first_mut()) {
                let (digest, media_type) = rootfs_layer_facts(&l.blob)?;
                l.digest = digest;
                l.media_type = media_type.into();
            }
        }
        let cache = ctx.hook.step_cache(ctx, base_tree::boot_inputs(state));
        let has_layers = state.base.as_ref().is_some_and(|b| !b.layers.is_empty());
        let mut unpacked = None;
        if let Some(c) = cache.as_deref().filter(|_| has_layers) {
            if let Some((mounted, u)) = base_tree::mount_cached(state, c, ctx)? {
                state.mounted = Some(mounted);
                unpacked = Some(u);
            }
        }
        let base = state.base.as_mut().ok_or(OciError::MissingState {
            step: "oci",
            what: "base image",
        })?;
        let unpacked = match unpacked {
            Some(u) => u,
            None => {
                if has_layers {
                    ctx.ui.say(&format!(
                        "Unpacking {} layer(s) into {}...",
                        base.layers.len(),
                        rootfs.display()
                    ));
                }
                base_tree::unpack_layers(&rootfs, base, opts, ctx.cancel)?
            }
        };
        if is_rootfs {
            base.config
                .rootfs_mut()
                .set_diff_ids(unpacked.diff_ids.clone());
        }
        let skipped = unpacked.skipped_devices;
        if skipped > 0 {
            let nodes = if skipped == 1 { "node" } else { "nodes" };
            ctx.ui.say(&format!(
                "Skipped {skipped} device {nodes} under /dev in the base image (the sandbox mounts its own /dev; the layers keep them)"
            ));
        }
        state.snapshot = snapshot::take(&rootfs, Some(&unpacked.contents), &[])?;
        state
            .generated
            .insert("Rootfs".into(), rootfs.display().to_string());
        state.cache = cache;
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(m) = state.mounted.take() {
            let target = m.overlay.target().to_path_buf();
            m.overlay
                .unmount()
                .map_err(|e| OciError::io(format!("unmount {}", target.display()), e))?;
        }
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        state
            .mounted
            .as_ref()
            .map(|m| vec![format!("overlay mount {}", m.overlay.target().display())])
            .unwrap_or_default()
    }
}

/// A root filesystem tarball's digest and layer media type, from its
/// bytes.
fn rootfs_layer_facts(blob: &image::BlobRef) -> Result<(String, &'static str), OciError> {
    let mut r = crate::digest::DigestReader::new(blob.open()?);
    let mut head = [0u8; 4];
    let n =
        std::io::Read::read(&mut r, &mut head).ctx(|| format!("read {}", blob.file.display()))?;
    std::io::copy(&mut r, &mut std::io::sink()).ctx(|| format!("read {}", blob.file.display()))?;
    let head = head.get(..n).unwrap_or_default();
    let digest = r.digest();
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        (digest, "application/vnd.oci.image.layer.v1.tar+gzip")
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        (digest, "application/vnd.oci.image.layer.v1.tar+zstd")
    } else {
        // Uncompressed: the file's digest is the diff id too.
        (digest, "application/vnd.oci.image.layer.v1.tar")
    })
}

/// Turn what provisioning changed into a layer and write the output.
pub struct StepCommit;

impl Step<State> for StepCommit {
    fn name(&self) -> &str {
        "commit"
    }
    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let rootfs = state.rootfs().ok_or(OciError::MissingState {
            step: "oci",
            what: "work directory",
        })?;
        let s = state.settings.clone();
        let epoch = s.epoch.or_else(env_epoch);
        match &s.output {
            Output::Discard => {
                ctx.ui.say("Discarding the container");
                return Ok(());
            }
            Output::Export(path) => {
                ctx.ui.say(&format!(
                    "Exporting the container's file system to {}",
                    path.display()
                ));
                let ignore = state.sandbox_leftovers()?;
                export(&rootfs, &ignore, path, epoch, ctx)?;
                let mut a = Artifact::new(
                    s.builder_id,
                    path.display().to_string(),
                    format!("Exported Docker file: {}", path.display()),
                )
                .with_files(vec![path.clone()]);
                a.state
                    .insert("export_path".into(), path.display().to_string().into());
                state.artifact = Some(a);
                return Ok(());
            }
            Output::Image { .. } => {}
        }
        if !s.layer_per_provisioner {
            let ignore = state.sandbox_leftovers()?;
            add_layer(state, &ignore, "kiln build", epoch, ctx)?;
        }
        let base = state.base.as_ref().ok_or(OciError::MissingState {
            step: "oci",
            what: "base image",
        })?;
        let rc = s
            .run_config(crate::config::RunConfig::from_oci(
                base.config.config().as_ref(),
            ))
            .map_err(OciError::Change)?;
        let meta = compose::Meta {
            created: created(epoch),
            author: s.author.clone(),
            comment: s.message.clone(),
        };
        let built = compose::compose(base, &state.layers, &rc, &meta, &[])?;
        let Output::Image { format, path } = &s.output else {
            return Ok(());
        };
        ctx.ui.say(&format!(
            "Writing image {} to {}",
            built.manifest_digest,
            path.display()
        ));
        output::write(
            &built,
            *format,
            path,
            &s.names,
            &output::WriteOptions {
                force: ctx.info.force,
                epoch: epoch.unwrap_or(0),
            },
        )?;
        let mut a = artifact(&s, *format, path, &built);
        record_base(&mut a, &s, base);
        state.artifact = Some(a);
        Ok(())
    }
}

/// Diff the root filesystem against the last recorded state and keep
/// the result as a new layer (none when nothing changed).
pub fn add_layer(
    state: &mut State,
    ignore: &[PathBuf],
    created_by: &str,
    epoch: Option<i64>,
    ctx: &BuildCtx<'_>,
) -> Result<(), BuildError> {
    let (work, rootfs) = match (state.work_dir(), state.rootfs()) {
        (Some(w), Some(r)) => (w.to_path_buf(), r),
        _ => {
            return Err(OciError::MissingState {
                step: "commit",
                what: "work directory",
            }
            .into())
        }
    };
    let changes = diff::changes(&rootfs, &state.snapshot, ignore)?;
    if changes.is_empty() {
        ctx.ui.say("No changes to the file system: no new layer");
        return Ok(());
    }
    ctx.ui.say(&format!(
        "Writing a layer of {} change(s)...",
        changes.len()
    ));
    let opts = writer::LayerOptions {
        compression: state.settings.compression,
        epoch,
    };
    let written = writer::write(&rootfs, &changes, opts, &work, ctx.cancel)?;
    state.layers.push(compose::NewLayer {
        blob: compose::Blob {
            media_type: written.media_type.into(),
            digest: written.digest.clone(),
            size: written.size,
            src: image::BlobRef::whole(written.file.path().to_path_buf(), written.size),
        },
        diff_id: written.diff_id.clone(),
        created_by: created_by.into(),
    });
    state.layer_files.push(written.file);
    // The next layer (one per provisioner) starts from here.
    state.snapshot = snapshot::take(&rootfs, None, ignore)?;
    Ok(())
}

fn created(epoch: Option<i64>) -> String {
    let ts = match epoch {
        Some(e) => jiff::Timestamp::from_second(e).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        None => jiff::Timestamp::now(),
    };
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn export(
    rootfs: &Path,
    ignore: &[PathBuf],
    dest: &Path,
    epoch: Option<i64>,
    ctx: &BuildCtx<'_>,
) -> Result<(), OciError> {
    output::stage::check_free(dest, ctx.info.force)?;
    let all = diff::changes(rootfs, &snapshot::Snapshot::default(), ignore)?;
    let opts = writer::LayerOptions {
        compression: crate::compression::Compression::None,
        epoch,
    };
    let dir = output::stage::parent_of(dest);
    std::fs::create_dir_all(&dir).ctx(|| format!("create {}", dir.display()))?;
    let written = writer::write(rootfs, &all, opts, &dir, ctx.cancel)?;
    output::stage::commit_file(written.file, dest, ctx.info.force)
}

fn artifact(
    s: &super::settings::Settings,
    format: output::Format,
    path: &Path,
    built: &compose::Built,
) -> Artifact {
    let what = match format {
        output::Format::Layout => "OCI image layout",
        output::Format::OciArchive => "oci-archive",
        output::Format::DockerArchive => "docker-archive",
    };
    let mut a = Artifact::new(
        s.builder_id,
        built.manifest_digest.clone(),
        format!("{what} {}: {}", path.display(), built.manifest_digest),
    )
    .with_files(vec![path.to_path_buf()]);
    let st = &mut a.state;
    st.insert("digest".into(), built.manifest_digest.clone().into());
    st.insert("config_digest".into(), built.config_digest.clone().into());
    st.insert("repository".into(), s.names.repository.clone().into());
    st.insert("tags".into(), s.names.tags.clone().into());
    if let crate::source::Source::Registry { reference } = &s.base {
        // docker-push mounts the base's blobs from here.
        st.insert("base_reference".into(), reference.clone().into());
    }
    match format {
        output::Format::Layout => {
            st.insert("oci_layout".into(), path.display().to_string().into());
            if let Some(t) = s.names.tags.first() {
                st.insert("oci_ref".into(), t.clone().into());
            }
        }
        output::Format::OciArchive => {
            st.insert("oci_archive".into(), path.display().to_string().into());
        }
        output::Format::DockerArchive => {
            st.insert("docker_archive".into(), path.display().to_string().into());
        }
    }
    a
}
