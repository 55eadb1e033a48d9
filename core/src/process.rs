//! Local child processes (shell-local, qemu, qemu-img, …): each in its own
//! process group so that a cancel kills the whole tree, output streamed as
//! it arrives, always reaped; and none outlives a kiln that dies
//! ([`lifeline`], [`watchdog`]).

mod lifeline;
mod watchdog;

use crate::cancel::{Cancel, Reason, POLL};
use crate::communicator::Output;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, RwLock};
use std::time::{Duration, Instant};

/// Held (shared) while a child is spawned, and exclusively while a file
/// that will be executed is open for writing. A child forked while another
/// thread holds such a file open inherits the write descriptor until its
/// exec, and executing the file then fails with "Text file busy" (Go
/// solves the same race with `syscall.ForkLock`).
static SPAWN_LOCK: RwLock<()> = RwLock::new(());

/// Run `f` (which writes a file that will be executed) while no child
/// process is being spawned.
pub fn writing_executable<T>(f: impl FnOnce() -> T) -> T {
    let _guard = SPAWN_LOCK.write();
    f()
}

/// Spawn a child that a step keeps past the call (a VM), in a process
/// group of its own. Should kiln die, the watchdog kills the group; a
/// normal exit leaves it running (after `-on-error=abort` skipped its
/// cleanup, as with Packer).
pub fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    lifeline::install(cmd, false);
    spawn_locked(cmd)
}

/// Make `cmd`'s child die with the calling thread as well as with kiln:
/// for a child that thread waits for. Call it before adding `pre_exec`
/// hooks of one's own (they then run after it), and spawn with
/// [`spawn_tied`] from a thread that outlives the child.
pub fn tie_to_thread(cmd: &mut Command) {
    lifeline::install(cmd, true);
}

/// Spawn a command [`tie_to_thread`] prepared, on the calling thread.
pub fn spawn_tied(cmd: &mut Command) -> std::io::Result<Child> {
    spawn_locked(cmd)
}

/// Spawn `cmd` without racing [`writing_executable`].
fn spawn_locked(cmd: &mut Command) -> std::io::Result<Child> {
    let _guard = SPAWN_LOCK.read();
    cmd.spawn()
}

/// kiln exits on purpose: children still running were left on purpose
/// (`-on-error=abort`), and the watchdog lets them be.
pub fn release_children() {
    if let Some(w) = watchdog::started() {
        w.release();
    }
}

/// The group of `pid` is gone (reaped and killed): the watchdog can forget
/// it.
fn forget(pid: u32) {
    if let Some(w) = watchdog::started() {
        w.withdraw(pid);
    }
}

/// How long a process group gets between SIGTERM and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("cannot start {program}: {source}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("waiting for {program}: {source}")]
    Wait {
        program: String,
        #[source]
        source: std::io::Error,
    },
    /// The token fired; the process group was killed and reaped.
    #[error("{program} was stopped: {reason:?}")]
    Stopped { program: String, reason: Reason },
}

/// The exit code, or 128 + the signal number for a killed process (as a
/// shell reports it).
pub fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

/// Run `cmd` to completion in a new process group, streaming its stdout and
/// stderr to `out`. Stdin is closed. On cancel the group gets SIGTERM, then
/// SIGKILL after [`GRACE`], and is reaped before this returns.
pub fn run(cmd: &mut Command, out: &mut dyn Output, cancel: &Cancel) -> Result<i32, ProcessError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // This thread waits for the child below, so it outlives it.
    tie_to_thread(cmd);
    tracing::debug!(command = ?cmd, "starting local process");
    let mut child = spawn_tied(cmd).map_err(|source| ProcessError::Spawn {
        program: program.clone(),
        source,
    })?;
    let stop = |child: &mut Child| {
        tracing::debug!(program, "stopping local process group");
        kill_group(child);
    };
    let streamed = stream(&mut child, out, cancel, stop);
    // What the leader left running in its group (a daemon it started)
    // outlives kiln, as it outlives a normal exit.
    forget(child.id());
    match streamed {
        Ok(Streamed::Exited(code)) => {
            tracing::debug!(program, code, "local process exited");
            Ok(code)
        }
        Ok(Streamed::Stopped(reason)) => Err(ProcessError::Stopped { program, reason }),
        Err(source) => Err(ProcessError::Wait { program, source }),
    }
}

/// How a child that [`stream`] watched ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streamed {
    /// Its exit code (see [`exit_code`]), once its pipes closed too.
    Exited(i32),
    /// The token fired and `stop` ran.
    Stopped(Reason),
}

/// Stream the child's piped stdout and stderr to `out` until it has exited
/// and both pipes are closed (a grandchild may still write after the
/// child exits). When `cancel` fires, `stop` ends the child (and whatever
/// it started) and must reap it.
pub fn stream(
    child: &mut Child,
    out: &mut dyn Output,
    cancel: &Cancel,
    stop: impl FnOnce(&mut Child),
) -> std::io::Result<Streamed> {
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
    while status.is_none() || readers > 0 {
        if let Some(reason) = cancel.reason() {
            stop(child);
            return Ok(Streamed::Stopped(reason));
        }
        match rx.recv_timeout(POLL) {
            Ok((true, chunk)) => out.stderr(&chunk),
            Ok((false, chunk)) => out.stdout(&chunk),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => readers = 0,
        }
        if status.is_none() {
            status = child.try_wait()?;
        }
    }
    Ok(Streamed::Exited(status.map(exit_code).unwrap_or(-1)))
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
                    if tx.send((is_err, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

/// SIGTERM the child's process group, SIGKILL it after [`GRACE`], reap the
/// child.
pub fn kill_group(child: &mut Child) {
    let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) else {
        return;
    };
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::TERM);
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            // The leader is gone; make sure nothing else of the group is.
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            forget(child.id());
            return;
        }
        std::thread::sleep(POLL);
    }
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    let _ = child.wait();
    forget(child.id());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Buf {
        out: Vec<u8>,
        err: Vec<u8>,
    }
    impl Output for Buf {
        fn stdout(&mut self, c: &[u8]) {
            self.out.extend_from_slice(c);
        }
        fn stderr(&mut self, c: &[u8]) {
            self.err.extend_from_slice(c);
        }
    }

    #[test]
    fn streams_output_and_returns_the_code() {
        let mut b = Buf::default();
        let code = run(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            &mut b,
            &Cancel::new(),
        )
        .ok();
        assert_eq!(code, Some(3));
        assert_eq!(b.out, b"out\n");
        assert_eq!(b.err, b"err\n");
    }

    #[test]
    fn cancel_kills_the_whole_group() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { return };
        let pidfile = dir.path().join("pid");
        let script = format!("sleep 300 & echo $! > {}; wait", pidfile.display());
        let cancel = Cancel::new();
        let c2 = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            c2.cancel();
        });
        let r = run(
            Command::new("sh").args(["-c", &script]),
            &mut Buf::default(),
            &cancel,
        );
        assert!(matches!(r, Err(ProcessError::Stopped { .. })));
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        assert!(pid > 0);
        std::thread::sleep(Duration::from_millis(100));
        let alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false);
        assert!(!alive, "the grandchild sleep survived the cancel");
    }

    fn running(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    }

    /// The PID of a `sleep` started on a thread that has ended since.
    fn sleep_from_ended_thread(tied: bool) -> u32 {
        let pid = std::thread::spawn(move || {
            let mut cmd = Command::new("sleep");
            cmd.arg("300");
            let child = if tied {
                tie_to_thread(&mut cmd);
                spawn_tied(&mut cmd)
            } else {
                spawn(&mut cmd)
            };
            child.map(|c| c.id()).unwrap_or(0)
        })
        .join()
        .unwrap_or(0);
        assert!(pid > 0);
        pid
    }

    #[test]
    fn a_tied_child_dies_with_its_thread() {
        let pid = sleep_from_ended_thread(true);
        let start = Instant::now();
        while running(pid) && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!running(pid), "the tied sleep outlived its thread");
    }

    #[test]
    fn a_spawned_child_outlives_its_thread_in_a_group_of_its_own() {
        let pid = sleep_from_ended_thread(false);
        std::thread::sleep(Duration::from_millis(300));
        assert!(running(pid), "the sleep died with its thread");
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let pgrp = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.split(' ').nth(2))
            .unwrap_or_default()
            .to_owned();
        if let Some(p) = rustix::process::Pid::from_raw(pid as i32) {
            let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
        }
        assert_eq!(pgrp, pid.to_string());
    }
}
