//! Long reads (hashing, archiving) stop when the build is cancelled and
//! report how far they got.

use kiln_core::{BuildError, Cancel, Progress};
use std::io::{self, Read};

use crate::error::PostProcessError;

/// A reader that fails once `cancel` fires and counts bytes into a
/// progress indicator.
pub(crate) struct Watched<'a, R> {
    inner: R,
    cancel: &'a Cancel,
    progress: Option<&'a dyn Progress>,
}

impl<'a, R: Read> Watched<'a, R> {
    pub(crate) fn new(inner: R, cancel: &'a Cancel, progress: Option<&'a dyn Progress>) -> Self {
        Watched {
            inner,
            cancel,
            progress,
        }
    }
}

impl<R: Read> Read for Watched<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.is_cancelled() {
            // Not `Interrupted`: `io::copy` would retry that forever.
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        if let Some(p) = self.progress {
            p.inc(n as u64);
        }
        Ok(n)
    }
}

/// The error the engine sees: a cancellation when the token fired (the I/O
/// error is then only its echo), the failure otherwise.
pub(crate) fn fail(cancel: &Cancel, e: PostProcessError) -> BuildError {
    match cancel.reason() {
        Some(r) => BuildError::from_reason(r, None),
        None => e.into(),
    }
}
