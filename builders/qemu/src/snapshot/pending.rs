//! A snapshot's slow half, off the build's path. While the guest was
//! paused QEMU wrote its state raw into the entry's staging directory;
//! here, on a thread of its own while the guest runs the next step (or
//! shuts down, and the disk is converted), the frozen disk layer is
//! copied in and the state compressed. The entry is published when the
//! build settles it: before the next snapshot, whose layer stacks on it,
//! and in the provisioning step's cleanup, after the last.

use super::{entry, stream};
use crate::error::QemuError;
use kiln_core::step_cache::{Staged, StepCache};
use kiln_core::{Cancel, Ui};
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::Duration;

/// What the thread writes into the entry besides the state.
pub struct Layer {
    /// The disk file frozen by the snapshot (read-only from then on).
    pub frozen: PathBuf,
    /// The entry the layer stacks on (`None` for the boot).
    pub previous: Option<PathBuf>,
    /// The boot entry's SSH key.
    pub key: Option<String>,
}

pub struct Pending {
    step: usize,
    id: String,
    took: Duration,
    thread: JoinHandle<Result<Staged, QemuError>>,
}

impl Pending {
    /// Fill `staged` (which holds the raw state) on a new thread.
    pub fn start(
        staged: Staged,
        id: String,
        layer: Layer,
        took: Duration,
        cancel: &Cancel,
    ) -> Result<Pending, QemuError> {
        let step = staged.step;
        let cancel = cancel.clone();
        let entry_id = id.clone();
        let thread = std::thread::Builder::new()
            .name(format!("snapshot-{step}"))
            .spawn(move || {
                let dir = staged.dir.clone();
                entry::write(
                    &dir,
                    &entry_id,
                    &layer.frozen,
                    layer.previous.as_deref(),
                    layer.key.as_deref(),
                    &cancel,
                )?;
                let raw = dir.join(entry::RAW_STATE);
                stream::compress(&raw, &dir.join(entry::STATE), &cancel)?;
                std::fs::remove_file(&raw)
                    .map_err(|e| QemuError::io(format!("removing {}", raw.display()), e))?;
                Ok(staged)
            })
            .map_err(|e| QemuError::io("starting the snapshot's save", e))?;
        Ok(Pending {
            step,
            id,
            took,
            thread,
        })
    }

    /// Wait for the thread and publish the entry: the (step, id) of the
    /// entry the build's disk now stacks on, when it landed.
    pub fn settle(
        self,
        cache: &dyn StepCache,
        ui: &dyn Ui,
        cancel: &Cancel,
    ) -> Option<(usize, String)> {
        let filled = self
            .thread
            .join()
            .unwrap_or_else(|_| Err(QemuError::Snapshot("the save panicked".into())));
        match filled {
            Ok(staged) => cache.commit(ui, staged, self.took),
            // A cancelled build says so once, elsewhere.
            Err(_) if cancel.is_cancelled() => return None,
            Err(e) => {
                ui.error(&format!(
                    "Warning: could not save step {} in the step cache: {e}",
                    self.step
                ));
                return None;
            }
        }
        let landed = cache.hit(self.step).and_then(|h| entry::id(&h.dir));
        (landed.as_deref() == Some(self.id.as_str())).then_some((self.step, self.id))
    }
}
