//! The compressing writer for each algorithm, behind one type.

use lzma_rust2::{XzOptions, XzWriterMt};
use std::io::{self, Write};
use std::num::NonZeroU64;

use super::format::Algorithm;
use kiln_pgzip::{ParallelBgzf, ParallelGzip};

pub(super) enum Encoder<W: Write> {
    Plain(W),
    Gzip(ParallelGzip<W>),
    Bgzf(ParallelBgzf<W>),
    Zstd(zstd::stream::write::Encoder<'static, W>),
    // Boxed: these two are several times the size of the others.
    Lz4(Box<lz4_flex::frame::FrameEncoder<W>>),
    Xz(Box<XzWriterMt<W>>),
}

/// Threads an algorithm uses: lz4_flex's frame encoder has no parallel
/// mode (lz4 is rarely the bottleneck next to the disk).
pub(super) fn threads_for(algorithm: Algorithm, cores: usize) -> usize {
    match algorithm {
        Algorithm::Lz4 => 1,
        _ => cores.max(1),
    }
}

impl<W: Write> Encoder<W> {
    /// `level` is already within the algorithm's range.
    pub(super) fn new(
        out: W,
        algorithm: Option<Algorithm>,
        level: i64,
        cores: usize,
    ) -> io::Result<Encoder<W>> {
        let Some(a) = algorithm else {
            return Ok(Encoder::Plain(out));
        };
        let threads = threads_for(a, cores);
        let level_u32 = u32::try_from(level).unwrap_or(6);
        Ok(match a {
            Algorithm::Gzip => Encoder::Gzip(ParallelGzip::new(out, level_u32, threads)?),
            Algorithm::Bgzf => Encoder::Bgzf(ParallelBgzf::new(out, level_u32, threads)?),
            Algorithm::Zstd => {
                let mut e =
                    zstd::stream::write::Encoder::new(out, i32::try_from(level).unwrap_or(3))?;
                e.include_checksum(true)?;
                if threads > 1 {
                    e.multithread(u32::try_from(threads).unwrap_or(1))?;
                }
                Encoder::Zstd(e)
            }
            // lz4 has no levels in lz4_flex; Packer passes the level to
            // lz4's HC mode, which only trades speed for a little size.
            Algorithm::Lz4 => Encoder::Lz4(Box::new(lz4_flex::frame::FrameEncoder::new(out))),
            Algorithm::Xz => {
                let mut opts = XzOptions::with_preset(level_u32);
                // xz's own choice for threaded mode: three dictionaries.
                let block = u64::from(opts.lzma_options.dict_size).saturating_mul(3);
                opts.set_block_size(NonZeroU64::new(block.max(1 << 20)));
                Encoder::Xz(Box::new(XzWriterMt::new(
                    out,
                    opts,
                    u32::try_from(threads).unwrap_or(1),
                )?))
            }
        })
    }

    /// End the stream and hand back the writer.
    pub(super) fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Plain(mut w) => {
                w.flush()?;
                Ok(w)
            }
            Encoder::Gzip(w) => w.finish(),
            Encoder::Bgzf(w) => w.finish(),
            Encoder::Zstd(w) => w.finish(),
            Encoder::Lz4(w) => w.finish().map_err(io::Error::other),
            Encoder::Xz(w) => w.finish(),
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Encoder::Plain(w) => w,
            Encoder::Gzip(w) => w,
            Encoder::Bgzf(w) => w,
            Encoder::Zstd(w) => w,
            Encoder::Lz4(w) => w.as_mut(),
            Encoder::Xz(w) => w.as_mut(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
    }
}
