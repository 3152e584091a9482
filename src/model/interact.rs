//! Phases 2 to 5 of a step: matching participants with agencies, value
//! potential, outcome, and the participant's trust and private value.
//!
//! MODEL.md section 3.2 lets the participants, in a uniformly random order,
//! each pick an agency uniformly at random; an agency serves pickers until
//! it has served K of them. Here each participant draws its agency and a
//! random priority; an agency serves the K pickers of lowest priority. Since
//! the priorities put the participants in a uniformly random order, this is
//! the same process, and it lets every participant be handled on its own
//! (in parallel, with draws keyed by the citizen): only the agencies that
//! more than K picked need their pickers' priorities compared.

use super::kernel::pack;
use super::record::{OutcomePotential, StepRecord};
use super::rng::{
    Stream, below, key, normal_central, normal_in_tail, normal_tail, normal_uniform, threshold,
    word,
};
use super::rules::{self, Outcome, TrustRule};

/// A participant's choice: its agency and its place in the random order
/// (a 32-bit random priority above the citizen's index, so every place is
/// distinct; equal priorities, of probability 2^-32 for a pair, fall back to
/// the order of citizens).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pick {
    /// The agency picked.
    pub agency: u32,
    /// Lower is earlier in the random order.
    pub order: u64,
}

/// The draws of phase 2 for one participant in one step, every agency
/// equally likely (PVC-1, and kinds without demands).
#[inline]
pub fn pick(matching_key: u64, citizen: u32, agencies: u32) -> Pick {
    let i = u64::from(citizen);
    let agency = below(word(matching_key, 2 * i), u64::from(agencies)) as u32;
    let priority = word(matching_key, 2 * i + 1) >> 32;
    Pick {
        agency,
        order: (priority << 32) | i,
    }
}

/// How participants choose an agency (MODEL.md 11.2).
#[derive(Clone, Debug, PartialEq)]
pub enum Matching {
    /// Every agency equally likely.
    Uniform(u32),
    /// A kind with probability its demand, then an agency of it uniformly.
    ByDemand {
        /// Per kind, the 64-bit threshold below which a uniform word picks
        /// this kind or an earlier one (the last is `u64::MAX`).
        cumulative: Vec<u64>,
        /// Per kind, its first agency and its number of agencies.
        agencies: Vec<(u32, u32)>,
    },
}

impl Matching {
    /// The matching of kinds with these demands (summing to 1) and
    /// (first agency, count).
    pub fn by_demand(demands: &[f64], agencies: Vec<(u32, u32)>) -> Matching {
        let mut sum = 0.0;
        let mut cumulative: Vec<u64> = demands
            .iter()
            .map(|d| {
                sum += d;
                // 2^64 times the cumulative demand, saturating at the top
                (sum.min(1.0) * 18_446_744_073_709_551_616.0) as u64
            })
            .collect();
        if let Some(last) = cumulative.last_mut() {
            *last = u64::MAX;
        }
        Matching::ByDemand {
            cumulative,
            agencies,
        }
    }

    /// Participant `citizen`'s pick in the step whose keys are `keys`.
    #[inline]
    pub fn pick(&self, keys: &Keys, citizen: u32) -> Pick {
        match self {
            Matching::Uniform(m) => pick(keys.matching, citizen, *m),
            Matching::ByDemand {
                cumulative,
                agencies,
            } => {
                let w = word(keys.kind, u64::from(citizen));
                let q = cumulative
                    .partition_point(|&c| c <= w)
                    .min(agencies.len() - 1);
                let (first, count) = agencies[q];
                let mut p = pick(keys.matching, citizen, count);
                p.agency += first;
                p
            }
        }
    }
}

/// What the interactions of a step need to know, shared by all chunks.
pub struct Setting<'a> {
    /// The keys of this step's draws.
    pub keys: Keys,
    /// Per agency, the thresholds of its kind: threshold(D),
    /// threshold(1 - L), threshold(F).
    pub governance: &'a [[u64; 3]],
    /// Each citizen's group (empty with one group: no per-group tallies).
    pub group: &'a [u8],
    /// Whether to sum values per agency (for per-kind figures).
    pub per_kind: bool,
    /// threshold(1 - r_j) per agency.
    pub not_implemented: &'a [u64],
    /// o_j^(1 - alpha) per agency, at the start of the step.
    pub openness_factor: &'a [f64],
    /// Served iff a pick's order is below its agency's cutoff.
    pub cutoff: &'a [u64],
    /// A.
    pub productivity: f64,
    /// sigma.
    pub noise: f64,
    /// The trust rule of phase 5.
    pub trust: TrustRule,
    /// c_i^alpha per citizen.
    pub capability_alpha: &'a [f32],
}

/// The keys of one step's draws.
#[derive(Clone, Copy, Debug)]
pub struct Keys {
    /// Phase 2.
    pub matching: u64,
    /// Phase 3.
    pub value: u64,
    /// Phase 4.
    pub outcomes: u64,
    /// Phase 2 with demands: the kind.
    pub kind: u64,
}

impl Keys {
    /// The keys of step `step` of the replication with this seed.
    pub fn new(seed: u64, step: u32) -> Keys {
        let t = u64::from(step);
        Keys {
            matching: key(seed, Stream::Matching, t),
            value: key(seed, Stream::Value, t),
            outcomes: key(seed, Stream::Outcomes, t),
            kind: key(seed, Stream::KindChoice, t),
        }
    }
}

/// Counts and sums of one chunk's interactions in a step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// The step's counts (served, unserved, outcomes); its other fields
    /// stay unset.
    pub figures: StepRecord,
    /// Sum of V over the served interactions, by outcome: the step's value
    /// figures (potential, realized, destroyed, public value) follow from
    /// it, see [`OutcomePotential::figures`].
    pub by_outcome: OutcomePotential,
    /// Per agency: served, realized, co-destroyed, unserved (of those who
    /// picked it), blocked_legal, not_implemented.
    pub per_agency: Vec<[u32; 6]>,
    /// Per agency, when summed: V over its realized and over its
    /// co-destroyed interactions.
    pub agency_value: Vec<[f64; 2]>,
    /// Per group, when there are groups: participants and served.
    pub per_group: Vec<[u64; 2]>,
    /// Per group, when there are groups: Σ V by outcome.
    pub group_value: Vec<OutcomePotential>,
}

impl Tally {
    /// Empties the tally for a new step with `agencies` agencies and
    /// `groups` groups (0: no per-group tallies), summing values per agency
    /// when `per_kind`.
    pub fn reset(&mut self, agencies: usize, groups: usize, per_kind: bool) {
        self.figures = StepRecord::default();
        self.by_outcome = OutcomePotential::default();
        self.per_agency.clear();
        self.per_agency.resize(agencies, [0; 6]);
        self.agency_value.clear();
        self.agency_value
            .resize(if per_kind { agencies } else { 0 }, [0.0; 2]);
        self.per_group.clear();
        self.per_group.resize(groups, [0; 2]);
        self.group_value.clear();
        self.group_value.resize(groups, OutcomePotential::default());
    }

    /// Adds another chunk's tally.
    pub fn add(&mut self, other: &Tally) {
        self.figures.add_interactions(&other.figures);
        self.by_outcome.add(&other.by_outcome);
        for (mine, theirs) in self.per_agency.iter_mut().zip(&other.per_agency) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
        for (mine, theirs) in self.agency_value.iter_mut().zip(&other.agency_value) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
        for (mine, theirs) in self.per_group.iter_mut().zip(&other.per_group) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
        for (mine, theirs) in self.group_value.iter_mut().zip(&other.group_value) {
            mine.add(theirs);
        }
    }
}

/// Phases 3 to 5 for the participants of one chunk (citizens from `start`):
/// updates their trust and private value in `trust` and `value` (this
/// chunk's slices) and tallies the outcomes.
#[allow(clippy::too_many_arguments)]
pub fn interact_chunk(
    s: &Setting,
    start: usize,
    participants: &[u32],
    picks: &[Pick],
    scratch: &mut Scratch,
    trust: &mut [f32],
    value: &mut [f32],
    tally: &mut Tally,
) {
    lognormal_factors(s.keys.value, s.noise, participants, scratch);
    // Outcomes are random, so branches on them would be mispredicted: the
    // tallies add 0 or 1 (and 0 or the value), which gives the same sums.
    for ((&citizen, pick), &lognormal) in participants.iter().zip(picks).zip(scratch.factors.iter())
    {
        let i = u64::from(citizen);
        let local = citizen as usize - start;
        let j = pick.agency as usize;
        let w1 = word(s.keys.outcomes, 2 * i);
        let w2 = word(s.keys.outcomes, 2 * i + 1);
        let served = pick.order < s.cutoff[j];
        let [destroy, blocked_at, feedback_at] = s.governance[j];
        let outcome = if served {
            rules::outcome(
                [w1 as u32, (w1 >> 32) as u32, w2 as u32],
                destroy,
                blocked_at,
                s.not_implemented[j],
            )
        } else {
            Outcome::Unserved
        };
        let realized = outcome == Outcome::Realized;
        let destroyed = outcome == Outcome::CoDestroyed;
        let potential = rules::value_potential(
            s.productivity,
            f64::from(s.capability_alpha[citizen as usize]),
            s.openness_factor[j],
            lognormal,
        );
        let blocked = outcome == Outcome::BlockedLegal;
        let ignored = outcome == Outcome::NotImplemented;
        let f = &mut tally.figures;
        f.served += u64::from(served);
        f.unserved += u64::from(!served);
        f.realized += u64::from(realized);
        f.co_destroyed += u64::from(destroyed);
        f.blocked_legal += u64::from(blocked);
        f.not_implemented += u64::from(ignored);
        let rf = f64::from(u8::from(realized));
        let u = &mut tally.by_outcome;
        u.realized += rf * potential;
        u.co_destroyed += f64::from(u8::from(destroyed)) * potential;
        u.blocked_legal += f64::from(u8::from(blocked)) * potential;
        u.not_implemented += f64::from(u8::from(ignored)) * potential;
        let agency = &mut tally.per_agency[j];
        agency[0] += u32::from(served);
        agency[1] += u32::from(realized);
        agency[2] += u32::from(destroyed);
        agency[3] += u32::from(!served);
        agency[4] += u32::from(blocked);
        agency[5] += u32::from(ignored);
        if s.per_kind {
            let v = &mut tally.agency_value[j];
            v[0] += rf * potential;
            v[1] += f64::from(u8::from(destroyed)) * potential;
        }
        if let Some(&g) = s.group.get(citizen as usize) {
            let counts = &mut tally.per_group[usize::from(g)];
            counts[0] += 1;
            counts[1] += u64::from(served);
            let v = &mut tally.group_value[usize::from(g)];
            v.realized += rf * potential;
            v.co_destroyed += f64::from(u8::from(destroyed)) * potential;
            v.blocked_legal += f64::from(u8::from(blocked)) * potential;
            v.not_implemented += f64::from(u8::from(ignored)) * potential;
        }
        value[local] += (rf * potential) as f32;
        // phase 5; a participant's packed flag is set, and stays set for phase 7
        let feedback = (w2 >> 32) < feedback_at;
        let t = &mut trust[local];
        let up = s.trust.after(Outcome::Realized, *t, feedback);
        let down = s.trust.after(Outcome::CoDestroyed, *t, feedback);
        let failed = s.trust.after(Outcome::Unserved, *t, feedback);
        let new = if realized {
            up
        } else if destroyed {
            down
        } else {
            failed
        };
        *t = pack(new, true);
    }
}

/// Reusable buffers for a chunk's interactions.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    uniforms: Vec<f64>,
    factors: Vec<f32>,
}

/// The log-normal factors `exp(sigma z - sigma^2/2)` of phase 3 for the
/// participants, `z` the standard normal keyed by each citizen, into
/// `scratch.factors`. Computed in passes over arrays so that they vectorize
/// (AVX2 or AVX-512 where the processor has them, chosen at run time; the
/// same bits either way).
pub fn lognormal_factors(value_key: u64, sigma: f64, participants: &[u32], scratch: &mut Scratch) {
    let Scratch { uniforms, factors } = scratch;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if super::kernel::has_avx512() {
            // SAFETY: the processor supports these AVX-512 subsets, as checked just above.
            return unsafe { lognormal_avx512(value_key, sigma, participants, uniforms, factors) };
        }
        if has!("avx2") {
            // SAFETY: the processor supports AVX2, as checked just above.
            return unsafe { lognormal_avx2(value_key, sigma, participants, uniforms, factors) };
        }
    }
    lognormal_body(value_key, sigma, participants, uniforms, factors);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw")]
fn lognormal_avx512(
    key: u64,
    sigma: f64,
    participants: &[u32],
    uniforms: &mut Vec<f64>,
    out: &mut Vec<f32>,
) {
    lognormal_body(key, sigma, participants, uniforms, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn lognormal_avx2(
    key: u64,
    sigma: f64,
    participants: &[u32],
    uniforms: &mut Vec<f64>,
    out: &mut Vec<f32>,
) {
    lognormal_body(key, sigma, participants, uniforms, out);
}

#[inline(always)]
fn lognormal_body(
    key: u64,
    sigma: f64,
    participants: &[u32],
    uniforms: &mut Vec<f64>,
    out: &mut Vec<f32>,
) {
    uniforms.clear();
    uniforms.extend(
        participants
            .iter()
            .map(|&c| normal_uniform(word(key, u64::from(c)))),
    );
    out.clear();
    out.extend(
        uniforms
            .iter()
            .map(|&p| rules::lognormal_exponent(sigma, normal_central(p))),
    );
    // the 5% in the tails
    for (x, &p) in out.iter_mut().zip(uniforms.iter()) {
        if normal_in_tail(p) {
            *x = rules::lognormal_exponent(sigma, normal_tail(p));
        }
    }
    for x in out.iter_mut() {
        *x = rules::exp_f32(*x);
    }
}

/// The cutoffs of phase 2: for each agency j, the order below which its
/// pickers are served (all of them when at most `capacity[j]` picked it).
/// `picked` counts the pickers of each agency; `picks` gives every pick, in
/// any order. Linear in the number of picks: the orders of agencies over
/// capacity are gathered into one array, grouped by agency, and each group
/// is cut at its `capacity`-th smallest.
pub fn cutoffs<'a>(
    picked: &[u32],
    capacity: &[u32],
    picks: impl Iterator<Item = &'a Pick>,
    scratch: &mut Cutoffs,
    out: &mut [u64],
) {
    let Cutoffs {
        start,
        next,
        orders,
    } = scratch;
    start.clear();
    let mut total = 0usize;
    for ((&count, &k), cut) in picked.iter().zip(capacity).zip(out.iter_mut()) {
        start.push(total);
        *cut = if count <= k {
            u64::MAX
        } else {
            total += count as usize;
            0
        };
    }
    if total == 0 {
        return;
    }
    orders.clear();
    orders.resize(total, 0);
    next.clone_from(start);
    for p in picks {
        let j = p.agency as usize;
        if out[j] == 0 {
            orders[next[j]] = p.order;
            next[j] += 1;
        }
    }
    for (j, cut) in out.iter_mut().enumerate() {
        if *cut == 0 && capacity[j] > 0 {
            let group = &mut orders[start[j]..start[j] + picked[j] as usize];
            let (_, kth, _) = group.select_nth_unstable(capacity[j] as usize - 1);
            *cut = *kth + 1;
        }
    }
}

/// Reusable buffers of [`cutoffs`].
#[derive(Clone, Debug, Default)]
pub struct Cutoffs {
    start: Vec<usize>,
    next: Vec<usize>,
    orders: Vec<u64>,
}

/// `threshold(1 - p)` for each probability.
pub fn complement_thresholds(p: &[f64], out: &mut Vec<u64>) {
    out.clear();
    out.extend(p.iter().map(|&r| threshold(1.0 - r)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_serve_the_earliest_pickers() {
        let picks: Vec<Pick> = [
            (0, 30),
            (0, 10),
            (1, 5),
            (3, 9),
            (0, 20),
            (3, 7),
            (3, 8),
            (3, 6),
        ]
        .iter()
        .map(|&(agency, order)| Pick { agency, order })
        .collect();
        let picked = [3, 1, 0, 4];
        let mut out = [0u64; 4];
        let mut scratch = Cutoffs::default();
        cutoffs(&picked, &[2; 4], picks.iter(), &mut scratch, &mut out);
        assert_eq!(out[0], 21); // 10 and 20 served, 30 not
        assert_eq!(out[1], u64::MAX);
        assert_eq!(out[2], u64::MAX);
        assert_eq!(out[3], 8); // 6 and 7 served
        cutoffs(&picked, &[0; 4], picks.iter(), &mut scratch, &mut out);
        assert_eq!(out[0], 0);
        assert_eq!(out[1], 0);
        assert_eq!(out[2], u64::MAX); // nobody picked it: nobody to refuse
    }

    #[test]
    fn vectorized_lognormal_factors_equal_the_scalar_formula() {
        use crate::model::rng::normal;
        let k = key(2, Stream::Value, 5);
        let participants: Vec<u32> = (0..20_000).map(|i| i * 3 + 1).collect();
        let mut scratch = Scratch::default();
        lognormal_factors(k, 0.3, &participants, &mut scratch);
        for (&c, &f) in participants.iter().zip(&scratch.factors) {
            let z = normal(word(k, u64::from(c)));
            let expected = rules::exp_f32(rules::lognormal_exponent(0.3, z));
            assert_eq!(f.to_bits(), expected.to_bits(), "citizen {c}");
        }
        let mean = scratch.factors.iter().map(|&f| f64::from(f)).sum::<f64>() / 20_000.0;
        // E[exp(sigma z - sigma^2 / 2)] = 1; sd of the mean about 0.0022
        assert!((mean - 1.0).abs() < 0.01, "{mean}");
        // every code path this processor can run gives the same bits, not
        // only the one chosen at run time
        let best = scratch.factors.clone();
        let (mut uniforms, mut out) = (Vec::new(), Vec::new());
        lognormal_body(k, 0.3, &participants, &mut uniforms, &mut out);
        assert_eq!(out, best, "plain path");
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is present, as checked just above.
            unsafe { lognormal_avx2(k, 0.3, &participants, &mut uniforms, &mut out) };
            assert_eq!(out, best, "AVX2 path");
        }
    }

    #[test]
    fn picks_are_uniform_over_agencies_and_orders_distinct() {
        let k = key(1, Stream::Matching, 0);
        let mut counts = [0u32; 20];
        let mut orders = std::collections::BTreeSet::new();
        for i in 0..100_000 {
            let p = pick(k, i, 20);
            counts[p.agency as usize] += 1;
            orders.insert(p.order);
        }
        assert_eq!(orders.len(), 100_000);
        for c in counts {
            assert!((f64::from(c) / 1e5 - 0.05).abs() < 0.004);
        }
    }
}
