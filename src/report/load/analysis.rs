//! Reading what `cocreate calibrate` and `cocreate discover` wrote.

use super::{LoadError, Table, manifest, name_or_folder, problem};
use crate::output::{
    BOXES_COLUMNS, GENERATIONS_COLUMNS, POSTERIOR_SUMMARY_COLUMNS, PREDICTIVE_COLUMNS,
    TRAJECTORY_COLUMNS,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// What `cocreate calibrate` wrote.
#[derive(Clone, Debug)]
pub struct CalibrationResults {
    /// The folder.
    pub dir: PathBuf,
    /// The calibration's name.
    pub name: String,
    /// `manifest.json`.
    pub manifest: Value,
    /// The parameters, in `posterior.csv`'s order.
    pub parameters: Vec<String>,
    /// `posterior.csv`: each particle's weight and values.
    pub particles: Vec<(f64, Vec<f64>)>,
    /// `generations.csv`: generation, tolerance, simulations,
    /// acceptance rate, effective sample size.
    pub generations: Vec<[f64; 5]>,
    /// `summary.csv`: per parameter, mean, sd, q025, q50, q975, prior_min
    /// and prior_max.
    pub summary: Vec<(String, [f64; 7])>,
    /// `predictive.csv`: per target, observed, sd, mean, q025, q975, and
    /// whether the observed value is inside.
    pub predictive: Vec<(String, [f64; 5], bool)>,
}

/// One row of a discovery's `trajectory.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrajectoryRow {
    /// The box (1, 2, ... with `--boxes`).
    pub boxed: u32,
    /// The peeling step, or `pasted`.
    pub step: String,
    /// Share of all cases inside.
    pub coverage: f64,
    /// Share of cases among the points inside.
    pub density: f64,
    /// Share of all points inside.
    pub mass: f64,
    /// The restricted factors.
    pub restricted: Vec<String>,
    /// Whether it is the box shown.
    pub chosen: bool,
}

/// One limit of a chosen box, a row of `boxes.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxLimit {
    /// The box.
    pub boxed: u32,
    /// The factor.
    pub factor: String,
    /// Lower limit.
    pub low: f64,
    /// Upper limit.
    pub high: f64,
    /// Quasi-p-value of the lower limit.
    pub qp_low: f64,
    /// Quasi-p-value of the upper limit.
    pub qp_high: f64,
}

/// What `cocreate discover` wrote.
#[derive(Clone, Debug)]
pub struct DiscoveryResults {
    /// The folder.
    pub dir: PathBuf,
    /// The folder's name (`<sweep>-discovery`).
    pub name: String,
    /// `manifest.json`.
    pub manifest: Value,
    /// `trajectory.csv`.
    pub trajectory: Vec<TrajectoryRow>,
    /// `boxes.csv`.
    pub limits: Vec<BoxLimit>,
    /// `cases.csv`: the factors.
    pub factors: Vec<String>,
    /// `cases.csv`: each point's factor values.
    pub points: Vec<Vec<f64>>,
    /// `cases.csv`: whether each point is a case of interest.
    pub case: Vec<bool>,
}

/// The positions of `names` in `t`, in order.
fn columns<const N: usize>(t: &Table, names: [&str; N]) -> Result<[usize; N], LoadError> {
    let mut out = [0; N];
    for (o, name) in out.iter_mut().zip(names) {
        *o = t.column(name)?;
    }
    Ok(out)
}

/// `true` or `false` in column `c` of row `r`.
fn flag(t: &Table, row: &csv::StringRecord, r: usize, c: usize) -> Result<bool, LoadError> {
    match t.text(row, c) {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(problem(
            &t.path,
            format!(
                "line {}: `{}` = `{other}` is not true or false",
                r + 2,
                t.header[c]
            ),
        )),
    }
}

pub(super) fn calibration(dir: &Path) -> Result<CalibrationResults, LoadError> {
    let manifest = manifest(dir)?;
    let posterior = Table::read(&dir.join("posterior.csv"))?;
    let [_, weight] = columns(&posterior, ["particle", "weight"])?;
    let first = columns(&posterior, ["distance"])?[0] + 1;
    let parameters: Vec<String> = posterior.header[first..].to_vec();
    let particles = (posterior.rows.iter().enumerate())
        .map(|(r, row)| {
            let values = (first..posterior.header.len())
                .map(|c| posterior.number(row, r, c))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((posterior.number(row, r, weight)?, values))
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    let t = Table::read(&dir.join("generations.csv"))?;
    let c = columns(&t, GENERATIONS_COLUMNS)?;
    let generations = (t.rows.iter().enumerate())
        .map(|(r, row)| {
            let mut out = [0.0; 5];
            for (o, &c) in out.iter_mut().zip(&c) {
                *o = t.number(row, r, c)?;
            }
            Ok(out)
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    let t = Table::read(&dir.join("summary.csv"))?;
    let [name, c @ ..] = columns(&t, POSTERIOR_SUMMARY_COLUMNS)?;
    let summary = (t.rows.iter().enumerate())
        .map(|(r, row)| {
            let mut out = [0.0; 7];
            for (o, &c) in out.iter_mut().zip(&c) {
                *o = t.number(row, r, c)?;
            }
            Ok((t.text(row, name).to_string(), out))
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    let t = Table::read(&dir.join("predictive.csv"))?;
    let [name, c @ .., inside] = columns(&t, PREDICTIVE_COLUMNS)?;
    let predictive = (t.rows.iter().enumerate())
        .map(|(r, row)| {
            let mut out = [0.0; 5];
            for (o, &c) in out.iter_mut().zip(&c) {
                *o = t.number(row, r, c)?;
            }
            Ok((
                t.text(row, name).to_string(),
                out,
                flag(&t, row, r, inside)?,
            ))
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    Ok(CalibrationResults {
        dir: dir.into(),
        name: name_or_folder(manifest["name"].as_str(), dir),
        manifest,
        parameters,
        particles,
        generations,
        summary,
        predictive,
    })
}

pub(super) fn discovery(dir: &Path) -> Result<DiscoveryResults, LoadError> {
    let manifest = manifest(dir)?;
    let t = Table::read(&dir.join("trajectory.csv"))?;
    let [b, step, coverage, density, mass, restricted, chosen] = columns(&t, TRAJECTORY_COLUMNS)?;
    let trajectory = (t.rows.iter().enumerate())
        .map(|(r, row)| {
            Ok(TrajectoryRow {
                boxed: t.index(row, r, b, u32::MAX as usize, "a box number")? as u32,
                step: t.text(row, step).to_string(),
                coverage: t.number(row, r, coverage)?,
                density: t.number(row, r, density)?,
                mass: t.number(row, r, mass)?,
                restricted: t
                    .text(row, restricted)
                    .split_whitespace()
                    .map(String::from)
                    .collect(),
                chosen: flag(&t, row, r, chosen)?,
            })
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    let t = Table::read(&dir.join("boxes.csv"))?;
    let [b, factor, low, high, qp_low, qp_high] = columns(&t, BOXES_COLUMNS)?;
    let limits = (t.rows.iter().enumerate())
        .map(|(r, row)| {
            Ok(BoxLimit {
                boxed: t.index(row, r, b, u32::MAX as usize, "a box number")? as u32,
                factor: t.text(row, factor).to_string(),
                low: t.number(row, r, low)?,
                high: t.number(row, r, high)?,
                qp_low: t.number(row, r, qp_low)?,
                qp_high: t.number(row, r, qp_high)?,
            })
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    let (mut factors, mut points, mut case) = (Vec::new(), Vec::new(), Vec::new());
    let path = dir.join("cases.csv");
    if std::fs::symlink_metadata(&path).is_ok() {
        let t = Table::read(&path)?;
        let [point, flagged] = columns(&t, ["point", "case"])?;
        if point != 0 || flagged + 1 != t.header.len() {
            return Err(problem(
                &t.path,
                "expected the columns point, one per factor, and case",
            ));
        }
        factors = t.header[1..flagged].to_vec();
        for (r, row) in t.rows.iter().enumerate() {
            points.push(
                (1..flagged)
                    .map(|c| t.number(row, r, c))
                    .collect::<Result<Vec<_>, _>>()?,
            );
            case.push(flag(&t, row, r, flagged)?);
        }
    }
    Ok(DiscoveryResults {
        dir: dir.into(),
        name: name_or_folder(None, dir),
        manifest,
        trajectory,
        limits,
        factors,
        points,
        case,
    })
}
