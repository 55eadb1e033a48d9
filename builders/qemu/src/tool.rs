//! Short-lived local tools (qemu-img, xorriso): run through
//! `kiln_core::process` (own process group, killed and reaped on cancel),
//! stdout kept, stderr kept for the error message.

use crate::error::QemuError;
use kiln_core::communicator::Output;
use kiln_core::Cancel;
use std::process::Command;

#[derive(Default)]
struct Captured {
    out: Vec<u8>,
    err: Vec<u8>,
}

impl Output for Captured {
    fn stdout(&mut self, chunk: &[u8]) {
        self.out.extend_from_slice(chunk);
    }
    fn stderr(&mut self, chunk: &[u8]) {
        self.err.extend_from_slice(chunk);
    }
}

/// Run `program args…`; its stdout on success.
pub fn run(program: &str, args: &[String], cancel: &Cancel) -> Result<String, QemuError> {
    let mut cmd = Command::new(program);
    cmd.args(args);
    tracing::info!(command = ?cmd, "running");
    let mut captured = Captured::default();
    let code = kiln_core::process::run(&mut cmd, &mut captured, cancel)?;
    let stderr = String::from_utf8_lossy(&captured.err).trim().to_owned();
    if code != 0 {
        return Err(QemuError::Tool {
            tool: format!(
                "{program} {}",
                args.first().map(String::as_str).unwrap_or("")
            ),
            code,
            stderr,
        });
    }
    Ok(String::from_utf8_lossy(&captured.out).into_owned())
}

/// Strings of an argument list, for `run`.
pub fn args<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}
