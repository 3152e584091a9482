//! One replication of the model: the world, its steps (MODEL.md section 3)
//! and what it records (sections 4 and 11.5), with citizen groups and
//! agency kinds (sections 11.1, 11.2 and 11.4).
//!
//! Citizens' state is held in structure-of-arrays form, in f32, and the
//! citizens are split into fixed chunks of [`CHUNK`] citizens. Each chunk is
//! processed on its own and the chunks' sums are combined in chunk order, so
//! the results are the same bit for bit whether the chunks run one after
//! the other or in parallel on any number of threads.

use super::interact::{self, Keys, Matching, Pick, Setting, Tally};
use super::kernel::{self, ALL_GROUPS, Pass};
use super::network::Network;
use super::params::ParticipationParams;
use super::population::{TraitDraw, excluded};
use super::record::{Funnel, GroupRecord, KindRecord, OutcomePotential, RunRecord, StepRecord};
use super::rng::{Stream, below, key, threshold, unit_f64, word};
use super::rules::{self, TrustRule};
use super::structure::{GroupKey, KindKey};
use super::{Action, SetKey};
use super::{Model, NetworkKind};
use rayon::prelude::*;

/// Citizens per chunk, the unit of parallel work. Fixed, so that results
/// never depend on how the work is spread.
pub const CHUNK: usize = 16_384;

/// The governance values of one agency kind, which interventions can
/// change during a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Governance {
    /// L, probability of a legal basis.
    pub legal_level: f64,
    /// F, probability of feedback.
    pub feedback: f64,
    /// D, probability of co-destruction.
    pub codestruction: f64,
    /// The kind's total capacity per step as a share of N.
    pub capacity_share: f64,
}

/// Per-group sums over the run (MODEL.md 11.5).
#[derive(Clone, Copy, Debug, Default)]
struct GroupSums {
    /// Sum over steps of the group's participants / its size.
    participation: f64,
    participants: u64,
    served: u64,
    by_outcome: OutcomePotential,
    initial_trust: f64,
}

/// Per-kind sums over the run (MODEL.md 11.5).
#[derive(Clone, Copy, Debug, Default)]
struct KindSums {
    counts: [u64; 6],
    value_realized: f64,
}

/// One chunk's slices of trust, base utility, c^alpha and exclusion, at initialization.
type InitSlices<'a> = (
    (&'a mut [f32], &'a mut [f32]),
    (&'a mut [f32], &'a mut [bool]),
);

/// One group's trait distributions.
struct GroupDraws {
    trust: TraitDraw,
    motivation: TraitDraw,
    capability: TraitDraw,
    excluded_share: f64,
}

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
    /// Each citizen's group (empty with one group).
    group: Vec<u8>,
    /// Each citizen's drawn capability c0 and motivation, kept only when an
    /// intervention changes them (MODEL.md 11.4); otherwise empty.
    c0: Vec<f64>,
    motivation: Vec<f64>,
    /// Exclusion at initialization, kept once an `inclusion_program`
    /// changes `excluded` (runs.csv splits value by it).
    excluded_at_start: Option<Vec<bool>>,
    network: Network,
    chunks: Vec<Chunk>,
    openness: Vec<f64>,
    /// Each agency's kind.
    kind: Vec<u8>,
    /// Per kind.
    governance: Vec<Governance>,
    /// Per agency, K_j.
    capacity: Vec<u32>,
    /// Per agency, the thresholds of its kind's D, 1 - L and F.
    thresholds: Vec<[u64; 3]>,
    matching: Matching,
    public_value: f64,
    /// The interaction counts and sums of the steps so far, and the sum
    /// of their participation rates.
    total: StepRecord,
    participation_sum: f64,
    /// Value potential so far, by outcome.
    by_outcome: OutcomePotential,
    initial_mean_trust: f64,
    final_mean_trust: f64,
    group_sums: Vec<GroupSums>,
    kind_sums: Vec<KindSums>,
    // per-step scratch, reused
    cutoff: Vec<u64>,
    cutoff_scratch: interact::Cutoffs,
    /// The trust campaigns of the current step (their deltas and targets).
    campaigns: Vec<(f32, u64)>,
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
        let group = if model.placed {
            placement(model, seed)
        } else {
            Vec::new()
        };
        let keep_traits = model.interventions.iter().any(|i| {
            matches!(
                i.action,
                Action::CapabilityProgram { .. }
                    | Action::InclusionProgram { .. }
                    | Action::MotivationCampaign { .. }
            )
        });

        // each group's trait distributions; a citizen's draws are keyed by
        // the citizen alone, whatever its group (MODEL.md 11.1)
        let k = p.citizens.concentration;
        let draws: Vec<GroupDraws> = model
            .groups
            .iter()
            .map(|g| GroupDraws {
                trust: TraitDraw::new(seed, Stream::Trust, g.get(GroupKey::TrustMean), k),
                motivation: TraitDraw::new(
                    seed,
                    Stream::Motivation,
                    g.get(GroupKey::MotivationMean),
                    k,
                ),
                capability: TraitDraw::new(
                    seed,
                    Stream::Capability,
                    g.get(GroupKey::CapabilityMean),
                    k,
                ),
                excluded_share: g.get(GroupKey::ExcludedShare),
            })
            .collect();
        let exclusion_key = key(seed, Stream::Exclusion, 0);
        let b = &p.participation;
        let alpha = p.value.alpha;
        let mut trust = vec![0f32; n + 2 * half];
        let mut base_utility = vec![0f32; n];
        let mut capability_alpha = vec![0f32; n];
        let mut excluded_flags = vec![false; n];
        let group_of = |i: usize| group.get(i).map_or(0, |&g| usize::from(g));
        let init = |(offset, ((t, u), (c, e))): (usize, InitSlices<'_>)| {
            let first = offset * CHUNK;
            for j in 0..t.len() {
                let i = (first + j) as u64;
                let d = &draws[group_of(first + j)];
                let is_excluded = excluded(exclusion_key, i, d.excluded_share);
                let drawn = d.capability.of(i);
                let m = d.motivation.of(i);
                let cap = if is_excluded { drawn * 0.3 } else { drawn };
                t[j] = kernel::pack(d.trust.of(i) as f32, false);
                u[j] = base_utility_of(b, m, cap, is_excluded);
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
        // the drawn capability and motivation, drawn again from the same
        // numbers, for the interventions that change them
        let (mut c0, mut motivation) = (Vec::new(), Vec::new());
        if keep_traits {
            for i in 0..n {
                let d = &draws[group_of(i)];
                c0.push(d.capability.of(i as u64));
                motivation.push(d.motivation.of(i as u64));
            }
        }

        // agencies, numbered kind by kind; each draws from its kind's means
        let mut kind = Vec::with_capacity(m as usize);
        let mut openness = Vec::with_capacity(m as usize);
        let mut responsiveness = Vec::with_capacity(m as usize);
        for (q, kd) in model.kinds.iter().enumerate() {
            let o = TraitDraw::new(seed, Stream::Openness, kd.get(KindKey::OpennessMean), k);
            let r = TraitDraw::new(
                seed,
                Stream::Responsiveness,
                kd.get(KindKey::ResponsivenessMean),
                k,
            );
            for j in kd.first..kd.first + kd.count {
                kind.push(q as u8);
                openness.push(o.of(u64::from(j)));
                responsiveness.push(r.of(u64::from(j)));
            }
        }
        let governance: Vec<Governance> = model
            .kinds
            .iter()
            .map(|kd| Governance {
                legal_level: kd.get(KindKey::LegalLevel),
                feedback: kd.get(KindKey::Feedback),
                codestruction: kd.get(KindKey::Codestruction),
                capacity_share: kd.get(KindKey::CapacityShare),
            })
            .collect();
        let capacity = kind
            .iter()
            .map(|&q| {
                let kd = &model.kinds[usize::from(q)];
                kd.capacity(
                    governance[usize::from(q)].capacity_share,
                    p.population.citizens,
                )
            })
            .collect();
        let matching = if model.demands {
            Matching::by_demand(
                &model.kinds.iter().map(|q| q.demand).collect::<Vec<_>>(),
                model.kinds.iter().map(|q| (q.first, q.count)).collect(),
            )
        } else {
            Matching::Uniform(m)
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
            group,
            c0,
            motivation,
            excluded_at_start: None,
            network,
            chunks,
            openness,
            kind,
            governance,
            capacity,
            thresholds: vec![[0; 3]; m as usize],
            matching,
            public_value: 0.0,
            total: StepRecord::default(),
            participation_sum: 0.0,
            by_outcome: OutcomePotential::default(),
            initial_mean_trust: 0.0,
            final_mean_trust: 0.0,
            group_sums: vec![GroupSums::default(); model.groups.len()],
            kind_sums: vec![KindSums::default(); model.kinds.len()],
            cutoff: vec![0; m as usize],
            cutoff_scratch: interact::Cutoffs::default(),
            campaigns: Vec::new(),
            // responsiveness is constant: its thresholds are drawn once
            not_implemented: {
                let mut t = Vec::with_capacity(m as usize);
                interact::complement_thresholds(&responsiveness, &mut t);
                t
            },
            openness_factor: vec![0.0; m as usize],
            picked: vec![0; m as usize],
            tally: Tally::default(),
        };
        let (before, _) = world.pass(false, Some(0), &[]);
        world.initial_mean_trust = before / n as f64;
        world.final_mean_trust = world.initial_mean_trust;
        // one group's trust is the run's (see group_records)
        if world.model.groups.len() > 1 {
            let initial = world.trust_by_group();
            for (sums, t) in world.group_sums.iter_mut().zip(initial) {
                sums.initial_trust = t;
            }
        }
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

    /// The current governance values of kind `kind` (0 without kinds).
    pub fn governance(&self, kind: usize) -> Governance {
        self.governance[kind]
    }

    /// Each agency's capacity per step, K_j.
    pub fn capacity(&self) -> &[u32] {
        &self.capacity
    }

    /// Each citizen's group (empty when the scenario has no groups).
    pub fn group(&self) -> &[u8] {
        &self.group
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
    fn pass(
        &mut self,
        influence: bool,
        participate: Option<u32>,
        campaigns: &[(f32, u64)],
    ) -> (f64, f64) {
        let p = &self.model.params;
        let pass = Pass {
            half: self.half,
            prefetch: self.n >= kernel::PREFETCH_FROM,
            influence,
            social_weight: p.trust.social_weight as f32,
            campaigns,
            group: &self.group,
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
        let matching = &self.matching;
        let pick_chunk = |c: &mut Chunk| {
            c.picks.clear();
            c.picked.clear();
            c.picked.resize(m, 0);
            for &i in &c.participants {
                let pick = matching.pick(&keys, i);
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
            &self.capacity,
            self.chunks.iter().flat_map(|c| c.picks.iter()),
            &mut self.cutoff_scratch,
            &mut self.cutoff,
        );
        let one_minus_alpha = 1.0 - p.value.alpha;
        for (f, o) in self.openness_factor.iter_mut().zip(&self.openness) {
            *f = rules::power(*o, one_minus_alpha);
        }
        for (th, &q) in self.thresholds.iter_mut().zip(&self.kind) {
            let g = &self.governance[usize::from(q)];
            *th = [
                threshold(g.codestruction),
                threshold(1.0 - g.legal_level),
                threshold(g.feedback),
            ];
        }
        let groups = if self.group.is_empty() {
            0
        } else {
            self.group_sums.len()
        };
        let per_kind = self.kind_sums.len() > 1;
        let setting = Setting {
            keys,
            governance: &self.thresholds,
            group: &self.group,
            per_kind,
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
            c.tally.reset(m, groups, per_kind);
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
        self.tally.reset(m, groups, per_kind);
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
        self.tally_parts(record);
    }

    /// Adds the step's interactions to the per-group and per-kind sums.
    fn tally_parts(&mut self, record: &StepRecord) {
        let s = &self.tally;
        if s.per_group.is_empty() {
            let g = &mut self.group_sums[0];
            g.participation += record.participants as f64 / self.n as f64;
            g.participants += record.participants;
            g.served += record.served;
        } else {
            for (((sums, counts), value), group) in self
                .group_sums
                .iter_mut()
                .zip(&s.per_group)
                .zip(&s.group_value)
                .zip(&self.model.groups)
            {
                sums.participation += counts[0] as f64 / f64::from(group.size);
                sums.participants += counts[0];
                sums.served += counts[1];
                sums.by_outcome.add(value);
            }
        }
        for (counts, &q) in s.per_agency.iter().zip(&self.kind) {
            let sums = &mut self.kind_sums[usize::from(q)];
            for (total, &c) in sums.counts.iter_mut().zip(counts) {
                *total += u64::from(c);
            }
        }
        if s.agency_value.is_empty() {
            self.kind_sums[0].value_realized += record.value_realized;
        } else {
            let lambda = self.model.params.value.destruction_loss;
            for (v, &q) in s.agency_value.iter().zip(&self.kind) {
                self.kind_sums[usize::from(q)].value_realized += v[0] - lambda * v[1];
            }
        }
    }

    /// Phase 6: agencies that served anyone learn from realized and
    /// co-destroyed outcomes (Voorberg et al. 2015).
    fn learning(&mut self) {
        let l = &self.model.params.learning;
        for ((o, counts), &k) in self
            .openness
            .iter_mut()
            .zip(&self.tally.per_agency)
            .zip(&self.capacity)
        {
            let [served, realized, destroyed, ..] = *counts;
            if served > 0 {
                *o = rules::learned_openness(*o, realized, destroyed, k, l.gain, l.loss);
            }
        }
    }

    /// Phase 8: the interventions scheduled for step `t`, in file order,
    /// on the groups or kinds they target (MODEL.md sections 6 and 11.4).
    /// Trust campaigns are kept in `self.campaigns`, to be applied right
    /// after phase 7 in the fused pass (they act on each citizen's trust
    /// alone, which no other intervention reads, so their place among the
    /// others does not matter).
    fn interventions(&mut self, t: u32) {
        self.campaigns.clear();
        let model = self.model;
        for (index, intervention) in model.interventions.iter().enumerate() {
            if intervention.at != t {
                continue;
            }
            let groups = model.group_mask(&intervention.groups);
            let kinds = model.kind_mask(&intervention.kinds);
            match intervention.action {
                Action::Set { key, value } => self.set(key, value, kinds),
                Action::TrustCampaign { delta } => self.campaigns.push((delta as f32, groups)),
                Action::OpennessProgram { delta } => {
                    for (o, &q) in self.openness.iter_mut().zip(&self.kind) {
                        if (kinds >> q) & 1 == 1 {
                            *o += delta * (1.0 - *o);
                        }
                    }
                }
                Action::CapabilityProgram { delta } => {
                    for i in 0..self.n {
                        if !self.in_groups(i, groups) {
                            continue;
                        }
                        self.c0[i] += delta * (1.0 - self.c0[i]);
                        self.refresh_citizen(i);
                    }
                }
                Action::MotivationCampaign { delta } => {
                    for i in 0..self.n {
                        if !self.in_groups(i, groups) {
                            continue;
                        }
                        self.motivation[i] += delta * (1.0 - self.motivation[i]);
                        self.refresh_citizen(i);
                    }
                }
                Action::InclusionProgram { delta } => {
                    // its own numbers, keyed by the step, the intervention
                    // and the citizen
                    let draws = key(self.seed, Stream::Inclusion, u64::from(t));
                    let draws = word(draws, index as u64);
                    for i in 0..self.n {
                        if !self.in_groups(i, groups) {
                            continue;
                        }
                        if self.excluded[i] && unit_f64(word(draws, i as u64)) < delta {
                            self.excluded_at_start
                                .get_or_insert_with(|| self.excluded.clone());
                            self.excluded[i] = false;
                            self.refresh_citizen(i);
                        }
                    }
                }
            }
        }
    }

    /// A `set` intervention on the kinds in the bit set `kinds`. For the
    /// capacity share, `value` is the targeted kinds' share together,
    /// divided among them in proportion to their current shares (equally
    /// when those are all 0; with one kind, that kind's share).
    fn set(&mut self, key: SetKey, value: f64, kinds: u64) {
        let targeted: Vec<usize> = (0..self.governance.len())
            .filter(|&q| (kinds >> q) & 1 == 1)
            .collect();
        if key == SetKey::CapacityShare {
            let total: f64 = targeted
                .iter()
                .map(|&q| self.governance[q].capacity_share)
                .sum();
            let count = targeted.len() as f64;
            for &q in &targeted {
                let current = self.governance[q].capacity_share;
                self.governance[q].capacity_share = match targeted.len() {
                    1 => value,
                    _ if total > 0.0 => value * (current / total),
                    _ => value / count,
                };
            }
            let citizens = self.model.params.population.citizens;
            for (k, &q) in self.capacity.iter_mut().zip(&self.kind) {
                let q = usize::from(q);
                if (kinds >> q) & 1 == 1 {
                    let share = self.governance[q].capacity_share;
                    *k = self.model.kinds[q].capacity(share, citizens);
                }
            }
            return;
        }
        for &q in &targeted {
            let g = &mut self.governance[q];
            match key {
                SetKey::LegalLevel => g.legal_level = value,
                SetKey::Feedback => g.feedback = value,
                SetKey::Codestruction => g.codestruction = value,
                SetKey::CapacityShare => {}
            }
        }
    }

    /// Whether citizen `i` is in one of the groups of the bit set `groups`.
    #[inline]
    fn in_groups(&self, i: usize, groups: u64) -> bool {
        groups == ALL_GROUPS || (groups >> self.group[i]) & 1 == 1
    }

    /// Recomputes citizen i's capability term and base utility from its
    /// kept capability, motivation and exclusion (MODEL.md 11.4: capability
    /// is c0 times 0.3 while excluded).
    fn refresh_citizen(&mut self, i: usize) {
        let excluded = self.excluded[i];
        let cap = if excluded {
            self.c0[i] * 0.3
        } else {
            self.c0[i]
        };
        let p = &self.model.params;
        self.capability_alpha[i] = rules::power(cap, p.value.alpha) as f32;
        self.base_utility[i] = base_utility_of(&p.participation, self.motivation[i], cap, excluded);
    }

    /// Each group's mean trust now (with groups of the scenario's own).
    fn trust_by_group(&self) -> Vec<f64> {
        let mut sums = vec![0.0; self.model.groups.len()];
        for (&t, &g) in self.trust().iter().zip(&self.group) {
            sums[usize::from(g)] += f64::from(t);
        }
        sums.iter()
            .zip(&self.model.groups)
            .map(|(s, g)| s / f64::from(g.size))
            .collect()
    }

    /// The figures of each group (MODEL.md 11.5), once every step has run.
    /// Without groups, the one group's are those of the whole population.
    pub fn group_records(&self) -> Vec<GroupRecord> {
        let steps = f64::from(self.step);
        let groups = &self.model.groups;
        let (mut value, mut excluded) = (vec![0.0; groups.len()], vec![0u64; groups.len()]);
        for (i, (&v, &e)) in self.value.iter().zip(&self.excluded).enumerate() {
            let g = self.group.get(i).map_or(0, |&g| usize::from(g));
            value[g] += f64::from(v);
            excluded[g] += u64::from(e);
        }
        // one group (the implicit one, or a file's only group) is everyone:
        // its trust and participation are the run's, to the bit
        let one = groups.len() == 1;
        let final_trust = if one {
            vec![self.final_mean_trust]
        } else {
            self.trust_by_group()
        };
        groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let sums = &self.group_sums[g];
                let (initial, last) = if one {
                    (self.initial_mean_trust, self.final_mean_trust)
                } else {
                    (sums.initial_trust, final_trust[g])
                };
                let funnel = if self.group.is_empty() {
                    Funnel {
                        participants: self.total.participants,
                        served: self.total.served,
                        potential: self.total.value_potential,
                        by_outcome: self.by_outcome,
                        realized: self.total.value_realized,
                    }
                } else {
                    let v = &self.model.params.value;
                    let (potential, realized, _, _) =
                        sums.by_outcome.figures(v.destruction_loss, v.spillover);
                    Funnel {
                        participants: sums.participants,
                        served: sums.served,
                        potential,
                        by_outcome: sums.by_outcome,
                        realized,
                    }
                };
                GroupRecord {
                    citizens: u64::from(group.size),
                    excluded: excluded[g],
                    participation_rate: if one {
                        self.participation_sum / steps
                    } else {
                        sums.participation / steps
                    },
                    service_rate: ratio(sums.served as f64, sums.participants as f64),
                    value_per_capita: value[g] / f64::from(group.size),
                    final_mean_trust: last,
                    trust_change: last - initial,
                    funnel,
                }
            })
            .collect()
    }

    /// The figures of each kind (MODEL.md 11.5), once every step has run.
    pub fn kind_records(&self) -> Vec<KindRecord> {
        self.model
            .kinds
            .iter()
            .zip(&self.kind_sums)
            .map(|(kind, sums)| {
                let [served, realized, destroyed, unserved, blocked, ignored] = sums.counts;
                let agencies = kind.first as usize..(kind.first + kind.count) as usize;
                KindRecord {
                    agencies: u64::from(kind.count),
                    served,
                    unserved,
                    realized,
                    blocked_legal: blocked,
                    not_implemented: ignored,
                    co_destroyed: destroyed,
                    value_realized: sums.value_realized,
                    final_mean_openness: mean(&self.openness[agencies]),
                }
            })
            .collect()
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
        let at_start = self.excluded_at_start.as_ref().unwrap_or(&self.excluded);
        r.value_per_capita_included = group_mean(&self.value, at_start, false);
        r.value_per_capita_excluded = group_mean(&self.value, at_start, true);
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

/// What one replication records at its end: its figures, and those of
/// each group and each kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    /// The replication's figures (MODEL.md section 4).
    pub record: RunRecord,
    /// Each group's, in the model's order (MODEL.md 11.5).
    pub groups: Vec<GroupRecord>,
    /// Each kind's, in the model's order.
    pub kinds: Vec<KindRecord>,
}

/// Runs one whole replication with the given seed, calling `on_step` with
/// each step's record, and returns what it recorded. With `parallel`, the
/// citizens of the replication are processed in parallel on the current
/// rayon pool; the results are the same either way.
pub fn run(
    model: &Model,
    seed: u64,
    parallel: bool,
    mut on_step: impl FnMut(&StepRecord),
) -> Finished {
    let mut world = World::new(model, seed, parallel);
    for _ in 0..model.params.run.steps {
        on_step(&world.advance());
    }
    Finished {
        record: world.record(),
        groups: world.group_records(),
        kinds: world.kind_records(),
    }
}

/// The constant part of a citizen's utility in phase 1:
/// `beta0 + beta_m m + beta_c c - (excluded ? exclusion_penalty : 0)`.
fn base_utility_of(
    b: &ParticipationParams,
    motivation: f64,
    capability: f64,
    excluded: bool,
) -> f32 {
    let penalty = if excluded { b.exclusion_penalty } else { 0.0 };
    (b.intercept + b.motivation * motivation + b.capability * capability - penalty) as f32
}

/// The group of every citizen (MODEL.md 11.1): group g's n_g labels, in
/// group order, put in a uniformly random order over the citizens
/// (Fisher-Yates, with the placement's own numbers).
fn placement(model: &Model, seed: u64) -> Vec<u8> {
    let mut labels = Vec::with_capacity(model.params.population.citizens as usize);
    for (g, group) in model.groups.iter().enumerate() {
        labels.extend(std::iter::repeat_n(g as u8, group.size as usize));
    }
    let k = key(seed, Stream::Placement, 0);
    for i in (1..labels.len()).rev() {
        let j = below(word(k, i as u64), i as u64 + 1) as usize;
        labels.swap(i, j);
    }
    labels
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

#[cfg(test)]
mod pvc2_tests;
