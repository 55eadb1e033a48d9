//! The SSH adapter: an SSH server on a loopback port that serves one
//! build's [`Communicator`], so that tools which only speak SSH (ansible)
//! reach any machine kiln can: a VM over SSH, a container's sandbox, an
//! instance behind a bastion. Packer's ansible provisioner runs the same
//! kind of adapter.
//!
//! It accepts one user with one key (a one-time key pair unless the user
//! brings their own) and serves:
//! - `exec`: the command runs through the communicator, its input
//!   streamed ([`Communicator::exec_with_stdin`]);
//! - `scp -t` / `scp -f` (OpenSSH's legacy protocol, `scp -O`): served by
//!   the adapter over uploads and downloads;
//! - the `sftp` subsystem (OpenSSH 9's `scp` and `sftp`): the machine's own
//!   `sftp-server` when it has one (or `sftp_command`), else an SFTP server
//!   inside the adapter built on commands and transfers.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod bridge;
mod channel;
mod error;
mod keys;
mod pipe;
mod remote;
mod scp;
mod server;
mod sftp;
mod sftp_server;
mod shell;

pub use error::AdapterError;
pub use keys::KeyType;

use kiln_core::{Cancel, Communicator};
use std::path::{Path, PathBuf};

/// What the adapter serves and how it is reached.
#[derive(Debug, Clone, Default)]
pub struct AdapterConfig {
    /// The one user name it accepts.
    pub user: String,
    /// The loopback port; `None` takes a free one.
    pub port: Option<u16>,
    /// The server's host key (a private key file); `None` makes one.
    pub host_key_file: Option<PathBuf>,
    /// The public key clients must log in with; `None` makes a one-time
    /// key pair whose private half [`Serving::private_key_file`] names.
    pub authorized_key_file: Option<PathBuf>,
    /// The type of the keys it makes.
    pub key_type: KeyType,
    /// The command that serves SFTP on the machine (`sftp_command`);
    /// `None` uses the machine's `sftp-server` when it has one, else the
    /// adapter's own SFTP server.
    pub sftp_command: Option<String>,
}

/// Where the adapter listens, while it does.
#[derive(Debug)]
pub struct Serving<'a> {
    pub port: u16,
    /// The one-time private key, in OpenSSH's format, readable only by
    /// this user; `None` when [`AdapterConfig::authorized_key_file`] was
    /// given.
    pub private_key_file: Option<&'a Path>,
}

/// Serve `comm` while `f` runs. When `f` returns, or `cancel` fires,
/// commands still running are cancelled, every connection is closed and
/// the port is released before this returns. The one-time key file is
/// removed.
pub fn serve<R>(
    comm: &dyn Communicator,
    config: &AdapterConfig,
    cancel: &Cancel,
    f: impl FnOnce(Serving<'_>) -> R,
) -> Result<R, AdapterError> {
    let keys = keys::Keys::prepare(config)?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", config.port.unwrap_or(0)))
        .map_err(|e| AdapterError::Listen(config.port.unwrap_or(0), e))?;
    let port = listener
        .local_addr()
        .map_err(|e| AdapterError::Listen(config.port.unwrap_or(0), e))?
        .port();
    listener
        .set_nonblocking(true)
        .map_err(|e| AdapterError::Listen(port, e))?;
    tracing::debug!(port, "SSH adapter listening");
    // Every command the adapter runs gets a child of this token: it fires
    // at the end (or with the caller's cancel), which stops them.
    let stop = cancel.child();
    let (jobs, queue) = bridge::Jobs::new();
    let shared = server::Shared::new(config, &keys, jobs, stop.clone());
    std::thread::scope(|s| {
        s.spawn(|| bridge::dispatch(s, comm, queue));
        let (shutdown, on_shutdown) = tokio::sync::oneshot::channel::<()>();
        let server_config = keys.server_config();
        let server = s.spawn(move || server::run(listener, shared, server_config, on_shutdown));
        let result = f(Serving {
            port,
            private_key_file: keys.private_key_file(),
        });
        stop.cancel();
        let _ = shutdown.send(());
        match server.join() {
            Ok(Ok(())) => Ok(result),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(AdapterError::Crashed),
        }
    })
}
