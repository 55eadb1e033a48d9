//! libssh2 runs non-blocking: every call that would block returns EAGAIN,
//! and [`Waiter`] then polls the socket in the direction libssh2 asks for,
//! a few tens of milliseconds at a time, so that a cancelled token or a
//! passed deadline ends any wait promptly and keepalives go out while a
//! command runs.

use crate::error::SshError;
use kiln_core::cancel::POLL;
use kiln_core::Cancel;
use rustix::event::{poll, PollFd, PollFlags, Timespec};
use ssh2::{BlockDirections, ErrorCode, Session};
use std::io;
use std::os::fd::BorrowedFd;
use std::time::Instant;

/// libssh2's "would block".
const EAGAIN: i32 = -37;

pub(crate) fn would_block(e: &ssh2::Error) -> bool {
    e.code() == ErrorCode::Session(EAGAIN)
}

pub(crate) struct Waiter<'a> {
    pub session: &'a Session,
    pub fd: BorrowedFd<'a>,
    pub cancel: &'a Cancel,
    /// Fires when this passes with no progress (`ssh_read_write_timeout`).
    pub idle_limit: Option<std::time::Duration>,
    pub last_progress: std::cell::Cell<Instant>,
    /// Also ends a wait when readable: how a command's input, arriving
    /// from another thread, gets written without waiting a poll interval.
    pub wake: Option<BorrowedFd<'a>>,
}

impl<'a> Waiter<'a> {
    pub fn new(session: &'a Session, fd: BorrowedFd<'a>, cancel: &'a Cancel) -> Waiter<'a> {
        Waiter {
            session,
            fd,
            cancel,
            idle_limit: None,
            last_progress: std::cell::Cell::new(Instant::now()),
            wake: None,
        }
    }

    /// Data moved: the idle clock starts again.
    pub fn progressed(&self) {
        self.last_progress.set(Instant::now());
    }

    /// Wait until the socket is ready in libssh2's blocked direction, or
    /// for one poll interval.
    pub fn wait(&self) -> Result<(), SshError> {
        // Whatever made the token fire (Ctrl-C or a deadline), the caller
        // owns the token and can ask it why.
        if self.cancel.is_cancelled() {
            return Err(SshError::Cancelled);
        }
        if let Some(limit) = self.idle_limit {
            if self.last_progress.get().elapsed() >= limit {
                return Err(SshError::TimedOut);
            }
        }
        // Keepalives are only sent when their interval has passed; the
        // call is cheap otherwise. A failure shows up on the next read.
        let _ = self.session.keepalive_send();
        let flags = match self.session.block_directions() {
            BlockDirections::Outbound => PollFlags::OUT,
            BlockDirections::Both => PollFlags::IN | PollFlags::OUT,
            BlockDirections::Inbound | BlockDirections::None => PollFlags::IN,
        };
        let timeout = Timespec {
            tv_sec: 0,
            tv_nsec: i64::from(POLL.subsec_nanos()),
        };
        let mut fds = vec![PollFd::from_borrowed_fd(self.fd, flags)];
        if let Some(wake) = self.wake {
            fds.push(PollFd::from_borrowed_fd(wake, PollFlags::IN));
        }
        match poll(&mut fds, Some(&timeout)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
            Err(e) => Err(SshError::io("waiting on the SSH socket", e.into())),
        }
    }

    /// Run a libssh2 call until it stops saying "would block".
    pub fn retry<T>(
        &self,
        context: &str,
        mut f: impl FnMut() -> Result<T, ssh2::Error>,
    ) -> Result<T, SshError> {
        loop {
            match f() {
                Ok(v) => return Ok(v),
                Err(e) if would_block(&e) => self.wait()?,
                Err(e) => return Err(SshError::ssh(context, e)),
            }
        }
    }

    /// Like [`Waiter::retry`] for the `io::Result` of reads and writes.
    pub fn retry_io<T>(
        &self,
        context: &str,
        mut f: impl FnMut() -> io::Result<T>,
    ) -> Result<T, SshError> {
        loop {
            match f() {
                Ok(v) => return Ok(v),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wait()?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(SshError::io(context, e)),
            }
        }
    }
}
