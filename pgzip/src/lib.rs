//! Block-parallel gzip writers shared by the compress post-processor and
//! the OCI builder's layer writer (a crate of its own so neither depends
//! on the other for it).
//!
//! [`ParallelGzip`] writes one gzip member with a fixed header (mtime 0,
//! no name), equal input giving equal bytes whatever the thread count;
//! [`ParallelBgzf`] writes `bgzip`'s blocked gzip.

// Tests may unwrap: a failure is the test failing.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod codec;
mod parallel;

use std::io::{self, Write};

/// A gzip stream compressed on `threads` cores, as pigz does: blocks
/// chained by preset dictionaries into a single member.
pub struct ParallelGzip<W: Write>(parallel::ParallelWriter<W, codec::Gzip>);

impl<W: Write> ParallelGzip<W> {
    /// `level` is deflate's 1 (fast) to 9 (small).
    pub fn new(inner: W, level: u32, threads: usize) -> io::Result<Self> {
        parallel::ParallelWriter::new(inner, codec::Gzip { level }, threads).map(ParallelGzip)
    }

    /// End the stream and hand back the writer.
    pub fn finish(self) -> io::Result<W> {
        self.0.finish()
    }
}

impl<W: Write> Write for ParallelGzip<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// BGZF (`bgzip`, samtools) compressed on `threads` cores: independent
/// gzip members of at most 64 KiB, ended by the standard EOF member.
pub struct ParallelBgzf<W: Write>(parallel::ParallelWriter<W, codec::Bgzf>);

impl<W: Write> ParallelBgzf<W> {
    /// `level` is deflate's 1 (fast) to 9 (small).
    pub fn new(inner: W, level: u32, threads: usize) -> io::Result<Self> {
        parallel::ParallelWriter::new(inner, codec::Bgzf { level }, threads).map(ParallelBgzf)
    }

    /// End the stream and hand back the writer.
    pub fn finish(self) -> io::Result<W> {
        self.0.finish()
    }
}

impl<W: Write> Write for ParallelBgzf<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}
