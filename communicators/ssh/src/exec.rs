//! Running one command: output streamed as it arrives, the exit status as
//! Go's SSH client reports it (a signal is 128 + its number), a cancelled
//! token closes the channel, a lost connection is `Disconnected`.

use crate::error::SshError;
use crate::wait::Waiter;
use kiln_core::Output;
use ssh2::{Channel, PtyModeOpcode, PtyModes, Session};
use std::io::{self, Read};

/// Open a session channel, with a pty when asked (Packer's terminal
/// modes: no echo, 14400 baud, 80×40 xterm).
pub(crate) fn open_channel(sess: &Session, w: &Waiter<'_>, pty: bool) -> Result<Channel, SshError> {
    let mut ch = w.retry("opening an SSH session", || sess.channel_session())?;
    if pty {
        let mut modes = PtyModes::new();
        modes.set_u32(PtyModeOpcode::ECHO, 0);
        modes.set_u32(PtyModeOpcode::TTY_OP_ISPEED, 14400);
        modes.set_u32(PtyModeOpcode::TTY_OP_OSPEED, 14400);
        w.retry("requesting a pty", || {
            ch.request_pty("xterm", Some(modes.clone()), Some((80, 40, 0, 0)))
        })?;
    }
    Ok(ch)
}

/// Run `command` on an open channel; its stdin is empty.
pub(crate) fn run(
    mut ch: Channel,
    w: &Waiter<'_>,
    command: &str,
    out: &mut dyn Output,
) -> Result<i32, SshError> {
    w.retry("starting the remote command", || ch.exec(command))?;
    w.retry("closing the command's input", || ch.send_eof())
        .map_err(lost)?;
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let out_done = drain(&mut ch.stream(0), &mut buf, w, |c| out.stdout(c))?;
        let err_done = drain(&mut ch.stderr(), &mut buf, w, |c| out.stderr(c))?;
        if out_done && err_done && ch.eof() {
            break;
        }
        if let Err(e) = w.wait() {
            if matches!(e, SshError::Cancelled | SshError::TimedOut) {
                // Closing the channel hangs up on the command (SIGHUP with
                // a pty, SIGPIPE on its next write otherwise), as Packer
                // does; waiting for that is not worth a stuck build.
                let _ = ch.close();
            }
            return Err(e);
        }
    }
    w.retry("closing the SSH session", || ch.wait_close())
        .map_err(lost)?;
    let signal = ch.exit_signal().ok().and_then(|s| s.exit_signal);
    match signal {
        Some(name) => Ok(128 + signal_number(&name)),
        None => ch
            .exit_status()
            .map_err(|e| SshError::ssh("reading the exit status", e)),
    }
}

/// Read everything available on one stream. `Ok(true)` at end of stream.
fn drain(
    stream: &mut impl Read,
    buf: &mut [u8],
    w: &Waiter<'_>,
    mut sink: impl FnMut(&[u8]),
) -> Result<bool, SshError> {
    loop {
        match stream.read(buf) {
            Ok(0) => return Ok(true),
            Ok(n) => {
                w.progressed();
                sink(buf.get(..n).unwrap_or_default());
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(SshError::Disconnected),
        }
    }
}

/// Once a command runs, a failing session means the connection went away.
fn lost(e: SshError) -> SshError {
    match e {
        SshError::Cancelled | SshError::TimedOut => e,
        _ => SshError::Disconnected,
    }
}

/// Go's `ssh.signals` table: the numbers a signal name maps to.
fn signal_number(name: &str) -> i32 {
    match name {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ILL" => 4,
        "ABRT" => 6,
        "FPE" => 8,
        "KILL" => 9,
        "USR1" => 10,
        "SEGV" => 11,
        "USR2" => 12,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        _ => 0,
    }
}
