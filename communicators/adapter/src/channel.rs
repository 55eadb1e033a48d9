//! What a session channel asks for: a command (`scp -t`/`-f` among
//! them) or the `sftp` subsystem.

use crate::pipe::{self, Input, ToClient};
use crate::server::Shared;
use crate::{scp, sftp};
use kiln_core::{Cancel, CommError, Communicator, Output};
use russh::server::Msg;
use russh::{Channel, ChannelMsg};
use std::sync::Arc;

pub(crate) async fn serve(mut ch: Channel<Msg>, shared: Arc<Shared>) {
    loop {
        match ch.wait().await {
            Some(ChannelMsg::Exec { command, .. }) => {
                let command = String::from_utf8_lossy(&command).into_owned();
                return exec(ch, command, &shared).await;
            }
            Some(ChannelMsg::RequestSubsystem { name, .. }) if name == "sftp" => {
                return sftp::serve(ch, &shared).await;
            }
            Some(ChannelMsg::RequestShell { .. }) => {
                let work: pipe::Work = Box::new(|_, _, out, _| {
                    out.stderr(b"kiln's SSH adapter runs commands, not shells\n");
                    1
                });
                return pipe::run(ch, &shared.jobs, shared.stop.child(), work).await;
            }
            None | Some(ChannelMsg::Close) => return,
            Some(_) => {}
        }
    }
}

async fn exec(ch: Channel<Msg>, command: String, shared: &Shared) {
    tracing::debug!(command, "SSH adapter: exec");
    let work: pipe::Work = match scp::Request::parse(&command) {
        Some(req) => Box::new(move |comm, input, out, cancel| req.serve(comm, input, out, cancel)),
        None => Box::new(move |comm, input, out, cancel| {
            run_command(comm, &command, input, out, cancel)
        }),
    };
    pipe::run(ch, &shared.jobs, shared.stop.child(), work).await;
}

/// A command with the client's input; a failure to run it at all is
/// reported as OpenSSH's client reports a lost connection, 255.
pub(crate) fn run_command(
    comm: &dyn Communicator,
    command: &str,
    input: Input,
    out: &mut ToClient,
    cancel: &Cancel,
) -> i32 {
    match comm.exec_with_stdin(command, Box::new(input), out, cancel) {
        Ok(code) => code,
        Err(CommError::Cancelled) => 255,
        Err(e) => {
            out.stderr(format!("kiln: {e}\n").as_bytes());
            255
        }
    }
}
