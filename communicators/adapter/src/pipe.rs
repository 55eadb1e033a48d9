//! One channel tied to one blocking piece of work (a command, the SCP
//! protocol, a piped `sftp-server`): the client's data becomes the work's
//! input, its output becomes the channel's data, and its result the exit
//! status. When the client goes away the work's token fires.

use crate::bridge::Jobs;
use kiln_core::{Cancel, Communicator, Output};
use russh::server::Msg;
use russh::{Channel, ChannelMsg};
use std::io::{self, Read};
use std::sync::mpsc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// What the work does: it reads the client's input, writes to the
/// client, and returns the exit status.
pub(crate) type Work =
    Box<dyn FnOnce(&dyn Communicator, Input, &mut ToClient, &Cancel) -> i32 + Send>;

/// The client's data, as a blocking reader: it ends at the client's EOF
/// or when the channel closes.
pub(crate) struct Input {
    chunks: mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl Input {
    fn new(chunks: mpsc::Receiver<Vec<u8>>) -> Input {
        Input {
            chunks,
            current: Vec::new(),
            at: 0,
        }
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.current.len() {
            match self.chunks.recv() {
                Ok(chunk) => {
                    self.current = chunk;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let rest = self.current.get(self.at..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(rest.get(..n).unwrap_or_default());
        self.at += n;
        Ok(n)
    }
}

enum Event {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
}

/// Output to the client: stdout as channel data, stderr as extended data.
pub(crate) struct ToClient(UnboundedSender<Event>);

impl Output for ToClient {
    fn stdout(&mut self, chunk: &[u8]) {
        let _ = self.0.send(Event::Stdout(chunk.to_vec()));
    }
    fn stderr(&mut self, chunk: &[u8]) {
        let _ = self.0.send(Event::Stderr(chunk.to_vec()));
    }
}

impl io::Write for ToClient {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .send(Event::Stdout(buf.to_vec()))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

async fn send(ch: &Channel<Msg>, event: Event) -> bool {
    match event {
        Event::Stdout(b) => ch.data(&b[..]).await.is_ok(),
        Event::Stderr(b) => ch.extended_data(1, &b[..]).await.is_ok(),
    }
}

/// Run `work` for the channel `ch`, then report its exit status and
/// close the channel.
pub(crate) async fn run(mut ch: Channel<Msg>, jobs: &Jobs, cancel: Cancel, work: Work) {
    let (in_tx, in_rx) = mpsc::channel::<Vec<u8>>();
    let (out_tx, mut out_rx) = unbounded_channel();
    let job_cancel = cancel.clone();
    let done = jobs.run(move |comm| {
        let mut out = ToClient(out_tx);
        work(comm, Input::new(in_rx), &mut out, &job_cancel)
    });
    tokio::pin!(done);
    let mut input = Some(in_tx);
    let mut open = true;
    let code = loop {
        tokio::select! {
            msg = ch.wait(), if open => match msg {
                Some(ChannelMsg::Data { data }) => {
                    if let Some(tx) = &input {
                        let _ = tx.send(data.to_vec());
                    }
                }
                Some(ChannelMsg::Eof) => input = None,
                Some(ChannelMsg::Close) | None => {
                    // The client hung up: nobody reads the rest.
                    open = false;
                    input = None;
                    cancel.cancel();
                }
                Some(_) => {}
            },
            Some(event) = out_rx.recv() => {
                if !send(&ch, event).await {
                    cancel.cancel();
                }
            }
            code = &mut done => break code,
        }
    };
    drop(input);
    while let Some(event) = out_rx.recv().await {
        if !send(&ch, event).await {
            break;
        }
    }
    // None: the adapter is stopping; the client gets what SSH clients
    // report for a lost connection.
    let status = code.map_or(255, |c| u32::try_from(c).unwrap_or(255));
    let _ = ch.exit_status(status).await;
    let _ = ch.eof().await;
    let _ = ch.close().await;
}
