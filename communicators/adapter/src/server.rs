//! The SSH server: one user, one public key, session channels only.

use crate::bridge::Jobs;
use crate::error::AdapterError;
use crate::keys::Keys;
use crate::AdapterConfig;
use kiln_core::Cancel;
use russh::keys::PublicKey;
use russh::server::{Auth, ChannelOpenHandle, Msg, Server as _, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId};
use std::sync::Arc;

/// What every connection shares.
pub(crate) struct Shared {
    user: String,
    authorized: PublicKey,
    pub jobs: Jobs,
    /// Fires when the adapter stops; each command runs under a child.
    pub stop: Cancel,
    pub sftp_command: Option<String>,
    /// The machine's `sftp-server` command, once looked for.
    pub found_sftp_server: tokio::sync::OnceCell<Option<String>>,
}

impl Shared {
    pub fn new(config: &AdapterConfig, keys: &Keys, jobs: Jobs, stop: Cancel) -> Arc<Shared> {
        Arc::new(Shared {
            user: config.user.clone(),
            authorized: keys.authorized.clone(),
            jobs,
            stop,
            sftp_command: config.sftp_command.clone().filter(|c| !c.trim().is_empty()),
            found_sftp_server: tokio::sync::OnceCell::new(),
        })
    }
}

#[derive(Clone)]
struct Server(Arc<Shared>);

impl russh::server::Server for Server {
    type Handler = Connection;

    fn new_client(&mut self, peer: Option<std::net::SocketAddr>) -> Connection {
        tracing::debug!(?peer, "SSH adapter: connection");
        Connection(Arc::clone(&self.0))
    }

    fn handle_session_error(&mut self, error: russh::Error) {
        tracing::debug!("SSH adapter: session ended: {error}");
    }
}

struct Connection(Arc<Shared>);

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(self.check(user, offer.public_key))
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let verdict = self.check(user, key.public_key);
        if matches!(verdict, Auth::Accept) {
            tracing::debug!(user, "SSH adapter: accepted");
        } else {
            tracing::debug!(user, "SSH adapter: key or user refused");
        }
        Ok(verdict)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        reply.accept().await;
        tokio::spawn(crate::channel::serve(channel, Arc::clone(&self.0)));
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if name == "sftp" {
            session.channel_success(channel)
        } else {
            session.channel_failure(channel)
        }
    }

    /// Accepted and ignored: commands never run on a terminal here, but a
    /// client that asks for one (ansible's `-tt` for become) must go on.
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    /// Refused, as sshd refuses names its `AcceptEnv` does not list.
    async fn env_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }
}

impl Connection {
    fn check(&self, user: &str, key: &PublicKey) -> Auth {
        if user == self.0.user && key.key_data() == self.0.authorized.key_data() {
            Auth::Accept
        } else {
            Auth::reject()
        }
    }
}

/// Serve on `listener` until `shutdown` fires; then every connection is
/// dropped with the runtime.
pub(crate) fn run(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
    shutdown: tokio::sync::oneshot::Receiver<()>,
) -> Result<(), AdapterError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(AdapterError::Runtime)?;
    let result = rt.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(AdapterError::Runtime)?;
        let mut server = Server(shared);
        let running = server.run_on_socket(config, &listener);
        tokio::select! {
            r = running => r.map_err(|e| AdapterError::Server(e.to_string())),
            _ = shutdown => Ok(()),
        }
    });
    // Connections and their channel tasks end here; a command still
    // running was cancelled through its token and finishes on its own
    // thread, which `serve`'s scope waits for.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}
