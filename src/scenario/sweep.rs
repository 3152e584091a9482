//! Sweep files: a base scenario, a sampling design and the factors to vary.
//!
//! ```toml
//! scenario = "../baseline.toml"   # relative to this file; or inline sections
//! design = "sobol"                # grid | lhs | sobol | morris
//! samples = 256                   # lhs: points; sobol: base samples; morris: trajectories
//! levels = 4                      # morris only
//! replications = 10
//! seed = 7
//!
//! [factors]
//! "inhibitors.low_trust" = { min = 0.0, max = 1.0 }
//! "governance.legal_level" = { min = 0.2, max = 1.0 }
//! "population.agencies" = { values = [10, 20, 40] }   # grid: values, or min/max/steps
//! ```
//!
//! A factor is any numeric key of MODEL.md section 2 or `inhibitors.NAME`;
//! integer keys stay integers (each from min to max equally likely). Every problem is
//! reported with its position, like in scenario files.

use super::error::{LineIndex, Origin, Problem, ScenarioError};
use super::{Scenario, file, parse};
use crate::experiment::design::{Design, SOBOL_MAX_FACTORS, SOBOL_MAX_SAMPLES};
use crate::model::inhibitor::Inhibitor;
use crate::model::params::{Domain, ParamKey, ParamValue, nearest};
use toml::Spanned;
use toml::de::DeValue;

/// The top-level keys of a sweep file, besides inline scenario sections.
const SWEEP_KEYS: [&str; 9] = [
    "name",
    "description",
    "scenario",
    "design",
    "samples",
    "levels",
    "replications",
    "seed",
    "factors",
];

/// What a factor varies: a parameter, an inhibitor's intensity, an
/// effect's strength, or a group's or kind's own value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactorKey {
    /// A key of MODEL.md section 2.
    Param(ParamKey),
    /// `inhibitors.NAME`, a built-in's or the scenario's own.
    Inhibitor(String),
    /// `effects.NAME.KEY`, `citizens.groups.NAME.KEY` or
    /// `agencies.kinds.NAME.KEY` (MODEL.md 11): checked against the base
    /// scenario once it is read.
    Part(String),
}

impl FactorKey {
    /// Parses a factor name; the error lists what is allowed.
    pub fn parse(name: &str) -> Result<FactorKey, String> {
        if let Some(inhibitor) = name.strip_prefix("inhibitors.") {
            return Ok(FactorKey::Inhibitor(inhibitor.to_string()));
        }
        if ["effects.", "citizens.groups.", "agencies.kinds."]
            .iter()
            .any(|p| name.starts_with(p))
        {
            return Ok(FactorKey::Part(name.to_string()));
        }
        match ParamKey::from_name(name) {
            Some(k) if k.domain() == Domain::Network => Err(format!(
                "`{name}` is not numeric and cannot be a factor; factors are the numeric keys of MODEL.md section 2 or `inhibitors.NAME`"
            )),
            // every point runs the sweep's own `replications` under its `seed`
            Some(k) if matches!(name, "run.replications" | "run.seed") => Err(format!(
                "`{}` cannot be a factor: every point runs the sweep's `{}` (a top-level key of the sweep file)",
                k.name(),
                &name[4..]
            )),
            Some(k) => Ok(FactorKey::Param(k)),
            None => {
                let names = ParamKey::all()
                    .filter(|k| k.domain() != Domain::Network)
                    .filter(|k| !matches!(k.name(), "run.replications" | "run.seed"))
                    .map(|k| k.name().to_string())
                    .chain(
                        Inhibitor::ALL
                            .iter()
                            .map(|i| format!("inhibitors.{}", i.name())),
                    )
                    .collect::<Vec<_>>();
                let hint = nearest(name, names.iter().map(String::as_str))
                    .map(|n| format!("did you mean `{n}`? "))
                    .unwrap_or_default();
                Err(format!(
                    "unknown factor `{name}`; {hint}valid factors are {}, and `effects.NAME.KEY`, `citizens.groups.NAME.KEY`, `agencies.kinds.NAME.KEY` and `inhibitors.NAME` of the scenario's own",
                    names.join(", ")
                ))
            }
        }
    }

    /// The factor's name, as in sweep files.
    pub fn name(&self) -> String {
        match self {
            FactorKey::Param(k) => k.name().to_string(),
            FactorKey::Inhibitor(i) => format!("inhibitors.{i}"),
            FactorKey::Part(key) => key.clone(),
        }
    }

    /// The allowed values.
    pub(super) fn domain(&self) -> Domain {
        match self {
            FactorKey::Param(k) => k.domain(),
            FactorKey::Inhibitor(_) => Domain::Unit,
            // checked by the scenario, value by value
            FactorKey::Part(_) => Domain::Real,
        }
    }

    /// Whether values are rounded to integers.
    pub fn is_integer(&self) -> bool {
        self.domain().is_integer()
    }

    /// Whether `v` is an allowed value (for parts of a scenario, any
    /// number: the scenario checks those).
    pub(super) fn allows(&self, v: f64) -> bool {
        let value = if self.is_integer() {
            ParamValue::Int(v.round().max(0.0) as u64)
        } else {
            ParamValue::Float(v)
        };
        v.is_finite() && (!self.is_integer() || v >= 0.0) && self.domain().check(&value)
    }

    /// Sets the factor in `scenario` to `value` (rounded for integer keys).
    pub fn apply(&self, scenario: &mut Scenario, value: f64) -> Result<(), String> {
        match self {
            FactorKey::Inhibitor(i) if (0.0..=1.0).contains(&value) => {
                match scenario.inhibitors.named_mut(i) {
                    Some(entry) => {
                        entry.intensity = value;
                        Ok(())
                    }
                    None => Err(parse::unknown_inhibitor_message(i, &scenario.inhibitors)),
                }
            }
            FactorKey::Inhibitor(_) => Err("a number in [0, 1]".into()),
            FactorKey::Part(key) => scenario.set_part(key, value),
            FactorKey::Param(k) if k.domain().is_integer() => k.set(
                &mut scenario.params,
                ParamValue::Int(value.round().max(0.0) as u64),
            ),
            FactorKey::Param(k) => k.set(&mut scenario.params, ParamValue::Float(value)),
        }
    }
}

/// The values a factor takes.
#[derive(Clone, Debug, PartialEq)]
pub enum FactorRange {
    /// A continuous range, sampled by the lhs, sobol and morris designs.
    Interval {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
    /// `steps` evenly spaced values from min to max (grid).
    Steps {
        /// First value.
        min: f64,
        /// Last value.
        max: f64,
        /// Number of values, at least 2.
        steps: u32,
    },
    /// Listed values (grid).
    Values(Vec<f64>),
}

/// One factor of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    /// What it varies.
    pub key: FactorKey,
    /// Over which values.
    pub range: FactorRange,
}

impl Factor {
    /// The value at unit coordinate `u` in [0, 1] of an interval (or of a
    /// min/max/steps range taken as an interval).
    ///
    /// Integer factors take every integer from min to max with equal
    /// chance (`floor(min + u (max - min + 1))`).
    pub fn at(&self, u: f64) -> f64 {
        match &self.range {
            FactorRange::Interval { min, max } | FactorRange::Steps { min, max, .. } => {
                if self.key.is_integer() {
                    (min + u * (max - min + 1.0)).floor().min(*max)
                } else {
                    min + u * (max - min)
                }
            }
            FactorRange::Values(values) => {
                let i = ((u * values.len() as f64) as usize).min(values.len() - 1);
                values[i]
            }
        }
    }

    /// Level `i` of `p` evenly spaced levels from min to max (p >= 2):
    /// `min + i (max - min) / (p - 1)`, the ends exactly `min` and `max`,
    /// integer keys rounded, others to 12 significant digits (0.6, not
    /// 0.6000000000000001: the level the user wrote down). Grids and Morris
    /// designs take their levels from here, so a level is the same number
    /// wherever it appears.
    pub fn level(&self, i: u32, p: u32) -> f64 {
        let (min, max) = match &self.range {
            FactorRange::Interval { min, max } | FactorRange::Steps { min, max, .. } => {
                (*min, *max)
            }
            FactorRange::Values(v) => return v[(i as usize).min(v.len() - 1)],
        };
        let v = if i == 0 {
            min
        } else if i + 1 >= p {
            max
        } else {
            min + f64::from(i) * (max - min) / f64::from(p - 1)
        };
        if self.key.is_integer() {
            v.round()
        } else {
            format!("{v:.12e}").parse().unwrap_or(v)
        }
    }

    /// The value halfway along the factor's range (or its middle listed
    /// value).
    pub fn middle(&self) -> f64 {
        match &self.range {
            FactorRange::Values(v) => v[v.len() / 2],
            _ => self.level(1, 3),
        }
    }

    /// Its smallest and largest values.
    pub fn ends(&self) -> (f64, f64) {
        match &self.range {
            FactorRange::Values(v) => v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                }),
            FactorRange::Interval { min, max } | FactorRange::Steps { min, max, .. } => {
                (*min, *max)
            }
        }
    }

    /// How many grid values the factor has (without listing them).
    pub fn grid_len(&self) -> u64 {
        match &self.range {
            FactorRange::Values(v) => v.len() as u64,
            FactorRange::Steps { steps, .. } => u64::from(*steps),
            FactorRange::Interval { .. } => 2,
        }
    }

    /// The grid values of this factor.
    pub fn grid_values(&self) -> Vec<f64> {
        match &self.range {
            FactorRange::Values(v) => v.clone(),
            FactorRange::Steps { steps, .. } => {
                (0..*steps).map(|i| self.level(i, *steps)).collect()
            }
            FactorRange::Interval { .. } => vec![self.level(0, 2), self.level(1, 2)],
        }
    }
}

/// A sweep: a base scenario, a design, the factors and the replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// Its name; names the output folder. Defaults to the file's stem.
    pub name: String,
    /// What it explores.
    pub description: String,
    /// The scenario every point starts from.
    pub base: Scenario,
    /// The sampling design.
    pub design: Design,
    /// lhs: points; sobol: base samples; morris: trajectories; unused by grid.
    pub samples: u32,
    /// morris: levels per factor.
    pub levels: u32,
    /// Replications per point.
    pub replications: u32,
    /// Master seed of the design and of every point's replications.
    pub seed: u64,
    /// The factors, in file order.
    pub factors: Vec<Factor>,
}

impl Sweep {
    /// Reads a sweep from TOML text. `source` names it in messages;
    /// `default_name` is used without `name`; `load_base` reads the file a
    /// `scenario = "..."` key names (relative paths are the caller's to resolve).
    pub fn from_toml(
        text: &str,
        source: &str,
        default_name: &str,
        load_base: impl FnOnce(&str) -> Result<Scenario, ScenarioError>,
    ) -> Result<Sweep, ScenarioError> {
        let root = file::parse_root(text, source)?;
        let root = root.get_ref();
        let mut problems = Vec::new();
        let lines = LineIndex::new(text);
        let at = |offset: usize| Origin::in_lines(source, &lines, offset);
        let mut problem = |offset: usize, message: String| {
            problems.push(Problem {
                origin: at(offset),
                message,
            })
        };

        let string = |key: &str, problem: file::Report| file::string(root, key, problem);
        let integer = |key: &str, min: u64, max: u64, problem: file::Report| {
            file::integer(root, key, min, max, problem)
        };
        let name = file::name(root, default_name, &mut problem);
        let description = string("description", &mut problem)
            .map(|d| d.0)
            .unwrap_or_default();
        let design = match string("design", &mut problem) {
            None => {
                problem(0, "a sweep needs `design`: \"grid\", \"lhs\", \"sobol\" or \"morris\"".into());
                None
            }
            Some((d, offset)) => Design::from_name(&d).or_else(|| {
                let hint = nearest(&d, Design::ALL.iter().map(|d| d.name()))
                    .map(|n| format!("; did you mean \"{n}\"?"))
                    .unwrap_or_default();
                problem(offset, format!("unknown design \"{d}\": allowed is \"grid\", \"lhs\", \"sobol\" or \"morris\"{hint}"));
                None
            }),
        };
        let samples = integer("samples", 1, u64::from(u32::MAX), &mut problem).map(|s| s as u32);
        let levels = integer("levels", 2, 1000, &mut problem).map(|l| l as u32);
        let replications =
            integer("replications", 1, u64::from(u32::MAX), &mut problem).map(|r| r as u32);
        let seed = integer("seed", 0, i64::MAX as u64, &mut problem);

        let base = file::base(
            root,
            text,
            source,
            &name,
            &SWEEP_KEYS,
            load_base,
            &at,
            &mut problems,
        );

        let mut factors = Vec::new();
        let mut factor_at = Vec::new();
        match root.get("factors") {
            None => problems.push(Problem {
                origin: Origin::whole(source),
                message:
                    "a sweep needs [factors]: at least one `\"KEY\" = { min = ..., max = ... }`"
                        .into(),
            }),
            Some(v) => match v.get_ref() {
                DeValue::Table(t) => {
                    // in file order (the table itself is sorted by name)
                    let mut entries: Vec<_> = t.iter().collect();
                    entries.sort_by_key(|(k, _)| k.span().start);
                    for (k, v) in entries {
                        match factor(k, v, design) {
                            Ok(f) => {
                                factors.push(f);
                                factor_at.push(at(k.span().start));
                            }
                            Err((offset, message)) => problems.push(Problem {
                                origin: at(offset),
                                message,
                            }),
                        }
                    }
                }
                other => problems.push(Problem {
                    origin: at(v.span().start),
                    message: format!(
                        "`factors` must be a table ([factors]), found {}",
                        other.type_str()
                    ),
                }),
            },
        }

        let design = design.unwrap_or(Design::Grid);
        if root.get("factors").is_some() && factors.is_empty() && problems.is_empty() {
            problems.push(Problem {
                origin: Origin::whole(source),
                message: "[factors] is empty: a sweep needs at least one factor".into(),
            });
        }
        for (key, used) in [
            ("samples", design != Design::Grid),
            ("levels", design == Design::Morris),
        ] {
            if let Some(v) = root.get(key).filter(|_| !used) {
                problems.push(Problem {
                    origin: at(v.span().start),
                    message: format!("`{key}` does not apply to design \"{}\"", design.name()),
                });
            }
        }
        let needs_samples = matches!(design, Design::Lhs | Design::Sobol | Design::Morris);
        if needs_samples && samples.is_none() && root.get("samples").is_none() {
            problems.push(Problem {
                origin: Origin::whole(source),
                message: format!(
                    "design \"{}\" needs `samples` ({})",
                    design.name(),
                    samples_meaning(design)
                ),
            });
        }
        if design == Design::Sobol {
            if samples.is_some_and(|s| s as usize > SOBOL_MAX_SAMPLES) {
                problems.push(Problem {
                    origin: Origin::whole(source),
                    message: format!(
                        "design \"sobol\" takes at most {SOBOL_MAX_SAMPLES} base samples"
                    ),
                });
            }
            if factors.len() > SOBOL_MAX_FACTORS {
                problems.push(Problem {
                    origin: Origin::whole(source),
                    message: format!("design \"sobol\" takes at most {SOBOL_MAX_FACTORS} factors"),
                });
            }
        }
        let levels = levels.unwrap_or(4);
        if design == Design::Morris && levels % 2 != 0 {
            problems.push(Problem {
                origin: Origin::whole(source),
                message: format!("`levels` = {levels} must be even for design \"morris\""),
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        for f in &factors {
            if !seen.insert(f.key.name()) {
                problems.push(Problem {
                    origin: Origin::whole(source),
                    message: format!("factor `{}` is given twice", f.key.name()),
                });
            }
        }
        let d = factors.len() as u64;
        let points = match design {
            Design::Grid => factors
                .iter()
                .map(Factor::grid_len)
                .try_fold(1u64, |a, b| a.checked_mul(b))
                .unwrap_or(u64::MAX),
            Design::Lhs => u64::from(samples.unwrap_or(0)),
            Design::Sobol => u64::from(samples.unwrap_or(0)) * (d + 2),
            Design::Morris => u64::from(samples.unwrap_or(0)) * (d + 1),
        };
        if points > MAX_POINTS {
            problems.push(Problem {
                origin: Origin::whole(source),
                message: format!("the sweep has {points} points; at most {MAX_POINTS} are allowed: split it into several sweeps"),
            });
        }
        // a factor has exactly as many distinct values as its steps or levels
        if points <= MAX_POINTS {
            for f in &factors {
                let p = match (design, &f.range) {
                    (Design::Grid, FactorRange::Steps { steps, .. }) => *steps,
                    (Design::Morris, _) => levels,
                    _ => continue,
                };
                let values: Vec<f64> = (0..p).map(|i| f.level(i, p)).collect();
                if values.windows(2).any(|w| w[0] >= w[1]) {
                    let what = if design == Design::Grid {
                        "steps"
                    } else {
                        "levels"
                    };
                    problems.push(Problem {
                        origin: Origin::whole(source),
                        message: format!(
                            "factor `{}` cannot take {p} distinct values between its `min` and `max`{}: give fewer `{what}` or a wider range",
                            f.key.name(),
                            if f.key.is_integer() { " (it takes integers)" } else { "" }
                        ),
                    });
                }
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.origin.position);
            return Err(ScenarioError { problems });
        }
        let mut base = base.expect("no problem means the base scenario loaded");
        // factors of the scenario's own inhibitors, groups and kinds must
        // name ones the base scenario has
        for (f, origin) in factors.iter().zip(&factor_at) {
            if matches!(f.key, FactorKey::Param(_)) {
                continue;
            }
            let mut probe = base.clone();
            for end in [f.level(0, 2), f.level(1, 2)] {
                if let Err(why) = f.key.apply(&mut probe, end) {
                    // an unknown inhibitor's message names it already
                    let message = if why.starts_with("unknown inhibitor") {
                        why
                    } else {
                        format!("factor `{}`: {why}", f.key.name())
                    };
                    problems.push(Problem {
                        origin: origin.clone(),
                        message,
                    });
                    break;
                }
            }
        }
        if !problems.is_empty() {
            return Err(ScenarioError { problems });
        }
        if root.get("scenario").is_none() {
            base.name = name.clone();
        }
        // the sweep's own replications and seed replace the base scenario's
        let replications = replications.unwrap_or(base_replications());
        let seed = seed.unwrap_or(42);
        base.params.run.replications = replications;
        base.params.run.seed = seed;
        Ok(Sweep {
            name,
            description,
            base,
            design,
            samples: samples.unwrap_or(0),
            levels,
            replications,
            seed,
            factors,
        })
    }

    /// The number of points of the sweep, counted without building them.
    pub fn points(&self) -> u64 {
        let d = self.factors.len() as u64;
        let n = u64::from(self.samples);
        match self.design {
            Design::Grid => self
                .factors
                .iter()
                .map(Factor::grid_len)
                .try_fold(1u64, |a, b| a.checked_mul(b))
                .unwrap_or(u64::MAX),
            Design::Lhs => n,
            Design::Sobol => n * (d + 2),
            Design::Morris => n * (d + 1),
        }
    }

    /// The base scenario with every factor set to its value at `point`
    /// (one value per factor, in factor order), checked like a file.
    pub fn scenario_at(&self, point: &[f64]) -> Result<Scenario, String> {
        let mut s = self.base.clone();
        for (f, &v) in self.factors.iter().zip(point) {
            f.key.apply(&mut s, v).map_err(|allowed| {
                format!(
                    "factor `{}` = {v} is out of range: allowed is {allowed}",
                    f.key.name()
                )
            })?;
        }
        s.params.run.replications = self.replications;
        s.params.run.seed = self.seed;
        Ok(s)
    }
}

/// The most points a sweep may have.
pub const MAX_POINTS: u64 = 10_000_000;

/// Replications per point when the file does not say.
fn base_replications() -> u32 {
    10
}

fn samples_meaning(design: Design) -> &'static str {
    match design {
        Design::Lhs => "the number of points",
        Design::Sobol => {
            "the number of base samples; the sweep runs samples x (factors + 2) points"
        }
        Design::Morris => {
            "the number of trajectories; the sweep runs samples x (factors + 1) points"
        }
        Design::Grid => "unused",
    }
}

/// Reads one `"KEY" = { ... }` entry of [factors].
fn factor(
    key: &Spanned<std::borrow::Cow<str>>,
    value: &Spanned<DeValue>,
    design: Option<Design>,
) -> Result<Factor, (usize, String)> {
    let name = key.get_ref().as_ref();
    let fk = FactorKey::parse(name).map_err(|m| (key.span().start, m))?;
    let offset = value.span().start;
    let DeValue::Table(t) = value.get_ref() else {
        return Err((
            offset,
            format!(
                "factor `{name}` must be a table such as {{ min = 0.0, max = 1.0 }} or {{ values = [...] }}"
            ),
        ));
    };
    let number = |v: &Spanned<DeValue>| -> Result<f64, (usize, String)> {
        parse::param_value(Domain::Real, v.get_ref())
            .ok()
            .and_then(ParamValue::as_f64)
            .ok_or_else(|| {
                (
                    v.span().start,
                    format!("factor `{name}`: expected a number"),
                )
            })
    };
    for (k, _) in t {
        let field = k.get_ref().as_ref();
        if !["min", "max", "steps", "values"].contains(&field) {
            let hint = nearest(field, ["min", "max", "steps", "values"])
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return Err((
                k.span().start,
                format!("unknown field `{field}` in factor `{name}`{hint}"),
            ));
        }
    }
    let in_domain = |v: f64| fk.allows(v);
    let range = if let Some(values) = t.get("values") {
        if t.get("min").is_some() || t.get("max").is_some() || t.get("steps").is_some() {
            return Err((
                offset,
                format!("factor `{name}`: give either `values` or `min`/`max`, not both"),
            ));
        }
        let DeValue::Array(items) = values.get_ref() else {
            return Err((
                values.span().start,
                format!("factor `{name}`: `values` must be a list of numbers"),
            ));
        };
        let list = items.iter().map(number).collect::<Result<Vec<f64>, _>>()?;
        if list.is_empty() {
            return Err((
                values.span().start,
                format!("factor `{name}`: `values` is empty"),
            ));
        }
        let list: Vec<f64> = if fk.is_integer() {
            list.into_iter().map(f64::round).collect()
        } else {
            list
        };
        let mut sorted = list.clone();
        sorted.sort_by(f64::total_cmp);
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err((
                values.span().start,
                format!(
                    "factor `{name}`: `values` repeats a value{}",
                    if fk.is_integer() {
                        " (after rounding to integers)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        FactorRange::Values(list)
    } else {
        let (Some(min), Some(max)) = (t.get("min"), t.get("max")) else {
            return Err((
                offset,
                format!("factor `{name}` needs `min` and `max`, or `values`"),
            ));
        };
        let (lo, hi) = (number(min)?, number(max)?);
        let (lo, hi) = if fk.is_integer() {
            (lo.ceil(), hi.floor())
        } else {
            (lo, hi)
        };
        if lo >= hi {
            return Err((
                min.span().start,
                format!(
                    "factor `{name}`: `min` = {lo} must be below `max` = {hi}{}",
                    if fk.is_integer() {
                        " (as integers)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        match t.get("steps") {
            Some(s) => match s.get_ref() {
                DeValue::Integer(i) => match u32::from_str_radix(i.as_str(), i.radix()) {
                    Ok(steps) if steps >= 2 => FactorRange::Steps {
                        min: lo,
                        max: hi,
                        steps,
                    },
                    _ => {
                        return Err((
                            s.span().start,
                            format!("factor `{name}`: `steps` must be an integer of at least 2"),
                        ));
                    }
                },
                _ => {
                    return Err((
                        s.span().start,
                        format!("factor `{name}`: `steps` must be an integer of at least 2"),
                    ));
                }
            },
            None => FactorRange::Interval { min: lo, max: hi },
        }
    };
    let ends: Vec<f64> = match &range {
        FactorRange::Values(v) => v.clone(),
        FactorRange::Interval { min, max } | FactorRange::Steps { min, max, .. } => {
            vec![*min, *max]
        }
    };
    if let Some(bad) = ends.iter().find(|&&v| !in_domain(v)) {
        return Err((
            offset,
            format!(
                "factor `{name}` = {bad} is out of range: allowed is {}",
                fk.domain().describe()
            ),
        ));
    }
    match (design, &range) {
        (Some(d @ (Design::Lhs | Design::Sobol | Design::Morris)), _)
            if fk.domain() == Domain::EvenCount =>
        {
            Err((
                offset,
                format!(
                    "design \"{}\" cannot sample `{name}`, which takes even integers only: vary it with design \"grid\" and `values`",
                    d.name()
                ),
            ))
        }
        (Some(Design::Grid), FactorRange::Interval { .. }) => Err((
            offset,
            format!(
                "design \"grid\" needs the values of factor `{name}`: give `values = [...]` or `steps` with `min` and `max`"
            ),
        )),
        (
            Some(d @ (Design::Lhs | Design::Sobol | Design::Morris)),
            FactorRange::Values(_) | FactorRange::Steps { .. },
        ) => Err((
            offset,
            format!(
                "design \"{}\" samples continuous ranges: give factor `{name}` as {{ min = ..., max = ... }} (lists and steps are for \"grid\")",
                d.name()
            ),
        )),
        _ => Ok(Factor { key: fk, range }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(text: &str) -> Result<Sweep, ScenarioError> {
        Sweep::from_toml(text, "s.toml", "s", |path| {
            Scenario::from_toml("[population]\ncitizens = 500\n", path, "base")
        })
    }

    fn messages(text: &str) -> Vec<String> {
        sweep(text)
            .unwrap_err()
            .problems
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    const SOBOL: &str = r#"
scenario = "../baseline.toml"
design = "sobol"
samples = 256
replications = 10
seed = 7

[factors]
"inhibitors.low_trust" = { min = 0.0, max = 1.0 }
"governance.legal_level" = { min = 0.2, max = 1.0 }
"population.agencies" = { min = 10, max = 40 }
"#;

    #[test]
    fn the_issue_example_loads() {
        let s = sweep(SOBOL).unwrap();
        assert_eq!(s.design, Design::Sobol);
        assert_eq!((s.samples, s.replications, s.seed), (256, 10, 7));
        assert_eq!(s.base.params.population.citizens, 500);
        assert_eq!(s.factors.len(), 3);
        assert_eq!(s.factors[0].key, FactorKey::Inhibitor("low_trust".into()));
        // integer keys stay integers, each from min to max equally likely
        assert_eq!(s.factors[2].at(0.51), 25.0);
        assert_eq!(s.factors[2].at(0.0), 10.0);
        assert_eq!(s.factors[2].at(0.999_999), 40.0);
        let mut counts = [0u32; 31];
        for k in 0..31_000 {
            counts[(s.factors[2].at((f64::from(k) + 0.5) / 31_000.0) - 10.0) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c == 1000), "{counts:?}");
        // the sweep's replications and seed are the base's, and no factor
        assert_eq!(
            (s.base.params.run.replications, s.base.params.run.seed),
            (10, 7)
        );
        for key in ["run.replications", "run.seed"] {
            let m = messages(&SOBOL.replace("\"population.agencies\"", &format!("\"{key}\"")));
            assert!(
                m[0].contains("cannot be a factor: every point runs the sweep's"),
                "{m:?}"
            );
        }
        let sc = s.scenario_at(&[0.5, 0.6, 25.0]).unwrap();
        assert_eq!(sc.inhibitors.get(Inhibitor::LowTrust), 0.5);
        assert_eq!(sc.params.governance.legal_level, 0.6);
        assert_eq!(sc.params.population.agencies, 25);
        assert_eq!((sc.params.run.replications, sc.params.run.seed), (10, 7));
    }

    #[test]
    fn grid_values_and_steps() {
        let s = sweep(
            "design = \"grid\"\n[population]\ncitizens = 300\n[factors]\n\"population.agencies\" = { values = [10, 20, 40] }\n\"governance.feedback\" = { min = 0.0, max = 1.0, steps = 5 }\n",
        )
        .unwrap();
        assert_eq!(s.base.params.population.citizens, 300);
        assert_eq!(s.base.name, "s");
        assert_eq!(s.factors[0].grid_values(), [10.0, 20.0, 40.0]);
        assert_eq!(s.factors[1].grid_values(), [0.0, 0.25, 0.5, 0.75, 1.0]);
        let s = sweep(
            "design = \"grid\"\n[factors]\n\"governance.legal_level\" = { min = 0.3, max = 0.9, steps = 3 }\n",
        )
        .unwrap();
        assert_eq!(s.factors[0].grid_values(), [0.3, 0.6, 0.9]);
    }

    #[test]
    fn problems_are_named_with_what_is_allowed() {
        let m = messages(
            "design = \"sobl\"\nsamples = 8\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n",
        );
        assert!(m[0].contains("did you mean \"sobol\""), "{m:?}");
        let m = messages(
            "design = \"lhs\"\nsamples = 8\n[factors]\n\"citizens.trust_maen\" = { min = 0.1, max = 0.9 }\n",
        );
        assert!(m[0].contains("did you mean `citizens.trust_mean`"), "{m:?}");
        assert!(m[0].contains("valid factors are"), "{m:?}");
        let m = messages(
            "design = \"grid\"\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n",
        );
        assert!(m[0].contains("design \"grid\" needs the values"), "{m:?}");
        let m = messages(
            "design = \"sobol\"\nsamples = 8\n[factors]\n\"population.agencies\" = { values = [1, 2] }\n",
        );
        assert!(m[0].contains("samples continuous ranges"), "{m:?}");
        let m = messages(
            "design = \"lhs\"\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n",
        );
        assert!(m.iter().any(|m| m.contains("needs `samples`")), "{m:?}");
        let m = messages(
            "design = \"lhs\"\nsamples = 4\n[factors]\n\"governance.legal_level\" = { min = 0.5, max = 1.5 }\n",
        );
        assert!(m[0].contains("1.5 is out of range"), "{m:?}");
        let m = messages(
            "design = \"morris\"\nsamples = 4\nlevels = 3\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n",
        );
        assert!(m.iter().any(|m| m.contains("must be even")), "{m:?}");
        let m = messages(
            "design = \"lhs\"\nsamples = 4\n[factors]\n\"network.kind\" = { min = 0, max = 1 }\n",
        );
        assert!(m[0].contains("not numeric"), "{m:?}");
        let m = messages(
            "desing = \"lhs\"\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n",
        );
        assert!(
            m.iter().any(|m| m.contains("did you mean `design`")),
            "{m:?}"
        );
        let m = messages(
            "scenario = \"b.toml\"\ndesign = \"lhs\"\nsamples = 2\n[run]\nsteps = 3\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n",
        );
        assert!(m.iter().any(|m| m.contains("not both")), "{m:?}");
        let cases = [
            (
                "design = \"lhs\"\nsamples = 4\n[factors]\n\"network.k\" = { min = 2, max = 8 }\n",
                "even integers only",
            ),
            (
                "design = \"grid\"\n[factors]\n\"population.agencies\" = { values = [10.4, 10, 11] }\n",
                "repeats a value",
            ),
            (
                "design = \"grid\"\nsamples = 3\n[factors]\n\"population.agencies\" = { values = [10, 11] }\n",
                "`samples` does not apply",
            ),
            (
                "design = \"lhs\"\nsamples = 3\n[factors]\n\"population.agencies\" = { min = 10.1, max = 10.3 }\n",
                "must be below",
            ),
            (
                "design = \"lhs\"\nsamples = 3\n[factors]\n",
                "[factors] is empty",
            ),
            (
                "design = \"lhs\"\nsamples = 20000000\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n",
                "at most 10000000",
            ),
        ];
        for (text, expected) in cases {
            let m = messages(text);
            assert!(m.iter().any(|m| m.contains(expected)), "{expected}: {m:?}");
        }
    }
}
