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
//! - `groups.csv` and `kinds.csv`: `point, replication, group` (or `kind`)
//!   and the figures of `groups.csv` and `kinds.csv` of a run (MODEL.md
//!   11.5), one row per run and group or kind;
//! - `breakdown.csv`: `point, level, name, metric` and the summary columns,
//!   each group's and kind's figures summarized over a point's runs;
//!
//! Each point's rows are saved as it finishes, in `.partial/` (one file per
//! point and kind, each appearing complete or not at all; the group and
//! kind rows travel with the point's runs, and its breakdown with its
//! summary, tagged `g`, `k` and `b` after the point), so memory holds
//! one point's runs and an interrupted sweep (Ctrl-C, `kill -9`, power
//! loss) can resume from the last finished point. At the end the parts are
//! put together into the files above, and `.partial/` is removed.

use super::folder::{FolderError, FolderLock};
use super::parts::{self, FileRecord, PointState, Recorded};
use super::remove_temporary_files;
use super::{AtomicFile, OutputError, PartNames, SUMMARY_COLUMNS, at, figure, real, summarize};
use crate::experiment::Replication;
use crate::experiment::sensitivity::{MorrisEffect, SobolIndex};
use crate::experiment::sweep::{FigureAnalysis, Sensitivity};
use crate::model::{Figure, GroupRecord, KindRecord, RunRecord};
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

/// One run's row of `runs.csv`, and its rows of `groups.csv` and
/// `kinds.csv` (tagged), formatted (on a worker thread).
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    bytes: Vec<u8>,
    record: RunRecord,
    groups: Vec<GroupRecord>,
    kinds: Vec<KindRecord>,
}

impl RunRow {
    /// Formats the rows of replication `rep` at point `point` with factor
    /// values `values`; `parts` names its groups and kinds.
    pub fn format(point: usize, values: &[f64], parts: &PartNames, rep: &Replication) -> RunRow {
        let mut buf = ryu::Buffer::new();
        let mut row = vec![
            point.to_string(),
            rep.replication.to_string(),
            rep.seed.to_string(),
        ];
        row.extend(values.iter().map(|&v| factor_value(v, &mut buf)));
        row.extend(rep.record.values().into_iter().map(|f| figure(f, &mut buf)));
        // the tagged rows have other lengths than the run's
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::with_capacity(512));
        // writing CSV into memory cannot fail
        let _ = w.write_record(&row);
        let tagged = |tag: &str, name: &str, figures: Vec<Figure>, buf: &mut ryu::Buffer| {
            let mut row = vec![
                point.to_string(),
                tag.to_string(),
                rep.replication.to_string(),
                name.to_string(),
            ];
            row.extend(figures.into_iter().map(|f| figure(f, buf)));
            row
        };
        for (name, g) in parts.groups.iter().zip(&rep.groups) {
            let _ = w.write_record(tagged("g", name, g.values().to_vec(), &mut buf));
        }
        for (name, k) in parts.kinds.iter().zip(&rep.kinds) {
            let _ = w.write_record(tagged("k", name, k.values().to_vec(), &mut buf));
        }
        RunRow {
            bytes: w.into_inner().unwrap_or_default(),
            record: rep.record,
            groups: rep.groups.clone(),
            kinds: rep.kinds.clone(),
        }
    }
}

/// Writes a sweep's files as its points finish.
pub struct SweepWriter {
    dir: PathBuf,
    parts: PathBuf,
    factors: Vec<String>,
    identity: String,
    replications: u32,
    parts_names: PartNames,
    runs: Vec<u8>,
    current: Vec<RunRecord>,
    current_groups: Vec<Vec<GroupRecord>>,
    current_kinds: Vec<Vec<KindRecord>>,
    /// Per figure: the mean and variance over replications at each point.
    means: Vec<Vec<f64>>,
    variances: Vec<Vec<f64>>,
    /// Which points are finished.
    done: Vec<bool>,
    /// Points found damaged when the folder was opened, and why.
    damaged: Vec<String>,
    _lock: FolderLock,
}

/// A sweep folder that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SweepFolderError {
    /// Results would be overwritten.
    #[error(
        "{0} already holds files: remove it, choose another --out, or add --resume to finish an interrupted sweep"
    )]
    NotEmpty(PathBuf),
    /// `--resume` with a different sweep file, seed or base scenario.
    #[error(
        "{0} holds a run of a different sweep (the sweep file's text, its base scenario or the cocreate version differs): remove it or choose another --out"
    )]
    Different(PathBuf),
    /// A saved file that cannot be trusted (merge refuses it).
    #[error(
        "{path}: {reason}; this shard cannot be merged: run it again (with --resume) or remove it"
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The folder is locked by another process, or is not a folder.
    #[error(transparent)]
    Folder(FolderError),
    /// A file could not be read or written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl From<FolderError> for SweepFolderError {
    fn from(e: FolderError) -> Self {
        match e {
            FolderError::Output(e) => SweepFolderError::Output(e),
            e => SweepFolderError::Folder(e),
        }
    }
}

/// What `--resume` found in a sweep's folder.
pub enum Opened {
    /// A sweep to run: fresh, or interrupted with some points saved.
    Writer(Box<SweepWriter>),
    /// The same sweep, already finished: its files are checked and in place.
    Finished(PathBuf),
}

const IDENTITY: &str = "sweep.identity";

/// The figures summarized per point (rows of a point's summary).
const FIGURES: usize = RunRecord::FIGURES.len();

impl SweepWriter {
    /// Starts the files of a sweep of `points` points of `replications`
    /// replications each, in `out/<folder>/`; `factors` name the columns;
    /// `identity` tells this sweep from any other (see [`sweep_identity`]).
    /// The folder is locked for the writer's life, and the temporary files
    /// of an earlier writer that died are removed.
    ///
    /// Without `resume` the folder must be empty or absent. With it, an
    /// absent or empty folder starts the sweep; a folder with an interrupted
    /// run of the same sweep keeps its checked points
    /// ([`SweepWriter::is_done`]; damaged ones run again, see
    /// [`SweepWriter::damaged`]); a finished run of the same sweep is
    /// checked file by file and left as it is ([`Opened::Finished`]).
    #[allow(clippy::too_many_arguments)] // each is one fact about the sweep
    pub fn create(
        out: &Path,
        folder: &str,
        factors: &[String],
        identity: &str,
        resume: bool,
        points: usize,
        replications: u32,
        parts_names: &PartNames,
    ) -> Result<Opened, SweepFolderError> {
        let dir = out.join(folder);
        at(out, std::fs::create_dir_all(out))?;
        if std::fs::symlink_metadata(&dir).is_ok_and(|m| !m.is_dir()) {
            return Err(FolderError::NotAFolder(dir).into());
        }
        let lock = FolderLock::acquire(&dir)?;
        let parts = dir.join(".partial");
        if std::fs::symlink_metadata(&parts).is_ok_and(|m| !m.is_dir()) {
            return Err(FolderError::NotAFolder(parts).into());
        }
        let mut w = SweepWriter {
            factors: factors.to_vec(),
            identity: identity.to_string(),
            replications,
            parts_names: parts_names.clone(),
            runs: Vec::new(),
            current: Vec::new(),
            current_groups: Vec::new(),
            current_kinds: Vec::new(),
            means: vec![vec![f64::NAN; points]; FIGURES],
            variances: vec![vec![f64::NAN; points]; FIGURES],
            done: vec![false; points],
            damaged: Vec::new(),
            dir: dir.clone(),
            parts: parts.clone(),
            _lock: lock,
        };
        // an earlier writer that died may have left temporary files
        remove_temporary_files(&dir);
        remove_temporary_files(&parts);
        let holds_files = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some());
        if resume && holds_files {
            if parts.is_dir() {
                let found = parts::read_regular(&parts.join(IDENTITY), 1024)
                    .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                    .unwrap_or_default();
                if found != identity {
                    return Err(SweepFolderError::Different(dir));
                }
                w.load_finished()?;
                return Ok(Opened::Writer(Box::new(w)));
            }
            return match check_finished(&dir, identity)? {
                true => Ok(Opened::Finished(dir)),
                false => Err(SweepFolderError::Different(dir)),
            };
        }
        if holds_files {
            return Err(SweepFolderError::NotEmpty(dir));
        }
        at(&parts, std::fs::create_dir_all(&parts))?;
        let path = parts.join(IDENTITY);
        let mut f = at(&path, AtomicFile::create(&path))?;
        at(&path, f.write_all(identity.as_bytes()))?;
        at(&path, f.commit())?;
        Ok(Opened::Writer(Box::new(w)))
    }

    /// Whether point `p` is finished (its results are saved).
    pub fn is_done(&self, p: usize) -> bool {
        self.done[p]
    }

    /// The number of finished points.
    pub fn finished(&self) -> usize {
        self.done.iter().filter(|&&d| d).count()
    }

    /// The points found damaged when the folder was opened (they run
    /// again), one line each: the file and why.
    pub fn damaged(&self) -> &[String] {
        &self.damaged
    }

    /// The sweep folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads the summaries of the finished points, checking each; a damaged
    /// point is removed (it runs again) and noted.
    fn load_finished(&mut self) -> Result<(), OutputError> {
        for p in 0..self.done.len() {
            let (runs, summaries) = saved_rows(self.replications, &self.parts_names);
            match parts::check_point(&self.parts, p, &self.identity, runs, summaries) {
                PointState::Missing => {}
                PointState::Saved { summary, .. } => self.read_summary(p, &summary)?,
                PointState::Damaged { path, reason } => {
                    self.damaged
                        .push(format!("point {p}: {}: {reason}", path.display()));
                    parts::remove_point(&self.parts, p);
                }
            }
        }
        Ok(())
    }

    /// Takes point `p`'s means and variances from its saved summary rows.
    fn read_summary(&mut self, p: usize, summary: &[u8]) -> Result<(), OutputError> {
        let mut rows = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(summary);
        for (i, row) in rows.records().enumerate() {
            let row = row.map_err(|e| OutputError {
                path: parts::part_path(&self.parts, p, "summary"),
                source: std::io::Error::other(e),
            })?;
            if row.get(1) == Some("b") {
                continue;
            }
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
        Ok(())
    }

    /// Adopts the saved points of another folder of the same sweep (a
    /// shard): checks each, copies it here and reads it. A damaged point is
    /// refused with [`SweepFolderError::Damaged`], naming the file.
    pub fn adopt(&mut self, other: &Path) -> Result<(), SweepFolderError> {
        let from = other.join(".partial");
        let (run_rows, summary_rows) = saved_rows(self.replications, &self.parts_names);
        for p in 0..self.done.len() {
            match parts::check_point(&from, p, &self.identity, run_rows, summary_rows) {
                PointState::Missing => {}
                PointState::Damaged { path, reason } => {
                    return Err(SweepFolderError::Damaged { path, reason });
                }
                PointState::Saved { runs, summary } => {
                    parts::save_point(&self.parts, p, &self.identity, &runs, &summary)?;
                    self.read_summary(p, &summary)?;
                }
            }
        }
        Ok(())
    }

    /// Appends one run of the current point.
    pub fn append(&mut self, row: RunRow) -> Result<(), OutputError> {
        self.runs.extend_from_slice(&row.bytes);
        self.current.push(row.record);
        self.current_groups.push(row.groups);
        self.current_kinds.push(row.kinds);
        Ok(())
    }

    /// Closes the current point: saves its runs and summaries for good,
    /// with the record that lets them be checked.
    pub fn finish_point(&mut self, point: usize) -> Result<(), OutputError> {
        let mut buf = ryu::Buffer::new();
        // the breakdown's tagged rows have other lengths than the summary's
        let mut summary = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
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
        let point_name = point.to_string();
        for mut row in super::breakdown_rows(
            &point_name,
            &self.parts_names,
            &self.current_groups,
            &self.current_kinds,
        ) {
            row.insert(1, "b".into());
            let _ = summary.write_record(&row);
        }
        let summary = summary.into_inner().unwrap_or_default();
        let runs = std::mem::take(&mut self.runs);
        parts::save_point(&self.parts, point, &self.identity, &runs, &summary)?;
        self.current.clear();
        self.current_groups.clear();
        self.current_kinds.clear();
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
        mut manifest: serde_json::Value,
    ) -> Result<PathBuf, OutputError> {
        let f: Vec<&str> = self.factors.iter().map(String::as_str).collect();
        let mut buf = ryu::Buffer::new();

        let mut header = vec!["point"];
        header.extend(&f);
        let path = self.dir.join("points.csv");
        let mut points_file = recorded_file(&path, &header)?;
        for (p, values) in points.iter().enumerate() {
            let mut row = vec![p.to_string()];
            row.extend(values.iter().map(|&v| factor_value(v, &mut buf)));
            write_row(&mut points_file, &path, &row)?;
        }

        let mut header = vec!["point", "replication", "seed"];
        header.extend(&f);
        header.extend(RunRecord::FIGURES);
        let runs_file = self.joined("runs.csv", &header, "runs", None, points.len())?;
        let mut header = vec!["point", "metric"];
        header.extend(SUMMARY_COLUMNS);
        let summary_file = self.joined("summary.csv", &header, "summary", None, points.len())?;
        let mut header = vec!["point", "replication", "group"];
        header.extend(GroupRecord::FIGURES);
        let groups_file = self.joined("groups.csv", &header, "runs", Some("g"), points.len())?;
        let mut header = vec!["point", "replication", "kind"];
        header.extend(KindRecord::FIGURES);
        let kinds_file = self.joined("kinds.csv", &header, "runs", Some("k"), points.len())?;
        let mut header = vec!["point", "level", "name", "metric"];
        header.extend(SUMMARY_COLUMNS);
        let breakdown_file =
            self.joined("breakdown.csv", &header, "summary", Some("b"), points.len())?;

        let mut pending = vec![
            (self.dir.join("points.csv"), points_file),
            (self.dir.join("runs.csv"), runs_file),
            (self.dir.join("summary.csv"), summary_file),
            (self.dir.join("groups.csv"), groups_file),
            (self.dir.join("kinds.csv"), kinds_file),
            (self.dir.join("breakdown.csv"), breakdown_file),
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
            let mut file = recorded_file(&path, &header)?;
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
            let mut file = recorded_file(&path, &CONVERGENCE_COLUMNS)?;
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
        // the data files first, each with its record; the manifest, which
        // holds the records, last
        let mut files = serde_json::Map::new();
        for (path, file) in pending {
            let (file, record) = file.into_parts();
            at(&path, file.commit())?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            files.insert(
                name.unwrap_or_default(),
                serde_json::to_value(record).unwrap_or_default(),
            );
        }
        if let Some(m) = manifest.as_object_mut() {
            m.insert("identity".into(), self.identity.clone().into());
            m.insert("files".into(), files.into());
        }
        let path = self.dir.join("manifest.json");
        let mut m = at(&path, AtomicFile::create(&path))?;
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| OutputError {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        at(&path, m.write_all(&json).and_then(|()| m.write_all(b"\n")))?;
        at(&path, m.commit())?;
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

    /// A final file: the header, then every point's saved part of `kind`:
    /// its untagged rows, or with `tag` its rows of that tag, untagged.
    fn joined(
        &self,
        name: &str,
        header: &[&str],
        kind: &str,
        tag: Option<&str>,
        points: usize,
    ) -> Result<Recorded<AtomicFile>, OutputError> {
        let path = self.dir.join(name);
        let mut file = recorded_file(&path, header)?;
        for p in 0..points {
            let part = parts::part_path(&self.parts, p, kind);
            let bytes = at(&part, std::fs::read(&part))?;
            let prefix = format!("{p},");
            let mut out = Vec::with_capacity(bytes.len());
            for line in bytes.split_inclusive(|&b| b == b'\n') {
                let rest = line.get(prefix.len()..).unwrap_or_default();
                let tagged =
                    rest.get(1) == Some(&b',') && rest.first().is_some_and(u8::is_ascii_alphabetic);
                match tag {
                    None if !tagged => out.extend_from_slice(line),
                    Some(t) if tagged && rest[0] == t.as_bytes()[0] => {
                        out.extend_from_slice(prefix.as_bytes());
                        out.extend_from_slice(&rest[2..]);
                    }
                    _ => {}
                }
            }
            at(&path, file.write_all(&out))?;
        }
        Ok(file)
    }
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

/// Checks every saved point of a shard folder, before anything is copied:
/// [`SweepFolderError::Damaged`] names the first file that cannot be
/// trusted.
pub fn check_shard(
    dir: &Path,
    identity: &str,
    points: usize,
    replications: u32,
    parts_names: &PartNames,
) -> Result<(), SweepFolderError> {
    let parts = dir.join(".partial");
    let (run_rows, summary_rows) = saved_rows(replications, parts_names);
    for p in 0..points {
        if let PointState::Damaged { path, reason } =
            parts::check_point(&parts, p, identity, run_rows, summary_rows)
        {
            return Err(SweepFolderError::Damaged { path, reason });
        }
    }
    Ok(())
}

/// The rows a saved point's runs and summary have: per replication its
/// run, group and kind rows; the figures' summaries and the breakdown.
fn saved_rows(replications: u32, parts: &PartNames) -> (u64, u64) {
    let per_run = 1 + parts.groups.len() + parts.kinds.len();
    (
        u64::from(replications) * per_run as u64,
        (FIGURES + parts.breakdown_rows()) as u64,
    )
}

/// A final file of the sweep, its record kept as it is written, starting
/// with a CSV header.
fn recorded_file(path: &Path, header: &[&str]) -> Result<Recorded<AtomicFile>, OutputError> {
    let mut file = Recorded::new(at(path, AtomicFile::create(path))?);
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    at(path, file.write_all(&w.into_inner().unwrap_or_default()))?;
    Ok(file)
}

/// Whether `dir` holds the finished files of the sweep `identity`, each as
/// its manifest records it (false: another sweep's). A file that differs
/// from its record is [`SweepFolderError::Damaged`].
pub fn check_finished(dir: &Path, identity: &str) -> Result<bool, SweepFolderError> {
    let path = dir.join("manifest.json");
    let Ok(bytes) = parts::read_regular(&path, 1 << 26) else {
        return Ok(false);
    };
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Ok(false);
    };
    if manifest["identity"].as_str() != Some(identity) {
        return Ok(false);
    }
    let files = manifest["files"].as_object().cloned().unwrap_or_default();
    for (name, record) in &files {
        let path = dir.join(name);
        let damaged = |reason: String| SweepFolderError::Damaged {
            path: path.clone(),
            reason,
        };
        let record: FileRecord = serde_json::from_value(record.clone())
            .map_err(|e| damaged(format!("its record in manifest.json is unreadable ({e})")))?;
        let found = parts::record_of_file(&path).map_err(|e| damaged(e.to_string()))?;
        if let Some(why) = record.differs_from(&found) {
            return Err(damaged(why));
        }
    }
    Ok(!files.is_empty())
}

fn write_row(file: &mut impl Write, path: &Path, row: &[String]) -> Result<(), OutputError> {
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
