//! Reading result folders back: what `cocreate run`, `compare`,
//! `waterfall`, `attribute` and `sweep` wrote, recognized by their files.

use crate::experiment::series::StepSeries;
use crate::model::StepRecord;
use crate::output::sweep::{MORRIS_COLUMNS, SOBOL_COLUMNS};
use serde_json::Value;
use std::collections::HashMap;

mod analysis;
pub use analysis::{BoxLimit, CalibrationResults, DiscoveryResults, TrajectoryRow};
use std::path::{Path, PathBuf};

/// A result folder or file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct LoadError {
    /// The folder or file.
    pub path: PathBuf,
    /// What is wrong, and what was expected.
    pub message: String,
}

fn problem(path: &Path, message: impl Into<String>) -> LoadError {
    LoadError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// One result folder.
#[derive(Clone, Debug)]
pub enum Results {
    /// `cocreate run`: one scenario.
    Run(RunResults),
    /// `cocreate compare`.
    Compare(CompareResults),
    /// `cocreate waterfall`.
    Waterfall(WaterfallResults),
    /// `cocreate attribute` (with its waterfall).
    Attribution(AttributionResults),
    /// `cocreate sweep` (or `merge`).
    Sweep(SweepResults),
    /// `cocreate calibrate`.
    Calibration(CalibrationResults),
    /// `cocreate discover`.
    Discovery(DiscoveryResults),
}

/// A figure's mean with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
}

impl Estimate {
    /// No estimate (nothing recorded).
    pub const NAN: Estimate = Estimate {
        mean: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
    };
}

/// What `cocreate run` wrote for one scenario.
#[derive(Clone, Debug)]
pub struct RunResults {
    /// The folder.
    pub dir: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// `manifest.json`.
    pub manifest: Value,
    /// `summary.csv`: per figure, its mean and interval.
    pub summary: Vec<(String, Estimate)>,
    /// The time series of `steps.csv`, summarized over replications.
    pub series: StepSeries,
    /// `breakdown.csv` (MODEL.md 11.5), when the folder has one: each
    /// group's and kind's figures.
    pub breakdown: Vec<PartEstimate>,
}

/// One row of a `breakdown.csv`: a figure of one citizen group or agency
/// kind, over replications.
#[derive(Clone, Debug, PartialEq)]
pub struct PartEstimate {
    /// `group` or `kind`.
    pub level: String,
    /// The group's or kind's name.
    pub name: String,
    /// The figure, one of those of `groups.csv` or `kinds.csv`.
    pub metric: String,
    /// Its mean and interval.
    pub value: Estimate,
}

/// What `cocreate compare` wrote.
#[derive(Clone, Debug)]
pub struct CompareResults {
    /// The folder.
    pub dir: PathBuf,
    /// `manifest.json`.
    pub manifest: Value,
    /// `comparison.csv`: (scenario, figure, level, paired difference from the base).
    pub rows: Vec<(String, String, Estimate, Estimate)>,
    /// `series.csv`, per scenario in file order.
    pub series: Vec<(String, Vec<SeriesPoint>)>,
    /// `breakdown.csv`, when the folder has one: each scenario's groups
    /// and kinds (their levels; the paired differences are not read).
    pub breakdown: Vec<(String, PartEstimate)>,
}

/// One row of `series.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPoint {
    /// The step.
    pub step: u32,
    /// The figure, one of [`StepRecord::FIGURES`].
    pub metric: String,
    /// Its mean over replications and interval.
    pub value: Estimate,
}

/// One step of a waterfall.
#[derive(Clone, Debug, PartialEq)]
pub struct WaterfallStep {
    /// Its name (`twin_realized`, `participation`, ...).
    pub step: String,
    /// `level` or `change`.
    pub kind: String,
    /// What it means, in words.
    pub label: String,
    /// Its value and interval.
    pub value: Estimate,
}

/// What `cocreate waterfall` wrote for one scenario.
#[derive(Clone, Debug)]
pub struct WaterfallResults {
    /// The folder.
    pub dir: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// `manifest.json`.
    pub manifest: Value,
    /// The steps, in file order.
    pub steps: Vec<WaterfallStep>,
}

/// One inhibitor's Shapley value for one figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    /// The inhibitor.
    pub inhibitor: String,
    /// The figure.
    pub metric: String,
    /// Its Shapley value and interval.
    pub shapley: Estimate,
    /// What removing it alone changes the figure by.
    pub removal_gain: f64,
}

/// What `cocreate attribute` wrote.
#[derive(Clone, Debug)]
pub struct AttributionResults {
    /// The folder.
    pub dir: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// `manifest.json`.
    pub manifest: Value,
    /// `attribution.csv`.
    pub shares: Vec<Share>,
    /// `waterfall.csv`, when present.
    pub waterfall: Option<Vec<WaterfallStep>>,
}

/// The positions of five named columns of `t`.
fn columns_of(t: &Table, names: &[&str; 5]) -> Result<[usize; 5], LoadError> {
    let mut out = [0; 5];
    for (o, name) in out.iter_mut().zip(names) {
        *o = t.column(name)?;
    }
    Ok(out)
}

/// One row of a sweep's `sensitivity.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityRow {
    /// The factor.
    pub factor: String,
    /// The figure.
    pub metric: String,
    /// The indices by column name (`s1`, `st`, `s1_ci95_low`, ... or `mu`,
    /// `mu_star`, `sigma`).
    pub values: HashMap<String, f64>,
}

/// What `cocreate sweep` wrote.
#[derive(Clone, Debug)]
pub struct SweepResults {
    /// The folder.
    pub dir: PathBuf,
    /// The sweep's name.
    pub name: String,
    /// `manifest.json`.
    pub manifest: Value,
    /// The factors, in `points.csv` column order.
    pub factors: Vec<String>,
    /// Each point's factor values.
    pub points: Vec<Vec<f64>>,
    /// Per figure, each point's mean (`summary.csv`), in point order.
    pub means: HashMap<String, Vec<f64>>,
    /// `sensitivity.csv`, when present.
    pub sensitivity: Vec<SensitivityRow>,
    /// `convergence.csv` (Sobol designs), when present.
    pub convergence: Vec<ConvergenceRow>,
}

/// One row of a sweep's `convergence.csv`: a factor's indices of one
/// figure on the first `samples` base samples.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvergenceRow {
    /// The factor.
    pub factor: String,
    /// The figure.
    pub metric: String,
    /// Base samples used.
    pub samples: f64,
    /// First-order index.
    pub s1: f64,
    /// Total index.
    pub st: f64,
}

/// The files of each kind of result folder that [`load`] may read.
const RUN_FILES: [&str; 4] = ["manifest.json", "summary.csv", "steps.csv", "breakdown.csv"];
const COMPARE_FILES: [&str; 4] = [
    "manifest.json",
    "comparison.csv",
    "series.csv",
    "breakdown.csv",
];
const WATERFALL_FILES: [&str; 2] = ["manifest.json", "waterfall.csv"];
const ATTRIBUTION_FILES: [&str; 3] = ["manifest.json", "attribution.csv", "waterfall.csv"];
const CALIBRATION_FILES: [&str; 5] = [
    "manifest.json",
    "posterior.csv",
    "generations.csv",
    "summary.csv",
    "predictive.csv",
];
const DISCOVERY_FILES: [&str; 4] = ["manifest.json", "trajectory.csv", "boxes.csv", "cases.csv"];
const SWEEP_FILES: [&str; 5] = [
    "manifest.json",
    "points.csv",
    "summary.csv",
    "sensitivity.csv",
    "convergence.csv",
];

impl Results {
    /// The files of its folder the report reads (or would read, where
    /// they are optional and absent).
    pub fn files(&self) -> Vec<PathBuf> {
        let names: &[&str] = match self {
            Results::Run(_) => &RUN_FILES,
            Results::Compare(_) => &COMPARE_FILES,
            Results::Waterfall(_) => &WATERFALL_FILES,
            Results::Attribution(_) => &ATTRIBUTION_FILES,
            Results::Sweep(_) => &SWEEP_FILES,
            Results::Calibration(_) => &CALIBRATION_FILES,
            Results::Discovery(_) => &DISCOVERY_FILES,
        };
        names.iter().map(|n| self.dir().join(n)).collect()
    }

    /// Its `manifest.json`.
    pub fn manifest(&self) -> &Value {
        match self {
            Results::Run(r) => &r.manifest,
            Results::Compare(r) => &r.manifest,
            Results::Waterfall(r) => &r.manifest,
            Results::Attribution(r) => &r.manifest,
            Results::Sweep(r) => &r.manifest,
            Results::Calibration(r) => &r.manifest,
            Results::Discovery(r) => &r.manifest,
        }
    }

    /// The folder it was read from.
    pub fn dir(&self) -> &Path {
        match self {
            Results::Run(r) => &r.dir,
            Results::Compare(r) => &r.dir,
            Results::Waterfall(r) => &r.dir,
            Results::Attribution(r) => &r.dir,
            Results::Sweep(r) => &r.dir,
            Results::Calibration(r) => &r.dir,
            Results::Discovery(r) => &r.dir,
        }
    }
}

/// What [`load`] found under a folder.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// The result folders, in name order.
    pub results: Vec<Results>,
    /// Folders reached through a symbolic link while searching, left out.
    pub skipped_links: Vec<PathBuf>,
}

/// Reads the result folders at `path`: a folder written by one command,
/// or a folder holding such folders (as `results/`, searched down to three
/// levels), read in name order.
///
/// Symbolic links: `path` itself may be one (it was given by name), but a
/// folder reached through a link while searching is skipped (and listed in
/// [`Found::skipped_links`]), and a result file that is a link is refused,
/// so that a link planted in a result folder cannot make the report quote
/// lines of a file elsewhere in its error messages or its page.
pub fn load(path: &Path) -> Result<Found, LoadError> {
    if !path.is_dir() {
        return Err(problem(
            path,
            "not a folder; give a folder written by cocreate run, compare, waterfall, attribute, sweep, calibrate or discover (or a folder of them)",
        ));
    }
    let mut found = Found::default();
    search(path, 3, &mut found)?;
    if found.results.is_empty() {
        let hint = if found.skipped_links.is_empty() {
            String::new()
        } else {
            format!(
                " (symbolic links to folders are not followed while searching: give {} by name to read it)",
                found.skipped_links[0].display()
            )
        };
        return Err(problem(
            path,
            format!(
                "holds no results: expected the files of cocreate run (summary.csv, steps.csv), compare (comparison.csv), waterfall (waterfall.csv), attribute (attribution.csv), sweep (points.csv), calibrate (posterior.csv) or discover (trajectory.csv), here or in its subfolders{hint}"
            ),
        ));
    }
    Ok(found)
}

fn search(dir: &Path, depth: u32, found: &mut Found) -> Result<(), LoadError> {
    if let Some(r) = load_one(dir)? {
        found.results.push(r);
        return Ok(());
    }
    if depth == 0 {
        return Ok(());
    }
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(dir)
        .map_err(|e| problem(dir, format!("cannot read the folder: {e}")))?
        .flatten()
    {
        let path = entry.path();
        // the entry itself, not what a link points at
        match entry.file_type() {
            Ok(t) if t.is_dir() => dirs.push(path),
            Ok(t) if t.is_symlink() && path.is_dir() => found.skipped_links.push(path),
            _ => {}
        }
    }
    dirs.sort();
    for d in &dirs {
        search(d, depth - 1, found)?;
    }
    Ok(())
}

/// Opens a result file, refusing a symbolic link (and a file swapped for
/// one between the check and the opening).
fn open(path: &Path) -> Result<std::fs::File, LoadError> {
    let link = std::fs::symlink_metadata(path).map_err(|e| problem(path, e.to_string()))?;
    if link.file_type().is_symlink() {
        return Err(problem(
            path,
            "is a symbolic link; the report reads only plain files in result folders (so that a link cannot make it quote another file); put a copy of the file in its place",
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| problem(path, e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file.metadata().map_err(|e| problem(path, e.to_string()))?;
        if (opened.dev(), opened.ino()) != (link.dev(), link.ino()) {
            return Err(problem(
                path,
                "changed while it was being opened; try again",
            ));
        }
    }
    Ok(file)
}

/// Reads one command's folder; `None` if it holds none of the known files.
fn load_one(dir: &Path) -> Result<Option<Results>, LoadError> {
    // a link counts as there (and is refused when read)
    let has = |f: &str| {
        std::fs::symlink_metadata(dir.join(f)).is_ok_and(|m| m.is_file() || m.is_symlink())
    };
    let results = if has("comparison.csv") {
        let manifest = manifest(dir)?;
        let mut max_steps = 0;
        for s in manifest["scenarios"].as_array().into_iter().flatten() {
            max_steps = max_steps.max(steps_of(s, dir)?);
        }
        Results::Compare(CompareResults {
            dir: dir.into(),
            rows: comparison(dir)?,
            series: series(&dir.join("series.csv"), max_steps)?,
            breakdown: if has("breakdown.csv") {
                breakdown(&dir.join("breakdown.csv"))?
            } else {
                Vec::new()
            },
            manifest,
        })
    } else if has("attribution.csv") {
        let manifest = manifest(dir)?;
        Results::Attribution(AttributionResults {
            dir: dir.into(),
            name: scenario_name(&manifest, dir),
            shares: shares(dir)?,
            waterfall: if has("waterfall.csv") {
                Some(waterfall(&dir.join("waterfall.csv"))?)
            } else {
                None
            },
            manifest,
        })
    } else if has("waterfall.csv") {
        let manifest = manifest(dir)?;
        Results::Waterfall(WaterfallResults {
            dir: dir.into(),
            name: scenario_name(&manifest, dir),
            steps: waterfall(&dir.join("waterfall.csv"))?,
            manifest,
        })
    } else if has("points.csv") {
        Results::Sweep(sweep(dir)?)
    } else if has("posterior.csv") {
        Results::Calibration(analysis::calibration(dir)?)
    } else if has("trajectory.csv") {
        Results::Discovery(analysis::discovery(dir)?)
    } else if has("summary.csv") && has("steps.csv") {
        let manifest = manifest(dir)?;
        let max_steps = steps_of(&manifest["scenario"], dir)?;
        Results::Run(RunResults {
            dir: dir.into(),
            name: scenario_name(&manifest, dir),
            summary: run_summary(&dir.join("summary.csv"))?,
            series: steps(&dir.join("steps.csv"), max_steps)?,
            breakdown: if has("breakdown.csv") {
                breakdown(&dir.join("breakdown.csv"))?
                    .into_iter()
                    .map(|(_, p)| p)
                    .collect()
            } else {
                Vec::new()
            },
            manifest,
        })
    } else {
        return Ok(None);
    };
    Ok(Some(results))
}

fn manifest(dir: &Path) -> Result<Value, LoadError> {
    let path = dir.join("manifest.json");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut open(&path)?, &mut text)
        .map_err(|e| problem(&path, e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| problem(&path, format!("not valid JSON: {e}")))
}

fn scenario_name(manifest: &Value, dir: &Path) -> String {
    name_or_folder(manifest["scenario"]["name"].as_str(), dir)
}

/// `name`, or else the folder's own name.
fn name_or_folder(name: Option<&str>, dir: &Path) -> String {
    name.map(str::to_string).unwrap_or_else(|| {
        dir.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into())
    })
}

/// A CSV file read whole, its columns found by name.
struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    /// The file's header, with no rows yet, and the reader of its rows
    /// (for files read row by row).
    fn open(path: &Path) -> Result<(Table, csv::Reader<std::fs::File>), LoadError> {
        let mut reader = csv::Reader::from_reader(open(path)?);
        let header = reader
            .headers()
            .map_err(|e| problem(path, e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let table = Table {
            path: path.into(),
            header,
            rows: Vec::new(),
        };
        Ok((table, reader))
    }

    /// The whole file.
    fn read(path: &Path) -> Result<Table, LoadError> {
        let (mut table, mut reader) = Table::open(path)?;
        table.rows = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| problem(path, e.to_string()))?;
        Ok(table)
    }

    /// The index of a column, or an error naming the file and the column.
    fn column(&self, name: &str) -> Result<usize, LoadError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            problem(
                &self.path,
                format!(
                    "has no column `{name}` (its columns: {})",
                    self.header.join(", ")
                ),
            )
        })
    }

    /// Text of column `c` in row `r`.
    fn text<'a>(&self, row: &'a csv::StringRecord, c: usize) -> &'a str {
        row.get(c).unwrap_or("")
    }

    /// Number in column `c` of `row` (row `r`, counted from 1 after the header).
    fn number(&self, row: &csv::StringRecord, r: usize, c: usize) -> Result<f64, LoadError> {
        let text = self.text(row, c);
        text.parse().map_err(|_| {
            problem(
                &self.path,
                format!(
                    "line {}: `{}` = `{text}` is not a number",
                    r + 2,
                    self.header[c]
                ),
            )
        })
    }

    /// A whole number below `limit` in column `c` of `row` (row `r`);
    /// `what` says what the limit is.
    fn index(
        &self,
        row: &csv::StringRecord,
        r: usize,
        c: usize,
        limit: usize,
        what: &str,
    ) -> Result<usize, LoadError> {
        let text = self.text(row, c);
        match text.parse::<usize>() {
            Ok(i) if i < limit => Ok(i),
            Ok(i) => Err(problem(
                &self.path,
                format!(
                    "line {}: `{}` = {i} is beyond {what}",
                    r + 2,
                    self.header[c]
                ),
            )),
            Err(_) => Err(problem(
                &self.path,
                format!(
                    "line {}: `{}` = `{text}` is not a whole number",
                    r + 2,
                    self.header[c]
                ),
            )),
        }
    }

    /// The columns of an estimate: `value` and `PREFIXci95_low`,
    /// `PREFIXci95_high`.
    fn estimate_columns(&self, value: &str, prefix: &str) -> Result<[usize; 3], LoadError> {
        Ok([
            self.column(value)?,
            self.column(&format!("{prefix}ci95_low"))?,
            self.column(&format!("{prefix}ci95_high"))?,
        ])
    }

    fn estimate(
        &self,
        row: &csv::StringRecord,
        r: usize,
        cols: [usize; 3],
    ) -> Result<Estimate, LoadError> {
        Ok(Estimate {
            mean: self.number(row, r, cols[0])?,
            low: self.number(row, r, cols[1])?,
            high: self.number(row, r, cols[2])?,
        })
    }
}

fn run_summary(path: &Path) -> Result<Vec<(String, Estimate)>, LoadError> {
    let t = Table::read(path)?;
    let metric = t.column("metric")?;
    let cols = t.estimate_columns("mean", "")?;
    t.rows
        .iter()
        .enumerate()
        .map(|(r, row)| Ok((t.text(row, metric).to_string(), t.estimate(row, r, cols)?)))
        .collect()
}

/// The rows of a `breakdown.csv` of `run` or `compare`, with their scenario.
fn breakdown(path: &Path) -> Result<Vec<(String, PartEstimate)>, LoadError> {
    let t = Table::read(path)?;
    let scenario = t.column("scenario")?;
    let (level, name, metric) = (t.column("level")?, t.column("name")?, t.column("metric")?);
    let cols = t.estimate_columns("mean", "")?;
    t.rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let level_text = t.text(row, level);
            if level_text != "group" && level_text != "kind" {
                return Err(problem(
                    path,
                    format!(
                        "line {}: level \"{level_text}\" is neither \"group\" nor \"kind\"",
                        r + 2
                    ),
                ));
            }
            Ok((
                t.text(row, scenario).to_string(),
                PartEstimate {
                    level: level_text.to_string(),
                    name: t.text(row, name).to_string(),
                    metric: t.text(row, metric).to_string(),
                    value: t.estimate(row, r, cols)?,
                },
            ))
        })
        .collect()
}

/// The number of steps a scenario of a manifest ran (`run.steps`).
fn steps_of(scenario: &Value, dir: &Path) -> Result<usize, LoadError> {
    scenario["run"]["steps"]
        .as_u64()
        .map(|t| t as usize)
        .ok_or_else(|| problem(&dir.join("manifest.json"), "has no scenario `run.steps`"))
}

/// `steps.csv` summarized per step over replications; read row by row.
/// Steps must be below `max_steps`.
fn steps(path: &Path, max_steps: usize) -> Result<StepSeries, LoadError> {
    let (t, mut reader) = Table::open(path)?;
    let step = t.column("step")?;
    let figures = StepRecord::FIGURES
        .iter()
        .map(|f| t.column(f))
        .collect::<Result<Vec<_>, _>>()?;
    let limit = format!("the run's {max_steps} steps (manifest.json)");
    let mut series = StepSeries::default();
    let mut row = csv::StringRecord::new();
    let mut r = 0;
    while reader
        .read_record(&mut row)
        .map_err(|e| problem(path, e.to_string()))?
    {
        let s = t.index(&row, r, step, max_steps, &limit)?;
        for (k, &c) in figures.iter().enumerate() {
            series.push(s, k, t.number(&row, r, c)?);
        }
        r += 1;
    }
    Ok(series)
}

fn comparison(dir: &Path) -> Result<Vec<(String, String, Estimate, Estimate)>, LoadError> {
    let t = Table::read(&dir.join("comparison.csv"))?;
    let (scenario, metric) = (t.column("scenario")?, t.column("metric")?);
    let level = t.estimate_columns("mean", "")?;
    let diff = t.estimate_columns("diff", "diff_")?;
    t.rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            Ok((
                t.text(row, scenario).to_string(),
                t.text(row, metric).to_string(),
                t.estimate(row, r, level)?,
                t.estimate(row, r, diff)?,
            ))
        })
        .collect()
}

fn series(path: &Path, max_steps: usize) -> Result<Vec<(String, Vec<SeriesPoint>)>, LoadError> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(Vec::new());
    }
    let t = Table::read(path)?;
    let (scenario, step, metric) = (
        t.column("scenario")?,
        t.column("step")?,
        t.column("metric")?,
    );
    let cols = t.estimate_columns("mean", "")?;
    let mut out: Vec<(String, Vec<SeriesPoint>)> = Vec::new();
    for (r, row) in t.rows.iter().enumerate() {
        let name = t.text(row, scenario);
        let point = SeriesPoint {
            step: t.index(row, r, step, max_steps, "the run's steps (manifest.json)")? as u32,
            metric: t.text(row, metric).to_string(),
            value: t.estimate(row, r, cols)?,
        };
        match out.last_mut() {
            Some((n, points)) if n == name => points.push(point),
            _ => out.push((name.to_string(), vec![point])),
        }
    }
    Ok(out)
}

fn waterfall(path: &Path) -> Result<Vec<WaterfallStep>, LoadError> {
    let t = Table::read(path)?;
    let (step, kind, label) = (t.column("step")?, t.column("kind")?, t.column("label")?);
    let cols = t.estimate_columns("value", "")?;
    t.rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            Ok(WaterfallStep {
                step: t.text(row, step).to_string(),
                kind: t.text(row, kind).to_string(),
                label: t.text(row, label).to_string(),
                value: t.estimate(row, r, cols)?,
            })
        })
        .collect()
}

fn shares(dir: &Path) -> Result<Vec<Share>, LoadError> {
    let t = Table::read(&dir.join("attribution.csv"))?;
    let (inhibitor, metric) = (t.column("inhibitor")?, t.column("metric")?);
    let cols = t.estimate_columns("shapley", "")?;
    let gain = t.column("removal_gain")?;
    t.rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            Ok(Share {
                inhibitor: t.text(row, inhibitor).to_string(),
                metric: t.text(row, metric).to_string(),
                shapley: t.estimate(row, r, cols)?,
                removal_gain: t.number(row, r, gain)?,
            })
        })
        .collect()
}

fn sweep(dir: &Path) -> Result<SweepResults, LoadError> {
    let manifest = manifest(dir)?;
    let points_table = Table::read(&dir.join("points.csv"))?;
    if points_table.column("point")? != 0 {
        return Err(problem(
            &points_table.path,
            "`point` must be the first column, the factors after it",
        ));
    }
    let factors: Vec<String> = points_table.header.iter().skip(1).cloned().collect();
    let n = points_table.rows.len();
    let points = points_table
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            if points_table.index(row, r, 0, n, "the number of points")? != r {
                return Err(problem(
                    &points_table.path,
                    format!(
                        "line {}: points must be numbered 0, 1, 2, ... in order",
                        r + 2
                    ),
                ));
            }
            (1..=factors.len())
                .map(|c| points_table.number(row, r, c))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let summary = Table::read(&dir.join("summary.csv"))?;
    let (point, metric, mean) = (
        summary.column("point")?,
        summary.column("metric")?,
        summary.column("mean")?,
    );
    let mut means: HashMap<String, Vec<f64>> = HashMap::new();
    for (r, row) in summary.rows.iter().enumerate() {
        let p = summary.index(row, r, point, n, "the points of points.csv")?;
        let values = means
            .entry(summary.text(row, metric).to_string())
            .or_insert_with(|| vec![f64::NAN; n]);
        if !values[p].is_nan() {
            return Err(problem(
                &summary.path,
                format!("line {}: point {p} appears twice for this metric", r + 2),
            ));
        }
        values[p] = summary.number(row, r, mean)?;
    }
    let mut sensitivity = Vec::new();
    let path = dir.join("sensitivity.csv");
    if std::fs::symlink_metadata(&path).is_ok() {
        let t = Table::read(&path)?;
        let (factor, metric) = (t.column("factor")?, t.column("metric")?);
        // the columns the report draws: Sobol indices with intervals, or Morris effects
        let needed: &[&str] = if t.header.iter().any(|h| h == "s1") {
            &SOBOL_COLUMNS
        } else {
            &MORRIS_COLUMNS
        };
        for c in needed {
            t.column(c)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let mut values = HashMap::new();
            for (c, name) in t.header.iter().enumerate() {
                if c != factor && c != metric {
                    values.insert(name.clone(), t.number(row, r, c)?);
                }
            }
            sensitivity.push(SensitivityRow {
                factor: t.text(row, factor).to_string(),
                metric: t.text(row, metric).to_string(),
                values,
            });
        }
    }
    let mut convergence = Vec::new();
    let path = dir.join("convergence.csv");
    if std::fs::symlink_metadata(&path).is_ok() {
        let t = Table::read(&path)?;
        let [factor, metric, samples, s1, st] =
            columns_of(&t, &crate::output::sweep::CONVERGENCE_COLUMNS)?;
        for (r, row) in t.rows.iter().enumerate() {
            convergence.push(ConvergenceRow {
                factor: t.text(row, factor).to_string(),
                metric: t.text(row, metric).to_string(),
                samples: t.number(row, r, samples)?,
                s1: t.number(row, r, s1)?,
                st: t.number(row, r, st)?,
            });
        }
    }
    let name = name_or_folder(manifest["sweep"]["name"].as_str(), dir);
    Ok(SweepResults {
        dir: dir.into(),
        name,
        manifest,
        factors,
        points,
        means,
        sensitivity,
        convergence,
    })
}
