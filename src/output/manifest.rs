//! `manifest.json`: what was run, with which seeds, how and when.

use crate::model::{Model, rng};
use crate::scenario::Scenario;
use serde::Serialize;
use std::io::{self, Write};
use std::time::SystemTime;

/// The record of one scenario's run, written as `manifest.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    /// The version of cocreate that ran it.
    pub cocreate_version: &'static str,
    /// The model the scenario needs: `PVC-1`, or `PVC-2` when it uses
    /// groups, kinds, its own or targeted inhibitors, or targeted or new
    /// interventions (MODEL.md section 11).
    pub model: &'static str,
    /// The scenario, fully resolved (before inhibitors act).
    pub scenario: Scenario,
    /// The parameters the model ran with, after inhibitors.
    pub effective_parameters: serde_json::Value,
    /// The citizen groups, resolved: sizes, and values before and after
    /// the inhibitors (MODEL.md 11.1; the one group `all` without groups).
    pub groups: Vec<crate::model::structure::Group>,
    /// The agency kinds, resolved (MODEL.md 11.2).
    pub kinds: Vec<crate::model::structure::Kind>,
    /// Every inhibitor's definition (MODEL.md 11.3).
    pub inhibitor_definitions: Vec<crate::model::inhibitor::DefinitionRecord>,
    /// Where the scenario was read from.
    pub source: String,
    /// The master seed.
    pub master_seed: u64,
    /// Number of replications.
    pub replications: u32,
    /// The seed of each replication, derived from (master seed, replication).
    pub seeds: Vec<u64>,
    /// The command line, one argument per element.
    pub command_line: Vec<String>,
    /// Worker threads used.
    pub threads: usize,
    /// When the run started (UTC, RFC 3339).
    pub started: String,
    /// When the run ended (UTC, RFC 3339).
    pub finished: String,
    /// The files written beside it.
    pub files: [&'static str; 6],
    /// With `--replication R`: the one replication run (its seed is
    /// `seeds[0]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<u32>,
    /// With `--precision`: the target, what was achieved, and whether the
    /// target was reached before `--max-replications`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::experiment::precision::PrecisionOutcome>,
    /// With `--posterior`: the calibration's posterior file and the
    /// particle each replication ran at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posterior: Option<serde_json::Value>,
}

impl Manifest {
    /// A manifest for `scenario` run as `model` with `master_seed` and
    /// `replications`; `finished` is stamped by [`Manifest::stamp_finished`].
    pub fn new(
        scenario: &Scenario,
        model: &Model,
        master_seed: u64,
        replications: u32,
        command_line: Vec<String>,
        threads: usize,
        started: SystemTime,
    ) -> Manifest {
        let mut effective = serde_json::to_value(model.params()).unwrap_or_default();
        if let Some(map) = effective.as_object_mut() {
            map.insert("excluded_share".into(), model.excluded_share().into());
        }
        Manifest {
            cocreate_version: env!("CARGO_PKG_VERSION"),
            model: if scenario.uses_pvc2() {
                "PVC-2"
            } else {
                "PVC-1"
            },
            scenario: scenario.clone(),
            effective_parameters: effective,
            groups: model.groups().to_vec(),
            kinds: model.kinds().to_vec(),
            inhibitor_definitions: model.inhibitors().definitions(),
            source: scenario.source.clone(),
            master_seed,
            replications,
            seeds: (0..replications)
                .map(|r| rng::replication_seed(master_seed, r))
                .collect(),
            command_line,
            threads,
            started: timestamp(started),
            finished: String::new(),
            files: super::RUN_FILES,
            replication: None,
            precision: None,
            posterior: None,
        }
    }

    /// Records the number of replications actually run (with `--precision`).
    pub fn set_replications(&mut self, replications: u32) {
        self.replications = replications;
        self.scenario.params.run.replications = replications;
        self.seeds = (0..replications)
            .map(|r| rng::replication_seed(self.master_seed, r))
            .collect();
    }

    /// Records that replication `r` alone was run (`--replication`).
    pub fn only_replication(&mut self, r: u32) {
        self.replication = Some(r);
        self.replications = 1;
        self.seeds = vec![rng::replication_seed(self.master_seed, r)];
    }

    /// Sets the end time.
    pub fn stamp_finished(&mut self, when: SystemTime) {
        self.finished = timestamp(when);
    }

    /// Writes the manifest as pretty JSON.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}
