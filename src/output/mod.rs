//! Results on disk: long-format CSV files, the manifest, written atomically.
//!
//! For each scenario, [`ScenarioWriter`] writes into `DIR/<scenario name>/`:
//! - `runs.csv`: `scenario, replication, seed` and every figure of
//!   [`RunRecord::FIGURES`], one row per replication;
//! - `steps.csv`: `scenario, replication, step` and every figure of
//!   [`StepRecord::FIGURES`], one row per replication and step;
//! - `summary.csv`: `scenario, metric, n, mean, sd, ci95_low, ci95_high, p5,
//!   p50, p95`, one row per per-replication figure;
//! - `groups.csv`: `scenario, replication, group` and every figure of
//!   [`GroupRecord::FIGURES`], one row per replication and citizen group
//!   (MODEL.md 11.5; the one group `all` without groups);
//! - `kinds.csv`: `scenario, replication, kind` and every figure of
//!   [`KindRecord::FIGURES`], one row per replication and agency kind;
//! - `breakdown.csv`: `scenario, level, name, metric` and the summary
//!   columns, one row per group or kind and figure;
//! - `manifest.json`: what was run, how, and when.
//!
//! Rows are written as replications arrive; each file appears under its
//! final name only once complete.

mod analysis;
mod atomic;
pub mod folder;
mod manifest;
pub mod parts;
pub mod sweep;
mod table;

pub use analysis::{
    BOXES_COLUMNS, GENERATIONS_COLUMNS, GROUP_WATERFALL_COLUMNS, POSTERIOR_SUMMARY_COLUMNS,
    PREDICTIVE_COLUMNS, SERIES_COLUMNS, TRAJECTORY_COLUMNS, WATERFALL_COLUMNS, group_waterfall_csv,
    series_csv, waterfall_csv,
};
pub use atomic::{AtomicFile, remove_temporary_files};
pub use manifest::Manifest;
pub use table::{
    Align, KEY_FIGURES, TextTable, interval, key_figures_table, number, percent, signed,
    significant_decimals,
};

use crate::experiment::Replication;
use crate::model::{Figure, GroupRecord, KindRecord, Model, RunRecord, StepRecord};
use crate::stats::Summary;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct OutputError {
    /// The file or folder.
    pub path: PathBuf,
    /// Why.
    pub source: io::Error,
}

fn at<T>(path: &Path, result: io::Result<T>) -> Result<T, OutputError> {
    result.map_err(|source| OutputError {
        path: path.to_path_buf(),
        source,
    })
}

/// The CSV files [`ScenarioWriter`] writes for one scenario, besides
/// `manifest.json`.
pub const RUN_FILES: [&str; 6] = [
    "runs.csv",
    "steps.csv",
    "summary.csv",
    "groups.csv",
    "kinds.csv",
    "breakdown.csv",
];

/// The summary columns of `summary.csv` after `scenario, metric`.
pub const SUMMARY_COLUMNS: [&str; 8] = [
    "n",
    "mean",
    "sd",
    "ci95_low",
    "ci95_high",
    "p5",
    "p50",
    "p95",
];

/// Formats a float for CSV: shortest text that reads back to the same
/// number (`NaN` where undefined).
pub fn real(x: f64, buf: &mut ryu::Buffer) -> String {
    if x.is_nan() {
        "NaN".into()
    } else {
        buf.format(x).to_string()
    }
}

fn figure(f: Figure, buf: &mut ryu::Buffer) -> String {
    match f {
        Figure::Count(c) => c.to_string(),
        Figure::Real(x) => real(x, buf),
    }
}

type Csv = csv::Writer<AtomicFile>;

fn csv_file(path: &Path, header: &[&str]) -> Result<Csv, OutputError> {
    let mut w = csv::Writer::from_writer(at(path, AtomicFile::create(path))?);
    at(path, w.write_record(header).map_err(io::Error::other))?;
    Ok(w)
}

fn commit(w: Csv, path: &Path) -> Result<PathBuf, OutputError> {
    let file = w
        .into_inner()
        .map_err(|e| io::Error::other(e.error().to_string()));
    at(path, file.and_then(AtomicFile::commit))
}

/// A file written as raw bytes, starting with a CSV header.
fn raw_file(path: &Path, header: &[&str]) -> Result<AtomicFile, OutputError> {
    let mut file = at(path, AtomicFile::create(path))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    at(path, file.write_all(&w.into_inner().unwrap_or_default()))?;
    Ok(file)
}

/// The summaries of one scenario, figure by figure.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioSummary {
    /// The scenario's name.
    pub scenario: String,
    /// Where its files are.
    pub dir: PathBuf,
    /// Each per-replication figure with its summary, in [`RunRecord::FIGURES`] order.
    pub figures: Vec<(&'static str, Summary)>,
}

impl ScenarioSummary {
    /// The summary of one figure.
    pub fn get(&self, figure: &str) -> Option<&Summary> {
        self.figures
            .iter()
            .find(|(f, _)| *f == figure)
            .map(|(_, s)| s)
    }
}

/// The header of `summary.csv`.
pub fn summary_header() -> Vec<&'static str> {
    let mut header = vec!["scenario", "metric"];
    header.extend(SUMMARY_COLUMNS);
    header
}

/// The rows of `summary.csv` for one scenario's figures, as text.
pub fn summary_rows(
    scenario: &str,
    figures: &[(&'static str, Summary)],
    buf: &mut ryu::Buffer,
) -> Vec<Vec<String>> {
    figures
        .iter()
        .map(|(name, s)| {
            let mut row = vec![scenario.to_string(), name.to_string(), s.n.to_string()];
            for x in [s.mean, s.sd, s.ci95_low, s.ci95_high, s.p5, s.p50, s.p95] {
                row.push(real(x, buf));
            }
            row
        })
        .collect()
}

/// Summarizes run records figure by figure.
pub fn summarize(records: &[RunRecord]) -> Vec<(&'static str, Summary)> {
    RunRecord::FIGURES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values: Vec<f64> = records.iter().map(|r| r.values()[i].as_f64()).collect();
            (*name, Summary::of(&values))
        })
        .collect()
}

/// The names of a model's citizen groups and agency kinds, in its order,
/// for the rows of `groups.csv` and `kinds.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct PartNames {
    /// The groups' names.
    pub groups: Vec<String>,
    /// The kinds' names.
    pub kinds: Vec<String>,
}

impl PartNames {
    /// The names of `scenario`'s groups and kinds (`all` where it has none);
    /// the same as its model's.
    pub fn of_scenario(scenario: &crate::Scenario) -> PartNames {
        let or_all = |names: Vec<String>| {
            if names.is_empty() {
                vec![crate::model::structure::ALL.to_string()]
            } else {
                names
            }
        };
        PartNames {
            groups: or_all(scenario.groups.iter().map(|g| g.name.clone()).collect()),
            kinds: or_all(scenario.kinds.iter().map(|q| q.name.clone()).collect()),
        }
    }

    /// The rows of `breakdown.csv` one scenario (or sweep point) has.
    pub fn breakdown_rows(&self) -> usize {
        self.groups.len() * GroupRecord::FIGURES.len()
            + self.kinds.len() * KindRecord::FIGURES.len()
    }

    /// The names of `model`'s groups and kinds.
    pub fn of(model: &Model) -> PartNames {
        PartNames {
            groups: model.groups().iter().map(|g| g.name.clone()).collect(),
            kinds: model.kinds().iter().map(|q| q.name.clone()).collect(),
        }
    }
}

/// One replication's rows, formatted as CSV (by [`Rows::format`], which can
/// run on the worker threads) and ready to be appended.
#[derive(Clone, Debug, PartialEq)]
pub struct Rows {
    runs: Vec<u8>,
    steps: Vec<u8>,
    groups: Vec<u8>,
    kinds: Vec<u8>,
    record: RunRecord,
    group_records: Vec<GroupRecord>,
    kind_records: Vec<KindRecord>,
}

/// The rows `scenario, replication, NAME, figures...` of one replication's
/// groups or kinds.
fn part_rows(
    scenario: &str,
    replication: u32,
    names: &[String],
    values: impl Iterator<Item = Vec<Figure>>,
    buf: &mut ryu::Buffer,
) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(128 * names.len()));
    for (name, figures) in names.iter().zip(values) {
        let mut row = vec![scenario.to_string(), replication.to_string(), name.clone()];
        row.extend(figures.into_iter().map(|f| figure(f, buf)));
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

impl Rows {
    /// Formats the rows of `rep` for `runs.csv`, `steps.csv`, `groups.csv`
    /// and `kinds.csv`; `parts` names its groups and kinds.
    pub fn format(scenario: &str, parts: &PartNames, rep: &Replication) -> Rows {
        let mut buf = ryu::Buffer::new();
        let mut runs = csv::Writer::from_writer(Vec::with_capacity(512));
        let mut row = vec![
            scenario.to_string(),
            rep.replication.to_string(),
            rep.seed.to_string(),
        ];
        row.extend(rep.record.values().into_iter().map(|f| figure(f, &mut buf)));
        // writing CSV into memory cannot fail
        let _ = runs.write_record(&row);
        let mut steps = csv::Writer::from_writer(Vec::with_capacity(256 * rep.steps.len()));
        for step in &rep.steps {
            row.clear();
            row.extend([
                scenario.to_string(),
                rep.replication.to_string(),
                step.step.to_string(),
            ]);
            row.extend(step.values().into_iter().map(|f| figure(f, &mut buf)));
            let _ = steps.write_record(&row);
        }
        let groups = part_rows(
            scenario,
            rep.replication,
            &parts.groups,
            rep.groups.iter().map(|g| g.values().to_vec()),
            &mut buf,
        );
        let kinds = part_rows(
            scenario,
            rep.replication,
            &parts.kinds,
            rep.kinds.iter().map(|q| q.values().to_vec()),
            &mut buf,
        );
        Rows {
            runs: runs.into_inner().unwrap_or_default(),
            steps: steps.into_inner().unwrap_or_default(),
            groups,
            kinds,
            record: rep.record,
            group_records: rep.groups.clone(),
            kind_records: rep.kinds.clone(),
        }
    }
}

/// The rows of `breakdown.csv` for one scenario (MODEL.md 11.5): each
/// group's and each kind's figures summarized over the replications.
pub fn breakdown_rows(
    scenario: &str,
    parts: &PartNames,
    groups: &[Vec<GroupRecord>],
    kinds: &[Vec<KindRecord>],
) -> Vec<Vec<String>> {
    let mut buf = ryu::Buffer::new();
    let mut rows = Vec::new();
    let mut add = |level: &str, name: &str, metric: &str, values: &[f64]| {
        let s = Summary::of(values);
        let mut row = vec![
            scenario.to_string(),
            level.to_string(),
            name.to_string(),
            metric.to_string(),
            s.n.to_string(),
        ];
        for x in [s.mean, s.sd, s.ci95_low, s.ci95_high, s.p5, s.p50, s.p95] {
            row.push(real(x, &mut buf));
        }
        rows.push(row);
    };
    for (g, name) in parts.groups.iter().enumerate() {
        for (i, metric) in GroupRecord::FIGURES.iter().enumerate() {
            let values: Vec<f64> = groups.iter().map(|r| r[g].values()[i].as_f64()).collect();
            add("group", name, metric, &values);
        }
    }
    for (q, name) in parts.kinds.iter().enumerate() {
        for (i, metric) in KindRecord::FIGURES.iter().enumerate() {
            let values: Vec<f64> = kinds.iter().map(|r| r[q].values()[i].as_f64()).collect();
            add("kind", name, metric, &values);
        }
    }
    rows
}

/// The header of `breakdown.csv`.
pub fn breakdown_header() -> Vec<&'static str> {
    let mut header = vec!["scenario", "level", "name", "metric"];
    header.extend(SUMMARY_COLUMNS);
    header
}

/// Writes the files of one scenario as its replications arrive.
pub struct ScenarioWriter {
    scenario: String,
    folder: folder::Staged,
    /// Where the files are being written (the staging folder).
    dir: PathBuf,
    runs: AtomicFile,
    steps: AtomicFile,
    groups: AtomicFile,
    kinds: AtomicFile,
    parts: PartNames,
    records: Vec<RunRecord>,
    group_records: Vec<Vec<GroupRecord>>,
    kind_records: Vec<Vec<KindRecord>>,
    buf: ryu::Buffer,
}

impl ScenarioWriter {
    /// Starts the files of `scenario`, whose groups and kinds `parts`
    /// names, in `folder`, locked and staged by [`folder::Staged::begin`].
    pub fn create(
        folder: folder::Staged,
        scenario: &str,
        parts: PartNames,
    ) -> Result<ScenarioWriter, OutputError> {
        let dir = folder.path().to_path_buf();
        let mut runs_header = vec!["scenario", "replication", "seed"];
        runs_header.extend(RunRecord::FIGURES);
        let mut steps_header = vec!["scenario", "replication", "step"];
        steps_header.extend(StepRecord::FIGURES);
        let mut groups_header = vec!["scenario", "replication", "group"];
        groups_header.extend(GroupRecord::FIGURES);
        let mut kinds_header = vec!["scenario", "replication", "kind"];
        kinds_header.extend(KindRecord::FIGURES);
        Ok(ScenarioWriter {
            scenario: scenario.to_string(),
            runs: raw_file(&dir.join("runs.csv"), &runs_header)?,
            steps: raw_file(&dir.join("steps.csv"), &steps_header)?,
            groups: raw_file(&dir.join("groups.csv"), &groups_header)?,
            kinds: raw_file(&dir.join("kinds.csv"), &kinds_header)?,
            parts,
            folder,
            dir,
            records: Vec::new(),
            group_records: Vec::new(),
            kind_records: Vec::new(),
            buf: ryu::Buffer::new(),
        })
    }

    /// The scenario's name, as its rows carry it.
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// The summary of one figure over the replications written so far.
    pub fn summary_of(&self, figure: &str) -> Summary {
        let values: Vec<f64> = self
            .records
            .iter()
            .filter_map(|r| r.figure(figure))
            .collect();
        Summary::of(&values)
    }

    /// Appends one replication's rows.
    pub fn write(&mut self, rep: &Replication) -> Result<(), OutputError> {
        self.append(Rows::format(&self.scenario, &self.parts, rep))
    }

    /// Appends rows formatted beforehand.
    pub fn append(&mut self, rows: Rows) -> Result<(), OutputError> {
        at(&self.dir.join("runs.csv"), self.runs.write_all(&rows.runs))?;
        at(
            &self.dir.join("steps.csv"),
            self.steps.write_all(&rows.steps),
        )?;
        at(
            &self.dir.join("groups.csv"),
            self.groups.write_all(&rows.groups),
        )?;
        at(
            &self.dir.join("kinds.csv"),
            self.kinds.write_all(&rows.kinds),
        )?;
        self.records.push(rows.record);
        self.group_records.push(rows.group_records);
        self.kind_records.push(rows.kind_records);
        Ok(())
    }

    /// Writes `summary.csv` and `manifest.json`, then moves every file to
    /// its final name, swaps the folder in, and returns the summaries.
    pub fn finish(mut self, manifest: &Manifest) -> Result<ScenarioSummary, OutputError> {
        let figures = summarize(&self.records);
        let path = self.dir.join("summary.csv");
        let mut summary = csv_file(&path, &summary_header())?;
        for row in summary_rows(&self.scenario, &figures, &mut self.buf) {
            at(&path, summary.write_record(&row).map_err(io::Error::other))?;
        }
        let path = self.dir.join("breakdown.csv");
        let mut breakdown = csv_file(&path, &breakdown_header())?;
        let rows = breakdown_rows(
            &self.scenario,
            &self.parts,
            &self.group_records,
            &self.kind_records,
        );
        for row in rows {
            at(
                &path,
                breakdown.write_record(&row).map_err(io::Error::other),
            )?;
        }
        let path = self.dir.join("manifest.json");
        let mut manifest_file = at(&path, AtomicFile::create(&path))?;
        at(&path, manifest.write(&mut manifest_file))?;
        at(&self.dir.join("runs.csv"), self.runs.commit())?;
        at(&self.dir.join("steps.csv"), self.steps.commit())?;
        at(&self.dir.join("groups.csv"), self.groups.commit())?;
        at(&self.dir.join("kinds.csv"), self.kinds.commit())?;
        commit(summary, &self.dir.join("summary.csv"))?;
        commit(breakdown, &self.dir.join("breakdown.csv"))?;
        at(&path, manifest_file.commit())?;
        let dir = self.folder.commit()?;
        Ok(ScenarioSummary {
            scenario: self.scenario,
            dir,
            figures,
        })
    }
}
