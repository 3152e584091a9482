//! # cocreate: public value co-creation, simulated
//!
//! cocreate simulates PVC-1, a model of public value co-creation, and its
//! extension PVC-2: citizens and government agencies interact, under
//! inhibitors such as low trust or a missing legal framework, and many
//! replications estimate how much public value is co-created, how much is
//! realized and where the rest is lost. With PVC-2 a scenario describes a
//! case of its own: citizen groups, agency kinds, inhibitors defined as
//! effects on parameters and aimed at groups or kinds, and targeted
//! policies ([`model::structure`], [`model::inhibitor`]). The model is
//! described in `docs/ODD.md`.
//!
//! Data flows one way:
//!
//! 1. a TOML file becomes a [`Scenario`] ([`Scenario::load`]), checked key by
//!    key, every default filled in;
//! 2. [`Scenario::model`] checks it across keys, resolves its groups and
//!    kinds, applies its inhibitors and gives a runnable [`Model`];
//! 3. [`experiment::replicate`] runs the replications in parallel, each
//!    seeded from (master seed, replication) alone, and hands them on in
//!    replication order;
//! 4. [`stats::Summary`] summarizes each figure, and [`output`] writes the
//!    CSV files and the manifest atomically.
//!
//! For sweeps over many parameter points, [`experiment::design`] builds
//! grids, Latin hypercubes, Saltelli designs on a scrambled Sobol sequence
//! and Morris trajectories, and [`experiment::sensitivity`] turns a
//! figure's values at those points into Sobol indices (with bootstrap
//! intervals) and Morris elementary effects.
//!
//! For policy analysis, [`experiment::compare`] pairs scenarios run with
//! the same seeds, [`experiment::attribution`] gives each inhibitor's
//! Shapley value, and [`experiment::waterfall`] splits the value a scenario
//! loses against its inhibitor-free twin among the stages of the
//! co-creation funnel. [`report`] draws the plots and assembles the HTML
//! report from result folders.
//!
//! ```
//! use cocreate::{Scenario, experiment};
//!
//! let mut scenario = Scenario::baseline();
//! scenario.set("population.citizens=500")?;
//! scenario.set("inhibitors.missing_legal_framework=1")?;
//! let model = scenario.model()?;
//! let rep = experiment::run_one(&model, 42, 0);
//! assert_eq!(rep.steps.len(), 60);
//! // without any legal basis nothing is realized
//! assert_eq!(rep.record.realized, 0);
//! # Ok::<(), cocreate::ScenarioError>(())
//! ```

#![deny(missing_docs)]

// the command line's code, in `app`, names the library `cocreate`
extern crate self as cocreate;

#[doc(hidden)]
#[allow(missing_docs)]
pub mod app;
pub mod experiment;
pub mod model;
pub mod output;
pub mod report;
pub mod scenario;
pub mod stats;

pub use model::{Model, RunRecord, StepRecord};
pub use scenario::{Inhibitor, Scenario, ScenarioError};

/// The README's Rust examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
