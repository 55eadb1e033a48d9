//! The two gzip flavours, as [`BlockCodec`]s: the compress
//! post-processor writes both, the OCI builder's layers are `Gzip`.
//!
//! `Gzip` is a single gzip member like pigz's or Go pgzip's: each block is
//! raw deflate primed with the 32 KiB before it and ended by a sync flush,
//! so the blocks concatenate into one deflate stream any gunzip reads. The
//! header is fixed (no name, mtime 0, OS "unknown") so equal input gives
//! equal output.
//!
//! `Bgzf` is the blocked format of `bgzip`/samtools: independent gzip
//! members of at most 64 KiB with a `BC` extra field giving their size,
//! closed by the standard empty EOF member.

use flate2::{Compress, Compression, FlushCompress, Status};
use std::io;

use crate::parallel::BlockCodec;

/// Fixed gzip header: deflate, no flags, mtime 0, no extra flags, OS 255.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

pub(crate) struct Gzip {
    pub(crate) level: u32,
}

/// Input per block: large enough that the sync-flush marker and lost
/// context cost nothing measurable, small enough to spread a few hundred
/// MiB over all cores.
const GZIP_BLOCK: usize = 256 * 1024;

impl BlockCodec for Gzip {
    fn block_size(&self) -> usize {
        GZIP_BLOCK
    }

    fn chained(&self) -> bool {
        true
    }

    fn header(&self) -> Vec<u8> {
        GZIP_HEADER.to_vec()
    }

    fn encode(&self, dict: &[u8], data: &[u8], last: bool) -> io::Result<Vec<u8>> {
        let mut c = Compress::new(Compression::new(self.level), false);
        if !dict.is_empty() {
            c.set_dictionary(dict).map_err(io::Error::other)?;
        }
        let flush = if last {
            FlushCompress::Finish
        } else {
            FlushCompress::Sync
        };
        deflate(&mut c, data, flush)
    }

    fn trailer(&self, crc: u32, len: u64) -> Vec<u8> {
        let mut t = crc.to_le_bytes().to_vec();
        // ISIZE is the length modulo 2^32.
        t.extend_from_slice(&(len as u32).to_le_bytes());
        t
    }
}

/// Raw deflate of `input`, ended by `flush` (`Sync`: byte-aligned, stream
/// open; `Finish`: final block).
fn deflate(c: &mut Compress, mut input: &[u8], flush: FlushCompress) -> io::Result<Vec<u8>> {
    let finish = matches!(flush, FlushCompress::Finish);
    let mut out = Vec::with_capacity(input.len() / 2 + 128);
    loop {
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(4096));
        }
        let before = c.total_in();
        let status = c
            .compress_vec(input, &mut out, flush)
            .map_err(io::Error::other)?;
        let used = usize::try_from(c.total_in() - before).unwrap_or(input.len());
        input = input.get(used..).unwrap_or_default();
        let done = if finish {
            status == Status::StreamEnd
        } else {
            // A sync flush is complete when it stopped with room to spare.
            input.is_empty() && out.len() < out.capacity()
        };
        if done {
            return Ok(out);
        }
    }
}

pub(crate) struct Bgzf {
    pub(crate) level: u32,
}

/// bgzip's input per block: what still fits 64 KiB when incompressible.
const BGZF_BLOCK: usize = 0xff00;
const BGZF_MAX: usize = 0x10000;
const BGZF_OVERHEAD: usize = 18 + 8;
const BGZF_EOF: [u8; 28] = [
    0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0, 0x1b, 0, 3, 0, 0, 0, 0, 0, 0, 0,
    0, 0,
];

impl BlockCodec for Bgzf {
    fn block_size(&self) -> usize {
        BGZF_BLOCK
    }

    fn chained(&self) -> bool {
        false
    }

    fn header(&self) -> Vec<u8> {
        Vec::new()
    }

    fn encode(&self, _dict: &[u8], data: &[u8], _last: bool) -> io::Result<Vec<u8>> {
        if data.is_empty() {
            return Ok(Vec::new());
        }
        let mut body = deflate(
            &mut Compress::new(Compression::new(self.level), false),
            data,
            FlushCompress::Finish,
        )?;
        if body.len() + BGZF_OVERHEAD > BGZF_MAX {
            // Incompressible: stored blocks always fit.
            body = deflate(
                &mut Compress::new(Compression::none(), false),
                data,
                FlushCompress::Finish,
            )?;
        }
        let total = body.len() + BGZF_OVERHEAD;
        let bsize = u16::try_from(total - 1).map_err(io::Error::other)?;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&[
            0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0,
        ]);
        out.extend_from_slice(&bsize.to_le_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        Ok(out)
    }

    fn trailer(&self, _crc: u32, _len: u64) -> Vec<u8> {
        BGZF_EOF.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::ParallelWriter;
    use std::io::{Read, Write};

    /// Text that compresses, with repeats reaching across block edges.
    fn sample(len: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(len);
        let mut x: u32 = 1;
        while v.len() < len {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let word = ["alpha ", "beta ", "gamma\n", "delta ", "kiln "][(x >> 16) as usize % 5];
            v.extend_from_slice(word.as_bytes());
        }
        v.truncate(len);
        v
    }

    fn compress<C: BlockCodec>(codec: C, data: &[u8], threads: usize) -> Vec<u8> {
        let mut w = ParallelWriter::new(Vec::new(), codec, threads).unwrap();
        // Odd-sized writes, so blocks are cut mid-write.
        for chunk in data.chunks(7777) {
            w.write_all(chunk).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn one_gzip_member_that_reads_back() {
        for len in [0, 1, GZIP_BLOCK - 1, GZIP_BLOCK, 3 * GZIP_BLOCK + 17] {
            let data = sample(len);
            let gz = compress(Gzip { level: 6 }, &data, 3);
            let mut back = Vec::new();
            // A single-member decoder: concatenated members would stop early.
            let mut d = flate2::read::GzDecoder::new(&gz[..]);
            d.read_to_end(&mut back).unwrap();
            assert_eq!(back, data, "len {len}");
            let mut rest = Vec::new();
            d.into_inner().read_to_end(&mut rest).unwrap();
            assert!(rest.is_empty(), "one member only");
            assert!(gz.len() < data.len() / 2 + 64, "it compresses");
        }
    }

    #[test]
    fn chaining_keeps_the_ratio_and_output_is_deterministic() {
        let data = sample(4 * GZIP_BLOCK);
        let parallel = compress(Gzip { level: 6 }, &data, 2);
        let mut serial = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        serial.write_all(&data).unwrap();
        let serial = serial.finish().unwrap();
        assert!(parallel.len() < serial.len() + serial.len() / 50 + 64);
        assert_eq!(parallel, compress(Gzip { level: 6 }, &data, 1));
    }

    #[test]
    fn bgzf_blocks_are_bounded_members_with_an_eof_marker() {
        let data = sample(3 * BGZF_BLOCK + 5);
        let out = compress(Bgzf { level: 6 }, &data, 2);
        assert!(out.ends_with(&BGZF_EOF));
        let mut back = Vec::new();
        flate2::read::MultiGzDecoder::new(&out[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
        // Walk the members by their BSIZE.
        let mut at = 0;
        let mut members = 0;
        while at < out.len() {
            let bsize = u16::from_le_bytes([out[at + 16], out[at + 17]]) as usize + 1;
            assert!(bsize <= BGZF_MAX);
            at += bsize;
            members += 1;
        }
        assert_eq!(at, out.len());
        assert_eq!(members, 5, "four data blocks and the EOF marker");
    }

    #[test]
    fn incompressible_bgzf_blocks_still_fit() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let data: Vec<u8> = (0..BGZF_BLOCK * 2)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let out = compress(Bgzf { level: 9 }, &data, 2);
        let mut back = Vec::new();
        flate2::read::MultiGzDecoder::new(&out[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
    }
}
