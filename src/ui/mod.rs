//! The terminal side of kiln: every line of a build goes through a
//! [`Console`], which prefixes it for its build (`==> null.a: …`), colours
//! it, masks sensitive values, adds `-timestamp-ui` stamps, or writes
//! Packer's `-machine-readable` records instead.

mod machine;
mod mask;
mod progress;
mod style;

pub use mask::Mask;
pub use style::{for_build as style_for_build, Color};

use kiln_core::ui::{Progress, Ui};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleOptions {
    pub color: bool,
    pub timestamp: bool,
    pub machine_readable: bool,
}

impl ConsoleOptions {
    /// Colour by default only on a terminal (Packer colours even pipes;
    /// CI logs are easier to read without escapes), never with `NO_COLOR`
    /// or `PACKER_NO_COLOR` set. `-color=true` forces it, `-color=false`
    /// turns it off.
    pub fn color_default(flag: Option<bool>) -> bool {
        match flag {
            Some(v) => v,
            None => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none()
                    && std::env::var_os("PACKER_NO_COLOR").is_none()
            }
        }
    }
}

#[derive(Clone)]
pub struct Console {
    inner: Arc<Inner>,
}

struct Inner {
    opts: ConsoleOptions,
    mask: Mask,
    /// Serialises whole messages, so lines of parallel builds never mix.
    out: Mutex<()>,
    /// One question at a time on stdin.
    ask: Mutex<()>,
    /// Ends a pending question on Ctrl-C.
    cancel: std::sync::OnceLock<kiln_core::Cancel>,
}

/// Which of Packer's three line shapes a message has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Say,
    Message,
    Error,
}

impl Console {
    pub fn new(opts: ConsoleOptions, mask: Mask) -> Console {
        Console {
            inner: Arc::new(Inner {
                opts: ConsoleOptions {
                    color: opts.color && !opts.machine_readable,
                    ..opts
                },
                mask,
                out: Mutex::new(()),
                ask: Mutex::new(()),
                cancel: std::sync::OnceLock::new(),
            }),
        }
    }

    pub fn machine_readable(&self) -> bool {
        self.inner.opts.machine_readable
    }

    /// Questions stop waiting (and answer `None`) once `cancel` fires.
    pub fn set_cancel(&self, cancel: kiln_core::Cancel) {
        let _ = self.inner.cancel.set(cancel);
    }

    pub fn colored(&self) -> bool {
        self.inner.opts.color
    }

    pub fn mask(&self) -> &Mask {
        &self.inner.mask
    }

    /// The Ui of one build.
    pub fn target(&self, name: &str, color: Color) -> Arc<dyn Ui> {
        Arc::new(TargetUi {
            console: self.clone(),
            name: name.to_owned(),
            color,
        })
    }

    /// An untargeted heading (`==> Wait completed …`), uncoloured.
    pub fn say(&self, msg: &str) {
        self.emit("say", msg, None);
    }

    /// An untargeted error line.
    pub fn error(&self, msg: &str) {
        self.emit("error", msg, Some((Color::Red, true)));
    }

    /// An untargeted line in a build's colour (`Build 'x' finished …`).
    pub fn say_colored(&self, msg: &str, color: Color) {
        self.emit("say", msg, Some((color, true)));
    }

    /// A `-machine-readable` record about `target`; nothing otherwise.
    pub fn machine(&self, target: &str, kind: &str, data: &[&str]) {
        if !self.inner.opts.machine_readable {
            return;
        }
        let data: Vec<String> = data.iter().map(|d| self.inner.mask.apply(d)).collect();
        let data: Vec<&str> = data.iter().map(String::as_str).collect();
        let line = machine::record(now_unix(), target, kind, &data);
        self.write(&line);
    }

    fn emit(&self, kind: &str, msg: &str, color: Option<(Color, bool)>) {
        let msg = self.inner.mask.apply(msg);
        if self.inner.opts.machine_readable {
            let line = machine::record(now_unix(), "", "ui", &[kind, &msg]);
            self.write(&line);
            return;
        }
        let mut text = match color {
            Some((c, bold)) if self.inner.opts.color => style::paint(&msg, c, bold),
            _ => msg,
        };
        if self.inner.opts.timestamp {
            text = format!("{}: {text}", rfc3339_now());
        }
        self.write(&text);
    }

    fn write(&self, line: &str) {
        let _guard = self.inner.out.lock();
        let mut out = std::io::stdout().lock();
        // A closed stdout (`kiln build … | head`) must not stop the build.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    /// Print `prompt` and read one line from stdin; `None` at end of input.
    fn ask(&self, prompt_line: &str) -> Option<String> {
        let _guard = self.inner.ask.lock();
        self.emit("say", prompt_line, None);
        // Read on a thread of its own so a Ctrl-C can end the wait; the
        // reader is left behind blocked on stdin, which is harmless.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let answer = match std::io::stdin().lock().read_line(&mut line) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_owned()),
            };
            let _ = tx.send(answer);
        });
        loop {
            if self.inner.cancel.get().is_some_and(|c| c.is_cancelled()) {
                return None;
            }
            match rx.recv_timeout(kiln_core::cancel::POLL) {
                Ok(answer) => return answer,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Go's `time.RFC3339` for now, in local time (`Z` for UTC).
fn rfc3339_now() -> String {
    let now = jiff::Zoned::now();
    let s = now.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    match s.strip_suffix("+00:00") {
        Some(base) => format!("{base}Z"),
        None => s,
    }
}

/// Packer's TargetedUI: each line of a message prefixed with the build
/// name, `==> ` for headings and errors, four spaces for details.
fn prefix_lines(shape: Shape, target: &str, msg: &str) -> String {
    let prefix = match shape {
        Shape::Say | Shape::Error => "==> ",
        Shape::Message => "    ",
    };
    let mut out = String::new();
    for (i, line) in msg.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{prefix}{target}: {line}"));
    }
    out.trim_end().to_owned()
}

struct TargetUi {
    console: Console,
    name: String,
    color: Color,
}

impl TargetUi {
    fn shaped(&self, shape: Shape, msg: &str) {
        // The log's own writer masks this too.
        tracing::debug!(build = %self.name, "{msg}");
        let text = prefix_lines(shape, &self.name, msg);
        let (kind, color) = match shape {
            Shape::Say => ("say", (self.color, true)),
            Shape::Message => ("message", (self.color, false)),
            Shape::Error => ("error", (Color::Red, true)),
        };
        self.console.emit(kind, &text, Some(color));
    }
}

impl Ui for TargetUi {
    fn say(&self, msg: &str) {
        self.shaped(Shape::Say, msg);
    }
    fn message(&self, msg: &str) {
        self.shaped(Shape::Message, msg);
    }
    fn error(&self, msg: &str) {
        self.shaped(Shape::Error, msg);
    }
    fn machine(&self, kind: &str, data: &[&str]) {
        self.console.machine(&self.name, kind, data);
    }
    fn ask(&self, prompt: &str) -> Option<String> {
        self.console
            .ask(&prefix_lines(Shape::Say, &self.name, prompt))
    }
    fn progress(&self, label: &str, total: Option<u64>) -> Box<dyn Progress> {
        progress::new(
            &self.console,
            &prefix_lines(Shape::Say, &self.name, label),
            total,
        )
    }
    fn mask(&self, text: &str) -> String {
        self.console.mask().apply(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_every_line() {
        assert_eq!(
            prefix_lines(Shape::Message, "null.a", "one\ntwo\n"),
            "    null.a: one\n    null.a: two\n    null.a:"
        );
        assert_eq!(prefix_lines(Shape::Say, "b", "x"), "==> b: x");
    }
}
