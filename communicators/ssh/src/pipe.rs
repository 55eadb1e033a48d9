//! A channel as a blocking `Read + Write` for the SCP protocol code: "would
//! block" waits through the [`Waiter`], so cancellation and timeouts still
//! apply. A waiter's error travels inside the `io::Error` and comes back
//! out through [`unwrap_io`].

use crate::error::SshError;
use crate::wait::Waiter;
use ssh2::Channel;
use std::io::{self, Read, Write};

pub(crate) struct ChanIo<'a, 'w> {
    pub ch: &'a mut Channel,
    pub w: &'a Waiter<'w>,
}

fn waited(w: &Waiter<'_>) -> io::Result<()> {
    w.wait().map_err(io::Error::other)
}

impl Read for ChanIo<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.ch.read(buf) {
                Ok(n) => {
                    self.w.progressed();
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => waited(self.w)?,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Write for ChanIo<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match self.ch.write(buf) {
                Ok(n) => {
                    self.w.progressed();
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => waited(self.w)?,
                Err(e) => return Err(e),
            }
        }
    }

    /// Nothing to do: libssh2 sends what `write` accepted. (The channel's
    /// own `flush` would discard unread input instead.)
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The waiter's error if there is one inside, else the I/O error.
pub(crate) fn unwrap_io(context: &str, e: io::Error) -> SshError {
    if e.get_ref().is_some_and(|inner| inner.is::<SshError>()) {
        if let Some(inner) = e.into_inner() {
            if let Ok(ssh) = inner.downcast::<SshError>() {
                return *ssh;
            }
        }
        return SshError::Other(context.to_owned());
    }
    SshError::io(context, e)
}

/// Single quotes for a remote POSIX shell.
pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_survive_the_shell() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
