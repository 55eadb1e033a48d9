//! Block-parallel compression behind an `io::Write`: input is cut into
//! blocks, worker threads compress them, and the results are written in
//! order. What a block becomes (and what frames the stream) is the
//! codec's business: one gzip member chained by preset dictionaries (as
//! pigz and Go's pgzip do), or independent BGZF members.
//!
//! Written here rather than taken from `gzp`: that crate's gzip path needs
//! a C zlib backend for dictionaries, while kiln pins flate2 to zlib-rs;
//! the worker pool is a few dozen lines.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// How deflate's window reaches back: a block is compressed with the last
/// this-many bytes of input before it as its dictionary.
pub(crate) const WINDOW: usize = 32 * 1024;

pub(crate) trait BlockCodec: Send + Sync + 'static {
    /// Input bytes per block.
    fn block_size(&self) -> usize;
    /// Whether `encode` wants the previous input as a dictionary.
    fn chained(&self) -> bool;
    /// Bytes before the first block.
    fn header(&self) -> Vec<u8>;
    /// Compress one block. `last` is set on the final call, which may
    /// carry no data.
    fn encode(&self, dict: &[u8], data: &[u8], last: bool) -> io::Result<Vec<u8>>;
    /// Bytes after the last block, given the CRC-32 and length of all input.
    fn trailer(&self, crc: u32, len: u64) -> Vec<u8>;
}

type Job = Box<dyn FnOnce() + Send>;

/// Worker threads taking jobs from one queue; dropping the pool closes the
/// queue and waits for them.
struct Pool {
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

impl Pool {
    fn new(threads: usize) -> Pool {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let workers = (0..threads.max(1))
            .map(|_| {
                let rx = Arc::clone(&rx);
                std::thread::spawn(move || loop {
                    // The guard is dropped before the job runs.
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })
            })
            .collect();
        Pool {
            jobs: Some(tx),
            workers,
        }
    }

    fn run(&self, job: Job) -> io::Result<()> {
        self.jobs
            .as_ref()
            .and_then(|tx| tx.send(job).ok())
            .ok_or_else(|| io::Error::other("compression workers stopped"))
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.jobs = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

pub(crate) struct ParallelWriter<W: Write, C: BlockCodec> {
    inner: W,
    codec: Arc<C>,
    buf: Vec<u8>,
    dict: Vec<u8>,
    crc: crc32fast::Hasher,
    len: u64,
    pending: VecDeque<Receiver<io::Result<Vec<u8>>>>,
    max_pending: usize,
    // Last: dropped after the receivers, so no worker waits on a full
    // reply channel while being joined.
    pool: Pool,
}

impl<W: Write, C: BlockCodec> ParallelWriter<W, C> {
    pub(crate) fn new(mut inner: W, codec: C, threads: usize) -> io::Result<Self> {
        inner.write_all(&codec.header())?;
        let threads = threads.max(1);
        Ok(ParallelWriter {
            inner,
            buf: Vec::with_capacity(codec.block_size()),
            codec: Arc::new(codec),
            dict: Vec::new(),
            crc: crc32fast::Hasher::new(),
            len: 0,
            pending: VecDeque::new(),
            // Enough queued blocks to keep every worker busy while the
            // oldest one is written, and a bound on memory.
            max_pending: threads * 2,
            pool: Pool::new(threads),
        })
    }

    fn dispatch(&mut self, last: bool) -> io::Result<()> {
        let data = std::mem::replace(&mut self.buf, Vec::with_capacity(self.codec.block_size()));
        self.crc.update(&data);
        self.len += data.len() as u64;
        let dict = if self.codec.chained() {
            let next = tail(&self.dict, &data);
            std::mem::replace(&mut self.dict, next)
        } else {
            Vec::new()
        };
        let (tx, rx) = mpsc::sync_channel(1);
        let codec = Arc::clone(&self.codec);
        self.pool.run(Box::new(move || {
            let _ = tx.send(codec.encode(&dict, &data, last));
        }))?;
        self.pending.push_back(rx);
        while self.pending.len() > self.max_pending {
            self.write_oldest()?;
        }
        Ok(())
    }

    fn write_oldest(&mut self) -> io::Result<()> {
        if let Some(rx) = self.pending.pop_front() {
            let block = rx
                .recv()
                .map_err(|_| io::Error::other("a compression worker stopped"))??;
            self.inner.write_all(&block)?;
        }
        Ok(())
    }

    /// Compress what is left, write the trailer and hand back the writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.dispatch(true)?;
        while !self.pending.is_empty() {
            self.write_oldest()?;
        }
        let trailer = self.codec.trailer(self.crc.clone().finalize(), self.len);
        self.inner.write_all(&trailer)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write, C: BlockCodec> Write for ParallelWriter<W, C> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = self.codec.block_size().saturating_sub(self.buf.len());
        let n = data.len().min(room);
        self.buf
            .extend_from_slice(data.get(..n).unwrap_or_default());
        if self.buf.len() >= self.codec.block_size() {
            self.dispatch(false)?;
        }
        Ok(n)
    }

    /// Blocks are only complete at `finish`; flushing pushes out what is
    /// already compressed.
    fn flush(&mut self) -> io::Result<()> {
        while !self.pending.is_empty() {
            self.write_oldest()?;
        }
        self.inner.flush()
    }
}

/// The last `WINDOW` bytes of `prev` followed by `data`.
fn tail(prev: &[u8], data: &[u8]) -> Vec<u8> {
    if data.len() >= WINDOW {
        return data.get(data.len() - WINDOW..).unwrap_or_default().to_vec();
    }
    let start = prev.len().saturating_sub(WINDOW - data.len());
    let mut out = prev.get(start..).unwrap_or_default().to_vec();
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_slides_over_blocks() {
        let a = vec![1u8; WINDOW];
        assert_eq!(tail(&a, &[2, 3]).len(), WINDOW);
        assert_eq!(tail(&a, &[2, 3]).last(), Some(&3));
        assert_eq!(tail(&[], &[7]), [7]);
        assert_eq!(tail(&[1, 2], &vec![9u8; WINDOW + 5]), vec![9u8; WINDOW]);
    }
}
