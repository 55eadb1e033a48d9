//! Starting a command as PID 1 of a fresh PID namespace, with the rest of
//! the sandbox set up between `fork` and `exec`.
//!
//! Why a thread: `unshare(CLONE_NEWPID)` moves the *children* of the
//! calling thread into the new namespace, so a short-lived thread of our
//! own unshares it and forks there; the forked child is then PID 1 and
//! mounts a /proc of its own namespace. Nothing else ever runs on that
//! thread, because a thread whose children go to another PID namespace
//! cannot create threads.
//!
//! Why `unsafe`: the set-up must run in the child before `exec`, which std
//! offers only through the `unsafe` `CommandExt::pre_exec`. The closure
//! replays a precomputed [`Op`] list with [`LinuxSyscall`], which makes
//! raw system calls on ready-made C strings and never allocates or locks,
//! as the post-fork rules require.

use crate::error::SandboxError;
use crate::plan::{self, Op};
use crate::syscall::{Errno, LinuxSyscall, Syscall, UnshareFlags};
use rustix::pipe::PipeFlags;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::Arc;

/// Spawn `cmd` in a new PID namespace after replaying `ops` in the child.
pub fn spawn(ops: Vec<Op>, mut cmd: Command) -> Result<Child, SandboxError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    // Which op failed travels back through this pipe (std only passes the
    // errno of a failed `pre_exec`).
    let (report_r, report_w) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)
        .map_err(|e| SandboxError::io("create a pipe", e.into()))?;
    let ops = Arc::new(ops);
    let in_child = Arc::clone(&ops);
    let setup = move || -> io::Result<()> {
        let mut sys = LinuxSyscall::new();
        plan::replay(&mut sys, &in_child).map_err(|(index, errno)| {
            let mut report = [0u8; 8];
            let (i, e) = report.split_at_mut(4);
            i.copy_from_slice(&(index as u32).to_ne_bytes());
            e.copy_from_slice(&errno.raw_os_error().to_ne_bytes());
            let _ = rustix::io::write(&report_w, &report);
            io::Error::from_raw_os_error(errno.raw_os_error())
        })
    };
    // SAFETY: `setup` only makes system calls on data prepared before the
    // fork (see the module comment).
    #[allow(unsafe_code)]
    let _ = unsafe { cmd.pre_exec(setup) };
    let spawned = std::thread::Builder::new()
        .name("kiln-sandbox-spawn".into())
        .spawn(move || -> Result<Child, SandboxError> {
            LinuxSyscall::new()
                .unshare(UnshareFlags::NEWPID)
                .map_err(|e| SandboxError::Setup {
                    step: "create a PID namespace".into(),
                    source: e.into(),
                })?;
            kiln_core::process::spawn(&mut cmd).map_err(|source| SandboxError::Spawn {
                program: program.clone(),
                source,
            })
        })
        .map_err(|e| SandboxError::io("start the sandbox's spawning thread", e))?
        .join()
        .map_err(|_| SandboxError::io("spawn", io::Error::other("the spawning thread died")))?;
    match spawned {
        Ok(child) => Ok(child),
        Err(e) => Err(failed_op(&report_r, &ops).unwrap_or(e)),
    }
}

/// The op the child reported as failed, if it got that far.
fn failed_op(report: &impl rustix::fd::AsFd, ops: &[Op]) -> Option<SandboxError> {
    let mut buf = [0u8; 8];
    let n = rustix::io::read(report, &mut buf).ok()?;
    if n != buf.len() {
        return None;
    }
    let (i, e) = buf.split_at(4);
    let index = u32::from_ne_bytes(i.try_into().ok()?) as usize;
    let errno = i32::from_ne_bytes(e.try_into().ok()?);
    Some(SandboxError::Setup {
        step: ops.get(index)?.to_string(),
        source: Errno::from_raw_os_error(errno).into(),
    })
}
