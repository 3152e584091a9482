//! Running the commands inside another program (the Python package): the
//! commands then install no signal handlers of their own (the host keeps
//! its own, such as Python's Ctrl-C), stop when the host raises the stop
//! flag, and leave their progress for the host to read instead of drawing
//! a bar.

use indicatif::ProgressBar;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// What a command shares with its host while it runs.
pub(crate) struct Shared {
    /// Raised by the host: the command stops after the replications under
    /// way, as on Ctrl-C.
    pub(crate) stop: Arc<AtomicBool>,
    /// The progress of the command's latest bar (hidden).
    pub(crate) bar: Mutex<Option<ProgressBar>>,
}

/// The session under way, if the commands are embedded, and the condition
/// a second session waits on until the first ends.
static SESSION: (Mutex<Option<Arc<Shared>>>, Condvar) = (Mutex::new(None), Condvar::new());

/// The session's shared state, when the commands run embedded.
pub(crate) fn current() -> Option<Arc<Shared>> {
    SESSION.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Commands run embedded while a session lives (one at a time: a second
/// session waits for the first to end).
pub struct Session {
    shared: Arc<Shared>,
}

impl Session {
    /// Starts a session: from now until it is dropped, commands run in
    /// this process report to it. Waits while another session lives.
    pub fn begin() -> Session {
        let (session, ended) = &SESSION;
        let mut current = session.lock().unwrap_or_else(|e| e.into_inner());
        while current.is_some() {
            current = ended.wait(current).unwrap_or_else(|e| e.into_inner());
        }
        let shared = Arc::new(Shared {
            stop: Arc::new(AtomicBool::new(false)),
            bar: Mutex::new(None),
        });
        *current = Some(Arc::clone(&shared));
        Session { shared }
    }

    /// A handle to stop the command (from another thread).
    pub fn stopper(&self) -> Stopper {
        Stopper(Arc::clone(&self.shared))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let (session, ended) = &SESSION;
        *session.lock().unwrap_or_else(|e| e.into_inner()) = None;
        ended.notify_one();
    }
}

/// Stops a session's command and reads its progress, from any thread.
#[derive(Clone)]
pub struct Stopper(Arc<Shared>);

impl Stopper {
    /// Asks the command to stop after the replications under way; it then
    /// fails with [`super::commands::Interrupted`] and leaves no files.
    pub fn stop(&self) {
        self.0.stop.store(true, Ordering::SeqCst);
    }

    /// The progress of the command's current stage: done and total (the
    /// total may grow, as when a precision target asks for more
    /// replications). `None` before a stage has begun.
    pub fn progress(&self) -> Option<(u64, u64)> {
        let bar = self.0.bar.lock().unwrap_or_else(|e| e.into_inner());
        bar.as_ref()
            .map(|b| (b.position(), b.length().unwrap_or(0)))
    }
}
