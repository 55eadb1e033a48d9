//! What every child of kiln does between fork and exec so that it cannot
//! outlive a kiln that dies: lead a process group of its own, announce
//! that group to the [watchdog](super::watchdog), and, for children kiln
//! waits for, die with the thread that forked it (`PR_SET_PDEATHSIG`).
//!
//! The death signal fires when the forking *thread* ends, not the process:
//! it is only armed for children whose spawning thread outlives them (see
//! [`super::tie_to_thread`]).

use super::watchdog::{self, announcement};
use rustix::io::Errno;
use rustix::process::Signal;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Arm `cmd`. Runs before any `pre_exec` hook registered after this call.
pub fn install(cmd: &mut Command, die_with_thread: bool) {
    cmd.process_group(0);
    let kiln = rustix::process::getpid();
    // Started here, before the fork: started from the sandbox's spawning
    // thread, whose children land in the sandbox's PID namespace, the
    // watchdog would become that namespace's init.
    let watchdog = watchdog::global();
    let hook = move || -> io::Result<()> {
        if die_with_thread {
            rustix::process::set_parent_process_death_signal(Some(Signal::KILL))?;
        }
        // Read once the signal is armed: kiln may have died before that,
        // and the child then belongs to some reaper already.
        match rustix::process::getppid() {
            Some(parent) if parent != kiln => return Err(Errno::SRCH.into()),
            Some(_) => {
                if let Some(w) = watchdog {
                    let pid = rustix::process::getpid().as_raw_nonzero().get();
                    let mut buf = [0u8; 16];
                    // Before exec, this child holds the pipe's write end
                    // too: the watchdog reads the line before it can see
                    // the end of the pipe, however soon kiln dies.
                    let _ = rustix::io::write(w.fd(), announcement(pid.unsigned_abs(), &mut buf));
                }
            }
            // PID 1 of a new PID namespace (the sandbox): its parent lies
            // outside it and its own PID reads 1, so it neither checks nor
            // announces; its death signal, and the kernel killing the rest
            // of the namespace with it, cover it.
            None => {}
        }
        Ok(())
    };
    // SAFETY: the hook runs between fork and exec, where only
    // async-signal-safe work is allowed: it makes raw system calls
    // (prctl, getppid, getpid, write) on values prepared before the fork
    // and a stack buffer; it allocates nothing and takes no lock.
    #[allow(unsafe_code)]
    unsafe {
        cmd.pre_exec(hook);
    }
}
