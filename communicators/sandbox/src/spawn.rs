//! Starting a command as PID 1 of a fresh PID namespace, with the rest of
//! the sandbox set up between `fork` and `exec`.
//!
//! Why a thread: `unshare(CLONE_NEWPID)` moves the *children* of the
//! calling thread into the new namespace, so a thread of our own unshares
//! it and forks there; the forked child is then PID 1 and mounts a /proc
//! of its own namespace. Nothing else ever runs on that thread, because a
//! thread whose children go to another PID namespace cannot create
//! threads. Without root the thread has no right to do it; the child then
//! creates a user namespace, the PID namespace in it, and forks once more
//! (the middle process reports PID 1's PID, waits for it and passes its
//! exit status on; a cancel kills PID 1 through a pidfd and the middle
//! process exits once the namespace is empty).
//!
//! Why the thread stays until [`Spawned`] is dropped: the child dies with
//! it (`kiln_core::process::tie_to_thread`), so that a kiln killed with
//! SIGKILL takes the sandbox along; the kernel then empties the namespace.
//! Without root the middle process dies with the thread and PID 1 with the
//! middle process.
//!
//! Why `unsafe`: the set-up must run in the child before `exec`, which std
//! offers only through the `unsafe` `CommandExt::pre_exec`. The closure
//! replays a precomputed [`Op`] list with [`LinuxSyscall`], which makes
//! raw system calls on ready-made C strings and never allocates or locks,
//! as the post-fork rules require.

use crate::error::SandboxError;
use crate::plan::{self, Op};
use crate::syscall::{record, Errno, LinuxSyscall, Syscall, UnshareFlags, PID1_RECORD};
use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fd::{AsFd, OwnedFd};
use rustix::pipe::PipeFlags;
use rustix::process::{Pid, PidfdFlags};
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// A started sandbox.
pub struct Spawned {
    /// The process kiln waits for: PID 1 of the namespace, or (without
    /// root) the middle process that exits with PID 1's status.
    pub child: Child,
    /// Without root: PID 1 of the namespace, which a cancel kills (the
    /// middle process then exits, once the namespace is empty).
    pub pid1: Option<OwnedFd>,
    /// Keeps the spawning thread, whose end kills the child, waiting.
    pub spawning_thread: SpawningThread,
}

/// Dropped once the child has been reaped: the spawning thread ends.
pub struct SpawningThread {
    _release: mpsc::Sender<()>,
}

/// Spawn `cmd` in a new PID namespace after replaying `ops` in the child.
/// With `pid_namespace_from_thread`, the spawning thread creates that
/// namespace (as root); otherwise `ops` do (see [`crate::layout`]).
pub fn spawn(
    ops: Vec<Op>,
    mut cmd: Command,
    pid_namespace_from_thread: bool,
) -> Result<Spawned, SandboxError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    // Which op failed travels back through this pipe (std only passes the
    // errno of a failed `pre_exec`), and the PID of the namespace's init
    // when a middle process forked it.
    let (report_r, report_w) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)
        .map_err(|e| SandboxError::io("create a pipe", e.into()))?;
    let ops = Arc::new(ops);
    let in_child = Arc::clone(&ops);
    let setup = move || -> io::Result<()> {
        let mut sys = LinuxSyscall::reporting_to(report_w.as_fd());
        plan::replay(&mut sys, &in_child).map_err(|(index, errno)| {
            let _ = rustix::io::write(&report_w, &record(index as u32, errno.raw_os_error()));
            io::Error::from_raw_os_error(errno.raw_os_error())
        })
    };
    // First, so that the first child's death signal is armed before the
    // set-up makes it the middle process.
    kiln_core::process::tie_to_thread(&mut cmd);
    // SAFETY: `setup` only makes system calls on data prepared before the
    // fork (see the module comment).
    #[allow(unsafe_code)]
    let _ = unsafe { cmd.pre_exec(setup) };
    let (result_tx, result_rx) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("kiln-sandbox-spawn".into())
        .spawn(move || {
            let spawned = (|| {
                if pid_namespace_from_thread {
                    LinuxSyscall::new()
                        .unshare(UnshareFlags::NEWPID)
                        .map_err(|e| SandboxError::Setup {
                            step: "create a PID namespace".into(),
                            source: e.into(),
                        })?;
                }
                kiln_core::process::spawn_tied(&mut cmd).map_err(|source| SandboxError::Spawn {
                    program: program.clone(),
                    source,
                })
            })();
            let started = spawned.is_ok();
            if result_tx.send(spawned).is_ok() && started {
                // Ends (and so kills the child) when `Spawned` is dropped.
                let _ = released.recv();
            }
        })
        .map_err(|e| SandboxError::io("start the sandbox's spawning thread", e))?;
    let spawned = result_rx
        .recv()
        .map_err(|_| SandboxError::io("spawn", io::Error::other("the spawning thread died")))?;
    let reports = read_reports(&report_r, !pid_namespace_from_thread && spawned.is_ok());
    let pid1 = reports.iter().find_map(|r| match r {
        Report::Pid1(pid) => Pid::from_raw(*pid),
        Report::Failed { .. } => None,
    });
    match spawned {
        Ok(child) => Ok(Spawned {
            child,
            // Opened while the middle process, which alone may reap PID 1,
            // is still ours to reap: the PID cannot have been reused.
            pid1: pid1.and_then(|p| rustix::process::pidfd_open(p, PidfdFlags::empty()).ok()),
            spawning_thread: SpawningThread { _release: release },
        }),
        Err(e) => Err(reports
            .iter()
            .find_map(|r| match r {
                Report::Failed { index, errno } => Some(SandboxError::Setup {
                    step: ops.get(*index)?.to_string(),
                    source: Errno::from_raw_os_error(*errno).into(),
                }),
                Report::Pid1(_) => None,
            })
            .unwrap_or(e)),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Report {
    Pid1(i32),
    Failed { index: usize, errno: i32 },
}

/// How long to wait for the middle process's PID report: it is written
/// right after its fork, before the command is even started.
const PID_REPORT_WAIT: Duration = Duration::from_secs(2);

/// The records in the pipe. With `want_pid`, wait a little for the PID
/// record first.
fn read_reports(pipe: &OwnedFd, want_pid: bool) -> Vec<Report> {
    if want_pid {
        let mut fds = [PollFd::new(pipe, PollFlags::IN)];
        let timeout = Timespec {
            tv_sec: PID_REPORT_WAIT.as_secs() as i64,
            tv_nsec: 0,
        };
        let _ = rustix::event::poll(&mut fds, Some(&timeout));
    }
    let mut buf = [0u8; 64];
    let n = rustix::io::read(pipe, &mut buf).unwrap_or(0);
    parse_reports(buf.get(..n).unwrap_or_default())
}

fn parse_reports(bytes: &[u8]) -> Vec<Report> {
    bytes
        .chunks_exact(8)
        .filter_map(|r| {
            let (tag, value) = r.split_at(4);
            let tag = u32::from_ne_bytes(tag.try_into().ok()?);
            let value = i32::from_ne_bytes(value.try_into().ok()?);
            Some(if tag == PID1_RECORD {
                Report::Pid1(value)
            } else {
                Report::Failed {
                    index: tag as usize,
                    errno: value,
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_records_round_trip() {
        let mut bytes = record(PID1_RECORD, 4242).to_vec();
        bytes.extend_from_slice(&record(7, 1));
        bytes.extend_from_slice(&[1, 2, 3]);
        assert_eq!(
            parse_reports(&bytes),
            [Report::Pid1(4242), Report::Failed { index: 7, errno: 1 }]
        );
    }
}
