//! The `sftp` subsystem. With `sftp_command`, or when the machine has an
//! `sftp-server` of its own, the channel is piped to it: every SFTP
//! operation then behaves exactly as OpenSSH's. Otherwise (a container
//! image without OpenSSH) the adapter answers SFTP itself
//! ([`crate::sftp_server`]).

use crate::channel::run_command;
use crate::pipe;
use crate::server::Shared;
use crate::sftp_server::SftpServer;
use russh::server::Msg;
use russh::{Channel, ChannelMsg};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Where the usual systems keep OpenSSH's `sftp-server`, Packer's
/// default first.
const SFTP_SERVERS: [&str; 5] = [
    "/usr/lib/sftp-server",
    "/usr/lib/openssh/sftp-server",
    "/usr/libexec/openssh/sftp-server",
    "/usr/libexec/sftp-server",
    "/usr/lib/ssh/sftp-server",
];

pub(crate) async fn serve(ch: Channel<Msg>, shared: &Shared) {
    match piped_command(shared).await {
        Some(command) => {
            tracing::debug!(command, "SSH adapter: sftp through the machine's server");
            let work: pipe::Work = Box::new(move |comm, input, out, cancel| {
                run_command(comm, &command, input, out, cancel)
            });
            pipe::run(ch, &shared.jobs, shared.stop.child(), work).await;
        }
        None => {
            tracing::debug!("SSH adapter: sftp served by the adapter");
            let server = SftpServer::new(shared.jobs.clone(), shared.stop.child());
            serve_inside(ch, server).await;
        }
    }
}

/// Run the adapter's SFTP server for `ch`. The channel is pumped through
/// an in-memory pipe rather than handed over, so that the session ends
/// with an exit status as `sftp-server`'s does: scp fails without one.
async fn serve_inside(mut ch: Channel<Msg>, server: SftpServer) {
    let (ours, theirs) = tokio::io::duplex(256 * 1024);
    russh_sftp::server::run(theirs, server).await;
    let (mut from_server, mut to_server) = tokio::io::split(ours);
    let mut buf = vec![0u8; 64 * 1024];
    let mut open = true;
    loop {
        tokio::select! {
            msg = ch.wait(), if open => match msg {
                Some(ChannelMsg::Data { data }) => {
                    if to_server.write_all(&data).await.is_err() {
                        break;
                    }
                }
                // The server answers what it has read, then sees the end.
                Some(ChannelMsg::Eof) => {
                    let _ = to_server.shutdown().await;
                    open = false;
                }
                Some(ChannelMsg::Close) | None => break,
                Some(_) => {}
            },
            n = from_server.read(&mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if ch.data(buf.get(..n).unwrap_or_default()).await.is_err() {
                        break;
                    }
                }
            },
        }
    }
    let _ = ch.exit_status(0).await;
    let _ = ch.eof().await;
    let _ = ch.close().await;
}

/// `sftp_command`, else the machine's `sftp-server -e`, looked for once
/// per adapter.
async fn piped_command(shared: &Shared) -> Option<String> {
    if let Some(c) = &shared.sftp_command {
        return Some(c.clone());
    }
    let cancel = shared.stop.child();
    shared
        .found_sftp_server
        .get_or_init(|| async move {
            let probe = format!(
                "for p in {}; do if [ -x \"$p\" ]; then echo \"$p\"; break; fi; done",
                SFTP_SERVERS.join(" ")
            );
            let ran = shared
                .jobs
                .run(move |comm| crate::remote::run(comm, &probe, &cancel))
                .await?
                .ok()?;
            let path = ran.out.lines().next()?.trim().to_owned();
            (!path.is_empty()).then(|| format!("{path} -e"))
        })
        .await
        .clone()
}
