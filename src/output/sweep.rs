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
//! - `convergence.csv` (sobol designs): `factor, metric, samples, s1, st`,
//!   the indices recomputed on the first N/8, N/4, N/2 and all N base
//!   samples;
//! - `manifest.json`.
//!
//! Each point's rows are saved as it finishes, in `.partial/` (one file per
//! point and kind, each appearing complete or not at all), so memory holds
//! one point's runs and an interrupted sweep (Ctrl-C, `kill -9`, power
//! loss) can resume from the last finished point. At the end the parts are
//! put together into the files above, and `.partial/` is removed.

use super::{AtomicFile, OutputError, SUMMARY_COLUMNS, at, figure, raw_file, real, summarize};
use crate::experiment::Replication;
use crate::experiment::sensitivity::{MorrisEffect, SobolIndex};
use crate::experiment::sweep::{FigureAnalysis, Sensitivity};
use crate::model::RunRecord;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The index columns of `sensitivity.csv` for Sobol designs (between
/// `factor, metric` and `noise_share`).
pub const SOBOL_COLUMNS: [&str; 6] = [
    "s1",
    "s1_ci95_low",
    "s1_ci95_high",
    "st",
    "st_ci95_low",
    "st_ci95_high",
];

/// The columns of `convergence.csv`.
pub const CONVERGENCE_COLUMNS: [&str; 5] = ["factor", "metric", "samples", "s1", "st"];

/// The index columns of `sensitivity.csv` for Morris designs.
pub const MORRIS_COLUMNS: [&str; 3] = ["mu", "mu_star", "sigma"];

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
        row.extend(values.iter().map(|&v| factor_value(v, &mut buf)));
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
    parts: PathBuf,
    factors: Vec<String>,
    runs: Vec<u8>,
    current: Vec<RunRecord>,
    /// Per figure: the mean and variance over replications at each point.
    means: Vec<Vec<f64>>,
    variances: Vec<Vec<f64>>,
    /// Which points are finished.
    done: Vec<bool>,
}

/// A sweep folder that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SweepFolderError {
    /// Results would be overwritten.
    #[error(
        "{0} already holds files: remove it, choose another --out, or add --resume to finish an interrupted sweep"
    )]
    NotEmpty(PathBuf),
    /// `--resume` on a folder without an interrupted sweep.
    #[error("{0} holds no interrupted sweep to resume (no .partial folder)")]
    NothingToResume(PathBuf),
    /// `--resume` with a different sweep file, seed or base scenario.
    #[error(
        "{0} holds an interrupted run of a different sweep (the sweep file's text, its base scenario or the cocreate version differs): remove it or choose another --out"
    )]
    Different(PathBuf),
    /// A file could not be read or written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

const IDENTITY: &str = "sweep.identity";

impl SweepWriter {
    /// Starts the files of a sweep of `points` points in `out/<folder>/`;
    /// `factors` name the columns; `identity` tells this sweep from any other
    /// (see [`sweep_identity`]). Without `resume` the folder must be empty or
    /// absent; with it, it must hold an interrupted run of the same sweep,
    /// whose finished points are kept ([`SweepWriter::is_done`]).
    pub fn create(
        out: &Path,
        folder: &str,
        factors: &[String],
        identity: &str,
        resume: bool,
        points: usize,
    ) -> Result<SweepWriter, SweepFolderError> {
        let dir = out.join(folder);
        let parts = dir.join(".partial");
        let figures = RunRecord::FIGURES.len();
        let mut w = SweepWriter {
            factors: factors.to_vec(),
            runs: Vec::new(),
            current: Vec::new(),
            means: vec![vec![f64::NAN; points]; figures],
            variances: vec![vec![f64::NAN; points]; figures],
            done: vec![false; points],
            dir: dir.clone(),
            parts: parts.clone(),
        };
        if resume {
            let found = std::fs::read_to_string(parts.join(IDENTITY))
                .map_err(|_| SweepFolderError::NothingToResume(dir.clone()))?;
            if found.trim() != identity {
                return Err(SweepFolderError::Different(dir));
            }
            w.load_finished()?;
        } else {
            if std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some()) {
                return Err(SweepFolderError::NotEmpty(dir));
            }
            at(&parts, std::fs::create_dir_all(&parts))?;
            let path = parts.join(IDENTITY);
            let mut f = at(&path, AtomicFile::create(&path))?;
            at(&path, f.write_all(identity.as_bytes()))?;
            at(&path, f.commit())?;
        }
        Ok(w)
    }

    /// Whether point `p` is finished (its results are saved).
    pub fn is_done(&self, p: usize) -> bool {
        self.done[p]
    }

    /// The number of finished points.
    pub fn finished(&self) -> usize {
        self.done.iter().filter(|&&d| d).count()
    }

    fn part(&self, point: usize, kind: &str) -> PathBuf {
        part_path(&self.parts, point, kind)
    }

    /// Reads the summaries of the finished points.
    fn load_finished(&mut self) -> Result<(), OutputError> {
        for p in 0..self.done.len() {
            let (runs, summary) = (self.part(p, "runs"), self.part(p, "summary"));
            if !(runs.exists() && summary.exists()) {
                continue;
            }
            let text = at(&summary, std::fs::read_to_string(&summary))?;
            let mut rows = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            for (i, row) in rows.records().enumerate() {
                let row = row.map_err(|e| OutputError {
                    path: summary.clone(),
                    source: std::io::Error::other(e),
                })?;
                let number = |k: usize| {
                    row.get(k)
                        .and_then(|x| x.parse::<f64>().ok())
                        .unwrap_or(f64::NAN)
                };
                let (mean, sd) = (number(3), number(4));
                if i < self.means.len() {
                    self.means[i][p] = mean;
                    self.variances[i][p] = sd * sd;
                }
            }
            self.done[p] = true;
        }
        Ok(())
    }

    /// Adopts the saved points of another folder of the same sweep (a
    /// shard): copies their parts here and reads them.
    pub fn adopt(&mut self, other: &Path) -> Result<(), OutputError> {
        let from = other.join(".partial");
        for p in 0..self.done.len() {
            for kind in ["runs", "summary"] {
                let source = part_path(&from, p, kind);
                if source.exists() {
                    let target = self.part(p, kind);
                    let bytes = at(&source, std::fs::read(&source))?;
                    let mut f = at(&target, AtomicFile::create(&target))?;
                    at(&target, f.write_all(&bytes))?;
                    at(&target, f.commit())?;
                }
            }
        }
        self.load_finished()
    }

    /// Appends one run of the current point.
    pub fn append(&mut self, row: RunRow) -> Result<(), OutputError> {
        self.runs.extend_from_slice(&row.bytes);
        self.current.push(row.record);
        Ok(())
    }

    /// Closes the current point: saves its runs and summaries for good.
    pub fn finish_point(&mut self, point: usize) -> Result<(), OutputError> {
        let mut buf = ryu::Buffer::new();
        let mut summary = csv::Writer::from_writer(Vec::new());
        for (i, (name, s)) in summarize(&self.current).into_iter().enumerate() {
            let mut row = vec![point.to_string(), name.to_string(), s.n.to_string()];
            row.extend(
                [s.mean, s.sd, s.ci95_low, s.ci95_high, s.p5, s.p50, s.p95]
                    .map(|x| real(x, &mut buf)),
            );
            let _ = summary.write_record(&row);
            self.means[i][point] = s.mean;
            self.variances[i][point] = s.sd * s.sd;
        }
        let summary = summary.into_inner().unwrap_or_default();
        // the runs first: a point counts as finished once both exist
        for (kind, bytes) in [
            ("runs", std::mem::take(&mut self.runs)),
            ("summary", summary),
        ] {
            let path = self.part(point, kind);
            let mut f = at(&path, AtomicFile::create(&path))?;
            at(&path, f.write_all(&bytes))?;
            at(&path, f.commit())?;
        }
        self.current.clear();
        self.done[point] = true;
        Ok(())
    }

    /// The mean of figure `i` (in [`RunRecord::FIGURES`] order) at every
    /// point (NaN where not finished).
    pub fn means(&self, i: usize) -> &[f64] {
        &self.means[i]
    }

    /// The variance over replications of figure `i` at every point.
    pub fn variances(&self, i: usize) -> &[f64] {
        &self.variances[i]
    }

    /// Puts the files together (`points.csv` from `points`, the saved parts,
    /// `sensitivity.csv` when given, the manifest), moves them to their final
    /// names, removes `.partial/` and returns the folder.
    pub fn finish(
        self,
        points: &[Vec<f64>],
        sensitivity: &[FigureAnalysis],
        manifest: &impl Serialize,
    ) -> Result<PathBuf, OutputError> {
        let f: Vec<&str> = self.factors.iter().map(String::as_str).collect();
        let mut buf = ryu::Buffer::new();

        let mut header = vec!["point"];
        header.extend(&f);
        let path = self.dir.join("points.csv");
        let mut points_file = raw_file(&path, &header)?;
        for (p, values) in points.iter().enumerate() {
            let mut row = vec![p.to_string()];
            row.extend(values.iter().map(|&v| factor_value(v, &mut buf)));
            write_row(&mut points_file, &path, &row)?;
        }

        let mut header = vec!["point", "replication", "seed"];
        header.extend(&f);
        header.extend(RunRecord::FIGURES);
        let runs_file = self.joined("runs.csv", &header, "runs", points.len())?;
        let mut header = vec!["point", "metric"];
        header.extend(SUMMARY_COLUMNS);
        let summary_file = self.joined("summary.csv", &header, "summary", points.len())?;

        let mut pending = vec![
            (self.dir.join("points.csv"), points_file),
            (self.dir.join("runs.csv"), runs_file),
            (self.dir.join("summary.csv"), summary_file),
        ];
        if let Some(first) = sensitivity.first() {
            let path = self.dir.join("sensitivity.csv");
            let indices: &[&str] = match first.sensitivity {
                Sensitivity::Sobol(_) => &SOBOL_COLUMNS,
                Sensitivity::Morris(_) => &MORRIS_COLUMNS,
            };
            let mut header = vec!["factor", "metric"];
            header.extend(indices);
            header.push("noise_share");
            let mut file = raw_file(&path, &header)?;
            for a in sensitivity {
                for (j, factor) in self.factors.iter().enumerate() {
                    let noise = a.noise_share;
                    let numbers: Vec<f64> = match &a.sensitivity {
                        Sensitivity::Sobol(v) => {
                            let SobolIndex {
                                s1,
                                s1_ci,
                                st,
                                st_ci,
                            } = v[j];
                            vec![s1, s1_ci.0, s1_ci.1, st, st_ci.0, st_ci.1, noise]
                        }
                        Sensitivity::Morris(v) => {
                            let MorrisEffect { mu, mu_star, sigma } = v[j];
                            vec![mu, mu_star, sigma, noise]
                        }
                    };
                    let mut row = vec![factor.clone(), a.metric.to_string()];
                    row.extend(numbers.into_iter().map(|x| real(x, &mut buf)));
                    write_row(&mut file, &path, &row)?;
                }
            }
            pending.push((path, file));
        }
        if sensitivity.iter().any(|a| !a.convergence.is_empty()) {
            let path = self.dir.join("convergence.csv");
            let mut file = raw_file(&path, &CONVERGENCE_COLUMNS)?;
            for a in sensitivity {
                for (j, factor) in self.factors.iter().enumerate() {
                    for c in &a.convergence {
                        let (s1, st) = c.indices[j];
                        let row = [
                            factor.clone(),
                            a.metric.to_string(),
                            c.samples.to_string(),
                            real(s1, &mut buf),
                            real(st, &mut buf),
                        ];
                        write_row(&mut file, &path, &row)?;
                    }
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
        pending.push((path, m));
        for (path, file) in pending {
            at(&path, file.commit())?;
        }
        // the identity goes last: a kill while cleaning up leaves a folder
        // that --resume still recognizes (and finishes again, identically)
        if let Ok(entries) = std::fs::read_dir(&self.parts) {
            for entry in entries.flatten() {
                if entry.file_name() != IDENTITY {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        at(&self.parts, std::fs::remove_dir_all(&self.parts))?;
        Ok(self.dir)
    }

    /// Leaves a shard's results for `cocreate merge`: the saved parts, and
    /// `shard.json` (written last, so that it marks a finished shard).
    pub fn finish_shard(self, shard: &impl Serialize) -> Result<PathBuf, OutputError> {
        let path = self.dir.join("shard.json");
        let mut f = at(&path, AtomicFile::create(&path))?;
        let json = serde_json::to_vec_pretty(shard).map_err(|e| OutputError {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        at(&path, f.write_all(&json).and_then(|()| f.write_all(b"\n")))?;
        at(&path, f.commit())?;
        Ok(self.dir)
    }

    /// A final file: the header, then every point's saved part of `kind`.
    fn joined(
        &self,
        name: &str,
        header: &[&str],
        kind: &str,
        points: usize,
    ) -> Result<AtomicFile, OutputError> {
        let path = self.dir.join(name);
        let mut file = raw_file(&path, header)?;
        for p in 0..points {
            let part = self.part(p, kind);
            let bytes = at(&part, std::fs::read(&part))?;
            at(&path, file.write_all(&bytes))?;
        }
        Ok(file)
    }
}

fn part_path(parts: &Path, point: usize, kind: &str) -> PathBuf {
    parts.join(format!("{point:010}.{kind}"))
}

/// A fingerprint of a sweep: its file's text, its base scenario resolved,
/// and the cocreate version; a resumed sweep must have the same.
pub fn sweep_identity(file_text: &str, base_resolved: &str) -> String {
    let mut h: u64 = 0x243F_6A88_85A3_08D3;
    for (i, b) in file_text
        .bytes()
        .chain([0u8])
        .chain(base_resolved.bytes())
        .chain([0u8])
        .chain(env!("CARGO_PKG_VERSION").bytes())
        .enumerate()
    {
        h = crate::model::rng::mix(h ^ (u64::from(b) << ((i % 8) * 8)));
    }
    format!("{h:016x}")
}

fn write_row(file: &mut AtomicFile, path: &Path, row: &[String]) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(256));
    let _ = w.write_record(row);
    at(path, file.write_all(&w.into_inner().unwrap_or_default()))
}

/// A factor's value for CSV: whole numbers without a decimal point (an
/// integer key such as `population.agencies` reads back as an integer),
/// others as [`real`] writes them.
fn factor_value(v: f64, buf: &mut ryu::Buffer) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        real(v, buf)
    }
}
