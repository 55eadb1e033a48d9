//! Run `n` jobs on threads, at most `limit` at once (0 = no limit), in
//! order of index; jobs not started before a cancel never start.

use kiln_core::Cancel;
use std::sync::{Condvar, Mutex};

pub fn run_all<T: Send>(
    n: usize,
    limit: usize,
    cancel: &Cancel,
    job: impl Fn(usize) -> T + Sync,
) -> Vec<Option<T>> {
    let slots = Slots {
        state: Mutex::new(SlotState {
            free: if limit == 0 { usize::MAX } else { limit },
            turn: 0,
        }),
        changed: Condvar::new(),
    };
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let slots = &slots;
                let job = &job;
                s.spawn(move || {
                    if !slots.acquire(i, cancel) {
                        return None;
                    }
                    let out = job(i);
                    slots.release();
                    Some(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    })
}

struct Slots {
    state: Mutex<SlotState>,
    changed: Condvar,
}

struct SlotState {
    free: usize,
    /// Index of the next job allowed to start, so builds start in order.
    turn: usize,
}

impl Slots {
    /// Wait for this job's turn and a free slot; `false` when cancelled
    /// first.
    fn acquire(&self, i: usize, cancel: &Cancel) -> bool {
        let Ok(mut st) = self.state.lock() else {
            return false;
        };
        loop {
            let my_turn = st.turn == i;
            if cancel.is_cancelled() {
                // Pass the turn on so later jobs see the cancel too.
                if my_turn {
                    st.turn += 1;
                    self.changed.notify_all();
                }
                return false;
            }
            if my_turn && st.free > 0 {
                st.free -= 1;
                st.turn += 1;
                self.changed.notify_all();
                return true;
            }
            st = match self.changed.wait_timeout(st, kiln_core::cancel::POLL) {
                Ok((g, _)) => g,
                Err(_) => return false,
            };
        }
    }

    fn release(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.free += 1;
        }
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn never_more_than_the_limit_at_once() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let out = run_all(6, 2, &Cancel::new(), |i| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(30));
            running.fetch_sub(1, Ordering::SeqCst);
            i * 10
        });
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(out, [0, 10, 20, 30, 40, 50].map(Some));
    }

    #[test]
    fn unlimited_runs_all_together() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        run_all(5, 0, &Cancel::new(), |_| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(100));
            running.fetch_sub(1, Ordering::SeqCst);
        });
        assert_eq!(peak.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn cancelled_jobs_do_not_start() {
        let cancel = Cancel::new();
        let out = run_all(3, 1, &cancel, |i| {
            cancel.cancel();
            i
        });
        assert_eq!(out, [Some(0), None, None]);
    }
}
