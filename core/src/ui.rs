//! Every line kiln prints goes through a [`Ui`]. The binary implements it
//! (colours per build, `-timestamp-ui`, `-machine-readable`, masking of
//! sensitive values, progress bars on a terminal); components only see the
//! trait, already prefixed for their build.

/// Output of one build (or of the run as a whole).
pub trait Ui: Send + Sync {
    /// A step heading: `==> null.a: Running local shell script: …`.
    fn say(&self, msg: &str);
    /// Detail under a heading, e.g. a provisioner's output:
    /// `    null.a: hello`.
    fn message(&self, msg: &str);
    /// An error line, e.g. a command's stderr: `==> null.a: …` in red.
    fn error(&self, msg: &str);
    /// A record only `-machine-readable` shows: `TIMESTAMP,TARGET,KIND,DATA…`.
    fn machine(&self, kind: &str, data: &[&str]);
    /// Ask the user and wait for one line. `None` when nobody can answer
    /// (no terminal on stdin, `CI=true`, or end of input).
    fn ask(&self, prompt: &str) -> Option<String>;
    /// A progress indicator for long work; plain lines when not on a
    /// terminal.
    fn progress(&self, label: &str, total: Option<u64>) -> Box<dyn Progress>;
    /// `text` with the run's sensitive values replaced by `<sensitive>`,
    /// as in every line the Ui shows: for components that write what the
    /// user configured to a file (the manifest). A Ui that knows no
    /// sensitive values returns `text` as it is.
    fn mask(&self, text: &str) -> String {
        text.to_owned()
    }
}

pub trait Progress: Send {
    fn set_position(&self, pos: u64);
    fn inc(&self, delta: u64);
    fn finish(&self);
}

/// For work nobody is watching.
pub struct NoProgress;

impl Progress for NoProgress {
    fn set_position(&self, _: u64) {}
    fn inc(&self, _: u64) {}
    fn finish(&self) {}
}

/// A Ui that records every line, for unit tests of components.
#[derive(Debug, Default)]
pub struct RecordingUi {
    pub lines: std::sync::Mutex<Vec<(String, String)>>,
    pub answers: std::sync::Mutex<Vec<String>>,
}

impl RecordingUi {
    fn push(&self, kind: &str, msg: &str) {
        if let Ok(mut l) = self.lines.lock() {
            l.push((kind.to_owned(), msg.to_owned()));
        }
    }

    /// Every recorded line of a kind (`say`, `message`, `error`, `ask`,
    /// `machine`).
    pub fn of(&self, kind: &str) -> Vec<String> {
        self.lines
            .lock()
            .map(|l| {
                l.iter()
                    .filter(|(k, _)| k == kind)
                    .map(|(_, m)| m.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Ui for RecordingUi {
    fn say(&self, msg: &str) {
        self.push("say", msg);
    }
    fn message(&self, msg: &str) {
        self.push("message", msg);
    }
    fn error(&self, msg: &str) {
        self.push("error", msg);
    }
    fn machine(&self, kind: &str, data: &[&str]) {
        self.push("machine", &format!("{kind},{}", data.join(",")));
    }
    fn ask(&self, prompt: &str) -> Option<String> {
        self.push("ask", prompt);
        self.answers.lock().ok().and_then(|mut a| a.pop())
    }
    fn progress(&self, _: &str, _: Option<u64>) -> Box<dyn Progress> {
        Box::new(NoProgress)
    }
}
