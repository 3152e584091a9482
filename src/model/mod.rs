//! PVC-1 and PVC-2, the model of MODEL.md: population, network, the step phases and
//! what they record. Pure: no files, no printing, no clock.
//!
//! A [`Model`] comes from a checked [`crate::Scenario`]; [`run`] runs one
//! replication of it from a seed.

pub mod inhibitor;
mod interact;
pub mod intervention;
mod kernel;
mod network;
pub mod params;
mod population;
mod record;
pub mod rng;
pub mod rules;
pub mod structure;
mod world;

pub use inhibitor::{Effect, Entry, Inhibitor, Inhibitors, Op, Target};
pub use intervention::{Action, Intervention, SetKey};
pub use network::Network;
pub use population::{BetaMean, TraitDraw};
pub use record::{
    Figure, Funnel, GroupRecord, KindRecord, OutcomePotential, RunRecord, StepRecord,
};
pub use world::{CHUNK, Finished, Governance, World, run};

use params::{Domain, NetworkKind, ParamKey, ParamValue, Params};
use structure::{Group, GroupKey, GroupSpec, Kind, KindKey, KindSpec};

/// A runnable model: the parameters, groups and kinds after the
/// inhibitors acted, checked, and the interventions.
///
/// Built by [`Model::build`] (through [`crate::Scenario::model`]), which
/// checks every value; code that holds a `Model` trusts it.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    params: Params,
    groups: Vec<Group>,
    kinds: Vec<Kind>,
    /// Whether the scenario has groups of its own (then citizens are placed
    /// in them at random; the implicit group `all` needs no placement).
    placed: bool,
    /// Whether the kinds' demands were given (then a participant draws a
    /// kind, then an agency of it; otherwise every agency is equally likely).
    demands: bool,
    inhibitors: Inhibitors,
    interventions: Vec<Intervention>,
}

/// Why a model cannot be built.
#[derive(Clone, Debug, PartialEq)]
pub enum BuildProblem {
    /// A value is outside its range after the inhibitors acted (MODEL.md 11.3).
    OutOfRange {
        /// The dotted key (`governance.codestruction`).
        key: String,
        /// The group or kind whose value it is, when the scenario has its own.
        part: Option<String>,
        /// Its value before the inhibitors.
        before: f64,
        /// Its value after them.
        after: f64,
        /// What is allowed.
        allowed: &'static str,
        /// The inhibitors that acted on it, with their intensities.
        acted: Vec<(String, f64)>,
    },
    /// A group gets no citizen (MODEL.md 11.1).
    EmptyGroup {
        /// The group.
        group: String,
        /// Its share.
        share: f64,
    },
    /// An inhibitor or intervention names a group or kind that does not exist.
    UnknownTarget {
        /// Who names it (`inhibitor low_trust`, `intervention 2`).
        by: String,
        /// `group` or `kind`.
        level: &'static str,
        /// The name.
        name: String,
    },
}

impl Model {
    /// Resolves the groups and kinds from their specs and the section-2
    /// defaults, applies the inhibitors (MODEL.md 11.3) and checks every
    /// value of every group and kind, and every parameter, against its range.
    pub fn build(
        params: &Params,
        group_specs: &[GroupSpec],
        kind_specs: &[KindSpec],
        inhibitors: &Inhibitors,
        interventions: &[Intervention],
    ) -> Result<Model, Vec<BuildProblem>> {
        let mut problems = Vec::new();
        let mut groups = structure::resolve_groups(params, group_specs);
        let mut kinds = structure::resolve_kinds(params, kind_specs);
        for g in groups.iter().filter(|g| g.size == 0) {
            problems.push(BuildProblem::EmptyGroup {
                group: g.name.clone(),
                share: g.share,
            });
        }
        let mut unknown = |by: String, level: &'static str, names: &[String], known: &[&str]| {
            for name in names.iter().filter(|n| !known.contains(&n.as_str())) {
                problems.push(BuildProblem::UnknownTarget {
                    by: by.clone(),
                    level,
                    name: name.clone(),
                });
            }
        };
        let group_names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        let kind_names: Vec<&str> = kinds.iter().map(|q| q.name.as_str()).collect();
        for e in inhibitors.all() {
            unknown(
                format!("inhibitor `{}`", e.name),
                "group",
                &e.groups,
                &group_names,
            );
            unknown(
                format!("inhibitor `{}`", e.name),
                "kind",
                &e.kinds,
                &kind_names,
            );
        }
        for (i, iv) in interventions.iter().enumerate() {
            unknown(
                format!("intervention {}", i + 1),
                "group",
                &iv.groups,
                &group_names,
            );
            unknown(
                format!("intervention {}", i + 1),
                "kind",
                &iv.kinds,
                &kind_names,
            );
        }
        let mut effective = params.clone();
        inhibitors.apply(&mut effective, &mut groups, &mut kinds);
        let named = |e: Vec<(&str, f64)>| e.into_iter().map(|(n, x)| (n.to_string(), x)).collect();
        for key in ParamKey::all() {
            let value = key.get(&effective);
            let owned = GroupKey::from_dotted(key.name()).is_some()
                || KindKey::from_dotted(key.name()).is_some();
            if owned || key.domain().check(&value) {
                continue;
            }
            problems.push(BuildProblem::OutOfRange {
                key: key.name().into(),
                part: None,
                before: key.get(params).as_f64().unwrap_or(f64::NAN),
                after: value.as_f64().unwrap_or(f64::NAN),
                allowed: key.domain().describe(),
                acted: named(inhibitors.acted_on(key.name(), None)),
            });
        }
        // each value of each group and kind; the part is named where the
        // scenario has groups or kinds of its own
        let mut check =
            |key: &str, domain: Domain, part: &str, own: bool, before: f64, after: f64| {
                if !domain.check(&ParamValue::Float(after)) {
                    problems.push(BuildProblem::OutOfRange {
                        key: key.into(),
                        part: own.then(|| part.to_string()),
                        before,
                        after,
                        allowed: domain.describe(),
                        acted: named(inhibitors.acted_on(key, Some(part))),
                    });
                }
            };
        for g in &groups {
            for k in GroupKey::ALL {
                let own = !group_specs.is_empty();
                check(
                    k.dotted(),
                    k.domain(),
                    &g.name,
                    own,
                    g.before[k as usize],
                    g.get(k),
                );
            }
        }
        for q in &kinds {
            for k in KindKey::ALL {
                let own = !kind_specs.is_empty();
                check(
                    k.dotted(),
                    k.domain(),
                    &q.name,
                    own,
                    q.before[k as usize],
                    q.get(k),
                );
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        // the implicit group's and kind's values are the parameters themselves
        if group_specs.is_empty() {
            let c = &mut effective.citizens;
            let g = &groups[0];
            c.trust_mean = g.get(GroupKey::TrustMean);
            c.motivation_mean = g.get(GroupKey::MotivationMean);
            c.capability_mean = g.get(GroupKey::CapabilityMean);
        }
        if kind_specs.is_empty() {
            let q = &kinds[0];
            for k in KindKey::ALL {
                if let Some(p) = k.param().real_mut(&mut effective) {
                    *p = q.get(k);
                }
            }
        }
        Ok(Model {
            params: effective,
            groups,
            kinds,
            placed: !group_specs.is_empty(),
            demands: kind_specs.iter().any(|q| q.demand.is_some()),
            inhibitors: inhibitors.clone(),
            interventions: interventions.to_vec(),
        })
    }

    /// The effective parameters: the scenario's, after its inhibitors
    /// acted (for the implicit group and kind, their values too).
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The citizen groups, resolved (the one group `all` without groups).
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The agency kinds, resolved (the one kind `all` without kinds).
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }

    /// Whether the scenario has groups of its own.
    pub fn has_groups(&self) -> bool {
        self.placed
    }

    /// The share of digitally excluded citizens, over all groups (the
    /// groups' shares weighted by their sizes).
    pub fn excluded_share(&self) -> f64 {
        let n = f64::from(self.params.population.citizens);
        self.groups
            .iter()
            .map(|g| g.get(GroupKey::ExcludedShare) * f64::from(g.size))
            .sum::<f64>()
            / n
    }

    /// The inhibitors, with their definitions and intensities.
    pub fn inhibitors(&self) -> &Inhibitors {
        &self.inhibitors
    }

    /// The interventions, in file order.
    pub fn interventions(&self) -> &[Intervention] {
        &self.interventions
    }

    /// Citizen-steps in one replication (N x T).
    pub fn citizen_steps(&self) -> u64 {
        u64::from(self.params.population.citizens) * u64::from(self.params.run.steps)
    }
}

impl Model {
    /// The bit set of the named groups (every group when none is named,
    /// and always without groups of the scenario's own: the implicit group
    /// `all` is everyone).
    pub(crate) fn group_mask(&self, names: &[String]) -> u64 {
        if !self.placed {
            return u64::MAX;
        }
        mask(names, self.groups.iter().map(|g| g.name.as_str()))
    }

    /// The bit set of the named kinds (every kind when none is named).
    pub(crate) fn kind_mask(&self, names: &[String]) -> u64 {
        mask(names, self.kinds.iter().map(|q| q.name.as_str()))
    }
}

fn mask<'a>(names: &[String], parts: impl Iterator<Item = &'a str>) -> u64 {
    if names.is_empty() {
        return u64::MAX;
    }
    parts
        .enumerate()
        .filter(|(_, p)| names.iter().any(|n| n == p))
        .fold(0, |m, (i, _)| m | (1 << i))
}
