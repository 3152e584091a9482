//! Results on disk: long-format CSV files, the manifest, written atomically.
//!
//! For each scenario, [`ScenarioWriter`] writes into `DIR/<scenario name>/`:
//! - `runs.csv`: `scenario, replication, seed` and every figure of
//!   [`RunRecord::FIGURES`], one row per replication;
//! - `steps.csv`: `scenario, replication, step` and every figure of
//!   [`StepRecord::FIGURES`], one row per replication and step;
//! - `summary.csv`: `scenario, metric, n, mean, sd, ci95_low, ci95_high, p5,
//!   p50, p95`, one row per per-replication figure;
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

pub use analysis::{SERIES_COLUMNS, WATERFALL_COLUMNS, series_csv, waterfall_csv};
pub use atomic::{AtomicFile, remove_temporary_files};
pub use manifest::Manifest;
pub use table::{
    Align, KEY_FIGURES, TextTable, interval, key_figures_table, number, percent, signed,
    significant_decimals,
};

use crate::experiment::Replication;
use crate::model::{Figure, RunRecord, StepRecord};
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

/// One replication's rows, formatted as CSV (by [`Rows::format`], which can
/// run on the worker threads) and ready to be appended.
#[derive(Clone, Debug, PartialEq)]
pub struct Rows {
    runs: Vec<u8>,
    steps: Vec<u8>,
    record: RunRecord,
}

impl Rows {
    /// Formats the rows of `rep` for `runs.csv` and `steps.csv`.
    pub fn format(scenario: &str, rep: &Replication) -> Rows {
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
        Rows {
            runs: runs.into_inner().unwrap_or_default(),
            steps: steps.into_inner().unwrap_or_default(),
            record: rep.record,
        }
    }
}

/// Writes the files of one scenario as its replications arrive.
pub struct ScenarioWriter {
    scenario: String,
    folder: folder::Staged,
    /// Where the files are being written (the staging folder).
    dir: PathBuf,
    runs: AtomicFile,
    steps: AtomicFile,
    records: Vec<RunRecord>,
    buf: ryu::Buffer,
}

impl ScenarioWriter {
    /// Starts the files of `scenario` in `folder`, locked and staged by
    /// [`folder::Staged::begin`].
    pub fn create(folder: folder::Staged, scenario: &str) -> Result<ScenarioWriter, OutputError> {
        let dir = folder.path().to_path_buf();
        let mut runs_header = vec!["scenario", "replication", "seed"];
        runs_header.extend(RunRecord::FIGURES);
        let mut steps_header = vec!["scenario", "replication", "step"];
        steps_header.extend(StepRecord::FIGURES);
        Ok(ScenarioWriter {
            scenario: scenario.to_string(),
            runs: raw_file(&dir.join("runs.csv"), &runs_header)?,
            steps: raw_file(&dir.join("steps.csv"), &steps_header)?,
            folder,
            dir,
            records: Vec::new(),
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
        self.append(Rows::format(&self.scenario, rep))
    }

    /// Appends rows formatted beforehand.
    pub fn append(&mut self, rows: Rows) -> Result<(), OutputError> {
        at(&self.dir.join("runs.csv"), self.runs.write_all(&rows.runs))?;
        at(
            &self.dir.join("steps.csv"),
            self.steps.write_all(&rows.steps),
        )?;
        self.records.push(rows.record);
        Ok(())
    }

    /// Writes `summary.csv` and `manifest.json`, then moves every file to
    /// its final name, swaps the folder in, and returns the summaries.
    pub fn finish(mut self, manifest: &Manifest) -> Result<ScenarioSummary, OutputError> {
        let figures = summarize(&self.records);
        let mut header = vec!["scenario", "metric"];
        header.extend(SUMMARY_COLUMNS);
        let path = self.dir.join("summary.csv");
        let mut summary = csv_file(&path, &header)?;
        for (name, s) in &figures {
            let mut row = vec![self.scenario.clone(), name.to_string(), s.n.to_string()];
            for x in [s.mean, s.sd, s.ci95_low, s.ci95_high, s.p5, s.p50, s.p95] {
                row.push(real(x, &mut self.buf));
            }
            at(&path, summary.write_record(&row).map_err(io::Error::other))?;
        }
        let path = self.dir.join("manifest.json");
        let mut manifest_file = at(&path, AtomicFile::create(&path))?;
        at(&path, manifest.write(&mut manifest_file))?;
        at(&self.dir.join("runs.csv"), self.runs.commit())?;
        at(&self.dir.join("steps.csv"), self.steps.commit())?;
        commit(summary, &self.dir.join("summary.csv"))?;
        at(&path, manifest_file.commit())?;
        let dir = self.folder.commit()?;
        Ok(ScenarioSummary {
            scenario: self.scenario,
            dir,
            figures,
        })
    }
}
