//! Calibration files: a base scenario, the parameters to estimate with
//! their uniform priors, and the observed figures to reproduce.
//!
//! ```toml
//! name = "trust-participation"
//! scenario = "../baseline.toml"   # relative to this file; or inline sections
//! particles = 400                 # accepted particles per generation
//! generations = 8                 # at most, generation 0 included
//! replications = 2                # per particle; its figures are averaged
//! seed = 3
//!
//! [parameters]                    # uniform priors over any numeric key of --set
//! "citizens.trust_mean" = { min = 0.2, max = 0.9 }
//!
//! [targets]                       # observed figures and the sd of each observation
//! participation_rate = { value = 0.045, sd = 0.003 }
//! "mean_trust@12" = { value = 0.57, sd = 0.02 }   # a step figure at step 12
//! "groups.rural.participation_rate" = { value = 0.02, sd = 0.004 }
//! ```
//!
//! A parameter is anything a sweep can vary ([`FactorKey`]); a target is a
//! figure of `runs.csv`, a step figure `NAME@STEP` (the row of `steps.csv`
//! with that step, 0-based), or a group's or kind's figure
//! (`groups.NAME.FIGURE`, `kinds.NAME.FIGURE`; the one group or kind of a
//! scenario without its own is `all`). Every problem is reported with its
//! position.

use super::error::{LineIndex, Origin, Problem, ScenarioError};
use super::{FactorKey, Scenario, file, parse};
use crate::model::params::{Domain, ParamValue, nearest};
use crate::model::{GroupRecord, KindRecord, RunRecord, StepRecord};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The top-level keys of a calibration file, besides inline scenario sections.
const CALIBRATION_KEYS: [&str; 9] = [
    "name",
    "description",
    "scenario",
    "particles",
    "generations",
    "replications",
    "seed",
    "parameters",
    "targets",
];

/// The most particles per generation.
pub const MAX_PARTICLES: u64 = 1_000_000;

/// Whether a key may be estimated: not the size of the population or the
/// length of the run, which are facts of a case (and would change what
/// steps exist and how much memory a run needs).
pub fn calibratable(key: &FactorKey) -> Result<(), String> {
    match key.name().as_str() {
        name @ ("run.steps" | "population.citizens") => Err(format!(
            "`{name}` cannot be calibrated: it is a fact of the case, not an estimate; set it in the scenario"
        )),
        _ => Ok(()),
    }
}

/// A parameter to estimate, with its uniform prior.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// What it sets.
    pub key: FactorKey,
    /// The prior's lower end.
    pub min: f64,
    /// The prior's upper end.
    pub max: f64,
}

impl Parameter {
    /// The range of the uniform prior the sampler works with: `[min, max]`,
    /// or for an integer key `[min - 0.5, max + 0.5]`, so that each integer
    /// is equally likely once rounded ([`Parameter::value`]).
    pub fn prior_range(&self) -> (f64, f64) {
        if self.key.is_integer() {
            (self.min - 0.5, self.max + 0.5)
        } else {
            (self.min, self.max)
        }
    }

    /// The value a sampled `x` sets: `x`, or for an integer key `x`
    /// rounded and kept within `[min, max]`.
    pub fn value(&self, x: f64) -> f64 {
        if self.key.is_integer() {
            x.round().clamp(self.min, self.max)
        } else {
            x
        }
    }
}

/// Which figure a target observes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetFigure {
    /// A figure of `runs.csv`, by its index in [`RunRecord::FIGURES`].
    Run(usize),
    /// A step figure ([`StepRecord::FIGURES`]) at a 0-based step.
    Step {
        /// Index in [`StepRecord::FIGURES`].
        figure: usize,
        /// The step.
        step: u32,
    },
    /// A citizen group's figure ([`GroupRecord::FIGURES`]).
    Group {
        /// The group, in the model's order.
        group: usize,
        /// Index in [`GroupRecord::FIGURES`].
        figure: usize,
    },
    /// An agency kind's figure ([`KindRecord::FIGURES`]).
    Kind {
        /// The kind, in the model's order.
        kind: usize,
        /// Index in [`KindRecord::FIGURES`].
        figure: usize,
    },
}

impl TargetFigure {
    /// The figure in one replication: its record, steps, groups and kinds.
    pub fn of(
        &self,
        record: &RunRecord,
        steps: &[StepRecord],
        groups: &[GroupRecord],
        kinds: &[KindRecord],
    ) -> f64 {
        match *self {
            TargetFigure::Run(i) => record.values()[i].as_f64(),
            TargetFigure::Step { figure, step } => steps
                .get(step as usize)
                .map_or(f64::NAN, |s| s.values()[figure].as_f64()),
            TargetFigure::Group { group, figure } => groups
                .get(group)
                .map_or(f64::NAN, |g| g.values()[figure].as_f64()),
            TargetFigure::Kind { kind, figure } => kinds
                .get(kind)
                .map_or(f64::NAN, |k| k.values()[figure].as_f64()),
        }
    }
}

/// An observed figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// Its name, as written in the file.
    pub name: String,
    /// Which figure.
    pub figure: TargetFigure,
    /// The observed value.
    pub value: f64,
    /// The observation's standard deviation, above 0.
    pub sd: f64,
}

/// A calibration: what to estimate, from what, against which observations.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// Its name; names the output folder. Defaults to the file's stem.
    pub name: String,
    /// What it estimates.
    pub description: String,
    /// The scenario every particle starts from.
    pub base: Scenario,
    /// Accepted particles per generation (default 400).
    pub particles: u32,
    /// Generations at most, generation 0 included (default 8).
    pub generations: u32,
    /// Replications per particle, whose figures are averaged (default 1).
    pub replications: u32,
    /// Master seed (default 42).
    pub seed: u64,
    /// The parameters, in file order.
    pub parameters: Vec<Parameter>,
    /// The targets, in file order.
    pub targets: Vec<Target>,
}

impl Calibration {
    /// Reads a calibration from TOML text. `source` names it in messages;
    /// `default_name` is used without `name`; `load_base` reads the file a
    /// `scenario = "..."` key names (relative paths are the caller's to resolve).
    pub fn from_toml(
        text: &str,
        source: &str,
        default_name: &str,
        load_base: impl FnOnce(&str) -> Result<Scenario, ScenarioError>,
    ) -> Result<Calibration, ScenarioError> {
        let root = file::parse_root(text, source)?;
        let root = root.get_ref();
        let lines = LineIndex::new(text);
        let at = |offset: usize| Origin::in_lines(source, &lines, offset);
        let mut problems = Vec::new();
        let mut problem = |offset: usize, message: String| {
            problems.push(Problem {
                origin: at(offset),
                message,
            })
        };
        let name = file::name(root, default_name, &mut problem);
        let description = file::string(root, "description", &mut problem)
            .map(|d| d.0)
            .unwrap_or_default();
        let particles = file::integer(root, "particles", 10, MAX_PARTICLES, &mut problem);
        let generations = file::integer(root, "generations", 1, 100, &mut problem);
        let replications = file::integer(root, "replications", 1, 100_000, &mut problem);
        let seed = file::integer(root, "seed", 0, i64::MAX as u64, &mut problem);
        let base = file::base(
            root,
            text,
            source,
            &name,
            &CALIBRATION_KEYS,
            load_base,
            &at,
            &mut problems,
        );

        let mut parameters = Vec::new();
        for (k, v, offset) in entries(root, "parameters", &at, &mut problems) {
            match parameter(k, v) {
                Ok(p) => parameters.push((p, offset)),
                Err((offset, message)) => problems.push(Problem {
                    origin: at(offset),
                    message,
                }),
            }
        }
        let mut raw_targets = Vec::new();
        for (k, v, _) in entries(root, "targets", &at, &mut problems) {
            match observation(k, v) {
                Ok(t) => raw_targets.push((k.get_ref().to_string(), k.span().start, t)),
                Err((offset, message)) => problems.push(Problem {
                    origin: at(offset),
                    message,
                }),
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (p, offset) in &parameters {
            if !seen.insert(p.key.name()) {
                problems.push(Problem {
                    origin: at(*offset),
                    message: format!("parameter `{}` is given twice", p.key.name()),
                });
            }
        }

        let in_order = |problems: &mut Vec<Problem>| {
            // this file's problems by position, then the base scenario's
            problems.sort_by_key(|p| (p.origin.source != source, p.origin.position))
        };
        let Some(mut base) = base else {
            in_order(&mut problems);
            return Err(ScenarioError { problems });
        };
        if root.get("scenario").is_none() {
            base.name = name.clone();
        }
        // parameters and targets against the base scenario
        let model = base.model();
        if let Err(e) = &model {
            problems.extend(e.problems.iter().cloned());
        }
        let mut targets = Vec::new();
        if let Ok(model) = &model {
            let groups: Vec<&str> = model.groups().iter().map(|g| g.name.as_str()).collect();
            let kinds: Vec<&str> = model.kinds().iter().map(|k| k.name.as_str()).collect();
            let steps = base.params.run.steps;
            for (name, offset, (value, sd)) in raw_targets {
                match target_figure(&name, &groups, &kinds, steps) {
                    Ok(figure) => targets.push(Target {
                        name,
                        figure,
                        value,
                        sd,
                    }),
                    Err(message) => problems.push(Problem {
                        origin: at(offset),
                        message,
                    }),
                }
            }
        }
        for (p, offset) in &parameters {
            let mut probe = base.clone();
            for end in [p.min, p.max] {
                if let Err(why) = p.key.apply(&mut probe, end) {
                    let message = if why.starts_with("unknown inhibitor") {
                        why
                    } else {
                        format!("parameter `{}`: {why}", p.key.name())
                    };
                    problems.push(Problem {
                        origin: at(*offset),
                        message,
                    });
                    break;
                }
            }
        }
        if root.get("parameters").is_some() && parameters.is_empty() && problems.is_empty() {
            problem_whole(
                &mut problems,
                source,
                "[parameters] is empty: a calibration needs at least one parameter",
            );
        }
        if root.get("targets").is_some() && targets.is_empty() && problems.is_empty() {
            problem_whole(
                &mut problems,
                source,
                "[targets] is empty: a calibration needs at least one observed figure",
            );
        }
        if !problems.is_empty() {
            in_order(&mut problems);
            return Err(ScenarioError { problems });
        }
        let replications = replications.unwrap_or(1) as u32;
        let seed = seed.unwrap_or(42);
        base.params.run.replications = replications;
        base.params.run.seed = seed;
        let calibration = Calibration {
            name,
            description,
            base,
            particles: particles.unwrap_or(400) as u32,
            generations: generations.unwrap_or(8) as u32,
            replications,
            seed,
            parameters: parameters.into_iter().map(|(p, _)| p).collect(),
            targets,
        };
        calibration.check_corners(source)?;
        Ok(calibration)
    }

    /// The base scenario with parameter values `theta` (one per parameter,
    /// as sampled: integer keys are rounded here).
    pub fn scenario_at(&self, theta: &[f64]) -> Result<Scenario, String> {
        let mut s = self.base.clone();
        for (p, &x) in self.parameters.iter().zip(theta) {
            let v = p.value(x);
            p.key.apply(&mut s, v).map_err(|allowed| {
                format!(
                    "parameter `{}` = {v} is out of range: allowed is {allowed}",
                    p.key.name()
                )
            })?;
        }
        Ok(s)
    }

    /// The distance of simulated figures (one per target) to the
    /// observations: `sqrt(sum ((simulated - observed) / sd)^2)`.
    pub fn distance(&self, simulated: &[f64]) -> f64 {
        self.targets
            .iter()
            .zip(simulated)
            .map(|(t, s)| ((s - t.value) / t.sd).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    /// Every corner of the priors' box (the first 10 parameters' corners,
    /// the others at their ends) must give a valid model: a calibration
    /// never fails halfway for a value its priors allow.
    fn check_corners(&self, source: &str) -> Result<(), ScenarioError> {
        let d = self.parameters.len();
        let shown = d.min(10);
        for corner in 0u32..(1 << shown) {
            for flip in [false, true] {
                let theta: Vec<f64> = self
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let high = if i < shown {
                            corner >> i & 1 == 1
                        } else {
                            flip
                        };
                        if high { p.max } else { p.min }
                    })
                    .collect();
                let problem = match self.scenario_at(&theta) {
                    Err(why) => Some(why),
                    Ok(s) => s.model().err().map(|e| {
                        e.problems
                            .iter()
                            .map(|p| p.message.clone())
                            .collect::<Vec<_>>()
                            .join("; ")
                    }),
                };
                if let Some(why) = problem {
                    let at: Vec<String> = (self.parameters.iter())
                        .zip(&theta)
                        .map(|(p, v)| format!("{} = {v}", p.key.name()))
                        .collect();
                    return Err(ScenarioError::one(
                        Origin::whole(source),
                        format!(
                            "the priors allow an invalid scenario, at {}: {why}; narrow the priors",
                            at.join(", ")
                        ),
                    ));
                }
                if d <= 10 {
                    break;
                }
            }
        }
        Ok(())
    }
}

fn problem_whole(problems: &mut Vec<Problem>, source: &str, message: &str) {
    problems.push(Problem {
        origin: Origin::whole(source),
        message: message.into(),
    });
}

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
    usize,
);

/// The entries of the table `[name]`, in file order; a missing or
/// malformed table is a problem.
fn entries<'a, 'i>(
    root: &'a DeTable<'i>,
    name: &str,
    at: &dyn Fn(usize) -> Origin,
    problems: &mut Vec<Problem>,
) -> Vec<Entry<'a, 'i>> {
    let example = if name == "parameters" {
        "`\"KEY\" = { min = ..., max = ... }`"
    } else {
        "`FIGURE = { value = ..., sd = ... }`"
    };
    match root.get(name).map(|v| (v, v.get_ref())) {
        None => {
            problems.push(Problem {
                origin: Origin::whole(&at(0).source),
                message: format!("a calibration needs [{name}]: at least one {example}"),
            });
            Vec::new()
        }
        Some((_, DeValue::Table(t))) => {
            let mut list: Vec<Entry> = t.iter().map(|(k, v)| (k, v, k.span().start)).collect();
            list.sort_by_key(|e| e.2);
            list
        }
        Some((v, other)) => {
            problems.push(Problem {
                origin: at(v.span().start),
                message: format!(
                    "`{name}` must be a table ([{name}]), found {}",
                    other.type_str()
                ),
            });
            Vec::new()
        }
    }
}

/// The numbers of an inline table `{ a = ..., b = ... }` with exactly the
/// fields `fields`.
fn numbers<const N: usize>(
    what: &str,
    value: &Spanned<DeValue>,
    fields: [&str; N],
) -> Result<[(f64, usize); N], (usize, String)> {
    let example = fields
        .iter()
        .map(|f| format!("{f} = ..."))
        .collect::<Vec<_>>()
        .join(", ");
    let DeValue::Table(t) = value.get_ref() else {
        return Err((
            value.span().start,
            format!("{what} must be a table such as {{ {example} }}"),
        ));
    };
    for (k, v) in t {
        let field = k.get_ref().as_ref();
        if !fields.contains(&field) {
            let hint = match v.get_ref() {
                // `a.b.c = { ... }` unquoted is a table in a table
                DeValue::Table(_) => format!(
                    "; a dotted name must be quoted, as in \"{}.{field}...\" = {{ {example} }}",
                    what.split('`').nth(1).unwrap_or("")
                ),
                _ => nearest(field, fields)
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default(),
            };
            return Err((
                k.span().start,
                format!(
                    "unknown field `{field}` in {what}{hint}; allowed are {}",
                    fields.join(", ")
                ),
            ));
        }
    }
    let mut out = [(0.0, value.span().start); N];
    for (slot, field) in out.iter_mut().zip(fields) {
        let Some(v) = t.get(field) else {
            return Err((
                value.span().start,
                format!("{what} needs `{field}`: {{ {example} }}"),
            ));
        };
        let x = parse::param_value(Domain::Real, v.get_ref())
            .ok()
            .and_then(ParamValue::as_f64)
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                (
                    v.span().start,
                    format!("{what}: `{field}` must be a finite number"),
                )
            })?;
        *slot = (x, v.span().start);
    }
    Ok(out)
}

/// One `"KEY" = { min = ..., max = ... }` entry of [parameters].
fn parameter(
    key: &Spanned<std::borrow::Cow<str>>,
    value: &Spanned<DeValue>,
) -> Result<Parameter, (usize, String)> {
    let name = key.get_ref().as_ref();
    let fk =
        FactorKey::parse(name).map_err(|m| (key.span().start, m.replace("factor", "parameter")))?;
    calibratable(&fk).map_err(|m| (key.span().start, m))?;
    let what = format!("parameter `{name}`");
    let [(min, min_at), (max, max_at)] = numbers(&what, value, ["min", "max"])?;
    let (min, max) = if fk.is_integer() {
        (min.ceil(), max.floor())
    } else {
        (min, max)
    };
    if min >= max {
        return Err((
            min_at,
            format!(
                "parameter `{name}`: `min` = {min} must be below `max` = {max}{}",
                if fk.is_integer() {
                    " (as integers)"
                } else {
                    ""
                }
            ),
        ));
    }
    for (v, offset) in [(min, min_at), (max, max_at)] {
        if !fk.allows(v) {
            return Err((
                offset,
                format!(
                    "parameter `{name}` = {v} is out of range: allowed is {}",
                    fk.domain().describe()
                ),
            ));
        }
    }
    if fk.domain() == Domain::EvenCount {
        return Err((
            key.span().start,
            format!("parameter `{name}` takes even integers only and cannot be calibrated"),
        ));
    }
    Ok(Parameter { key: fk, min, max })
}

/// One `FIGURE = { value = ..., sd = ... }` entry of [targets]: the value
/// and sd, the figure checked later against the base scenario.
fn observation(
    key: &Spanned<std::borrow::Cow<str>>,
    value: &Spanned<DeValue>,
) -> Result<(f64, f64), (usize, String)> {
    let what = format!("target `{}`", key.get_ref());
    let [(v, _), (sd, sd_at)] = numbers(&what, value, ["value", "sd"])?;
    if sd <= 0.0 {
        return Err((
            sd_at,
            format!("{what}: `sd` = {sd} must be above 0 (the observation's standard deviation)"),
        ));
    }
    Ok((v, sd))
}

/// The figure a target names; the error lists what is allowed.
fn target_figure(
    name: &str,
    groups: &[&str],
    kinds: &[&str],
    steps: u32,
) -> Result<TargetFigure, String> {
    fn index(list: &[&str], name: &str, what: &str, target: &str) -> Result<usize, String> {
        list.iter().position(|f| *f == name).ok_or_else(|| {
            let hint = nearest(name, list.iter().copied())
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            format!(
                "target `{target}`: unknown {what} `{name}`; {hint}allowed are {}",
                list.join(", ")
            )
        })
    }
    if let Some((figure, step)) = name.split_once('@') {
        let figure = index(&StepRecord::FIGURES, figure, "step figure", name)?;
        let step = step
            .parse::<u32>()
            .ok()
            .filter(|&s| s < steps)
            .ok_or_else(|| {
                format!(
                    "target `{name}`: the step must be an integer from 0 to {} (the run has {steps} steps, counted from 0)",
                    steps.saturating_sub(1)
                )
            })?;
        return Ok(TargetFigure::Step { figure, step });
    }
    for (prefix, parts, figures, what) in [
        ("groups.", groups, &GroupRecord::FIGURES[..], "group"),
        ("kinds.", kinds, &KindRecord::FIGURES[..], "kind"),
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            let Some((part, figure)) = rest.rsplit_once('.') else {
                return Err(format!(
                    "target `{name}`: write `{prefix}NAME.FIGURE`, with a {what} of the scenario ({}) and one of {}",
                    parts.join(", "),
                    figures.join(", ")
                ));
            };
            let p = index(parts, part, what, name)?;
            let f = index(figures, figure, &format!("{what} figure"), name)?;
            return Ok(if what == "group" {
                TargetFigure::Group {
                    group: p,
                    figure: f,
                }
            } else {
                TargetFigure::Kind { kind: p, figure: f }
            });
        }
    }
    RunRecord::FIGURES
        .iter()
        .position(|f| *f == name)
        .map(TargetFigure::Run)
        .ok_or_else(|| {
            let hint = nearest(name, RunRecord::FIGURES)
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            format!(
                "unknown target `{name}`; {hint}a target is a figure of runs.csv ({}), a step figure as NAME@STEP ({}), `groups.NAME.FIGURE` or `kinds.NAME.FIGURE`",
                RunRecord::FIGURES.join(", "),
                StepRecord::FIGURES.join(", ")
            )
        })
}

#[cfg(test)]
mod tests;
