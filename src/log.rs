//! The detailed log: `KILN_LOG=1` (or Packer's `PACKER_LOG=1`) turns it on,
//! `KILN_LOG_PATH` / `PACKER_LOG_PATH` send it to a file instead of stderr.
//! Components log through `tracing`; every line is masked like the
//! terminal output.

use crate::ui::Mask;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tracing_subscriber::fmt::MakeWriter;

fn enabled(var: &str) -> bool {
    std::env::var(var)
        .map(|v| !v.is_empty() && v != "0")
        .unwrap_or(false)
}

fn path() -> Option<String> {
    ["KILN_LOG_PATH", "PACKER_LOG_PATH"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
}

/// Start logging if asked to. Errors opening the log file are reported
/// and logging goes to stderr instead.
pub fn init(mask: Mask) -> Result<(), String> {
    if !enabled("KILN_LOG") && !enabled("PACKER_LOG") {
        return Ok(());
    }
    let (sink, problem): (Box<dyn Write + Send>, _) = match path() {
        Some(p) => match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
        {
            Ok(f) => (Box::new(f), None),
            Err(e) => (
                Box::new(std::io::stderr()),
                Some(format!("cannot open log file {p}: {e}; logging to stderr")),
            ),
        },
        None => (Box::new(std::io::stderr()), None),
    };
    let writer = Masked {
        sink: Arc::new(Mutex::new(sink)),
        mask: Arc::new(mask),
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::DEBUG)
        .try_init();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "kiln log started");
    problem.map_or(Ok(()), Err)
}

#[derive(Clone)]
struct Masked {
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
    mask: Arc<Mask>,
}

/// One log event, buffered so it can be masked whole.
struct Event {
    owner: Masked,
    buf: Vec<u8>,
}

impl<'a> MakeWriter<'a> for Masked {
    type Writer = Event;
    fn make_writer(&'a self) -> Event {
        Event {
            owner: self.clone(),
            buf: Vec::new(),
        }
    }
}

impl Write for Event {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        let text = self.owner.mask.apply(&String::from_utf8_lossy(&self.buf));
        if let Ok(mut sink) = self.owner.sink.lock() {
            let _ = sink.write_all(text.as_bytes());
            let _ = sink.flush();
        }
    }
}
