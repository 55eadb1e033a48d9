//! Provisioning, with the step cache: steps whose key the cache holds are
//! restored (their change sets applied to the unpacked base) instead of
//! run, and every step that runs is saved as the change set it made.
//! With `layer_per_provisioner = true` each provisioner's change set is
//! also a layer of the image, with a history entry naming it. The
//! error-cleanup provisioner runs as in kiln-core's `StepProvision`.

use super::layer_cache;
use super::settings::env_epoch;
use super::state::State;
use super::steps::add_layer;
use crate::error::OciError;
use crate::layer::{diff, snapshot, writer};
use crate::output::compose::{Blob, NewLayer};
use kiln_core::step::Provisionable;
use kiln_core::step_cache::StepCache;
use kiln_core::{BuildCtx, BuildError, NoneComm, Step};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Default)]
pub struct StepProvisionLayers {
    /// `layer_per_provisioner`.
    pub per_layer: bool,
    failed: bool,
}

/// The latest step `k` such that steps 1..=k are all cached.
fn restorable(cache: &dyn StepCache) -> usize {
    (1..=cache.provisioners())
        .take_while(|i| cache.hit(*i).is_some())
        .last()
        .unwrap_or(0)
}

impl StepProvisionLayers {
    fn restore(
        &self,
        state: &mut State,
        cache: &dyn StepCache,
        upto: usize,
        ctx: &BuildCtx<'_>,
    ) -> Result<(), BuildError> {
        let mut saved = std::time::Duration::ZERO;
        for i in 1..=upto {
            let Some(hit) = cache.hit(i) else {
                break;
            };
            let hold = cache.hold(i);
            layer_cache::restore(state, &hit.dir, self.per_layer, hold, ctx.cancel)?;
            saved += hit.took;
            if i == upto {
                cache.restored(ctx.ui, i, &hit, saved);
            }
        }
        Ok(())
    }
}

impl StepProvisionLayers {
    pub fn new(per_layer: bool) -> StepProvisionLayers {
        StepProvisionLayers {
            per_layer,
            failed: false,
        }
    }
}

/// The sandbox's own mount points, which are no change of the image.
fn ignored(
    sandbox: Option<&kiln_communicator_sandbox::SandboxComm>,
) -> Result<Vec<PathBuf>, BuildError> {
    match sandbox {
        Some(s) => {
            s.remove_created_paths().map_err(BuildError::failed)?;
            Ok(s.created_paths()
                .iter()
                .map(|p| p.trim_start_matches('/').into())
                .collect())
        }
        None => Ok(Vec::new()),
    }
}

impl Step<State> for StepProvisionLayers {
    fn name(&self) -> &str {
        "provision"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let generated = state.generated();
        let epoch = state.settings.epoch.or_else(env_epoch);
        let cache = state.cache.take();
        let mut first = 1;
        if let Some(c) = cache.as_deref() {
            // Where the base is not a cached tree (no overlayfs, no layers)
            // the boot's entry only records that the chain starts here.
            if c.hit(0).is_none() {
                c.save(ctx.ui, 0, std::time::Duration::ZERO, &mut |_| Ok(()));
            }
            let k = restorable(c);
            if k > 0 {
                self.restore(state, c, k, ctx)?;
                first = k + 1;
            }
        }
        let rootfs = state.rootfs().ok_or(OciError::MissingState {
            step: "provision",
            what: "root filesystem",
        })?;
        // The next layer starts after the restored ones (without
        // layer_per_provisioner the one layer stays against the base).
        if self.per_layer && first > 1 {
            state.snapshot = snapshot::take(&rootfs, None, &ignored(state.sandbox.as_ref())?)?;
        }
        // Without layer_per_provisioner the image gets one layer against
        // the base, so the cache's change sets need a baseline of their own.
        let mut cache_base = match (&cache, self.per_layer) {
            (Some(_), false) => Some(snapshot::take(
                &rootfs,
                None,
                &ignored(state.sandbox.as_ref())?,
            )?),
            _ => None,
        };
        // The sandbox is lent to the provisioners while the state takes
        // the layers; it goes back whatever happens.
        let sandbox = state.sandbox.take();
        let mut index = first - 1;
        let mut started = Instant::now();
        let per_layer = self.per_layer;
        let r = {
            let comm: &dyn kiln_core::Communicator = match &sandbox {
                Some(s) => s,
                None => &NoneComm,
            };
            ctx.hook
                .provision_from(ctx, comm, &generated, first, &mut |kind| {
                    index += 1;
                    let ignore = ignored(sandbox.as_ref())?;
                    let created_by = format!("kiln provisioner {index}: {kind}");
                    let saves = cache.as_deref().filter(|c| c.saves(index));
                    if per_layer {
                        let before = state.layers.len();
                        add_layer(state, &ignore, &created_by, epoch, ctx)?;
                        if let Some(c) = saves {
                            let new = (state.layers.len() > before)
                                .then(|| state.layers.last().zip(state.layer_files.last()))
                                .flatten();
                            c.save(ctx.ui, index, started.elapsed(), &mut |dir| {
                                layer_cache::save(dir, new.map(|(l, f)| (l, f.path())))
                            });
                        }
                    } else if let (Some(c), Some(base)) = (saves, cache_base.as_mut()) {
                        let changes = diff::changes(&rootfs, base, &ignore)?;
                        let written = if changes.is_empty() {
                            None
                        } else {
                            let work = state.work_dir().map(std::path::Path::to_path_buf).ok_or(
                                OciError::MissingState {
                                    step: "provision",
                                    what: "work directory",
                                },
                            )?;
                            let opts = writer::LayerOptions {
                                compression: state.settings.compression,
                                epoch,
                            };
                            Some(writer::write(&rootfs, &changes, opts, &work, ctx.cancel)?)
                        };
                        let layer = written.as_ref().map(|w| NewLayer {
                            blob: Blob {
                                media_type: w.media_type.into(),
                                digest: w.digest.clone(),
                                size: w.size,
                                src: crate::image::BlobRef::whole(
                                    w.file.path().to_path_buf(),
                                    w.size,
                                ),
                            },
                            diff_id: w.diff_id.clone(),
                            created_by: created_by.clone(),
                        });
                        c.save(ctx.ui, index, started.elapsed(), &mut |dir| {
                            layer_cache::save(
                                dir,
                                layer
                                    .as_ref()
                                    .zip(written.as_ref())
                                    .map(|(l, w)| (l, w.file.path())),
                            )
                        });
                        *base = snapshot::take(&rootfs, None, &ignore)?;
                    }
                    started = Instant::now();
                    Ok(())
                })
        };
        state.sandbox = sandbox;
        self.failed = matches!(&r, Err(e) if !e.is_cancelled());
        r
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if !self.failed {
            return Ok(());
        }
        ctx.ui
            .say("Provisioning step had errors: Running the cleanup provisioner, if present...");
        ctx.hook
            .provision_cleanup(ctx, state.communicator(), &state.generated())
    }

    fn runs_error_cleanup_provisioner(&self) -> bool {
        true
    }
}
