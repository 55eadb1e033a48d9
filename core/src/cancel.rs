//! Cancellation shared by every running build: Ctrl-C cancels the root
//! token, `timeout` meta-arguments hang a deadline off a child token.
//!
//! Polling rather than wake-ups: every wait in kiln is either a child
//! process, a network call with its own timeout, or a sleep, and all of them
//! can check a flag every few tens of milliseconds at no real cost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often waits look at the token.
pub const POLL: Duration = Duration::from_millis(25);

#[derive(Debug, Clone, Default)]
pub struct Cancel {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    flag: AtomicBool,
    deadline: Option<Instant>,
    parent: Option<Cancel>,
}

/// Why a token fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Cancelled by the user (Ctrl-C, SIGTERM) or by a parent.
    Cancelled,
    /// A deadline passed.
    TimedOut,
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// A token that fires when this one does, or by itself.
    pub fn child(&self) -> Cancel {
        self.make_child(None)
    }

    /// A token that fires when this one does or when `after` has passed.
    /// An `after` too long for the clock to represent is no deadline.
    pub fn with_timeout(&self, after: Duration) -> Cancel {
        self.make_child(Instant::now().checked_add(after))
    }

    fn make_child(&self, deadline: Option<Instant>) -> Cancel {
        Cancel {
            inner: Arc::new(Inner {
                flag: AtomicBool::new(false),
                deadline,
                parent: Some(self.clone()),
            }),
        }
    }

    pub fn cancel(&self) {
        self.inner.flag.store(true, Ordering::SeqCst);
    }

    /// `Some(reason)` once the token (or an ancestor) has fired.
    pub fn reason(&self) -> Option<Reason> {
        if self.inner.flag.load(Ordering::SeqCst) {
            return Some(Reason::Cancelled);
        }
        if let Some(parent) = &self.inner.parent {
            if let Some(r) = parent.reason() {
                return Some(r);
            }
        }
        match self.inner.deadline {
            Some(d) if Instant::now() >= d => Some(Reason::TimedOut),
            _ => None,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.reason().is_some()
    }

    /// Sleep for `d`, waking early when the token fires. `Err` carries the
    /// reason it fired. A `d` too long for the clock to represent its end
    /// sleeps until the token fires.
    pub fn sleep(&self, d: Duration) -> Result<(), Reason> {
        let end = Instant::now().checked_add(d);
        loop {
            if let Some(r) = self.reason() {
                return Err(r);
            }
            let left = match end {
                Some(end) => end.saturating_duration_since(Instant::now()),
                None => POLL,
            };
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(POLL.min(left));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_follow_parents_and_deadlines() {
        let root = Cancel::new();
        let child = root.child();
        let timed = root.with_timeout(Duration::from_millis(30));
        assert_eq!(child.reason(), None);
        assert_eq!(timed.sleep(Duration::from_secs(5)), Err(Reason::TimedOut));
        assert_eq!(
            root.reason(),
            None,
            "a child's deadline never reaches the parent"
        );
        root.cancel();
        assert_eq!(child.reason(), Some(Reason::Cancelled));
        assert_eq!(timed.reason(), Some(Reason::Cancelled));
    }

    #[test]
    fn durations_past_the_clock_wait_for_the_token_instead_of_panicking() {
        // Both used to compute `Instant::now() + d` and panic with
        // "overflow when adding duration to instant".
        let huge = Duration::from_secs(u64::MAX);
        let c = Cancel::new();
        let timed = c.with_timeout(huge);
        assert_eq!(timed.reason(), None);
        let c2 = c.clone();
        let t = std::thread::spawn(move || c2.sleep(huge));
        std::thread::sleep(Duration::from_millis(50));
        c.cancel();
        assert_eq!(t.join().ok(), Some(Err(Reason::Cancelled)));
        assert_eq!(timed.reason(), Some(Reason::Cancelled));
    }

    #[test]
    fn sleep_wakes_on_cancel() {
        let c = Cancel::new();
        let c2 = c.clone();
        let t = std::thread::spawn(move || c2.sleep(Duration::from_secs(30)));
        std::thread::sleep(Duration::from_millis(50));
        c.cancel();
        assert_eq!(t.join().ok(), Some(Err(Reason::Cancelled)));
    }
}
