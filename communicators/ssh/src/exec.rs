//! Running one command: output streamed as it arrives, the exit status as
//! Go's SSH client reports it (a signal is 128 + its number), a cancelled
//! token closes the channel, a lost connection is `Disconnected`.

use crate::error::SshError;
use crate::wait::Waiter;
use kiln_core::Output;
use ssh2::{Channel, PtyModeOpcode, PtyModes, Session};
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::mpsc;

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

/// Run `command` on an open channel; its stdin is `stdin` when given,
/// else empty.
pub(crate) fn run(
    mut ch: Channel,
    w: &Waiter<'_>,
    command: &str,
    stdin: Option<Box<dyn Read + Send>>,
    out: &mut dyn Output,
) -> Result<i32, SshError> {
    w.retry("starting the remote command", || ch.exec(command))?;
    let (mut input, wake) = match stdin {
        Some(reader) => {
            let (feed, wake) = Feed::start(reader)?;
            (Some(feed), Some(wake))
        }
        None => {
            w.retry("closing the command's input", || ch.send_eof())
                .map_err(lost)?;
            (None, None)
        }
    };
    let fed = Waiter {
        session: w.session,
        fd: w.fd,
        cancel: w.cancel,
        idle_limit: w.idle_limit,
        last_progress: std::cell::Cell::new(w.last_progress.get()),
        wake: wake.as_ref().map(AsFd::as_fd),
    };
    let w = &fed;
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        if let Some(wake) = &wake {
            let mut drained = [0u8; 256];
            while matches!((&*wake).read(&mut drained), Ok(n) if n > 0) {}
        }
        if let Some(feed) = input.as_mut() {
            if feed.push(&mut ch, w)? {
                w.retry("closing the command's input", || ch.send_eof())
                    .map_err(lost)?;
                input = None;
            }
        }
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

/// A command's input: a thread reads the caller's reader (which may
/// block for as long as its writer likes) into a channel, and the
/// non-blocking loop above writes what has arrived whenever the SSH
/// channel takes it. libssh2 cannot be driven from two threads at once.
struct Feed {
    chunks: mpsc::Receiver<Vec<u8>>,
    pending: Vec<u8>,
    at_end: bool,
}

impl Feed {
    /// The feed, and the end of its wake pipe that gets a byte per chunk
    /// (and one at the input's end).
    fn start(mut reader: Box<dyn Read + Send>) -> Result<(Feed, UnixStream), SshError> {
        let (tx, chunks) = mpsc::channel();
        let (wake, mut waker) =
            UnixStream::pair().map_err(|e| SshError::io("creating the input's pipe", e))?;
        wake.set_nonblocking(true)
            .map_err(|e| SshError::io("creating the input's pipe", e))?;
        // Detached: it ends at the reader's end, or on its next chunk
        // once the command is over and the receiver is gone.
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 32 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if tx.send(buf.get(..n).unwrap_or_default().to_vec()).is_err() {
                            break;
                        }
                        let _ = waker.write_all(b"x");
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            drop(tx);
            let _ = waker.write_all(b"x");
        });
        let feed = Feed {
            chunks,
            pending: Vec::new(),
            at_end: false,
        };
        Ok((feed, wake))
    }

    /// Write what has arrived. `Ok(true)` once everything was written
    /// and the input has ended: time to send EOF.
    fn push(&mut self, ch: &mut Channel, w: &Waiter<'_>) -> Result<bool, SshError> {
        loop {
            if self.pending.is_empty() {
                match self.chunks.try_recv() {
                    Ok(chunk) => self.pending = chunk,
                    Err(mpsc::TryRecvError::Empty) => return Ok(false),
                    Err(mpsc::TryRecvError::Disconnected) => self.at_end = true,
                }
            }
            if self.pending.is_empty() {
                return Ok(self.at_end);
            }
            match ch.write(&self.pending) {
                Ok(n) => {
                    w.progressed();
                    self.pending.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // The command closed its input (it exited): the rest of
                // the input has nowhere to go.
                Err(_) => {
                    self.pending.clear();
                    return Ok(true);
                }
            }
        }
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
