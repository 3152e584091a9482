//! The progress bar, and what happens when a signal asks the run to stop.
//!
//! SIGINT (Ctrl-C), SIGTERM (sent by `timeout`, systemd and SLURM) and
//! SIGHUP all stop a run the same way: the replications under way finish,
//! nothing unfinished is written under a final name, and the process exits
//! with 128 + the signal's number (130, 143, 129). A second signal stops at
//! once, after removing the unfinished files.

use anyhow::{Context, Result};
use cocreate::experiment::Observer;
use cocreate::output::remove_temporary_files;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

/// The signal that stopped the run (0: none).
static STOPPED_BY: AtomicI32 = AtomicI32::new(0);

/// The number of the signal that stopped the run (SIGINT if none was
/// recorded), for the exit status 128 + signal.
pub fn stop_signal() -> i32 {
    match STOPPED_BY.load(Ordering::SeqCst) {
        0 => 2,
        s => s,
    }
}

/// What a second signal removes before exiting.
#[derive(Clone, Debug)]
pub enum Unfinished {
    /// A result folder being written (its target): its staging folder and
    /// lock file.
    Staging(PathBuf),
    /// A sweep folder: the temporary files of the point being saved, and
    /// its lock file (its saved points stay, for --resume).
    Sweep(PathBuf),
}

impl Unfinished {
    fn remove(&self) {
        use cocreate::output::folder::leftovers;
        match self {
            Unfinished::Staging(dir) => {
                let [staging, lock] = leftovers(dir);
                let _ = std::fs::remove_dir_all(staging);
                let _ = std::fs::remove_file(lock);
            }
            Unfinished::Sweep(dir) => {
                remove_temporary_files(dir);
                remove_temporary_files(&dir.join(".partial"));
                let _ = std::fs::remove_file(&leftovers(dir)[1]);
            }
        }
    }
}

/// The progress bar on stderr, and the stop flag that signals raise.
pub struct Progress {
    pub bar: ProgressBar,
    cancel: Arc<AtomicBool>,
    /// What is being written, for a second signal.
    pub unfinished: Arc<Mutex<Option<Unfinished>>>,
}

impl Progress {
    /// A bar over `total` units (`unit` names them: replications, runs);
    /// installs the signal handler.
    pub fn new(total: u64, unit: &str, quiet: bool) -> Result<Progress> {
        if let Some(host) = crate::app::embedded::current() {
            // embedded: the host stops the run and reads the progress
            let bar = ProgressBar::hidden();
            bar.set_length(total);
            *host.bar.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
            return Ok(Progress {
                bar,
                cancel: Arc::clone(&host.stop),
                unfinished: Arc::new(Mutex::new(None)),
            });
        }
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        };
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{msg:>12}} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{rate}}, ETA {{eta}}"
            ))
            .context("progress bar template")?
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1}/s", state.per_sec());
                },
            )
            .progress_chars("=> "),
        );
        let cancel = Arc::new(AtomicBool::new(false));
        let unfinished: Arc<Mutex<Option<Unfinished>>> = Arc::new(Mutex::new(None));
        install(Arc::clone(&cancel), Arc::clone(&unfinished))?;
        Ok(Progress {
            bar,
            cancel,
            unfinished,
        })
    }

    /// Records what is being written now (for a second signal).
    pub fn writing(&self, what: Option<Unfinished>) {
        *self.unfinished.lock().unwrap_or_else(|e| e.into_inner()) = what;
    }
}

impl Observer for Progress {
    fn replication_done(&self) {
        self.bar.inc(1);
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// Starts the thread that turns SIGINT, SIGTERM and SIGHUP into a stop.
#[cfg(unix)]
fn install(cancel: Arc<AtomicBool>, unfinished: Arc<Mutex<Option<Unfinished>>>) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
        .context("cannot install the signal handlers")?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if cancel.swap(true, Ordering::SeqCst) {
                // a second signal: stop at once, removing the unfinished files
                if let Some(u) = unfinished.lock().ok().and_then(|u| u.clone()) {
                    u.remove();
                }
                std::process::exit(128 + signal);
            }
            STOPPED_BY.store(signal, Ordering::SeqCst);
            let name = match signal {
                SIGINT => "Ctrl-C",
                SIGTERM => "SIGTERM",
                _ => "SIGHUP",
            };
            eprintln!(
                "\n{name}: stopping after the replications under way (Ctrl-C again to stop at once)"
            );
        }
    });
    Ok(())
}

/// Elsewhere, Ctrl-C only.
#[cfg(not(unix))]
fn install(cancel: Arc<AtomicBool>, _: Arc<Mutex<Option<Unfinished>>>) -> Result<()> {
    signal_hook::flag::register(signal_hook::consts::SIGINT, cancel)
        .context("cannot install the Ctrl-C handler")?;
    Ok(())
}
