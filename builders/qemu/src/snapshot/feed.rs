//! A restore's state, fed to QEMU as it loads: QEMU's `-incoming` reads
//! a named pipe in the work directory, and a thread of kiln's writes the
//! cached state into it, decompressed. A named pipe rather than an fd
//! handed over QMP (`getfd`) or an `exec:` decompressor: QEMU opens it
//! like the `file:` it reads otherwise, and no tool is needed on the host.
//!
//! QEMU's open blocks until the writer's side is open, and the writer's
//! non-blocking open fails until QEMU's side is, so the thread retries
//! until QEMU opens it (a relaunch after a lost port race too) or the
//! feed is dropped. A QEMU that dies while loading breaks the pipe, which
//! ends the thread.

use super::stream;
use crate::error::QemuError;
use kiln_core::Cancel;
use rustix::fs::{Mode, OFlags};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const FIFO: &str = "incoming.fifo";

/// The pipe's buffer: Linux's default maximum for unprivileged users.
const PIPE_SIZE: usize = 1 << 20;

/// How long a finished load may wait for the thread to notice the end.
const JOIN_WAIT: Duration = Duration::from_secs(10);

pub struct Feed {
    fifo: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<(), QemuError>>>,
}

impl Feed {
    /// Make the pipe in `work_dir` and start feeding it `zst`.
    pub fn start(zst: &Path, work_dir: &Path, cancel: &Cancel) -> Result<Feed, QemuError> {
        let fifo = work_dir.join(FIFO);
        let _ = std::fs::remove_file(&fifo);
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, Mode::RUSR | Mode::WUSR).map_err(|e| {
            QemuError::io(format!("creating the pipe {}", fifo.display()), e.into())
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        let (zst, path, flag, cancel) = (
            zst.to_path_buf(),
            fifo.clone(),
            stop.clone(),
            cancel.clone(),
        );
        let thread = std::thread::Builder::new()
            .name("qemu-incoming".into())
            .spawn(move || {
                let stopped = || flag.load(Ordering::Relaxed) || cancel.is_cancelled();
                let mut pipe = open_writer(&path, &stopped)?;
                stream::decompress(&zst, &mut pipe, &stopped)
            })
            .map_err(|e| QemuError::io("starting the state feed", e))?;
        Ok(Feed {
            fifo,
            stop,
            thread: Some(thread),
        })
    }

    /// The `-incoming` URI: the pipe.
    pub fn uri(&self) -> String {
        super::machine::state_uri(&self.fifo, false)
    }

    /// After QEMU has loaded the state: the thread's own result.
    pub fn finish(mut self) -> Result<(), QemuError> {
        let Some(t) = self.thread.take() else {
            return Ok(());
        };
        let started = Instant::now();
        while !t.is_finished() {
            if started.elapsed() > JOIN_WAIT {
                return Err(QemuError::Snapshot(
                    "the state feed did not end after QEMU loaded the state".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        t.join()
            .unwrap_or_else(|_| Err(QemuError::Snapshot("the state feed panicked".into())))
    }
}

impl Drop for Feed {
    /// Stops a thread still waiting for QEMU; one blocked writing ends
    /// when QEMU, killed by the cleanup, closes its side. Not joined: it
    /// may be waiting on exactly that.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = std::fs::remove_file(&self.fifo);
    }
}

/// Open the pipe's writing side once QEMU has its reading side open.
fn open_writer(fifo: &Path, stopped: &dyn Fn() -> bool) -> Result<std::fs::File, QemuError> {
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(OFlags::NONBLOCK.bits() as i32)
            .open(fifo)
        {
            Ok(f) => {
                // Blocking from here on: QEMU reads at its own pace.
                rustix::fs::fcntl_setfl(&f, OFlags::empty())
                    .map_err(|e| QemuError::io("setting up the state feed", e.into()))?;
                // Fewer, larger hand-overs than the default 64 KiB; best
                // effort (an unprivileged limit may be lower).
                let _ = rustix::pipe::fcntl_setpipe_size(&f, PIPE_SIZE);
                return Ok(f);
            }
            // Stopped: the pipe may be gone already.
            Err(_) if stopped() => {
                return Err(QemuError::Snapshot("the state feed was stopped".into()));
            }
            // No reader yet.
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) => {}
            Err(e) => {
                return Err(QemuError::io(format!("opening {}", fifo.display()), e));
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_reader_of_the_pipe_gets_the_whole_state() {
        let t = tempfile::tempdir().unwrap();
        let raw = t.path().join("raw");
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 13) as u8).collect();
        std::fs::write(&raw, &data).unwrap();
        let zst = t.path().join("state.zst");
        stream::compress(&raw, &zst, &Cancel::new()).unwrap();
        let feed = Feed::start(&zst, t.path(), &Cancel::new()).unwrap();
        assert_eq!(
            feed.uri(),
            format!("file:{}", t.path().join(FIFO).display())
        );
        // The reader comes late, as QEMU does.
        std::thread::sleep(Duration::from_millis(100));
        let mut back = Vec::new();
        std::fs::File::open(t.path().join(FIFO))
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert!(back == data, "the fed stream differs");
        feed.finish().unwrap();
        assert!(!t.path().join(FIFO).exists());
    }

    #[test]
    fn a_feed_nobody_reads_stops_when_dropped() {
        let t = tempfile::tempdir().unwrap();
        let zst = t.path().join("state.zst");
        std::fs::write(t.path().join("raw"), b"QEVM").unwrap();
        stream::compress(&t.path().join("raw"), &zst, &Cancel::new()).unwrap();
        let feed = Feed::start(&zst, t.path(), &Cancel::new()).unwrap();
        let stop = feed.stop.clone();
        let thread = {
            let mut feed = feed;
            let th = feed.thread.take().unwrap();
            drop(feed);
            th
        };
        assert!(stop.load(Ordering::Relaxed));
        let r = thread.join().unwrap();
        assert!(r.unwrap_err().to_string().contains("stopped"));
    }
}
