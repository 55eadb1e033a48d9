//! [`SshComm`]: kiln's [`Communicator`] over SSH.

use crate::config::{SshSettings, Transfer};
use crate::connect::{wait_for_ssh, Conn, OpenError};
use crate::error::SshError;
use crate::pipe::{shell_quote, unwrap_io, ChanIo};
use crate::scp::Duplex;
use crate::{exec, scp, sftp};
use kiln_core::communicator::FileMode;
use kiln_core::{Cancel, CommError, Communicator, Output};
use ssh2::ExtendedData;
use std::io::{BufReader, Read, Seek, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A connected SSH communicator. Cheap to share between threads; every
/// operation opens its own channel on the one connection.
pub struct SshComm {
    settings: SshSettings,
    conn: Mutex<Arc<Conn>>,
}

impl std::fmt::Debug for SshComm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshComm")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl SshComm {
    /// Connect, retrying until the machine answers, `settings.timeout`
    /// passes ([`SshError::TimedOut`]) or `cancel` fires.
    pub fn connect(settings: SshSettings, cancel: &Cancel) -> Result<SshComm, SshError> {
        let conn = wait_for_ssh(&settings, cancel)?;
        Ok(SshComm {
            settings,
            conn: Mutex::new(Arc::new(conn)),
        })
    }

    pub fn settings(&self) -> &SshSettings {
        &self.settings
    }

    /// Drop the connection and connect again, waiting as [`SshComm::connect`]
    /// does: for after the machine rebooted.
    pub fn reconnect(&self, cancel: &Cancel) -> Result<(), SshError> {
        let conn = wait_for_ssh(&self.settings, cancel)?;
        if let Ok(mut slot) = self.conn.lock() {
            *slot = Arc::new(conn);
        }
        Ok(())
    }

    fn conn(&self) -> Result<Arc<Conn>, SshError> {
        self.conn
            .lock()
            .map(|c| Arc::clone(&c))
            .map_err(|_| SshError::Other("the SSH connection's lock is poisoned".into()))
    }

    /// Run `command`, with the remote exit status.
    pub fn run(
        &self,
        command: &str,
        out: &mut dyn Output,
        cancel: &Cancel,
    ) -> Result<i32, SshError> {
        self.run_fed(command, None, out, cancel)
    }

    /// [`SshComm::run`] with `stdin` streamed to the command's input.
    pub fn run_fed(
        &self,
        command: &str,
        stdin: Option<Box<dyn Read + Send>>,
        out: &mut dyn Output,
        cancel: &Cancel,
    ) -> Result<i32, SshError> {
        let (conn, ch) = self.channel(cancel, self.settings.pty)?;
        self.start(&conn, ch, command, stdin, out, cancel)
    }

    /// A new session channel. When the connection has died (the machine
    /// rebooted, or a command killed its own session), one fresh
    /// connection attempt is made, as Packer makes, before giving up: the
    /// caller's retries wait for a machine that is still down.
    fn channel(&self, cancel: &Cancel, pty: bool) -> Result<(Arc<Conn>, ssh2::Channel), SshError> {
        let conn = self.conn()?;
        let first = exec::open_channel(&conn.session, &conn.waiter(cancel), pty);
        match first {
            Ok(ch) => Ok((conn, ch)),
            Err(SshError::Cancelled) => Err(SshError::Cancelled),
            Err(e) => {
                tracing::debug!("SSH session open error: {e}, attempting reconnect");
                drop(conn);
                let fresh = self.reopen(cancel)?;
                let ch = exec::open_channel(&fresh.session, &fresh.waiter(cancel), pty)?;
                Ok((fresh, ch))
            }
        }
    }

    fn start(
        &self,
        conn: &Conn,
        ch: ssh2::Channel,
        command: &str,
        stdin: Option<Box<dyn Read + Send>>,
        out: &mut dyn Output,
        cancel: &Cancel,
    ) -> Result<i32, SshError> {
        let mut w = conn.waiter(cancel);
        w.idle_limit = self.settings.read_write_timeout;
        tracing::debug!("starting remote command: {command}");
        exec::run(ch, &w, command, stdin, out)
    }

    /// One connection attempt, no waiting; it replaces the current one.
    fn reopen(&self, cancel: &Cancel) -> Result<Arc<Conn>, SshError> {
        let conn = crate::connect::open(&self.settings, cancel).map_err(|e| match e {
            OpenError::Stopped(e) => e,
            OpenError::Retry(m) | OpenError::Auth(m) | OpenError::Fatal(m) => SshError::Other(m),
        })?;
        let conn = Arc::new(conn);
        if let Ok(mut slot) = self.conn.lock() {
            *slot = Arc::clone(&conn);
        }
        Ok(conn)
    }

    /// Run `command` with nothing to show; its exit status.
    fn quiet(&self, command: &str) -> Result<i32, SshError> {
        self.run(command, &mut Discard, &Cancel::new())
    }

    /// Talk SCP to `scp_command` on the machine.
    fn scp<T>(
        &self,
        scp_command: &str,
        talk: impl FnOnce(&mut Duplex<ChanIo<'_, '_>>) -> std::io::Result<T>,
    ) -> Result<T, SshError> {
        let cancel = Cancel::new();
        let (conn, mut ch) = self.channel(&cancel, false)?;
        let mut w = conn.waiter(&cancel);
        w.idle_limit = self.settings.read_write_timeout;
        // scp reports failures in the protocol; its stderr only chats.
        w.retry("setting up scp", || {
            ch.handle_extended_data(ExtendedData::Ignore)
        })?;
        w.retry("starting scp", || ch.exec(scp_command))?;
        let result = {
            let mut io = Duplex(BufReader::new(ChanIo { ch: &mut ch, w: &w }));
            talk(&mut io)
        };
        let value = result.map_err(|e| unwrap_io("scp", e))?;
        w.retry("finishing scp", || ch.send_eof())?;
        // Whatever scp still says (acks) is of no interest now.
        let mut rest = Vec::new();
        let _ = ChanIo { ch: &mut ch, w: &w }.read_to_end(&mut rest);
        w.retry("finishing scp", || ch.wait_close())?;
        match ch.exit_status() {
            Ok(0) => Ok(value),
            Ok(127) => Err(SshError::Other(
                "SCP failed to start. This usually means that SCP is not\nproperly installed on the remote system.".into(),
            )),
            Ok(n) => Err(SshError::Other(format!("Process exited with status {n}"))),
            Err(e) => Err(SshError::ssh("reading scp's exit status", e)),
        }
    }

    /// Upload `size` bytes of `src` as the file `dst`.
    fn upload_sized(
        &self,
        dst: &str,
        src: &mut dyn Read,
        size: u64,
        mode: u32,
    ) -> Result<(), SshError> {
        let (dir, name) = split_remote(dst);
        self.scp(&format!("scp -t {}", shell_quote(dir)), |io| {
            scp::check_status(io)?;
            scp::send_file(io, name, mode, size, src)
        })
    }

    /// Upload a local file; into `dst` when that is a directory on the
    /// machine, as Packer does.
    pub fn upload_local_file(&self, dst: &str, src: &Path) -> Result<(), SshError> {
        let mut f = std::fs::File::open(src)
            .map_err(|e| SshError::io(format!("open {}", src.display()), e))?;
        let meta = f
            .metadata()
            .map_err(|e| SshError::io(format!("stat {}", src.display()), e))?;
        let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
        let mut target = dst.to_owned();
        if self.quiet(&format!("test -d {}", shell_quote(dst)))? == 0 {
            let name = src.file_name().map(|n| n.to_string_lossy().into_owned());
            target = format!("{}/{}", dst.trim_end_matches('/'), name.unwrap_or_default());
        }
        match self.settings.transfer {
            Transfer::Scp => self.upload_sized(&target, &mut f, meta.len(), mode),
            Transfer::Sftp => {
                self.with_sftp(|sftp, w| sftp::upload(sftp, w, &target, &mut f, Some(mode)))
            }
        }
    }

    fn with_sftp<T>(
        &self,
        f: impl FnOnce(&ssh2::Sftp, &crate::wait::Waiter<'_>) -> Result<T, SshError>,
    ) -> Result<T, SshError> {
        let cancel = Cancel::new();
        let mut conn = self.conn()?;
        let sftp = match sftp::open(&conn.session, &conn.waiter(&cancel)) {
            Ok(sftp) => sftp,
            Err(SshError::Cancelled) => return Err(SshError::Cancelled),
            Err(e) => {
                // A dead connection, as for commands: one fresh attempt.
                tracing::debug!("SFTP open error: {e}, attempting reconnect");
                conn = self.reopen(&cancel)?;
                sftp::open(&conn.session, &conn.waiter(&cancel))?
            }
        };
        let mut w = conn.waiter(&cancel);
        w.idle_limit = self.settings.read_write_timeout;
        f(&sftp, &w)
    }

    fn upload_stream(&self, dst: &str, src: &mut dyn Read, mode: FileMode) -> Result<(), SshError> {
        let mode_bits = mode.0.unwrap_or(0o644);
        if self.settings.transfer == Transfer::Sftp {
            return self.with_sftp(|sftp, w| sftp::upload(sftp, w, dst, src, Some(mode_bits)));
        }
        // SCP announces the size before the bytes: spool to an unnamed
        // temporary file to learn it, as Packer does, rather than holding
        // the whole upload in memory.
        let mut spool =
            tempfile::tempfile().map_err(|e| SshError::io("creating a spool file", e))?;
        let size =
            std::io::copy(src, &mut spool).map_err(|e| SshError::io("spooling the upload", e))?;
        spool
            .rewind()
            .map_err(|e| SshError::io("spooling the upload", e))?;
        self.upload_sized(dst, &mut spool, size, mode_bits)
    }

    fn upload_tree(&self, dst: &str, src: &Path) -> Result<(), SshError> {
        let src_text = src.to_string_lossy();
        let contents_only = src_text.ends_with('/');
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match self.settings.transfer {
            Transfer::Scp => self.scp(&format!("scp -rt {}", shell_quote(dst)), |io| {
                scp::check_status(io)?;
                if contents_only {
                    scp::send_entries(io, src)
                } else {
                    scp::send_dir(io, &name, src)
                }
            }),
            Transfer::Sftp => self.with_sftp(|sftp, w| {
                if contents_only {
                    sftp::upload_tree(sftp, w, dst, src)
                } else {
                    let root = format!("{}/{name}", dst.trim_end_matches('/'));
                    sftp::mkdir_like(sftp, w, &root, src)?;
                    sftp::upload_tree(sftp, w, &root, src)
                }
            }),
        }
    }

    fn download_stream(&self, src: &str, dst: &mut dyn Write) -> Result<(), SshError> {
        match self.settings.transfer {
            Transfer::Sftp => self.with_sftp(|sftp, w| sftp::download(sftp, w, src, dst)),
            Transfer::Scp => self.scp(&format!("scp -f {}", shell_quote(src)), |io| {
                scp::receive_file(io, dst)
            }),
        }
    }

    fn download_tree(&self, src: &str, dst: &Path) -> Result<(), SshError> {
        // Packer downloads directories with scp whatever the method, and
        // hands a glob to the remote shell to expand.
        let src = if src.contains(['*', '?', '[']) {
            src.to_owned()
        } else {
            shell_quote(src)
        };
        self.scp(&format!("scp -rf {src}"), |io| scp::receive_dir(io, dst))
    }
}

/// Split `dst` into the directory `scp -t` runs in and the file name.
fn split_remote(dst: &str) -> (&str, &str) {
    match dst.rfind('/') {
        Some(0) => ("/", dst.get(1..).unwrap_or_default()),
        Some(i) => (
            dst.get(..i).unwrap_or("."),
            dst.get(i + 1..).unwrap_or_default(),
        ),
        None => (".", dst),
    }
}

/// Output nobody reads.
struct Discard;

impl Output for Discard {
    fn stdout(&mut self, _: &[u8]) {}
    fn stderr(&mut self, _: &[u8]) {}
}

impl Communicator for SshComm {
    fn exec(&self, command: &str, out: &mut dyn Output, cancel: &Cancel) -> Result<i32, CommError> {
        Ok(self.run(command, out, cancel)?)
    }

    fn exec_with_stdin(
        &self,
        command: &str,
        stdin: Box<dyn Read + Send>,
        out: &mut dyn Output,
        cancel: &Cancel,
    ) -> Result<i32, CommError> {
        Ok(self.run_fed(command, Some(stdin), out, cancel)?)
    }

    fn upload(&self, dst: &str, src: &mut dyn Read, mode: FileMode) -> Result<(), CommError> {
        Ok(self.upload_stream(dst, src, mode)?)
    }

    fn upload_file(&self, dst: &str, src: &Path) -> Result<(), CommError> {
        Ok(self.upload_local_file(dst, src)?)
    }

    fn upload_dir(&self, dst: &str, src: &Path) -> Result<(), CommError> {
        Ok(self.upload_tree(dst, src)?)
    }

    fn download(&self, src: &str, dst: &mut dyn Write) -> Result<(), CommError> {
        Ok(self.download_stream(src, dst)?)
    }

    fn download_dir(&self, src: &str, dst: &Path) -> Result<(), CommError> {
        Ok(self.download_tree(src, dst)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_paths_split_for_scp() {
        assert_eq!(split_remote("/tmp/x.sh"), ("/tmp", "x.sh"));
        assert_eq!(split_remote("/x"), ("/", "x"));
        assert_eq!(split_remote("x"), (".", "x"));
    }
}
