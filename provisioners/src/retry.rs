//! Packer's `retry.Config{StartTimeout}`: try, and while attempts fail
//! and the start timeout has not passed, wait two seconds and try again.
//! Used around everything that needs the machine to answer, so a reboot
//! (or sshd restarting) is waited out.

use kiln_core::Cancel;
use std::time::{Duration, Instant};

/// Packer's pause between attempts.
pub(crate) const DELAY: Duration = Duration::from_secs(2);

/// How one failed attempt ends the loop.
pub(crate) enum Attempt<E> {
    /// Worth another go (the machine did not answer).
    Again(E),
    /// Final: cancelled, or an error trying again cannot fix.
    Stop(E),
}

/// Run `f` until it succeeds, says [`Attempt::Stop`], `timeout` has
/// passed since the first attempt, or `cancel` fires. At least one
/// attempt is made; the last error is returned.
pub(crate) fn with_start_timeout<T, E: std::fmt::Display>(
    cancel: &Cancel,
    timeout: Duration,
    delay: Duration,
    mut f: impl FnMut() -> Result<T, Attempt<E>>,
) -> Result<T, E> {
    let deadline = Instant::now().checked_add(timeout);
    loop {
        let err = match f() {
            Ok(v) => return Ok(v),
            Err(Attempt::Stop(e)) => return Err(e),
            Err(Attempt::Again(e)) => e,
        };
        tracing::debug!("Retryable error: {err}");
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(err);
        }
        if cancel.sleep(delay).is_err() {
            return Err(err);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_until_success() {
        let mut n = 0;
        let r: Result<i32, &str> = with_start_timeout(
            &Cancel::new(),
            Duration::from_secs(5),
            Duration::ZERO,
            || {
                n += 1;
                if n < 3 {
                    Err(Attempt::Again("not yet"))
                } else {
                    Ok(n)
                }
            },
        );
        assert_eq!(r, Ok(3));
    }

    #[test]
    fn gives_the_last_error_after_the_timeout() {
        let mut n = 0;
        let start = Instant::now();
        let r: Result<(), String> = with_start_timeout(
            &Cancel::new(),
            Duration::from_millis(100),
            Duration::from_millis(30),
            || {
                n += 1;
                Err(Attempt::Again(format!("attempt {n}")))
            },
        );
        assert!(start.elapsed() >= Duration::from_millis(100));
        assert_eq!(r, Err(format!("attempt {n}")));
        assert!(n >= 3, "{n}");
    }

    #[test]
    fn stop_and_cancel_end_at_once() {
        let mut n = 0;
        let r: Result<(), &str> =
            with_start_timeout(&Cancel::new(), Duration::from_secs(60), DELAY, || {
                n += 1;
                Err(Attempt::Stop("fatal"))
            });
        assert_eq!((r, n), (Err("fatal"), 1));
        let cancel = Cancel::new();
        cancel.cancel();
        let start = Instant::now();
        let r: Result<(), &str> =
            with_start_timeout(&cancel, Duration::from_secs(60), DELAY, || {
                Err(Attempt::Again("down"))
            });
        assert_eq!(r, Err("down"));
        assert!(start.elapsed() < DELAY);
    }
}
