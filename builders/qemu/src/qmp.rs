//! A small QMP (QEMU Machine Protocol) client over qemu's unix socket.
//!
//! Our own rather than a qapi crate: those generate their types from QEMU's
//! GPL schema files, and kiln needs a handful of commands only.
//!
//! API:
//! - [`Qmp::connect`]`(socket, timeout, cancel)` retries until qemu has
//!   created the socket (qemu started with
//!   `-qmp unix:PATH,server=on,wait=off`), reads the greeting and enters
//!   command mode (`qmp_capabilities`). [`Qmp::connect_while`] also gives up
//!   as soon as a liveness check (e.g. `Child::try_wait`) says qemu is gone.
//! - [`Qmp::execute`]`(command, args)` → the `return` value; asynchronous
//!   events that arrive meanwhile are kept for [`Qmp::wait_event`].
//! - helpers: [`Qmp::system_powerdown`] (ACPI power button),
//!   [`Qmp::quit`], [`Qmp::query_status`], [`Qmp::send_key`] (a chord of
//!   QKeyCode names, e.g. `["ctrl", "alt", "delete"]`),
//!   [`Qmp::key_event`] (`input-send-event` key down/up, for modifiers held
//!   across several keys).
//!
//! Every read polls the [`Cancel`] token, so a Ctrl-C never hangs on a
//! silent qemu.

use kiln_core::cancel::{Reason, POLL};
use kiln_core::Cancel;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum QmpError {
    /// The socket did not accept a connection in time.
    #[error("timeout waiting for QEMU's QMP socket {}: {last}", path.display())]
    ConnectTimeout { path: PathBuf, last: String },
    /// The liveness check said qemu exited before its socket answered.
    #[error("QEMU exited before its QMP socket {} answered", path.display())]
    ProcessExited { path: PathBuf },
    /// Reading or writing the socket failed.
    #[error("QMP connection: {0}")]
    Io(#[from] std::io::Error),
    /// qemu closed the connection (it exited, or `quit` was run).
    #[error("QEMU closed the QMP connection")]
    Closed,
    /// Something that is not QMP arrived.
    #[error("unexpected QMP message: {0}")]
    Protocol(String),
    /// qemu answered a command with an error.
    #[error("QMP command {command} failed: {desc} ({class})")]
    Command {
        command: String,
        class: String,
        desc: String,
    },
    /// No answer (or no awaited event) in time.
    #[error("timeout waiting for QMP {what}")]
    Timeout { what: String },
    /// The cancellation token fired.
    #[error("QMP wait interrupted: {0:?}")]
    Cancelled(Reason),
}

/// What `query-status` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// QEMU's RunState name: `running`, `paused`, `shutdown`, `prelaunch`, …
    pub status: String,
    pub running: bool,
}

/// How long a command may take to answer. QMP answers at once except for
/// a qemu stuck in the kernel, which this bounds.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Qmp {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
    /// Bytes of a line not yet complete when a read timed out.
    partial: Vec<u8>,
    events: VecDeque<Value>,
    cancel: Cancel,
}

impl std::fmt::Debug for Qmp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Qmp")
            .field("pending_events", &self.events.len())
            .finish()
    }
}

impl Qmp {
    /// Connect to `socket`, retrying until it exists and accepts, for at
    /// most `timeout`; then greeting and capabilities negotiation.
    pub fn connect(socket: &Path, timeout: Duration, cancel: &Cancel) -> Result<Qmp, QmpError> {
        Qmp::connect_while(socket, timeout, cancel, &mut || true)
    }

    /// [`Qmp::connect`], giving up early when `alive` returns false.
    pub fn connect_while(
        socket: &Path,
        timeout: Duration,
        cancel: &Cancel,
        alive: &mut dyn FnMut() -> bool,
    ) -> Result<Qmp, QmpError> {
        let deadline = Instant::now() + timeout;
        let stream = loop {
            match UnixStream::connect(socket) {
                Ok(s) => break s,
                Err(e) => {
                    if let Some(r) = cancel.reason() {
                        return Err(QmpError::Cancelled(r));
                    }
                    if !alive() {
                        return Err(QmpError::ProcessExited {
                            path: socket.to_owned(),
                        });
                    }
                    if Instant::now() >= deadline {
                        return Err(QmpError::ConnectTimeout {
                            path: socket.to_owned(),
                            last: e.to_string(),
                        });
                    }
                    std::thread::sleep(POLL);
                }
            }
        };
        tracing::debug!(socket = %socket.display(), "QMP connected");
        stream.set_read_timeout(Some(POLL))?;
        stream.set_write_timeout(Some(COMMAND_TIMEOUT))?;
        let mut qmp = Qmp {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
            partial: Vec::new(),
            events: VecDeque::new(),
            cancel: cancel.clone(),
        };
        let greeting = qmp.read_message(Instant::now() + COMMAND_TIMEOUT, "greeting")?;
        if greeting.get("QMP").is_none() {
            return Err(QmpError::Protocol(greeting.to_string()));
        }
        qmp.execute("qmp_capabilities", None)?;
        Ok(qmp)
    }

    /// Run `command` with optional `arguments`; its `return` value.
    pub fn execute(&mut self, command: &str, arguments: Option<Value>) -> Result<Value, QmpError> {
        let mut msg = json!({ "execute": command });
        if let (Some(args), Some(obj)) = (arguments, msg.as_object_mut()) {
            obj.insert("arguments".into(), args);
        }
        let mut line = msg.to_string();
        line.push('\n');
        tracing::trace!(%line, "QMP →");
        self.writer.write_all(line.as_bytes())?;
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            let reply = self.read_message(deadline, command)?;
            if reply.get("event").is_some() {
                self.events.push_back(reply);
                continue;
            }
            if let Some(ret) = reply.get("return") {
                return Ok(ret.clone());
            }
            if let Some(err) = reply.get("error") {
                let field = |k: &str| {
                    err.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                return Err(QmpError::Command {
                    command: command.to_owned(),
                    class: field("class"),
                    desc: field("desc"),
                });
            }
            return Err(QmpError::Protocol(reply.to_string()));
        }
    }

    /// Wait for the asynchronous event `name` (e.g. `SHUTDOWN`,
    /// `POWERDOWN`), including one that arrived during an earlier command;
    /// its whole message (`event`, `data`, `timestamp`).
    pub fn wait_event(&mut self, name: &str, timeout: Duration) -> Result<Value, QmpError> {
        if let Some(i) = self.events.iter().position(|e| event_name(e) == Some(name)) {
            if let Some(e) = self.events.remove(i) {
                return Ok(e);
            }
        }
        let deadline = Instant::now() + timeout;
        loop {
            let msg = self.read_message(deadline, &format!("event {name}"))?;
            match event_name(&msg) {
                Some(n) if n == name => return Ok(msg),
                Some(_) => self.events.push_back(msg),
                None => return Err(QmpError::Protocol(msg.to_string())),
            }
        }
    }

    /// Events received so far and not yet consumed by [`Qmp::wait_event`].
    pub fn take_events(&mut self) -> Vec<Value> {
        self.events.drain(..).collect()
    }

    /// Press the ACPI power button (the guest decides what to do).
    pub fn system_powerdown(&mut self) -> Result<(), QmpError> {
        self.execute("system_powerdown", None).map(drop)
    }

    /// Stop qemu at once. qemu may close the socket before or right after
    /// answering; both count as success.
    pub fn quit(&mut self) -> Result<(), QmpError> {
        match self.execute("quit", None) {
            Ok(_) | Err(QmpError::Closed) => Ok(()),
            Err(QmpError::Io(e)) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
            Err(QmpError::Io(e)) if e.kind() == ErrorKind::ConnectionReset => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub fn query_status(&mut self) -> Result<Status, QmpError> {
        let v = self.execute("query-status", None)?;
        Ok(Status {
            status: v
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            running: v.get("running").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// Press the keys (QKeyCode names: `a`, `shift`, `ret`, `f1`, …)
    /// together and release them, holding them `hold_time_ms` (qemu's
    /// default, 100 ms, when `None`).
    pub fn send_key(&mut self, keys: &[&str], hold_time_ms: Option<u32>) -> Result<(), QmpError> {
        let keys: Vec<Value> = keys
            .iter()
            .map(|k| json!({ "type": "qcode", "data": k }))
            .collect();
        let mut args = json!({ "keys": keys });
        if let (Some(ms), Some(obj)) = (hold_time_ms, args.as_object_mut()) {
            obj.insert("hold-time".into(), json!(ms));
        }
        self.execute("send-key", Some(args)).map(drop)
    }

    /// Press (`down`) or release one key, for modifiers held across several
    /// keys (`<leftCtrlOn>` … `<leftCtrlOff>`).
    pub fn key_event(&mut self, key: &str, down: bool) -> Result<(), QmpError> {
        let args = json!({ "events": [ {
            "type": "key",
            "data": { "down": down, "key": { "type": "qcode", "data": key } }
        } ] });
        self.execute("input-send-event", Some(args)).map(drop)
    }

    /// One JSON message, waiting until `deadline` and polling the token.
    fn read_message(&mut self, deadline: Instant, what: &str) -> Result<Value, QmpError> {
        loop {
            match self.reader.read_until(b'\n', &mut self.partial) {
                Ok(0) => return Err(QmpError::Closed),
                Ok(_) if self.partial.ends_with(b"\n") => {
                    let line = std::mem::take(&mut self.partial);
                    let text = String::from_utf8_lossy(&line);
                    let text = text.trim();
                    if text.is_empty() {
                        continue;
                    }
                    tracing::trace!(line = %text, "QMP ←");
                    return serde_json::from_str(text)
                        .map_err(|_| QmpError::Protocol(text.to_owned()));
                }
                // End of stream in the middle of a line.
                Ok(_) => return Err(QmpError::Closed),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) =>
                {
                    if let Some(r) = self.cancel.reason() {
                        return Err(QmpError::Cancelled(r));
                    }
                    if Instant::now() >= deadline {
                        return Err(QmpError::Timeout {
                            what: what.to_owned(),
                        });
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

fn event_name(msg: &Value) -> Option<&str> {
    msg.get("event").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command, Stdio};

    /// A qemu with no guest at all: enough for the protocol.
    struct Qemu {
        child: Child,
        socket: PathBuf,
        _dir: tempfile::TempDir,
    }

    impl Drop for Qemu {
        fn drop(&mut self) {
            kiln_core::process::kill_group(&mut self.child);
        }
    }

    fn qemu(machine: &str) -> Qemu {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("qmp.sock");
        let child = kiln_core::process::spawn(
            Command::new("qemu-system-x86_64")
                .args(["-machine", machine, "-nodefaults", "-display", "none"])
                .args(["-accel", "tcg", "-S"])
                .arg("-qmp")
                .arg(format!("unix:{},server=on,wait=off", socket.display()))
                .process_group(0)
                .stdin(Stdio::null()),
        )
        .unwrap_or_else(|e| panic!("cannot start qemu-system-x86_64 ({e}): run scripts/setup.sh"));
        Qemu {
            child,
            socket,
            _dir: dir,
        }
    }

    #[test]
    fn commands_events_and_errors_against_a_real_qemu() {
        let mut vm = qemu("none");
        let mut q = Qmp::connect(&vm.socket, Duration::from_secs(30), &Cancel::new()).unwrap();
        let st = q.query_status().unwrap();
        assert_eq!(st.status, "prelaunch");
        assert!(!st.running);

        let err = q.execute("no-such-command", None).expect_err("an error");
        match &err {
            QmpError::Command { class, desc, .. } => {
                assert_eq!(class, "CommandNotFound");
                assert!(desc.contains("no-such-command"), "{desc}");
            }
            other => panic!("{other:?}"),
        }

        // `stop` raises STOP asynchronously; a following command must not
        // take the event for its answer.
        q.execute("cont", None).unwrap();
        q.execute("stop", None).unwrap();
        assert_eq!(q.query_status().unwrap().status, "paused");
        let ev = q.wait_event("STOP", Duration::from_secs(10)).unwrap();
        assert_eq!(ev["event"], "STOP");

        assert!(matches!(
            q.wait_event("POWERDOWN", Duration::from_millis(200)),
            Err(QmpError::Timeout { .. })
        ));

        q.quit().unwrap();
        let status = vm.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }

    #[test]
    fn keys_and_powerdown_on_a_pc() {
        let mut vm = qemu("pc");
        let mut q = Qmp::connect(&vm.socket, Duration::from_secs(30), &Cancel::new()).unwrap();
        q.execute("cont", None).unwrap();
        q.send_key(&["shift", "a"], Some(10)).unwrap();
        q.send_key(&["ret"], None).unwrap();
        q.key_event("ctrl", true).unwrap();
        q.key_event("ctrl", false).unwrap();
        let err = q.send_key(&["not-a-key"], None).expect_err("an error");
        assert!(matches!(err, QmpError::Command { .. }), "{err:?}");
        q.system_powerdown().unwrap();
        q.wait_event("POWERDOWN", Duration::from_secs(10)).unwrap();
        q.quit().unwrap();
        vm.child.wait().unwrap();
    }

    #[test]
    fn connect_gives_up_on_cancel_timeout_and_exit() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.sock");
        let cancel = Cancel::new();
        cancel.cancel();
        assert!(matches!(
            Qmp::connect(&missing, Duration::from_secs(30), &cancel),
            Err(QmpError::Cancelled(Reason::Cancelled))
        ));
        let err = Qmp::connect(&missing, Duration::from_millis(100), &Cancel::new())
            .expect_err("an error");
        assert!(err
            .to_string()
            .starts_with("timeout waiting for QEMU's QMP socket"));
        let err = Qmp::connect_while(
            &missing,
            Duration::from_secs(30),
            &Cancel::new(),
            &mut || false,
        )
        .expect_err("an error");
        assert!(matches!(err, QmpError::ProcessExited { .. }));
    }

    #[test]
    fn a_cancel_interrupts_a_wait() {
        let vm = qemu("none");
        let cancel = Cancel::new();
        let mut q = Qmp::connect(&vm.socket, Duration::from_secs(30), &cancel).unwrap();
        let c2 = cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            c2.cancel();
        });
        let err = q
            .wait_event("SHUTDOWN", Duration::from_secs(60))
            .expect_err("an error");
        t.join().unwrap();
        assert!(matches!(err, QmpError::Cancelled(Reason::Cancelled)));
    }
}
