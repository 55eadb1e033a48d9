//! Layer compression: reading any of the three layer encodings (found by
//! their magic bytes, as container tools do) and writing gzip or zstd.
//! gzip goes through kiln-pgzip's block-parallel writer
//! (fixed header, one member, every core); zstd uses libzstd's threads.

use std::io::{self, BufRead, BufReader, Read, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    Gzip,
    Zstd,
    None,
}

impl Compression {
    pub fn parse(s: &str) -> Option<Compression> {
        Some(match s {
            "gzip" | "" => Compression::Gzip,
            "zstd" => Compression::Zstd,
            "none" | "uncompressed" => Compression::None,
            _ => return None,
        })
    }

    /// The OCI layer media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
        }
    }
}

/// A reader of the uncompressed tar, whatever the layer's encoding.
pub fn decompressed<'a, R: Read + 'a>(inner: R) -> io::Result<Box<dyn Read + 'a>> {
    let mut r = BufReader::with_capacity(256 * 1024, inner);
    let head = r.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(r)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Ok(Box::new(zstd::stream::read::Decoder::with_buffer(r)?))
    } else {
        Ok(Box::new(r))
    }
}

/// A compressing writer; `finish` ends the stream and returns `inner`.
pub enum Compressor<W: Write + Send + 'static> {
    Gzip(kiln_pgzip::ParallelGzip<W>),
    Zstd(zstd::stream::write::Encoder<'static, W>),
    None(W),
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl<W: Write + Send + 'static> Compressor<W> {
    pub fn new(inner: W, c: Compression) -> io::Result<Self> {
        Ok(match c {
            // Level 6, gzip's and pigz's default: what `tar | pigz` is
            // compared with.
            Compression::Gzip => {
                Compressor::Gzip(kiln_pgzip::ParallelGzip::new(inner, 6, cores())?)
            }
            Compression::Zstd => {
                let mut e = zstd::stream::write::Encoder::new(inner, 3)?;
                e.multithread(u32::try_from(cores()).unwrap_or(1))?;
                // Content size and checksum off: the same bytes whatever
                // the thread count.
                e.include_checksum(false)?;
                Compressor::Zstd(e)
            }
            Compression::None => Compressor::None(inner),
        })
    }

    pub fn finish(self) -> io::Result<W> {
        match self {
            Compressor::Gzip(g) => g.finish(),
            Compressor::Zstd(z) => z.finish(),
            Compressor::None(w) => Ok(w),
        }
    }
}

impl<W: Write + Send + 'static> Write for Compressor<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Compressor::Gzip(g) => g.write(buf),
            Compressor::Zstd(z) => z.write(buf),
            Compressor::None(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Compressor::Gzip(g) => g.flush(),
            Compressor::Zstd(z) => z.flush(),
            Compressor::None(w) => w.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_encoding_reads_back() {
        let data: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for c in [Compression::Gzip, Compression::Zstd, Compression::None] {
            let mut w = Compressor::new(Vec::new(), c).unwrap();
            w.write_all(&data).unwrap();
            let out = w.finish().unwrap();
            let mut back = Vec::new();
            decompressed(out.as_slice())
                .unwrap()
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, data, "{c:?}");
        }
    }

    #[test]
    fn gzip_output_is_the_same_twice() {
        let data = vec![7u8; 1_000_000];
        let one = |()| {
            let mut w = Compressor::new(Vec::new(), Compression::Gzip).unwrap();
            w.write_all(&data).unwrap();
            w.finish().unwrap()
        };
        assert_eq!(one(()), one(()));
    }
}
