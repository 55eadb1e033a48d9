//! From the async SSH server to the blocking communicator. The
//! communicator is borrowed for the adapter's lifetime, not `'static`, so
//! its calls cannot run on tokio's blocking pool: they go through a queue
//! to a dispatcher on a scoped thread, which runs each on a scoped thread
//! of its own (a command can run for as long as a playbook task does).

use kiln_core::Communicator;
use std::sync::mpsc;
use std::thread::Scope;

type Job = Box<dyn FnOnce(&dyn Communicator) + Send>;

#[derive(Clone)]
pub(crate) struct Jobs(mpsc::Sender<Job>);

pub(crate) struct Queue(mpsc::Receiver<Job>);

impl Jobs {
    pub fn new() -> (Jobs, Queue) {
        let (tx, rx) = mpsc::channel();
        (Jobs(tx), Queue(rx))
    }

    /// Run `f` with the communicator; `None` once the adapter is stopping.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Communicator) -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.0
            .send(Box::new(move |comm| {
                let _ = tx.send(f(comm));
            }))
            .ok()?;
        rx.await.ok()
    }
}

/// Run jobs until every [`Jobs`] handle is gone; the scope then waits for
/// those still running.
pub(crate) fn dispatch<'scope>(
    s: &'scope Scope<'scope, '_>,
    comm: &'scope dyn Communicator,
    queue: Queue,
) {
    for job in queue.0 {
        s.spawn(move || job(comm));
    }
}
