//! Provisioning with the step cache: a resumed build starts after the
//! restored step; the boot and every provisioner that runs is saved as a
//! snapshot of the running VM (paused for the state and the disk freeze,
//! resumed before its layer is copied into the cache). A build without a
//! cache provisions as kiln-core's `StepProvision` does.

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

/// Save the machine as step `i`'s entry.
fn snapshot(
    state: &mut State,
    cache: &dyn StepCache,
    i: usize,
    took: Duration,
    ctx: &BuildCtx<'_>,
) {
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
    let top = state.work_disk.clone();
    let next = layer_path(&top, i);
    let key = (i == 0)
        .then(|| {
            state
                .key_pair
                .as_ref()
                .map(|k| k.private_openssh().to_owned())
        })
        .flatten();
    let id = entry::new_id();
    let mut frozen = false;
    cache.save(ctx.ui, i, took, &mut |dir| {
        let mut qmp = Qmp::connect(&socket, Duration::from_secs(30), ctx.cancel)
            .map_err(|e| e.to_string())?;
        let paused = machine::save_state(&mut qmp, &dir.join(entry::STATE), ctx.cancel)
            .and_then(|()| machine::freeze_disk(&mut qmp, &top, &next));
        // Whatever happened, the guest runs on.
        let resumed = machine::resume(&mut qmp);
        paused.map_err(|e| e.to_string())?;
        frozen = true;
        resumed.map_err(|e| e.to_string())?;
        entry::write(
            dir,
            &id,
            &top,
            previous.as_deref(),
            key.as_deref(),
            ctx.cancel,
        )
        .map_err(|e| e.to_string())
    });
    if frozen {
        // The guest writes to the new overlay from here on.
        state.chain.push(top);
        state.work_disk = next;
    }
    let landed = cache.hit(i).and_then(|h| entry::id(&h.dir)) == Some(id.clone());
    state.stacked_on = landed.then_some((i, id));
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
        // The layers under the work disk; the finished image no longer
        // needs them.
        if state.image.is_none() {
            for f in state.chain.drain(..) {
                let _ = std::fs::remove_file(f);
            }
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
