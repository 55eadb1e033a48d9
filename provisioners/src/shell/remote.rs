//! What the shell provisioner does on the machine: upload a script and
//! run it, upload the variables file, remove what it left. Each of these
//! is retried for `start_retry_timeout` while the machine does not answer
//! (Packer wraps them the same way), so a reboot in between is waited out.

use super::error::ShellError;
use crate::retry::{self, Attempt};
use kiln_core::communicator::FileMode;
use kiln_core::{Cancel, CommError, Communicator, Output, Ui, UiLines};
use std::time::Duration;

/// The exit status Packer gives a command whose connection dropped before
/// it reported one (`packer.CmdDisconnect`).
pub(crate) const DISCONNECTED: i32 = 2_300_218;

/// How long a last-chance removal after a failure may take.
const BEST_EFFORT: Duration = Duration::from_secs(10);

pub(crate) struct Remote<'a> {
    pub comm: &'a dyn Communicator,
    pub ui: &'a dyn Ui,
    pub cancel: &'a Cancel,
    pub start_retry_timeout: Duration,
}

/// Output nobody reads (`chmod`, `rm`), as Packer discards it.
struct Discard;

impl Output for Discard {
    fn stdout(&mut self, _: &[u8]) {}
    fn stderr(&mut self, _: &[u8]) {}
}

/// A failed operation: cancellation and a build without a communicator
/// end the loop (waiting cannot help; Packer would retry for the whole
/// `start_retry_timeout`), anything else is worth another attempt.
fn classify(e: CommError, wrap: impl FnOnce(CommError) -> ShellError) -> Attempt<ShellError> {
    match e {
        CommError::Cancelled => Attempt::Stop(ShellError::Cancelled),
        e @ CommError::NotAvailable(_) => Attempt::Stop(wrap(e)),
        other => Attempt::Again(wrap(other)),
    }
}

impl Remote<'_> {
    fn retry<T>(
        &self,
        mut f: impl FnMut() -> Result<T, Attempt<ShellError>>,
    ) -> Result<T, ShellError> {
        let r =
            retry::with_start_timeout(self.cancel, self.start_retry_timeout, retry::DELAY, || {
                if self.cancel.is_cancelled() {
                    return Err(Attempt::Stop(ShellError::Cancelled));
                }
                f()
            });
        // A cancel during the pause between attempts ends the loop with the
        // last failure; it is the cancel that counts.
        match r {
            Err(_) if self.cancel.is_cancelled() => Err(ShellError::Cancelled),
            other => other,
        }
    }

    /// `chmod`, whose outcome Packer ignores once it has started.
    fn chmod(&self, path: &str, mode: &'static str) -> Result<(), Attempt<ShellError>> {
        match self
            .comm
            .exec(&format!("chmod {mode} {path}"), &mut Discard, self.cancel)
        {
            Ok(_) | Err(CommError::Disconnected) => Ok(()),
            Err(e) => Err(classify(e, |source| ShellError::Chmod { mode, source })),
        }
    }

    /// Upload `script` to `path`, make it executable and run `command`,
    /// its output shown as it comes. A dropped connection is
    /// [`DISCONNECTED`].
    pub fn upload_and_run(
        &self,
        path: &str,
        script: &[u8],
        command: &str,
    ) -> Result<i32, ShellError> {
        self.retry(|| {
            let mut src = script;
            self.comm
                .upload(path, &mut src, FileMode(Some(0o644)))
                .map_err(|e| classify(e, ShellError::UploadScript))?;
            self.chmod(path, "0755")?;
            tracing::debug!("running {command}");
            let mut out = UiLines::new(self.ui);
            let r = self.comm.exec(command, &mut out, self.cancel);
            out.flush();
            match r {
                Ok(code) => Ok(code),
                Err(CommError::Disconnected) => Ok(DISCONNECTED),
                Err(e) => Err(classify(e, ShellError::Start)),
            }
        })
    }

    /// Upload the `use_env_var_file` variables, readable by their owner
    /// only.
    pub fn upload_env_var_file(&self, path: &str, content: &[u8]) -> Result<(), ShellError> {
        self.retry(|| {
            let mut src = content;
            self.comm
                .upload(path, &mut src, FileMode(Some(0o600)))
                .map_err(|e| classify(e, ShellError::UploadEnvVarFile))?;
            self.chmod(path, "0600")
        })
    }

    /// `rm -f path`, retried as Packer does (the script may have rebooted
    /// the machine).
    pub fn remove(&self, path: &str) -> Result<(), ShellError> {
        self.retry(|| self.remove_attempt(path, self.cancel))
    }

    fn remove_attempt(&self, path: &str, cancel: &Cancel) -> Result<(), Attempt<ShellError>> {
        match self
            .comm
            .exec(&format!("rm -f {path}"), &mut Discard, cancel)
        {
            Ok(0) => Ok(()),
            Ok(_) => Err(Attempt::Again(ShellError::RemoveFailed {
                path: path.to_owned(),
            })),
            Err(CommError::Disconnected) => Err(Attempt::Again(ShellError::RemoveDisconnected)),
            Err(e) => Err(classify(e, |source| ShellError::Remove {
                path: path.to_owned(),
                source,
            })),
        }
    }

    /// One bounded attempt at removing `path` after a failure or a
    /// cancel, so a failed script does not stay on the machine (Packer
    /// leaves it). It runs on a token of its own, as cleanups do, so a
    /// cancelled build still removes it. Its own failure is only logged:
    /// the original error is the one to report.
    pub fn remove_after_failure(&self, path: &str) {
        let bounded = Cancel::new().with_timeout(BEST_EFFORT);
        if let Err(Attempt::Again(e) | Attempt::Stop(e)) = self.remove_attempt(path, &bounded) {
            tracing::debug!("leaving {path} behind: {e}");
        }
    }
}
