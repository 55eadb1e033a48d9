//! Progress for long work (downloads, compression, uploads): an indicatif
//! bar on a terminal; elsewhere (CI logs, pipes, machine-readable) one
//! line when the work starts and one when it ends, so logs stay short.

use super::Console;
use kiln_core::ui::Progress;
use std::io::IsTerminal;

pub fn new(console: &Console, label: &str, total: Option<u64>) -> Box<dyn Progress> {
    if !console.machine_readable() && std::io::stdout().is_terminal() {
        let bar = match total {
            Some(t) => indicatif::ProgressBar::new(t),
            None => indicatif::ProgressBar::new_spinner(),
        };
        let template = if total.is_some() {
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})"
        } else {
            "{msg} {spinner} {bytes} ({bytes_per_sec})"
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(console.mask().apply(label));
        return Box::new(Bar(bar));
    }
    console.say(label);
    Box::new(Plain)
}

struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn set_position(&self, pos: u64) {
        self.0.set_position(pos);
    }
    fn inc(&self, delta: u64) {
        self.0.inc(delta);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

struct Plain;

impl Progress for Plain {
    fn set_position(&self, _: u64) {}
    fn inc(&self, _: u64) {}
    fn finish(&self) {}
}
