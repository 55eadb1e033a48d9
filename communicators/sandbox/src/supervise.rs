//! Waiting for a sandboxed command: output streamed as it arrives, and on
//! cancel the namespace's init killed, which makes the kernel kill every
//! other process of the namespace before init can be reaped.

use crate::spawn::Spawned;
use kiln_core::cancel::{Cancel, Reason, POLL};
use kiln_core::communicator::Output;
use std::io::Read;
use std::sync::mpsc;

pub fn supervise(spawned: Spawned, out: &mut dyn Output, cancel: &Cancel) -> Result<i32, Reason> {
    let Spawned { mut child, pid1 } = spawned;
    let (tx, rx) = mpsc::channel::<(bool, Vec<u8>)>();
    let mut readers = 0;
    if let Some(stdout) = child.stdout.take() {
        spawn_reader(stdout, false, tx.clone());
        readers += 1;
    }
    if let Some(stderr) = child.stderr.take() {
        spawn_reader(stderr, true, tx.clone());
        readers += 1;
    }
    drop(tx);
    let mut status = None;
    // The pipes close once the namespace is empty: when init (the shell)
    // exits, the kernel kills what it left running.
    while status.is_none() || readers > 0 {
        if let Some(reason) = cancel.reason() {
            tracing::debug!(pid = child.id(), ?reason, "killing the sandbox");
            // SIGKILL is the one signal init of a PID namespace cannot
            // ignore; the kernel then kills the rest of the namespace.
            // Without root, init is the middle process's child: killing
            // it ends the middle process, after the namespace is empty.
            let killed_init = pid1.as_ref().is_some_and(|fd| {
                rustix::process::pidfd_send_signal(fd, rustix::process::Signal::KILL).is_ok()
            });
            if !killed_init {
                let _ = child.kill();
            }
            let _ = child.wait();
            return Err(reason);
        }
        match rx.recv_timeout(POLL) {
            Ok((true, chunk)) => out.stderr(&chunk),
            Ok((false, chunk)) => out.stdout(&chunk),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => readers = 0,
        }
        if status.is_none() {
            status = match child.try_wait() {
                Ok(s) => s.map(kiln_core::process::exit_code),
                // Nothing left to wait for.
                Err(_) => Some(-1),
            };
        }
    }
    Ok(status.unwrap_or(-1))
}

fn spawn_reader(
    mut pipe: impl Read + Send + 'static,
    is_err: bool,
    tx: mpsc::Sender<(bool, Vec<u8>)>,
) {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let chunk = buf.get(..n).map(<[u8]>::to_vec).unwrap_or_default();
                    if tx.send((is_err, chunk)).is_err() {
                        break;
                    }
                }
            }
        }
    });
}
