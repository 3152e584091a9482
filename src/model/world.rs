//! One replication of PVC-1: the world, its steps (MODEL.md section 3) and
//! what it records (section 4).
//!
//! Citizens' state is held in structure-of-arrays form, in f32, and the
//! citizens are split into fixed chunks of [`CHUNK`] citizens. Each chunk is
//! processed on its own and the chunks' sums are combined in chunk order, so
//! the results are the same bit for bit whether the chunks run one after
//! the other or in parallel on any number of threads.

use super::interact::{self, Keys, Pick, Setting, Tally};
use super::kernel::{self, Pass};
use super::network::Network;
use super::population::{TraitDraw, excluded};
use super::record::{OutcomePotential, RunRecord, StepRecord};
use super::rng::{Stream, key, threshold};
use super::rules::{self, TrustRule};
use super::{Model, NetworkKind};
use super::{Action, SetKey};
use rayon::prelude::*;

/// Citizens per chunk, the unit of parallel work. Fixed, so that results
/// never depend on how the work is spread.
pub const CHUNK: usize = 16_384;

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

/// One chunk's slices of trust, base utility, c^alpha and exclusion, at initialization.
type InitSlices<'a> = (
    (&'a mut [f32], &'a mut [f32]),
    (&'a mut [f32], &'a mut [bool]),
);

/// One chunk's persistent buffers.
#[derive(Clone, Debug, Default)]
struct Chunk {
    start: usize,
    /// Index range of this chunk's entries in the network's list of rewired edges.
    added: (usize, usize),
    /// This step's participants, ascending, and their picks.
    participants: Vec<u32>,
    picks: Vec<Pick>,
    /// Scratch space of the interactions.
    scratch: interact::Scratch,
    /// Pickers per agency.
    picked: Vec<u32>,
    tally: Tally,
    sums: kernel::ChunkOut,
}

/// The state of one replication, and the buffers its steps reuse.
pub struct World<'m> {
    model: &'m Model,
    seed: u64,
    parallel: bool,
    n: usize,
    half: usize,
    /// The next step to run.
    step: u32,
    /// Trust packed with the participation flag of the step about to run
    /// (see [`kernel::pack`]), with halos of `half` entries on each side;
    /// and its next value.
    trust: Vec<f32>,
    trust_next: Vec<f32>,
    base_utility: Vec<f32>,
    capability_alpha: Vec<f32>,
    excluded: Vec<bool>,
    value: Vec<f32>,
    network: Network,
    chunks: Vec<Chunk>,
    openness: Vec<f64>,
    governance: Governance,
    capacity: u32,
    public_value: f64,
    /// The interaction counts and sums of the steps so far, and the sum
    /// of their participation rates.
    total: StepRecord,
    participation_sum: f64,
    /// Value potential so far, by outcome.
    by_outcome: OutcomePotential,
    initial_mean_trust: f64,
    final_mean_trust: f64,
    // per-step scratch, reused
    cutoff: Vec<u64>,
    cutoff_scratch: interact::Cutoffs,
    /// The trust campaigns of the current step (their deltas).
    campaigns: Vec<f32>,
    /// Per agency, the threshold of not implementing (1 - responsiveness), constant.
    not_implemented: Vec<u64>,
    openness_factor: Vec<f64>,
    picked: Vec<u32>,
    tally: Tally,
}

impl<'m> World<'m> {
    /// Initializes a replication from its seed: population, agencies,
    /// network, and the participation decisions of the first step. With
    /// `parallel`, the chunks run on the current rayon pool.
    pub fn new(model: &'m Model, seed: u64, parallel: bool) -> World<'m> {
        let p = &model.params;
        let n = p.population.citizens as usize;
        let m = p.population.agencies;
        let network = match p.network.kind {
            NetworkKind::WattsStrogatz => {
                Network::watts_strogatz(p.population.citizens, p.network.k, p.network.rewire, seed)
            }
            NetworkKind::None => Network::empty(p.population.citizens),
        };
        let half = network.half() as usize;
        let chunks = chunk_layout(n, &network);

        let k = p.citizens.concentration;
        let trust_draw = TraitDraw::new(seed, Stream::Trust, p.citizens.trust_mean, k);
        let motivation = TraitDraw::new(seed, Stream::Motivation, p.citizens.motivation_mean, k);
        let capability = TraitDraw::new(seed, Stream::Capability, p.citizens.capability_mean, k);
        let exclusion_key = key(seed, Stream::Exclusion, 0);
        let share = model.excluded_share;
        let b = &p.participation;
        let alpha = p.value.alpha;
        let mut trust = vec![0f32; n + 2 * half];
        let mut base_utility = vec![0f32; n];
        let mut capability_alpha = vec![0f32; n];
        let mut excluded_flags = vec![false; n];
        let init = |(offset, ((t, u), (c, e))): (usize, InitSlices<'_>)| {
            let first = offset * CHUNK;
            for j in 0..t.len() {
                let i = (first + j) as u64;
                let is_excluded = excluded(exclusion_key, i, share);
                let mut cap = capability.of(i);
                if is_excluded {
                    cap *= 0.3;
                }
                let penalty = if is_excluded {
                    b.exclusion_penalty
                } else {
                    0.0
                };
                t[j] = kernel::pack(trust_draw.of(i) as f32, false);
                u[j] = (b.intercept + b.motivation * motivation.of(i) + b.capability * cap
                    - penalty) as f32;
                c[j] = rules::power(cap, alpha) as f32;
                e[j] = is_excluded;
            }
        };
        let interior = &mut trust[half..half + n];
        on_chunks(
            parallel,
            interior
                .par_chunks_mut(CHUNK)
                .zip(base_utility.par_chunks_mut(CHUNK))
                .zip(
                    capability_alpha
                        .par_chunks_mut(CHUNK)
                        .zip(excluded_flags.par_chunks_mut(CHUNK)),
                )
                .enumerate(),
            init,
        );
        kernel::refresh_halos(&mut trust, n, half);

        let openness_draw = TraitDraw::new(seed, Stream::Openness, p.agencies.openness_mean, k);
        let responsiveness_draw = TraitDraw::new(
            seed,
            Stream::Responsiveness,
            p.agencies.responsiveness_mean,
            k,
        );
        let governance = Governance {
            legal_level: p.governance.legal_level,
            feedback: p.governance.feedback,
            codestruction: p.governance.codestruction,
            capacity_share: p.agencies.capacity_share,
        };
        let mut world = World {
            model,
            seed,
            parallel,
            n,
            half,
            step: 0,
            trust_next: trust.clone(),
            trust,
            base_utility,
            capability_alpha,
            excluded: excluded_flags,
            value: vec![0.0; n],
            network,
            chunks,
            openness: (0..u64::from(m)).map(|j| openness_draw.of(j)).collect(),
            capacity: rules::capacity(governance.capacity_share, p.population.citizens, m),
            governance,
            public_value: 0.0,
            total: StepRecord::default(),
            participation_sum: 0.0,
            by_outcome: OutcomePotential::default(),
            initial_mean_trust: 0.0,
            final_mean_trust: 0.0,
            cutoff: vec![0; m as usize],
            cutoff_scratch: interact::Cutoffs::default(),
            campaigns: Vec::new(),
            // responsiveness is constant: its thresholds are drawn once
            not_implemented: {
                let r: Vec<f64> = (0..u64::from(m))
                    .map(|j| responsiveness_draw.of(j))
                    .collect();
                let mut t = Vec::with_capacity(m as usize);
                interact::complement_thresholds(&r, &mut t);
                t
            },
            openness_factor: vec![0.0; m as usize],
            picked: vec![0; m as usize],
            tally: Tally::default(),
        };
        let (before, _) = world.pass(false, Some(0), &[]);
        world.initial_mean_trust = before / n as f64;
        world.final_mean_trust = world.initial_mean_trust;
        world
    }

    /// Citizens' trust, in citizen order (its lowest bit may carry a
    /// participation flag: exact to about 1e-7).
    pub fn trust(&self) -> &[f32] {
        &self.trust[self.half..self.half + self.n]
    }

    /// Citizens' private value received so far.
    pub fn value(&self) -> &[f32] {
        &self.value
    }

    /// Which citizens are digitally excluded.
    pub fn excluded(&self) -> &[bool] {
        &self.excluded
    }

    /// Agencies' openness.
    pub fn openness(&self) -> &[f64] {
        &self.openness
    }

    /// The current governance values.
    pub fn governance(&self) -> Governance {
        self.governance
    }

    /// Each agency's capacity per step.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// The social network.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Mean trust right after initialization.
    pub fn initial_mean_trust(&self) -> f64 {
        self.initial_mean_trust
    }

    /// Mean trust now (after the last step run, its interventions included).
    pub fn mean_trust(&self) -> f64 {
        self.final_mean_trust
    }

    /// Runs the next step (phases 1 to 8) and returns its record.
    ///
    /// Phase 1 of a step was decided at the end of the previous one (or by
    /// [`World::new`]), in the same pass over the citizens as phase 7.
    pub fn advance(&mut self) -> StepRecord {
        let t = self.step;
        let mut record = StepRecord {
            step: t,
            ..StepRecord::default()
        };
        self.interactions(t, &mut record);
        // phase 7 reads the neighbours' trust after phase 5, halos included
        kernel::refresh_halos(&mut self.trust, self.n, self.half);
        self.learning();
        record.mean_openness = mean(&self.openness);
        record.public_value = self.public_value;
        self.interventions(t);
        let last = t + 1 >= self.model.params.run.steps;
        let next = (!last).then_some(t + 1);
        let campaigns = std::mem::take(&mut self.campaigns);
        let (influenced, after) = self.pass(true, next, &campaigns);
        self.campaigns = campaigns;
        record.mean_trust = influenced / self.n as f64;
        self.final_mean_trust = after / self.n as f64;
        self.step += 1;
        self.total.add_interactions(&record);
        self.participation_sum += record.participants as f64 / self.n as f64;
        record
    }

    /// Phase 7 (when `influence`) and the trust campaigns of the step just
    /// run, fused with phase 1 of step `participate` when there is one.
    /// Returns the sums of trust after phase 7 and after the campaigns.
    fn pass(&mut self, influence: bool, participate: Option<u32>, campaigns: &[f32]) -> (f64, f64) {
        let p = &self.model.params;
        let pass = Pass {
            half: self.half,
            prefetch: self.n >= kernel::PREFETCH_FROM,
            influence,
            social_weight: p.trust.social_weight as f32,
            campaigns,
            participation: participate
                .map(|step| key(self.seed, Stream::Participation, u64::from(step))),
            b_trust: p.participation.trust as f32,
            b_social: p.participation.social as f32,
            base: &self.base_utility,
            inv_degree: self.network.inv_degree(),
            network: &self.network,
            added: self.network.added(),
            trust: &self.trust,
        };
        let (n, half) = (self.n, self.half);
        let run = |(chunk, t_out): (&mut Chunk, &mut [f32])| {
            chunk.participants.clear();
            chunk.sums = kernel::run_chunk(
                &pass,
                chunk.start,
                chunk.added,
                t_out,
                &mut chunk.participants,
            );
        };
        let t_out = &mut self.trust_next[half..half + n];
        on_chunks(
            self.parallel,
            self.chunks.par_iter_mut().zip(t_out.par_chunks_mut(CHUNK)),
            run,
        );
        let (mut influenced, mut after) = (0.0, 0.0);
        for c in &self.chunks {
            influenced += c.sums.trust_after_influence;
            after += c.sums.trust_after_campaigns;
        }
        kernel::refresh_halos(&mut self.trust_next, n, half);
        std::mem::swap(&mut self.trust, &mut self.trust_next);
        (influenced, after)
    }

    /// Phases 2 to 5: each participant picks an agency; agencies serve up
    /// to capacity in the random order; served interactions get a value
    /// potential and an outcome; participants' trust and value change.
    fn interactions(&mut self, t: u32, record: &mut StepRecord) {
        let p = &self.model.params;
        let m = self.openness.len();
        let keys = Keys::new(self.seed, t);
        let agencies = m as u32;
        let pick_chunk = |c: &mut Chunk| {
            c.picks.clear();
            c.picked.clear();
            c.picked.resize(m, 0);
            for &i in &c.participants {
                let pick = interact::pick(keys.matching, i, agencies);
                c.picked[pick.agency as usize] += 1;
                c.picks.push(pick);
            }
        };
        on_chunks(self.parallel, self.chunks.par_iter_mut(), pick_chunk);
        self.picked.fill(0);
        for c in &self.chunks {
            for (total, n) in self.picked.iter_mut().zip(&c.picked) {
                *total += n;
            }
        }
        interact::cutoffs(
            &self.picked,
            self.capacity,
            self.chunks.iter().flat_map(|c| c.picks.iter()),
            &mut self.cutoff_scratch,
            &mut self.cutoff,
        );
        let one_minus_alpha = 1.0 - p.value.alpha;
        for (f, o) in self.openness_factor.iter_mut().zip(&self.openness) {
            *f = rules::power(*o, one_minus_alpha);
        }
        let g = self.governance;
        let setting = Setting {
            keys,
            destroy: threshold(g.codestruction),
            blocked: threshold(1.0 - g.legal_level),
            feedback: threshold(g.feedback),
            not_implemented: &self.not_implemented,
            openness_factor: &self.openness_factor,
            cutoff: &self.cutoff,
            productivity: p.value.productivity,
            noise: p.value.noise,
            trust: TrustRule {
                gain: p.trust.gain as f32,
                loss: p.trust.loss as f32,
                feedback_softening: p.trust.feedback_softening as f32,
            },
            capability_alpha: &self.capability_alpha,
        };
        let half = self.half;
        let n = self.n;
        let run = |(c, (trust, value)): (&mut Chunk, (&mut [f32], &mut [f32]))| {
            c.tally.reset(m);
            interact::interact_chunk(
                &setting,
                c.start,
                &c.participants,
                &c.picks,
                &mut c.scratch,
                trust,
                value,
                &mut c.tally,
            );
        };
        let trust = &mut self.trust[half..half + n];
        on_chunks(
            self.parallel,
            self.chunks.par_iter_mut().zip(
                trust
                    .par_chunks_mut(CHUNK)
                    .zip(self.value.par_chunks_mut(CHUNK)),
            ),
            run,
        );
        self.tally.reset(m);
        let mut participants = 0;
        for c in &self.chunks {
            self.tally.add(&c.tally);
            participants += c.participants.len() as u64;
        }
        let s = &self.tally;
        record.add_interactions(&s.figures);
        record.participants = participants;
        let v = &p.value;
        let (potential, realized, destroyed, public) =
            s.by_outcome.figures(v.destruction_loss, v.spillover);
        record.value_potential = potential;
        record.value_realized = realized;
        record.value_destroyed = destroyed;
        self.public_value += public;
        self.by_outcome.add(&s.by_outcome);
    }

    /// Phase 6: agencies that served anyone learn from realized and
    /// co-destroyed outcomes (Voorberg et al. 2015).
    fn learning(&mut self) {
        let l = &self.model.params.learning;
        for (o, counts) in self.openness.iter_mut().zip(&self.tally.per_agency) {
            let [served, realized, destroyed] = *counts;
            if served > 0 {
                *o =
                    rules::learned_openness(*o, realized, destroyed, self.capacity, l.gain, l.loss);
            }
        }
    }

    /// Phase 8: the interventions scheduled for step `t`, in file order.
    /// Trust campaigns are kept in `self.campaigns`, to be applied right
    /// after phase 7 in the fused pass (they act on each citizen alone, so
    /// their place among the other interventions does not matter).
    fn interventions(&mut self, t: u32) {
        let campaigns = &mut self.campaigns;
        campaigns.clear();
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
                Action::TrustCampaign { delta } => campaigns.push(delta as f32),
                Action::OpennessProgram { delta } => {
                    for o in &mut self.openness {
                        *o += delta * (1.0 - *o);
                    }
                }
            }
        }
    }

    /// The replication's figures, once every step has run (MODEL.md
    /// section 4).
    pub fn record(&self) -> RunRecord {
        let total = &self.total;
        let mut r = RunRecord {
            total_value_realized: total.value_realized,
            total_value_potential: total.value_potential,
            participants: total.participants,
            served: total.served,
            unserved: total.unserved,
            realized: total.realized,
            blocked_legal: total.blocked_legal,
            not_implemented: total.not_implemented,
            co_destroyed: total.co_destroyed,
            ..RunRecord::default()
        };
        r.realization_ratio = ratio(r.total_value_realized, r.total_value_potential);
        r.public_value = self.public_value;
        r.by_outcome = self.by_outcome;
        r.participation_rate = self.participation_sum / f64::from(self.step);
        r.service_rate = ratio(r.served as f64, r.participants as f64);
        r.final_mean_trust = self.final_mean_trust;
        r.trust_change = self.final_mean_trust - self.initial_mean_trust;
        let mut sorted = self.value.clone();
        if self.parallel {
            // large populations: in place, on all threads, no extra buffer
            sorted.par_sort_unstable_by(f32::total_cmp);
        } else {
            crate::stats::sort_nonnegative(&mut sorted);
        }
        r.gini = crate::stats::gini_of_sorted(&sorted);
        r.value_per_capita_included = group_mean(&self.value, &self.excluded, false);
        r.value_per_capita_excluded = group_mean(&self.value, &self.excluded, true);
        r
    }
}

/// Splits `n` citizens into chunks and finds each chunk's rewired edges.
fn chunk_layout(n: usize, network: &Network) -> Vec<Chunk> {
    let range = |list: &[(u32, u32)], a: usize, b: usize| {
        (
            list.partition_point(|&(o, _)| (o as usize) < a),
            list.partition_point(|&(o, _)| (o as usize) < b),
        )
    };
    (0..n.div_ceil(CHUNK))
        .map(|c| {
            let (start, end) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
            Chunk {
                start,
                added: range(network.added(), start, end),
                ..Chunk::default()
            }
        })
        .collect()
}

/// Runs one whole replication with the given seed, calling `on_step` with
/// each step's record, and returns the replication's record. With
/// `parallel`, the citizens of the replication are processed in parallel
/// on the current rayon pool; the results are the same either way.
pub fn run(
    model: &Model,
    seed: u64,
    parallel: bool,
    mut on_step: impl FnMut(&StepRecord),
) -> RunRecord {
    let mut world = World::new(model, seed, parallel);
    for _ in 0..model.params.run.steps {
        on_step(&world.advance());
    }
    world.record()
}

/// Runs `f` on every item of `chunks`: on the rayon pool with `parallel`,
/// otherwise on this thread alone, in order (the iterator is kept in one
/// piece, so rayon neither splits it nor hands it to other threads). Chunks
/// are fixed, so both give the same results.
fn on_chunks<I: IndexedParallelIterator>(
    parallel: bool,
    chunks: I,
    f: impl Fn(I::Item) + Sync + Send,
) {
    if parallel {
        chunks.for_each(f);
    } else {
        chunks.with_min_len(usize::MAX).for_each(f);
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn group_mean(values: &[f32], excluded: &[bool], group: bool) -> f64 {
    let (sum, count) = values
        .iter()
        .zip(excluded)
        .filter(|(_, e)| **e == group)
        .fold((0.0, 0u64), |(s, n), (v, _)| (s + f64::from(*v), n + 1));
    ratio(sum, count as f64)
}

#[cfg(test)]
mod tests;
