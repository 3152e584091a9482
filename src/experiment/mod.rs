//! Replications of a model, run in parallel with rayon and handed on in a
//! deterministic order; sampling designs for sweeps ([`design`]) and their
//! sensitivity analysis ([`sensitivity`]). Pure: the caller decides what to
//! do with each replication (write it, summarize it) and how to show
//! progress.

pub mod abc;
pub mod attribution;
pub mod calibration;
pub mod compare;
pub mod design;
pub mod precision;
pub mod prim;
pub mod resources;
pub mod sensitivity;
pub mod series;
pub mod sweep;
pub mod waterfall;

use crate::model::{self, GroupRecord, KindRecord, Model, RunRecord, StepRecord, rng};
use rayon::prelude::*;

/// One finished replication.
#[derive(Clone, Debug, PartialEq)]
pub struct Replication {
    /// Its index, 0-based.
    pub replication: u32,
    /// Its seed, derived from (master seed, replication) alone.
    pub seed: u64,
    /// One record per step.
    pub steps: Vec<StepRecord>,
    /// The replication's figures.
    pub record: RunRecord,
    /// Each citizen group's figures, in the model's order (MODEL.md 11.5).
    pub groups: Vec<GroupRecord>,
    /// Each agency kind's figures, in the model's order.
    pub kinds: Vec<KindRecord>,
}

/// Watches a batch of replications: progress and cancellation. Called from
/// worker threads.
pub trait Observer: Sync {
    /// One more replication is done (in any order).
    fn replication_done(&self) {}
    /// Whether to stop: replications not yet started are skipped.
    fn cancelled(&self) -> bool {
        false
    }
}

/// An observer that shows nothing and never cancels.
impl Observer for () {}

/// The model each replication runs: one model for all (a [`Model`]), or a
/// model per replication, as posterior runs draw one particle of a
/// calibration for each ([`PosteriorModels`]).
pub trait Models: Sync {
    /// The model of replication `replication`.
    fn of_replication(&self, replication: u32) -> &Model;
}

impl Models for Model {
    fn of_replication(&self, _: u32) -> &Model {
        self
    }
}

/// A model per replication, from a few distinct ones: replication `r` runs
/// `models[slot[r]]`.
#[derive(Clone, Debug)]
pub struct PosteriorModels {
    models: Vec<Model>,
    slot: Vec<u32>,
}

impl PosteriorModels {
    /// Replication `r` runs `models[slot[r]]`; `slot` covers every
    /// replication that will run (a documented invariant: a replication
    /// beyond it runs `models[0]`), and every slot is below `models.len()`.
    pub fn new(models: Vec<Model>, slot: Vec<u32>) -> PosteriorModels {
        assert!(slot.iter().all(|&s| (s as usize) < models.len()));
        PosteriorModels { models, slot }
    }

    /// The distinct models.
    pub fn models(&self) -> &[Model] {
        &self.models
    }
}

impl Models for PosteriorModels {
    fn of_replication(&self, replication: u32) -> &Model {
        let slot = self.slot.get(replication as usize).copied().unwrap_or(0);
        &self.models[slot as usize]
    }
}

/// Why a batch stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ReplicateError<E> {
    /// The observer cancelled; `completed` replications had been handed on.
    #[error("interrupted after {completed} replications")]
    Interrupted {
        /// Replications handed to the sink before stopping.
        completed: u32,
    },
    /// The sink failed.
    #[error(transparent)]
    Sink(E),
}

/// Populations at least this large are processed in parallel within each
/// replication (replications then run one after the other); smaller ones
/// run one replication per thread. The results are the same either way.
pub const PARALLEL_WITHIN: u32 = 8 * model::CHUNK as u32;

/// Runs one replication with the seed that (master seed, replication) gives,
/// on one thread.
pub fn run_one(model: &Model, master_seed: u64, replication: u32) -> Replication {
    run_replication(model, master_seed, replication, false)
}

/// Runs one replication; with `parallel`, its citizens are processed in
/// parallel on the current rayon pool (same results).
pub fn run_replication(
    model: &Model,
    master_seed: u64,
    replication: u32,
    parallel: bool,
) -> Replication {
    let seed = rng::replication_seed(master_seed, replication);
    let mut steps = Vec::with_capacity(model.params().run.steps as usize);
    let done = model::run(model, seed, parallel, |s| steps.push(*s));
    Replication {
        replication,
        seed,
        steps,
        record: done.record,
        groups: done.groups,
        kinds: done.kinds,
    }
}

/// Runs replications `0..replications` in parallel on the current rayon
/// pool and hands each to `sink` in replication order. Results are the same
/// whatever the number of threads. Replications run in chunks, so memory
/// holds a few per thread, not the whole batch.
pub fn replicate<E>(
    model: &(impl Models + ?Sized),
    master_seed: u64,
    replications: u32,
    observer: &impl Observer,
    sink: impl FnMut(Replication) -> Result<(), E>,
) -> Result<(), ReplicateError<E>> {
    replicate_with(model, master_seed, replications, observer, |rep| rep, sink)
}

/// [`replicate`], with `prepare` applied to each replication on the worker
/// threads before `sink` receives the result in replication order (for
/// example, to format output rows in parallel).
pub fn replicate_with<T: Send, E>(
    model: &(impl Models + ?Sized),
    master_seed: u64,
    replications: u32,
    observer: &impl Observer,
    prepare: impl Fn(Replication) -> T + Sync,
    sink: impl FnMut(T) -> Result<(), E>,
) -> Result<(), ReplicateError<E>> {
    replicate_range(model, master_seed, 0..replications, observer, prepare, sink)
}

/// [`replicate_with`] for replications `range` only: a batch run after
/// another gives the same replications as one run of the combined size.
/// `completed` in an interruption counts from 0, the batches before included.
pub fn replicate_range<T: Send, E>(
    models: &(impl Models + ?Sized),
    master_seed: u64,
    range: std::ops::Range<u32>,
    observer: &impl Observer,
    prepare: impl Fn(Replication) -> T + Sync,
    mut sink: impl FnMut(T) -> Result<(), E>,
) -> Result<(), ReplicateError<E>> {
    let replications = range.end;
    // the same results either way: decided by the first replication's model
    let within = models
        .of_replication(range.start)
        .params()
        .population
        .citizens
        >= PARALLEL_WITHIN;
    let chunk = if within {
        1
    } else {
        (4 * rayon::current_num_threads() as u32).max(8)
    };
    let one = |r: u32| {
        if observer.cancelled() {
            return None;
        }
        let rep = prepare(run_replication(
            models.of_replication(r),
            master_seed,
            r,
            within,
        ));
        observer.replication_done();
        Some(rep)
    };
    let mut start = range.start;
    while start < replications {
        let end = start.saturating_add(chunk).min(replications);
        let done: Vec<Option<T>> = if within {
            (start..end).map(one).collect()
        } else {
            (start..end).into_par_iter().map(one).collect()
        };
        for (offset, rep) in done.into_iter().enumerate() {
            match rep {
                Some(rep) => sink(rep).map_err(ReplicateError::Sink)?,
                None => {
                    return Err(ReplicateError::Interrupted {
                        completed: start + offset as u32,
                    });
                }
            }
        }
        if end < replications && observer.cancelled() {
            return Err(ReplicateError::Interrupted { completed: end });
        }
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn small() -> Model {
        let mut s = Scenario::baseline();
        s.set("population.citizens=300").unwrap();
        s.set("run.steps=5").unwrap();
        s.model().unwrap()
    }

    fn collect(model: &Model, threads: usize) -> Vec<Replication> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        pool.install(|| {
            replicate(model, 9, 50, &(), |r| {
                out.push(r);
                Ok::<(), ()>(())
            })
        })
        .unwrap();
        out
    }

    #[test]
    fn order_and_results_do_not_depend_on_threads() {
        let m = small();
        let one = collect(&m, 1);
        let three = collect(&m, 3);
        assert_eq!(one, three);
        assert!(
            one.iter()
                .enumerate()
                .all(|(i, r)| r.replication == i as u32)
        );
        assert_eq!(one[7], run_one(&m, 9, 7));
    }

    struct StopAfter(AtomicU32, u32);
    impl Observer for StopAfter {
        fn replication_done(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn cancelled(&self) -> bool {
            self.0.load(Ordering::SeqCst) >= self.1
        }
    }

    #[test]
    fn cancelling_stops_early_and_hands_on_a_prefix() {
        let m = small();
        let stop = StopAfter(AtomicU32::new(0), 10);
        let mut seen = Vec::new();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let err = pool
            .install(|| {
                replicate(&m, 9, 1000, &stop, |r| {
                    seen.push(r.replication);
                    Ok::<(), ()>(())
                })
            })
            .unwrap_err();
        let ReplicateError::Interrupted { completed } = err else {
            panic!("not interrupted");
        };
        assert_eq!(seen.len() as u32, completed);
        assert!(completed < 1000);
        assert!(seen.iter().enumerate().all(|(i, &r)| r == i as u32));
    }
}
