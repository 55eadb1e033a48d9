//! Waiting on EC2 state (instance running, image available…).
//!
//! Packer waits with the SDK's waiters: a fixed delay (15 s by default)
//! and a number of attempts (40), tunable with `aws_polling` or
//! `AWS_POLL_DELAY_SECONDS`/`AWS_MAX_ATTEMPTS`. kiln keeps those knobs and
//! their total budget, but without an explicit delay it backs off from one
//! second instead: most transitions finish in seconds, and a fixed 15 s
//! poll makes every wait cost at least 15 s. Sleeps wake on cancel.

use crate::config::{AmazonConfig, DEFAULT_POLL_ATTEMPTS, DEFAULT_POLL_DELAY_SECS};
use crate::error::AwsError;
use kiln_core::Cancel;
use std::time::{Duration, Instant};

/// What one look at the resource found.
pub enum Poll<T> {
    Ready(T),
    Pending,
    /// A state the wait can never leave (`failed`, `terminated`…).
    Failed {
        state: String,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// Fixed delay between attempts; `None` backs off.
    pub delay: Option<Duration>,
    pub attempts: u32,
}

const FIRST_DELAY: Duration = Duration::from_secs(1);

impl Polling {
    pub fn from_config(c: &AmazonConfig) -> Polling {
        let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
        let p = c.aws_polling.clone().unwrap_or_default();
        let delay = p
            .delay_seconds
            .or_else(|| env("AWS_POLL_DELAY_SECONDS"))
            .filter(|d| *d > 0)
            .map(Duration::from_secs);
        let attempts = p
            .max_attempts
            .or_else(|| env("AWS_MAX_ATTEMPTS").and_then(|n| u32::try_from(n).ok()))
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_POLL_ATTEMPTS);
        Polling { delay, attempts }
    }

    /// The delay before attempt `n + 1` (after `n` looks).
    fn delay_after(&self, n: u32) -> Duration {
        match self.delay {
            Some(d) => d,
            None => {
                let cap = Duration::from_secs(DEFAULT_POLL_DELAY_SECS);
                FIRST_DELAY
                    .saturating_mul(2u32.saturating_pow(n.saturating_sub(1).min(8)))
                    .min(cap)
            }
        }
    }

    /// The total time a backing-off wait may take: Packer's budget.
    fn budget(&self) -> Duration {
        Duration::from_secs(DEFAULT_POLL_DELAY_SECS).saturating_mul(self.attempts)
    }

    /// Look with `check` until it is ready, fails, or the attempts (or,
    /// when backing off, Packer's total budget) run out.
    pub fn wait<T>(
        &self,
        cancel: &Cancel,
        what: &str,
        mut check: impl FnMut() -> Result<Poll<T>, AwsError>,
    ) -> Result<T, AwsError> {
        let start = Instant::now();
        let mut n = 0u32;
        loop {
            n += 1;
            match check()? {
                Poll::Ready(v) => return Ok(v),
                Poll::Failed { state, reason } => {
                    return Err(AwsError::WaitFailed {
                        what: what.to_owned(),
                        state,
                        reason,
                    })
                }
                Poll::Pending => {}
            }
            let out_of_attempts = match self.delay {
                Some(_) => n >= self.attempts,
                None => start.elapsed() >= self.budget(),
            };
            if out_of_attempts {
                return Err(AwsError::WaitExhausted {
                    what: what.to_owned(),
                    attempts: n,
                });
            }
            cancel
                .sleep(self.delay_after(n))
                .map_err(|_| AwsError::Cancelled)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Polling as PollingConfig;

    #[test]
    fn explicit_delay_is_fixed_and_attempts_count() {
        let c = AmazonConfig {
            aws_polling: Some(PollingConfig {
                delay_seconds: Some(1),
                max_attempts: Some(2),
            }),
            ..AmazonConfig::default()
        };
        let p = Polling::from_config(&c);
        assert_eq!(p.delay_after(1), Duration::from_secs(1));
        assert_eq!(p.delay_after(7), Duration::from_secs(1));
        let mut looks = 0;
        let r: Result<(), _> = Polling {
            delay: Some(Duration::from_millis(1)),
            attempts: 3,
        }
        .wait(&Cancel::new(), "x", || {
            looks += 1;
            Ok(Poll::Pending)
        });
        assert!(matches!(
            r,
            Err(AwsError::WaitExhausted { attempts: 3, .. })
        ));
        assert_eq!(looks, 3);
    }

    #[test]
    fn default_backs_off_to_packers_delay() {
        let p = Polling {
            delay: None,
            attempts: 40,
        };
        let d: Vec<u64> = (1..=6).map(|n| p.delay_after(n).as_secs()).collect();
        assert_eq!(d, [1, 2, 4, 8, 15, 15]);
        assert_eq!(p.budget(), Duration::from_secs(600));
    }

    #[test]
    fn failure_and_cancel_end_the_wait() {
        let p = Polling {
            delay: Some(Duration::from_secs(30)),
            attempts: 40,
        };
        let r: Result<(), _> = p.wait(&Cancel::new(), "image", || {
            Ok(Poll::Failed {
                state: "failed".into(),
                reason: ": boom".into(),
            })
        });
        assert_eq!(
            r.expect_err("an error").to_string(),
            "image reached state \"failed\": boom"
        );
        let c = Cancel::new();
        c.cancel();
        let r: Result<(), _> = p.wait(&c, "x", || Ok(Poll::Pending));
        assert!(matches!(r, Err(AwsError::Cancelled)));
    }
}
