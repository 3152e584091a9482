//! One replication of PVC-1: the world, its step (MODEL.md section 3) and
//! what it records (section 4).

use super::network::Network;
use super::population::{Agencies, CitizenTraits, Citizens};
use super::record::{RunRecord, StepRecord};
use super::rng::{Rng, Stream, stream};
use super::rules::{self, Outcome, TrustRule};
use super::{Model, NetworkKind};
use crate::scenario::{Action, SetKey};
use rand::RngExt;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};

/// The governance values that interventions can change during a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Governance {
    /// L, probability of a legal basis.
    pub legal_level: f64,
    /// F, probability of feedback.
    pub feedback: f64,
    /// D, probability of co-destruction.
    pub codestruction: f64,
    /// Total capacity per step as a share of N.
    pub capacity_share: f64,
}

/// The random streams of the step phases.
struct Streams {
    participation: Rng,
    matching: Rng,
    value: Rng,
    outcomes: Rng,
}

/// The state of one replication, and the buffers its steps reuse.
pub struct World<'m> {
    model: &'m Model,
    /// The citizens.
    pub citizens: Citizens,
    /// The agencies.
    pub agencies: Agencies,
    /// The social network.
    pub network: Network,
    /// Current governance values.
    pub governance: Governance,
    /// Capacity K of each agency per step.
    pub capacity: u32,
    /// The constant part of each citizen's participation utility.
    base_utility: Vec<f64>,
    /// `c_i^alpha`, constant.
    capability_alpha: Vec<f64>,
    /// Per-agency counters of the current step: served, realized, co-destroyed.
    served: Vec<u32>,
    realized: Vec<u32>,
    destroyed: Vec<u32>,
    /// `o_j^(1-alpha)` at the start of the current step.
    openness_factor: Vec<f64>,
    /// This step's participants (the first `participant_count`), then
    /// shuffled into matching order.
    participants: Vec<u32>,
    participant_count: usize,
    /// Scratch buffers of the double-buffered phases.
    participated_next: Vec<bool>,
    trust_next: Vec<f64>,
    public_value: f64,
    streams: Streams,
}

impl<'m> World<'m> {
    /// Initializes a replication from its seed: population, agencies, network.
    pub fn new(model: &'m Model, seed: u64) -> World<'m> {
        let p = &model.params;
        let n = p.population.citizens;
        let m = p.population.agencies;
        let traits = CitizenTraits {
            trust_mean: p.citizens.trust_mean,
            motivation_mean: p.citizens.motivation_mean,
            capability_mean: p.citizens.capability_mean,
            concentration: p.citizens.concentration,
            excluded_share: model.excluded_share,
        };
        let citizens = Citizens::draw(n, &traits, seed);
        let agencies = Agencies::draw(
            m,
            p.agencies.openness_mean,
            p.agencies.responsiveness_mean,
            p.citizens.concentration,
            seed,
        );
        let network = match p.network.kind {
            NetworkKind::WattsStrogatz => Network::watts_strogatz(
                n,
                p.network.k,
                p.network.rewire,
                &mut stream(seed, Stream::Network),
            ),
            NetworkKind::None => Network::empty(n),
        };
        let b = &p.participation;
        let base_utility = (0..n as usize)
            .map(|i| {
                let penalty = if citizens.excluded[i] {
                    b.exclusion_penalty
                } else {
                    0.0
                };
                b.intercept
                    + b.motivation * citizens.motivation[i]
                    + b.capability * citizens.capability[i]
                    - penalty
            })
            .collect();
        let alpha = p.value.alpha;
        let capability_alpha = citizens.capability.iter().map(|c| c.powf(alpha)).collect();
        let governance = Governance {
            legal_level: p.governance.legal_level,
            feedback: p.governance.feedback,
            codestruction: p.governance.codestruction,
            capacity_share: p.agencies.capacity_share,
        };
        let m = m as usize;
        World {
            model,
            capacity: rules::capacity(governance.capacity_share, n, p.population.agencies),
            governance,
            base_utility,
            capability_alpha,
            served: vec![0; m],
            realized: vec![0; m],
            destroyed: vec![0; m],
            openness_factor: vec![0.0; m],
            participants: vec![0; n as usize],
            participant_count: 0,
            participated_next: vec![false; n as usize],
            trust_next: vec![0.0; n as usize],
            public_value: 0.0,
            streams: Streams {
                participation: stream(seed, Stream::Participation),
                matching: stream(seed, Stream::Matching),
                value: stream(seed, Stream::Value),
                outcomes: stream(seed, Stream::Outcomes),
            },
            citizens,
            agencies,
            network,
        }
    }

    /// Mean trust of all citizens.
    pub fn mean_trust(&self) -> f64 {
        mean(&self.citizens.trust)
    }

    /// Mean openness of all agencies.
    pub fn mean_openness(&self) -> f64 {
        mean(&self.agencies.openness)
    }

    /// Runs step `t` (phases 1 to 8) and returns its record.
    pub fn step(&mut self, t: u32) -> StepRecord {
        let mut record = StepRecord {
            step: t,
            ..StepRecord::default()
        };
        self.participation();
        self.interactions(&mut record);
        self.learning();
        record.mean_trust = self.social_influence();
        record.mean_openness = self.mean_openness();
        record.public_value = self.public_value;
        self.interventions(t);
        record
    }

    /// Phase 1: every citizen decides from the previous step's state whether
    /// to take part (Parrado et al. 2013; Granovetter 1978).
    fn participation(&mut self) {
        let beta = &self.model.params.participation;
        let (b_trust, b_social) = (beta.trust, beta.social);
        let prev = &self.citizens.participated;
        let rng = &mut self.streams.participation;
        let mut count = 0;
        for i in 0..prev.len() {
            let active: u32 = self
                .network
                .neighbours(i)
                .iter()
                .map(|&j| u32::from(prev[j as usize]))
                .sum();
            let share = f64::from(active) * self.network.inv_degree(i);
            let u = self.base_utility[i] + b_trust * self.citizens.trust[i] + b_social * share;
            let takes_part = rules::bernoulli_sigmoid(rng.random::<f64>(), u);
            self.participated_next[i] = takes_part;
            // branch-free append: written always, kept when taking part
            self.participants[count] = i as u32;
            count += usize::from(takes_part);
        }
        self.participant_count = count;
        std::mem::swap(&mut self.citizens.participated, &mut self.participated_next);
    }

    /// Phases 2 to 5: matching, value potential, outcome and the participant's
    /// trust, one participant at a time in a uniformly random order.
    ///
    /// Every participant consumes the same draws whatever happens (an agency,
    /// a normal, four uniforms), so that scenarios stay aligned on common
    /// random numbers.
    fn interactions(&mut self, record: &mut StepRecord) {
        let p = &self.model.params;
        let v = &p.value;
        let g = self.governance;
        let trust_rule = TrustRule {
            gain: p.trust.gain,
            loss: p.trust.loss,
            feedback_softening: p.trust.feedback_softening,
        };
        let one_minus_alpha = 1.0 - v.alpha;
        for (f, o) in self.openness_factor.iter_mut().zip(&self.agencies.openness) {
            *f = o.powf(one_minus_alpha);
        }
        self.served.fill(0);
        self.realized.fill(0);
        self.destroyed.fill(0);
        let agencies = self.agencies.openness.len() as u32;
        let s = &mut self.streams;
        let participants = &mut self.participants[..self.participant_count];
        participants.shuffle(&mut s.matching);
        record.participants = participants.len() as u64;
        for &i in participants.iter() {
            let i = i as usize;
            let j = s.matching.random_range(0..agencies) as usize;
            let z: f64 = StandardNormal.sample(&mut s.value);
            let u: [f64; 4] = [
                s.outcomes.random(),
                s.outcomes.random(),
                s.outcomes.random(),
                s.outcomes.random(),
            ];
            let outcome = if self.served[j] < self.capacity {
                self.served[j] += 1;
                let potential = rules::value_potential(
                    v.productivity,
                    self.capability_alpha[i],
                    self.openness_factor[j],
                    v.noise,
                    z,
                );
                let outcome = rules::outcome(
                    u[0],
                    u[1],
                    u[2],
                    g.codestruction,
                    g.legal_level,
                    self.agencies.responsiveness[j],
                );
                record.served += 1;
                record.value_potential += potential;
                match outcome {
                    Outcome::Realized => {
                        record.realized += 1;
                        self.realized[j] += 1;
                        record.value_realized += potential;
                        self.citizens.value[i] += potential;
                        self.public_value += (1.0 + v.spillover) * potential;
                    }
                    Outcome::CoDestroyed => {
                        let lost = v.destruction_loss * potential;
                        record.co_destroyed += 1;
                        self.destroyed[j] += 1;
                        record.value_realized -= lost;
                        record.value_destroyed += lost;
                        self.public_value -= lost;
                    }
                    Outcome::BlockedLegal => record.blocked_legal += 1,
                    Outcome::NotImplemented => record.not_implemented += 1,
                    Outcome::Unserved => {}
                }
                outcome
            } else {
                record.unserved += 1;
                Outcome::Unserved
            };
            let feedback = u[3] < g.feedback;
            let trust = &mut self.citizens.trust[i];
            *trust = trust_rule.after(outcome, *trust, feedback);
        }
    }

    /// Phase 6: agencies that served anyone learn from realized and
    /// co-destroyed outcomes (Voorberg et al. 2015).
    fn learning(&mut self) {
        let l = &self.model.params.learning;
        for j in 0..self.agencies.openness.len() {
            if self.served[j] > 0 {
                let o = &mut self.agencies.openness[j];
                *o = rules::learned_openness(
                    *o,
                    self.realized[j],
                    self.destroyed[j],
                    self.capacity,
                    l.gain,
                    l.loss,
                );
            }
        }
    }

    /// Phase 7: synchronous social influence on trust (DeGroot 1974).
    /// Returns the mean trust afterwards.
    fn social_influence(&mut self) -> f64 {
        let w = self.model.params.trust.social_weight;
        let trust = &self.citizens.trust;
        let mut total = 0.0;
        for (i, next) in self.trust_next.iter_mut().enumerate() {
            let neighbours = self.network.neighbours(i);
            *next = if neighbours.is_empty() {
                trust[i]
            } else {
                let sum: f64 = neighbours.iter().map(|&j| trust[j as usize]).sum();
                rules::influenced_trust(trust[i], sum * self.network.inv_degree(i), w)
            };
            total += *next;
        }
        std::mem::swap(&mut self.citizens.trust, &mut self.trust_next);
        total / self.citizens.trust.len() as f64
    }

    /// Phase 8: the interventions scheduled for step `t`, in file order.
    fn interventions(&mut self, t: u32) {
        for intervention in self.model.interventions.iter().filter(|i| i.at == t) {
            match intervention.action {
                Action::Set { key, value } => match key {
                    SetKey::LegalLevel => self.governance.legal_level = value,
                    SetKey::Feedback => self.governance.feedback = value,
                    SetKey::Codestruction => self.governance.codestruction = value,
                    SetKey::CapacityShare => {
                        let pop = &self.model.params.population;
                        self.governance.capacity_share = value;
                        self.capacity = rules::capacity(value, pop.citizens, pop.agencies);
                    }
                },
                Action::TrustCampaign { delta } => {
                    for tau in &mut self.citizens.trust {
                        *tau += delta * (1.0 - *tau);
                    }
                }
                Action::OpennessProgram { delta } => {
                    for o in &mut self.agencies.openness {
                        *o += delta * (1.0 - *o);
                    }
                }
            }
        }
    }
}

/// Runs one whole replication with the given seed, calling `on_step` with
/// each step's record, and returns the replication's record.
pub fn run(model: &Model, seed: u64, mut on_step: impl FnMut(&StepRecord)) -> RunRecord {
    let mut world = World::new(model, seed);
    let n = f64::from(model.params.population.citizens);
    let initial_trust = world.mean_trust();
    let mut r = RunRecord::default();
    let mut participation_sum = 0.0;
    for t in 0..model.params.run.steps {
        let s = world.step(t);
        on_step(&s);
        r.total_value_realized += s.value_realized;
        r.total_value_potential += s.value_potential;
        participation_sum += s.participants as f64 / n;
        r.participants += s.participants;
        r.served += s.served;
        r.unserved += s.unserved;
        r.realized += s.realized;
        r.blocked_legal += s.blocked_legal;
        r.not_implemented += s.not_implemented;
        r.co_destroyed += s.co_destroyed;
    }
    r.realization_ratio = ratio(r.total_value_realized, r.total_value_potential);
    r.public_value = world.public_value;
    r.participation_rate = participation_sum / f64::from(model.params.run.steps);
    r.service_rate = ratio(r.served as f64, r.participants as f64);
    r.final_mean_trust = world.mean_trust();
    r.trust_change = r.final_mean_trust - initial_trust;
    r.gini = crate::stats::gini(&world.citizens.value);
    let c = &world.citizens;
    r.value_per_capita_included = group_mean(&c.value, &c.excluded, false);
    r.value_per_capita_excluded = group_mean(&c.value, &c.excluded, true);
    r
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn group_mean(values: &[f64], excluded: &[bool], group: bool) -> f64 {
    let (sum, count) = values
        .iter()
        .zip(excluded)
        .filter(|(_, e)| **e == group)
        .fold((0.0, 0u64), |(s, n), (v, _)| (s + v, n + 1));
    ratio(sum, count as f64)
}

#[cfg(test)]
mod tests;
