//! One SSH connection ([`Conn`]): a byte stream to the target (direct TCP
//! or through a bastion), the handshake and the login; and
//! [`wait_for_ssh`], which retries all of that until the machine answers.

use crate::auth::{authenticate, Creds};
use crate::bastion::{self, Forwarder};
use crate::config::SshSettings;
use crate::error::SshError;
use crate::wait::Waiter;
use kiln_core::Cancel;
use ssh2::{MethodType, Session};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

/// Longest single TCP connect attempt; the wait loop tries again after it.
const CONNECT_ATTEMPT: Duration = Duration::from_secs(5);

/// An authenticated SSH session.
pub(crate) struct Conn {
    pub session: Session,
    /// A duplicate of the session's socket, to poll on.
    poll_fd: OwnedFd,
    /// The bastion's forwarding thread, when there is one; it lives as
    /// long as the connection.
    _forward: Option<Forwarder>,
}

impl Conn {
    pub fn waiter<'a>(&'a self, cancel: &'a Cancel) -> Waiter<'a> {
        Waiter::new(&self.session, self.poll_fd.as_fd(), cancel)
    }

    pub fn poll_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.poll_fd.as_fd()
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // A polite goodbye if the socket takes it at once; the socket
        // closes either way.
        let _ = self.session.disconnect(None, "kiln is done", None);
    }
}

/// Why one connection attempt failed.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// Not reachable (yet): try again.
    Retry(String),
    /// The server refused every credential.
    Auth(String),
    /// Trying again cannot help (no agent, unreadable key).
    Fatal(String),
    /// The token fired.
    Stopped(SshError),
}

impl OpenError {
    pub fn retry(e: SshError) -> OpenError {
        match e {
            SshError::Cancelled | SshError::TimedOut => OpenError::Stopped(e),
            other => OpenError::Retry(other.to_string()),
        }
    }
}

/// The login part of the settings, for the target.
pub(crate) fn target_creds(s: &SshSettings) -> Creds<'_> {
    Creds {
        user: &s.username,
        password: s.password.as_deref(),
        key_file: s.private_key_file.as_deref(),
        key_memory: s.private_key.as_deref(),
        agent: s.agent_auth,
    }
}

/// One attempt: connect, handshake, log in.
pub(crate) fn open(s: &SshSettings, cancel: &Cancel) -> Result<Conn, OpenError> {
    match &s.bastion {
        None => {
            let tcp = match &s.proxy {
                Some(p) => crate::socks::connect(p, &s.host, s.port, cancel)?,
                None => tcp_connect(&s.host, s.port, cancel)?,
            };
            start(tcp, None, s, &target_creds(s), cancel)
        }
        Some(b) => {
            let (stream, forward) = bastion::forward(b, s, &s.host, s.port, cancel)?;
            start(stream, Some(forward), s, &target_creds(s), cancel)
        }
    }
}

pub(crate) fn tcp_connect(host: &str, port: u16, cancel: &Cancel) -> Result<TcpStream, OpenError> {
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .map_err(|e| OpenError::Retry(format!("resolving {host}: {e}")))?
        .collect();
    let mut last = format!("{host} has no address");
    for addr in addrs {
        if let Some(r) = cancel.reason() {
            return Err(OpenError::Stopped(SshError::from_reason(r)));
        }
        match TcpStream::connect_timeout(&addr, CONNECT_ATTEMPT) {
            Ok(tcp) => {
                let _ = tcp.set_nodelay(true);
                return Ok(tcp);
            }
            Err(e) => last = format!("dial tcp {addr}: {e}"),
        }
    }
    Err(OpenError::Retry(last))
}

/// Handshake and log in over `stream`.
pub(crate) fn start<S>(
    stream: S,
    forward: Option<Forwarder>,
    s: &SshSettings,
    creds: &Creds<'_>,
    cancel: &Cancel,
) -> Result<Conn, OpenError>
where
    S: AsFd + std::os::fd::AsRawFd + 'static,
{
    let poll_fd = stream
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| OpenError::Retry(format!("duplicating the socket: {e}")))?;
    let mut session =
        Session::new().map_err(|e| OpenError::Fatal(format!("starting libssh2: {e}")))?;
    session.set_tcp_stream(stream);
    session.set_blocking(false);
    prefer(&session, MethodType::CryptCs, &s.ciphers)?;
    prefer(&session, MethodType::CryptSc, &s.ciphers)?;
    prefer(&session, MethodType::Kex, &s.kex)?;
    let conn = Conn {
        session,
        poll_fd,
        _forward: forward,
    };
    {
        let w = conn.waiter(cancel);
        let mut sess = conn.session.clone();
        w.retry("SSH handshake", || sess.handshake())
            .map_err(OpenError::retry)?;
        // Keepalives start once the transport is up: asked for earlier,
        // libssh2 fails the key exchange.
        if let Some(k) = s.keep_alive {
            let secs = u32::try_from(k.as_secs()).unwrap_or(u32::MAX).max(1);
            conn.session.set_keepalive(false, secs);
        }
        authenticate(&conn.session, &w, creds)?;
    }
    Ok(conn)
}

fn prefer(session: &Session, kind: MethodType, list: &[String]) -> Result<(), OpenError> {
    if list.is_empty() {
        return Ok(());
    }
    session
        .method_pref(kind, &list.join(","))
        .map_err(|e| OpenError::Fatal(format!("unsupported algorithms {list:?}: {}", e.message())))
}

/// Packer's wording for a login that kept failing.
fn auth_failure(original: &str) -> String {
    format!(
        "kiln experienced an authentication error when trying to connect via SSH. This can happen if your username/password are wrong. You may want to double-check your credentials as part of your debugging process. original error: {original}"
    )
}

/// Try to connect until it works, `ssh_timeout` passes (`TimedOut`) or
/// `cancel` fires. Authentication failures count against
/// `ssh_handshake_attempts`; unreachable hosts only against the timeout.
pub(crate) fn wait_for_ssh(s: &SshSettings, cancel: &Cancel) -> Result<Conn, SshError> {
    wait_until(s, &cancel.with_timeout(s.timeout)).map_err(|e| match e {
        SshError::Cancelled | SshError::TimedOut if !cancel.is_cancelled() => SshError::TimedOut,
        SshError::TimedOut => SshError::Cancelled,
        other => other,
    })
}

fn wait_until(s: &SshSettings, token: &Cancel) -> Result<Conn, SshError> {
    let mut auth_failures = 0;
    let mut backoff = Duration::from_millis(50);
    loop {
        let started = Instant::now();
        match open(s, token) {
            Ok(conn) => return Ok(conn),
            Err(OpenError::Stopped(e)) => return Err(e),
            Err(OpenError::Fatal(m)) => return Err(SshError::Other(m)),
            Err(OpenError::Auth(m)) => {
                auth_failures += 1;
                tracing::debug!("SSH authentication failed: {m}");
                if auth_failures >= s.handshake_attempts {
                    return Err(SshError::Auth(auth_failure(&m)));
                }
            }
            Err(OpenError::Retry(m)) => tracing::debug!("SSH not ready: {m}"),
        }
        // Short, growing pauses: a machine that is booting answers within
        // a few hundred milliseconds of its sshd starting.
        if started.elapsed() < backoff {
            token
                .sleep(backoff - started.elapsed())
                .map_err(SshError::from_reason)?;
        }
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
}
