//! How provisioners reach the machine being built. Implementations: `ssh`
//! (communicators/ssh), `sandbox` (communicators/sandbox) and [`NoneComm`]
//! for builds with `communicator = "none"`.

use crate::cancel::Cancel;
use crate::ui::Ui;
use std::io::{Read, Write};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum CommError {
    /// The build has `communicator = "none"`.
    #[error("this build has no communicator (communicator = \"none\"): cannot {0}")]
    NotAvailable(&'static str),
    /// The connection dropped while a command ran (e.g. the machine rebooted).
    #[error("the connection to the machine was lost")]
    Disconnected,
    #[error("cancelled")]
    Cancelled,
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The communicator cannot do this (see [`Communicator::exec_with_stdin`]).
    #[error("this communicator cannot {0}")]
    Unsupported(&'static str),
    #[error("{0}")]
    Other(String),
}

impl CommError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> CommError {
        CommError::Io {
            context: context.into(),
            source,
        }
    }
}

/// Where a running command's output goes, as it arrives.
pub trait Output: Send {
    fn stdout(&mut self, chunk: &[u8]);
    fn stderr(&mut self, chunk: &[u8]);
}

/// File attributes kept by uploads.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileMode(pub Option<u32>);

pub trait Communicator: Send + Sync {
    /// Run `command` through the machine's shell; output streams to `out`.
    /// Returns the exit status.
    fn exec(&self, command: &str, out: &mut dyn Output, cancel: &Cancel) -> Result<i32, CommError>;
    /// Like [`Communicator::exec`], with `stdin` streamed to the command's
    /// input as it arrives and closed at its end (what the ansible SSH
    /// adapter needs: pipelined modules, `sftp-server`, `become`
    /// prompts). The reader is owned so that a command that ends without
    /// reading all of it does not wait for the rest.
    fn exec_with_stdin(
        &self,
        command: &str,
        stdin: Box<dyn Read + Send>,
        out: &mut dyn Output,
        cancel: &Cancel,
    ) -> Result<i32, CommError> {
        let _ = (command, stdin, out, cancel);
        Err(CommError::Unsupported("feed a command's standard input"))
    }
    /// Write `src` to the file `dst` on the machine.
    fn upload(&self, dst: &str, src: &mut dyn Read, mode: FileMode) -> Result<(), CommError>;
    /// Upload the local file `src` to `dst`, keeping its mode. A
    /// communicator that can tell should put it inside `dst` when that is
    /// a directory on the machine (Packer's rule); this default cannot.
    fn upload_file(&self, dst: &str, src: &Path) -> Result<(), CommError> {
        let mut f = std::fs::File::open(src)
            .map_err(|e| CommError::io(format!("open {}", src.display()), e))?;
        let meta = f
            .metadata()
            .map_err(|e| CommError::io(format!("stat {}", src.display()), e))?;
        let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777;
        self.upload(dst, &mut f, FileMode(Some(mode)))
    }
    /// Copy the local directory `src` into `dst` on the machine (Packer's
    /// rules: `src` with a trailing slash copies its contents, without one
    /// the directory itself).
    fn upload_dir(&self, dst: &str, src: &Path) -> Result<(), CommError>;
    /// Read the machine's file `src` into `dst`.
    fn download(&self, src: &str, dst: &mut dyn Write) -> Result<(), CommError>;
    /// Copy the machine's directory `src` into the local `dst`.
    fn download_dir(&self, src: &str, dst: &Path) -> Result<(), CommError>;
    /// The machine's root filesystem as a directory on this host, when
    /// the communicator works on one (a container's sandbox): readers
    /// such as the SBOM's then read it in place instead of downloading.
    fn root_dir(&self) -> Option<&Path> {
        None
    }
}

/// `communicator = "none"`: every operation is an error.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoneComm;

impl Communicator for NoneComm {
    fn exec(&self, _: &str, _: &mut dyn Output, _: &Cancel) -> Result<i32, CommError> {
        Err(CommError::NotAvailable("run commands on the machine"))
    }
    fn upload(&self, _: &str, _: &mut dyn Read, _: FileMode) -> Result<(), CommError> {
        Err(CommError::NotAvailable("upload files"))
    }
    fn upload_dir(&self, _: &str, _: &Path) -> Result<(), CommError> {
        Err(CommError::NotAvailable("upload files"))
    }
    fn download(&self, _: &str, _: &mut dyn Write) -> Result<(), CommError> {
        Err(CommError::NotAvailable("download files"))
    }
    fn download_dir(&self, _: &str, _: &Path) -> Result<(), CommError> {
        Err(CommError::NotAvailable("download files"))
    }
}

/// Output split into lines for a [`Ui`]: stdout lines as messages, stderr
/// lines as errors (Packer's layout). Partial lines wait for their end, or
/// for [`UiLines::flush`].
pub struct UiLines<'a> {
    ui: &'a dyn Ui,
    out: Vec<u8>,
    err: Vec<u8>,
}

impl<'a> UiLines<'a> {
    pub fn new(ui: &'a dyn Ui) -> UiLines<'a> {
        UiLines {
            ui,
            out: Vec::new(),
            err: Vec::new(),
        }
    }

    fn emit(ui: &dyn Ui, buf: &mut Vec<u8>, is_err: bool, all: bool) {
        while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            Self::line(ui, &line[..line.len() - 1], is_err);
        }
        if all && !buf.is_empty() {
            let line = std::mem::take(buf);
            Self::line(ui, &line, is_err);
        }
    }

    fn line(ui: &dyn Ui, bytes: &[u8], is_err: bool) {
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_end_matches('\r');
        if is_err {
            ui.error(text);
        } else {
            ui.message(text);
        }
    }

    /// Print what is left of unfinished lines.
    pub fn flush(&mut self) {
        Self::emit(self.ui, &mut self.out, false, true);
        Self::emit(self.ui, &mut self.err, true, true);
    }
}

impl Output for UiLines<'_> {
    fn stdout(&mut self, chunk: &[u8]) {
        self.out.extend_from_slice(chunk);
        Self::emit(self.ui, &mut self.out, false, false);
    }
    fn stderr(&mut self, chunk: &[u8]) {
        self.err.extend_from_slice(chunk);
        Self::emit(self.ui, &mut self.err, true, false);
    }
}

impl Drop for UiLines<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::RecordingUi;

    #[test]
    fn lines_are_split_and_partials_flushed() {
        let ui = RecordingUi::default();
        {
            let mut l = UiLines::new(&ui);
            l.stdout(b"one\ntw");
            l.stderr(b"bad\r\n");
            l.stdout(b"o\nthree");
        }
        assert_eq!(ui.of("message"), ["one", "two", "three"]);
        assert_eq!(ui.of("error"), ["bad"]);
    }
}
