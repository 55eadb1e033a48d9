//! Reaching the target through a bastion: log in to the bastion, open a
//! `direct-tcpip` channel to the target, and hand the target's session one
//! end of a socket pair; a thread copies bytes between the other end and
//! the channel for as long as the connection lives.

use crate::auth::Creds;
use crate::config::{Bastion, SshSettings};
use crate::connect::{start, tcp_connect, Conn, OpenError};
use kiln_core::cancel::POLL;
use kiln_core::Cancel;
use rustix::event::{poll, PollFd, PollFlags, Timespec};
use ssh2::{BlockDirections, Channel};
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// The forwarding thread; dropping this stops it and closes the bastion
/// connection.
pub(crate) struct Forwarder {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Connect to the bastion and open a forwarded stream to `host:port`.
pub(crate) fn forward(
    b: &Bastion,
    s: &SshSettings,
    host: &str,
    port: u16,
    cancel: &Cancel,
) -> Result<(UnixStream, Forwarder), OpenError> {
    let tcp = tcp_connect(&b.host, b.port, cancel)?;
    let creds = Creds {
        user: &b.username,
        password: b.password.as_deref(),
        key_file: b.private_key_file.as_deref(),
        key_memory: None,
        agent: b.agent_auth,
    };
    // The bastion is reached with the target's algorithms and keepalive.
    let bastion = match start(tcp, None, s, &creds, cancel) {
        Ok(c) => c,
        Err(OpenError::Auth(m)) => {
            return Err(OpenError::Fatal(format!(
                "Error connecting to bastion: {m}"
            )))
        }
        Err(e) => return Err(e),
    };
    let channel = bastion
        .waiter(cancel)
        .retry("opening a channel through the bastion", || {
            bastion.session.channel_direct_tcpip(host, port, None)
        })
        .map_err(OpenError::retry)?;
    let (ours, theirs) =
        UnixStream::pair().map_err(|e| OpenError::Fatal(format!("creating a socket pair: {e}")))?;
    theirs
        .set_nonblocking(true)
        .map_err(|e| OpenError::Fatal(format!("creating a socket pair: {e}")))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("kiln-ssh-bastion".into())
        .spawn(move || pump(&bastion, channel, theirs, &flag))
        .map_err(|e| OpenError::Fatal(format!("starting the bastion thread: {e}")))?;
    Ok((
        ours,
        Forwarder {
            stop,
            thread: Some(thread),
        },
    ))
}

/// Copy both ways until either side closes or `stop` is set. Returning
/// drops the socket end, which the target's session sees as a lost
/// connection.
fn pump(bastion: &Conn, mut channel: Channel, mut sock: UnixStream, stop: &AtomicBool) {
    let mut to_channel: Vec<u8> = Vec::new();
    let mut to_sock: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    let mut sock_eof = false;
    while !stop.load(Ordering::SeqCst) {
        let mut moved = false;
        if to_channel.is_empty() && !sock_eof {
            match sock.read(&mut buf) {
                Ok(0) => {
                    sock_eof = true;
                    let _ = channel.send_eof();
                }
                Ok(n) => {
                    to_channel.extend_from_slice(buf.get(..n).unwrap_or_default());
                    moved = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
        if !to_channel.is_empty() {
            match channel.write(&to_channel) {
                Ok(n) => {
                    to_channel.drain(..n.min(to_channel.len()));
                    moved |= n > 0;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
        if to_sock.is_empty() {
            match channel.read(&mut buf) {
                Ok(0) if channel.eof() => return,
                Ok(n) => {
                    to_sock.extend_from_slice(buf.get(..n).unwrap_or_default());
                    moved |= n > 0;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
        if !to_sock.is_empty() {
            match sock.write(&to_sock) {
                Ok(n) => {
                    to_sock.drain(..n.min(to_sock.len()));
                    moved |= n > 0;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
        if !moved {
            idle(
                bastion,
                &sock,
                to_channel.is_empty() && !sock_eof,
                !to_sock.is_empty(),
            );
        }
    }
}

/// Sleep until either socket can move data, for one poll interval at most.
fn idle(bastion: &Conn, sock: &UnixStream, want_read: bool, want_write: bool) {
    let _ = bastion.session.keepalive_send();
    let mut sock_flags = PollFlags::empty();
    if want_read {
        sock_flags |= PollFlags::IN;
    }
    if want_write {
        sock_flags |= PollFlags::OUT;
    }
    let ssh_flags = match bastion.session.block_directions() {
        BlockDirections::Outbound => PollFlags::OUT,
        BlockDirections::Both => PollFlags::IN | PollFlags::OUT,
        BlockDirections::Inbound | BlockDirections::None => PollFlags::IN,
    };
    let timeout = Timespec {
        tv_sec: 0,
        tv_nsec: i64::from(POLL.subsec_nanos()),
    };
    let mut fds = [
        PollFd::new(sock, sock_flags),
        PollFd::from_borrowed_fd(bastion.poll_fd(), ssh_flags),
    ];
    let _ = poll(&mut fds, Some(&timeout));
}
