//! Run `n` jobs on threads, at most `limit` at once (0 = no limit), in
//! order of index; jobs not started before a cancel never start. A job
//! that panics gives its slot back and ends as `Err(panic message)`; the
//! others run on.

use super::panic;
use kiln_core::Cancel;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Per job: `None` if it never started, `Err` with the panic message if
/// it panicked, else what it returned.
pub fn run_all<T: Send>(
    n: usize,
    limit: usize,
    cancel: &Cancel,
    job: impl Fn(usize) -> T + Sync,
) -> Vec<Option<Result<T, String>>> {
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
                    let _slot = slots.acquire(i, cancel)?;
                    Some(panic::catch(|| job(i)))
                })
            })
            .collect();
        handles
            .into_iter()
            // `catch` leaves nothing to unwind the thread itself.
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

/// A taken slot; dropping it (also while unwinding) gives it back.
struct Slot<'a>(&'a Slots);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.lock().free += 1;
        self.0.changed.notify_all();
    }
}

impl Slots {
    /// The state is a pair of counters that every critical section leaves
    /// consistent, so a poisoned lock holds nothing half-done.
    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wait for this job's turn and a free slot; `None` when cancelled
    /// first.
    fn acquire(&self, i: usize, cancel: &Cancel) -> Option<Slot<'_>> {
        let mut st = self.lock();
        loop {
            let my_turn = st.turn == i;
            if cancel.is_cancelled() {
                // Pass the turn on so later jobs see the cancel too.
                if my_turn {
                    st.turn += 1;
                    self.changed.notify_all();
                }
                return None;
            }
            if my_turn && st.free > 0 {
                st.free -= 1;
                st.turn += 1;
                self.changed.notify_all();
                return Some(Slot(self));
            }
            st = self
                .changed
                .wait_timeout(st, kiln_core::cancel::POLL)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
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
        assert_eq!(out, [0, 10, 20, 30, 40, 50].map(|v| Some(Ok(v))));
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
        assert_eq!(out, [Some(Ok(0)), None, None]);
    }

    #[test]
    fn a_panicking_job_frees_its_slot_and_reports_the_panic() {
        // With one slot, a slot lost to the panic would block job 1
        // forever: run on a thread and give up after a while.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let out = run_all(3, 1, &Cancel::new(), |i| {
                if i == 0 {
                    panic!("job {i} broke");
                }
                i
            });
            let _ = tx.send(out);
        });
        let out = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the jobs after the panic never ran");
        let [Some(Err(first)), Some(Ok(1)), Some(Ok(2))] = out.as_slice() else {
            panic!("{out:?}");
        };
        assert!(first.starts_with("job 0 broke"), "{first}");
    }
}
