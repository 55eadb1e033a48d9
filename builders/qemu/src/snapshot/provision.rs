//! Provisioning with the step cache: a resumed build starts after the
//! restored step; the boot and every provisioner that runs is saved as a
//! snapshot of the running VM (paused for the raw state and the disk
//! freeze, resumed before its layer is copied into the cache and the
//! state compressed, both in the background). A build without a cache
//! provisions as kiln-core's `StepProvision` does.

use super::pending::{self, Pending};
use super::{entry, machine};
use crate::qmp::Qmp;
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::step_cache::StepCache;
use kiln_core::{BuildCtx, BuildError, Communicator, NoneComm};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct StepProvisionSnapshots {
    failed: bool,
}

/// Save the machine as step `i`'s entry: the guest paused only while
/// QEMU writes its state raw and the disk is frozen; the rest goes on in
/// the background ([`Pending`]).
fn snapshot(
    state: &mut State,
    cache: &dyn StepCache,
    i: usize,
    took: Duration,
    ctx: &BuildCtx<'_>,
) {
    // This layer stacks on the previous save: it must have landed.
    settle(state, cache, ctx);
    // A layer holds what the guest wrote since the entry its disk is an
    // overlay of, so it may only stack on that very entry: when this
    // build's previous save did not land, nothing after it is saved.
    let previous = match i {
        0 => None,
        _ => match (&state.stacked_on, cache.hit(i - 1)) {
            (Some((step, id)), Some(h))
                if *step == i - 1 && entry::id(&h.dir).as_deref() == Some(id.as_str()) =>
            {
                Some(h.dir)
            }
            _ => return,
        },
    };
    // An entry of another chain (written on an entry since saved again)
    // is in the way.
    if cache.hit(i).is_some() {
        cache.discard(i);
    }
    let Some(socket) = state.qmp_socket.clone() else {
        return;
    };
    let Some(staged) = cache.stage(ctx.ui, i) else {
        return;
    };
    let top = state.work_disk.clone();
    let next = layer_path(&top, i);
    let mut frozen = false;
    let paused = (|| {
        let mut qmp = Qmp::connect(&socket, Duration::from_secs(30), ctx.cancel)
            .map_err(|e| e.to_string())?;
        let paused = machine::save_state(&mut qmp, &staged.dir.join(entry::RAW_STATE), ctx.cancel)
            .and_then(|()| machine::freeze_disk(&mut qmp, &top, &next));
        // Whatever happened, the guest runs on.
        let resumed = machine::resume(&mut qmp);
        paused.map_err(|e| e.to_string())?;
        frozen = true;
        resumed.map_err(|e| e.to_string())
    })();
    if frozen {
        // The guest writes to the new overlay from here on.
        state.chain.push(top.clone());
        state.work_disk = next;
    }
    let layer = pending::Layer {
        frozen: top,
        previous,
        key: (i == 0)
            .then(|| {
                state
                    .key_pair
                    .as_ref()
                    .map(|k| k.private_openssh().to_owned())
            })
            .flatten(),
    };
    let started = paused.and_then(|()| {
        Pending::start(staged, entry::new_id(), layer, took, ctx.cancel).map_err(|e| e.to_string())
    });
    match started {
        Ok(p) => state.pending = Some(p),
        Err(_) if ctx.cancel.is_cancelled() => {}
        Err(e) => ctx.ui.error(&format!(
            "Warning: could not save step {i} in the step cache: {e}"
        )),
    }
}

/// Publish the save still in the background, if any: the work disk then
/// stacks on its entry when it landed.
pub fn settle(state: &mut State, cache: &dyn StepCache, ctx: &BuildCtx<'_>) {
    if let Some(p) = state.pending.take() {
        state.stacked_on = p.settle(cache, ctx.ui, ctx.cancel);
    }
}

/// The overlay that takes the guest's writes after step `i`.
fn layer_path(top: &Path, i: usize) -> PathBuf {
    let name = top
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    top.with_file_name(format!("{name}.step{i}"))
}

impl Step<State> for StepProvisionSnapshots {
    fn name(&self) -> &str {
        "provision"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let generated = state.generated.clone();
        let cache = state.cache.take();
        let mut first = 1;
        if let Some(c) = cache.as_deref() {
            match state.resume.take().filter(|_| state.resumed) {
                Some(r) => {
                    c.restored(ctx.ui, r.upto, &r.hit, r.hit.took);
                    state.stacked_on = entry::id(&r.hit.dir).map(|id| (r.upto, id));
                    super::set_guest_clock(state, ctx.ui, ctx.cancel);
                    first = r.upto + 1;
                }
                None if c.saves(0) => snapshot(state, c, 0, Duration::ZERO, ctx),
                None => {}
            }
        }
        let ssh = state.ssh.take();
        let mut index = first - 1;
        let mut started = Instant::now();
        let r = {
            let comm: &dyn Communicator = match &ssh {
                Some(s) => s,
                None => &NoneComm,
            };
            ctx.hook
                .provision_from(ctx, comm, &generated, first, &mut |_kind| {
                    index += 1;
                    if let Some(c) = cache.as_deref().filter(|c| c.saves(index)) {
                        snapshot(state, c, index, started.elapsed(), ctx);
                    }
                    started = Instant::now();
                    Ok(())
                })
        };
        state.ssh = ssh;
        state.cache = cache;
        self.failed = matches!(&r, Err(e) if !e.is_cancelled());
        r
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        // The last save ran on while the guest shut down and the disk was
        // converted; it reads the layer it froze.
        if let Some(c) = state.cache.take() {
            settle(state, c.as_ref(), ctx);
            state.cache = Some(c);
        }
        // The layers under the work disk; the finished image no longer
        // needs them.
        for f in state.chain.drain(..) {
            let _ = std::fs::remove_file(f);
        }
        if !self.failed {
            return Ok(());
        }
        ctx.ui
            .say("Provisioning step had errors: Running the cleanup provisioner, if present...");
        let comm: &dyn Communicator = match &state.ssh {
            Some(s) => s,
            None => &NoneComm,
        };
        ctx.hook.provision_cleanup(ctx, comm, &state.generated)
    }

    fn runs_error_cleanup_provisioner(&self) -> bool {
        true
    }
}
