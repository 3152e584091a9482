//! The files of a sweep, in `DIR/<sweep name>/`:
//! - `points.csv`: `point` and one column per factor;
//! - `runs.csv`: `point, replication, seed`, the factor values, and every
//!   figure of [`RunRecord::FIGURES`], one row per run;
//! - `summary.csv`: `point, metric, n, mean, sd, ci95_low, ci95_high, p5,
//!   p50, p95`, one row per point and figure;
//! - `sensitivity.csv` (sobol and morris designs): per factor and figure,
//!   the Sobol indices with 95% bootstrap intervals, or Morris' mu, mu* and
//!   sigma, and the share of the variance of point means that replication
//!   noise alone would give;
//! - `manifest.json`.
//!
//! Rows are written as points finish, so memory holds one point's runs.

use super::{AtomicFile, OutputError, SUMMARY_COLUMNS, at, figure, raw_file, real, summarize};
use crate::experiment::Replication;
use crate::experiment::sensitivity::{MorrisEffect, SobolIndex};
use crate::experiment::sweep::Sensitivity;
use crate::model::RunRecord;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One run's row of `runs.csv`, formatted (on a worker thread).
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    bytes: Vec<u8>,
    record: RunRecord,
}

impl RunRow {
    /// Formats the row of replication `rep` at point `point` with factor values `values`.
    pub fn format(point: usize, values: &[f64], rep: &Replication) -> RunRow {
        let mut buf = ryu::Buffer::new();
        let mut row = vec![
            point.to_string(),
            rep.replication.to_string(),
            rep.seed.to_string(),
        ];
        row.extend(values.iter().map(|&v| real(v, &mut buf)));
        row.extend(rep.record.values().into_iter().map(|f| figure(f, &mut buf)));
        let mut w = csv::Writer::from_writer(Vec::with_capacity(512));
        // writing CSV into memory cannot fail
        let _ = w.write_record(&row);
        RunRow {
            bytes: w.into_inner().unwrap_or_default(),
            record: rep.record,
        }
    }
}

/// Writes a sweep's files as its points finish.
pub struct SweepWriter {
    dir: PathBuf,
    points: AtomicFile,
    runs: AtomicFile,
    summary: AtomicFile,
    current: Vec<RunRecord>,
    /// Per point: each figure's mean and variance over replications.
    means: Vec<Vec<f64>>,
    variances: Vec<Vec<f64>>,
}

impl SweepWriter {
    /// Creates `out/<name>/` and starts its files; `factors` name the columns.
    pub fn create(out: &Path, name: &str, factors: &[String]) -> Result<SweepWriter, OutputError> {
        let dir = out.join(name);
        at(&dir, std::fs::create_dir_all(&dir))?;
        let f: Vec<&str> = factors.iter().map(String::as_str).collect();
        let mut points_header = vec!["point"];
        points_header.extend(&f);
        let mut runs_header = vec!["point", "replication", "seed"];
        runs_header.extend(&f);
        runs_header.extend(RunRecord::FIGURES);
        let mut summary_header = vec!["point", "metric"];
        summary_header.extend(SUMMARY_COLUMNS);
        Ok(SweepWriter {
            points: raw_file(&dir.join("points.csv"), &points_header)?,
            runs: raw_file(&dir.join("runs.csv"), &runs_header)?,
            summary: raw_file(&dir.join("summary.csv"), &summary_header)?,
            dir,
            current: Vec::new(),
            means: vec![Vec::new(); RunRecord::FIGURES.len()],
            variances: vec![Vec::new(); RunRecord::FIGURES.len()],
        })
    }

    /// Appends one run of the current point.
    pub fn append(&mut self, row: RunRow) -> Result<(), OutputError> {
        at(&self.dir.join("runs.csv"), self.runs.write_all(&row.bytes))?;
        self.current.push(row.record);
        Ok(())
    }

    /// Closes the current point: its row of `points.csv` and its summaries.
    pub fn finish_point(&mut self, point: usize, values: &[f64]) -> Result<(), OutputError> {
        let mut buf = ryu::Buffer::new();
        let mut row = vec![point.to_string()];
        row.extend(values.iter().map(|&v| real(v, &mut buf)));
        write_row(&mut self.points, &self.dir.join("points.csv"), &row)?;
        let path = self.dir.join("summary.csv");
        for (i, (name, s)) in summarize(&self.current).into_iter().enumerate() {
            let mut row = vec![point.to_string(), name.to_string(), s.n.to_string()];
            row.extend(
                [s.mean, s.sd, s.ci95_low, s.ci95_high, s.p5, s.p50, s.p95]
                    .map(|x| real(x, &mut buf)),
            );
            write_row(&mut self.summary, &path, &row)?;
            self.means[i].push(s.mean);
            self.variances[i].push(s.sd * s.sd);
        }
        self.current.clear();
        Ok(())
    }

    /// The mean of figure `i` (in [`RunRecord::FIGURES`] order) at every point so far.
    pub fn means(&self, i: usize) -> &[f64] {
        &self.means[i]
    }

    /// The variance over replications of figure `i` at every point so far.
    pub fn variances(&self, i: usize) -> &[f64] {
        &self.variances[i]
    }

    /// Writes `sensitivity.csv` (when given) and the manifest, then moves
    /// every file to its final name; returns the folder.
    pub fn finish(
        self,
        factors: &[String],
        sensitivity: &[(&'static str, Sensitivity, f64)],
        manifest: &impl Serialize,
    ) -> Result<PathBuf, OutputError> {
        let mut pending = Vec::new();
        if let Some((_, first, _)) = sensitivity.first() {
            let path = self.dir.join("sensitivity.csv");
            let header: &[&str] = match first {
                Sensitivity::Sobol(_) => &[
                    "factor",
                    "metric",
                    "s1",
                    "s1_ci95_low",
                    "s1_ci95_high",
                    "st",
                    "st_ci95_low",
                    "st_ci95_high",
                    "noise_share",
                ],
                Sensitivity::Morris(_) => {
                    &["factor", "metric", "mu", "mu_star", "sigma", "noise_share"]
                }
            };
            let mut file = raw_file(&path, header)?;
            let mut buf = ryu::Buffer::new();
            for (metric, s, noise) in sensitivity {
                for (j, factor) in factors.iter().enumerate() {
                    let numbers: Vec<f64> = match s {
                        Sensitivity::Sobol(v) => {
                            let SobolIndex {
                                s1,
                                s1_ci,
                                st,
                                st_ci,
                            } = v[j];
                            vec![s1, s1_ci.0, s1_ci.1, st, st_ci.0, st_ci.1, *noise]
                        }
                        Sensitivity::Morris(v) => {
                            let MorrisEffect { mu, mu_star, sigma } = v[j];
                            vec![mu, mu_star, sigma, *noise]
                        }
                    };
                    let mut row = vec![factor.clone(), metric.to_string()];
                    row.extend(numbers.into_iter().map(|x| real(x, &mut buf)));
                    write_row(&mut file, &path, &row)?;
                }
            }
            pending.push((path, file));
        }
        let path = self.dir.join("manifest.json");
        let mut m = at(&path, AtomicFile::create(&path))?;
        let json = serde_json::to_vec_pretty(manifest).map_err(|e| OutputError {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        at(&path, m.write_all(&json).and_then(|()| m.write_all(b"\n")))?;
        for (file, name) in [
            (self.points, "points.csv"),
            (self.runs, "runs.csv"),
            (self.summary, "summary.csv"),
        ] {
            at(&self.dir.join(name), file.commit())?;
        }
        for (path, file) in pending {
            at(&path, file.commit())?;
        }
        at(&path, m.commit())?;
        Ok(self.dir)
    }
}

fn write_row(file: &mut AtomicFile, path: &Path, row: &[String]) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(256));
    let _ = w.write_record(row);
    at(path, file.write_all(&w.into_inner().unwrap_or_default()))
}
