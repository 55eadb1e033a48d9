//! Ctrl-C and SIGTERM: the first cancels every build (their cleanups
//! run); later ones only say that cleanup is still running, because
//! stopping it would leave VMs, instances or mounts behind.

use crate::ui::Console;
use kiln_core::Cancel;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn install(cancel: Cancel, console: Console) {
    let count = AtomicUsize::new(0);
    let r = ctrlc::set_handler(move || {
        if count.fetch_add(1, Ordering::SeqCst) == 0 {
            console.error("Interrupt received. Cancelling builds and cleaning up...");
            cancel.cancel();
        } else {
            console.error(
                "Cleanup in progress; kiln exits when it is done (send SIGKILL to stop now and leave resources behind).",
            );
        }
    });
    if let Err(e) = r {
        tracing::warn!("cannot install the interrupt handler: {e}");
    }
}
