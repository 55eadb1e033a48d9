//! Waiting for a sandboxed command: output streamed as it arrives, and on
//! cancel the namespace's init killed, which makes the kernel kill every
//! other process of the namespace before init can be reaped.

use crate::spawn::Spawned;
use kiln_core::cancel::{Cancel, Reason};
use kiln_core::communicator::Output;
use kiln_core::process::{stream, Streamed};
use std::process::Child;

/// The command's exit code, or why it was stopped. The pipes close once
/// the namespace is empty: when init (the shell) exits, the kernel kills
/// what it left running.
pub fn supervise(spawned: Spawned, out: &mut dyn Output, cancel: &Cancel) -> Result<i32, Reason> {
    // `_spawning_thread` lives to the end: the child dies with that thread.
    let Spawned {
        mut child,
        pid1,
        spawning_thread: _spawning_thread,
    } = spawned;
    let stop = |child: &mut Child| {
        tracing::debug!(pid = child.id(), "killing the sandbox");
        // SIGKILL is the one signal init of a PID namespace cannot
        // ignore; the kernel then kills the rest of the namespace.
        // Without root, init is the middle process's child: killing it
        // ends the middle process, after the namespace is empty.
        let killed_init = pid1.as_ref().is_some_and(|fd| {
            rustix::process::pidfd_send_signal(fd, rustix::process::Signal::KILL).is_ok()
        });
        if !killed_init {
            let _ = child.kill();
        }
        let _ = child.wait();
    };
    match stream(&mut child, out, cancel, stop) {
        Ok(Streamed::Exited(code)) => Ok(code),
        Ok(Streamed::Stopped(reason)) => Err(reason),
        // The child can no longer be waited for (already reaped): nothing
        // is left running, and there is no status to report.
        Err(_) => Ok(-1),
    }
}
