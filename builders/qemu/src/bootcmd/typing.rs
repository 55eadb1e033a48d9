//! Typing parsed actions into a VM.

use super::keys::{stroke, KeyStroke};
use super::parse::{Action, Key, KeyAction};
use crate::qmp::Qmp;
use kiln_core::cancel::Reason;
use kiln_core::error::BoxError;
use kiln_core::Cancel;
use kiln_gocompat::GoDuration;
use std::time::Duration;

/// Packer's `PackerKeyDefault`.
pub const DEFAULT_KEY_INTERVAL: Duration = Duration::from_millis(100);

/// Where key events go. [`Qmp`] implements it; tests record.
pub trait KeySink {
    /// Press the keys together (`["shift", "a"]`), hold them for `hold`,
    /// release them.
    fn press(&mut self, qcodes: &[&str], hold: Duration) -> Result<(), BoxError>;
    /// Press (`down`) or release one key and leave it so.
    fn set(&mut self, qcode: &str, down: bool) -> Result<(), BoxError>;
}

impl KeySink for Qmp {
    fn press(&mut self, qcodes: &[&str], hold: Duration) -> Result<(), BoxError> {
        // QMP counts whole milliseconds; 0 would let qemu pick its 100 ms.
        let ms = u32::try_from(hold.as_millis()).unwrap_or(u32::MAX).max(1);
        Ok(self.send_key(qcodes, Some(ms))?)
    }

    fn set(&mut self, qcode: &str, down: bool) -> Result<(), BoxError> {
        Ok(self.key_event(qcode, down)?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TypeError {
    /// The token fired while typing.
    #[error("typing the boot command was interrupted: {0:?}")]
    Cancelled(Reason),
    /// A key the parser let through has no code (a bug, not a user error).
    #[error("no key code for {0:?}")]
    NoKey(Key),
    /// The sink failed (QMP error, qemu gone).
    #[error("sending keys: {0}")]
    Sink(#[source] BoxError),
}

/// The interval between key events: `boot_key_interval` when set (and
/// positive), else `KILN_KEY_INTERVAL` or `PACKER_KEY_INTERVAL` when they
/// hold a Go duration, else Packer's 100 ms.
pub fn key_interval(configured: Option<Duration>) -> Duration {
    interval_from(configured, &|v| std::env::var(v).ok())
}

fn interval_from(configured: Option<Duration>, env: &dyn Fn(&str) -> Option<String>) -> Duration {
    if let Some(d) = configured.filter(|d| !d.is_zero()) {
        return d;
    }
    ["KILN_KEY_INTERVAL", "PACKER_KEY_INTERVAL"]
        .iter()
        .filter_map(|v| env(v))
        .find_map(|s| GoDuration::parse(&s).ok())
        .map_or(DEFAULT_KEY_INTERVAL, GoDuration::as_std)
}

/// Type `actions`. A key press is held for `interval` and followed by
/// `interval` of rest (Packer's VNC driver: down, wait, up, wait); shift
/// goes into the same chord. `On`/`Off` send one event each (shift first
/// for a shifted character, as Packer does) followed by `interval`.
pub fn type_actions(
    actions: &[Action],
    sink: &mut dyn KeySink,
    interval: Duration,
    cancel: &Cancel,
) -> Result<(), TypeError> {
    for action in actions {
        if let Some(r) = cancel.reason() {
            return Err(TypeError::Cancelled(r));
        }
        match *action {
            Action::Wait(d) => {
                tracing::info!("Waiting {}", kiln_gocompat::duration::go_duration(d));
                cancel.sleep(d).map_err(TypeError::Cancelled)?;
            }
            Action::Key { key, action } => {
                let s = stroke(key).ok_or(TypeError::NoKey(key))?;
                tracing::debug!(?key, ?action, qcode = s.qcode, shift = s.shift, "key");
                send(sink, s, action, interval, cancel)?;
            }
        }
    }
    Ok(())
}

fn send(
    sink: &mut dyn KeySink,
    s: KeyStroke,
    action: KeyAction,
    interval: Duration,
    cancel: &Cancel,
) -> Result<(), TypeError> {
    let rest = |n: u32| cancel.sleep(interval * n).map_err(TypeError::Cancelled);
    match action {
        KeyAction::Press => {
            let chord: &[&str] = if s.shift {
                &["shift", s.qcode]
            } else {
                &[s.qcode]
            };
            sink.press(chord, interval).map_err(TypeError::Sink)?;
            // qemu releases the chord itself after the hold, while an
            // `input-send-event` (a later `<…On>`) goes out at once: the
            // rest must outlast the hold so that events stay in order.
            rest(2)
        }
        KeyAction::On | KeyAction::Off => {
            let down = action == KeyAction::On;
            if s.shift {
                sink.set("shift", down).map_err(TypeError::Sink)?;
                rest(1)?;
            }
            sink.set(s.qcode, down).map_err(TypeError::Sink)?;
            rest(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bootcmd::parse;
    use std::time::Instant;

    #[derive(Default)]
    struct Recorder {
        events: Vec<String>,
        fail_after: Option<usize>,
    }

    impl Recorder {
        fn check(&self) -> Result<(), BoxError> {
            match self.fail_after {
                Some(n) if self.events.len() >= n => Err("qemu went away".into()),
                _ => Ok(()),
            }
        }
    }

    impl KeySink for Recorder {
        fn press(&mut self, qcodes: &[&str], hold: Duration) -> Result<(), BoxError> {
            self.check()?;
            self.events
                .push(format!("press {} {}ms", qcodes.join("+"), hold.as_millis()));
            Ok(())
        }
        fn set(&mut self, qcode: &str, down: bool) -> Result<(), BoxError> {
            self.check()?;
            self.events
                .push(format!("{} {qcode}", if down { "down" } else { "up" }));
            Ok(())
        }
    }

    #[test]
    fn keys_chords_and_toggles() {
        let actions = parse("aB<<enter><leftCtrlOn>c<leftCtrlOff><|On><|Off>").unwrap();
        let mut r = Recorder::default();
        type_actions(&actions, &mut r, Duration::from_millis(1), &Cancel::new()).unwrap();
        assert_eq!(
            r.events,
            [
                "press a 1ms",
                "press shift+b 1ms",
                "press shift+comma 1ms",
                "press ret 1ms",
                "down ctrl",
                "press c 1ms",
                "up ctrl",
                "down shift",
                "down backslash",
                "up shift",
                "up backslash",
            ]
        );
    }

    #[test]
    fn waits_and_intervals_take_their_time() {
        let actions = parse("ab<wait0.2s>").unwrap();
        let start = Instant::now();
        let mut r = Recorder::default();
        type_actions(&actions, &mut r, Duration::from_millis(50), &Cancel::new()).unwrap();
        // Two keys of hold + rest each, then the wait.
        assert!(
            start.elapsed() >= Duration::from_millis(400),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn cancel_stops_a_wait_and_sink_errors_surface() {
        let actions = parse("a<wait10m>b").unwrap();
        let cancel = Cancel::new();
        let c2 = cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            c2.cancel();
        });
        let mut r = Recorder::default();
        let err = type_actions(&actions, &mut r, Duration::from_millis(1), &cancel)
            .expect_err("an error");
        t.join().unwrap();
        assert!(matches!(err, TypeError::Cancelled(Reason::Cancelled)));
        assert_eq!(r.events, ["press a 1ms"]);

        let mut r = Recorder {
            fail_after: Some(1),
            ..Recorder::default()
        };
        let err = type_actions(
            &parse("ab").unwrap(),
            &mut r,
            Duration::ZERO,
            &Cancel::new(),
        )
        .expect_err("an error");
        assert_eq!(err.to_string(), "sending keys: qemu went away");
    }

    #[test]
    fn interval_defaults_like_packer() {
        let ms = Duration::from_millis;
        let none = |_: &str| None;
        let packer = |v: &str| (v == "PACKER_KEY_INTERVAL").then(|| "20ms".to_owned());
        let both = |v: &str| {
            Some(
                if v == "KILN_KEY_INTERVAL" {
                    "7ms"
                } else {
                    "20ms"
                }
                .to_owned(),
            )
        };
        let junk = |_: &str| Some("fast".to_owned());
        assert_eq!(interval_from(Some(ms(5)), &packer), ms(5));
        assert_eq!(interval_from(None, &none), DEFAULT_KEY_INTERVAL);
        assert_eq!(interval_from(Some(Duration::ZERO), &packer), ms(20));
        assert_eq!(interval_from(None, &both), ms(7));
        assert_eq!(interval_from(None, &junk), DEFAULT_KEY_INTERVAL);
    }
}
