//! An independent oracle: a second, deliberately plain implementation of
//! PVC-1 (MODEL.md sections 1-6), written from the text of MODEL.md and not
//! from the engine's code, and docking tests that run the engine and the
//! oracle on the same scenarios and compare every per-replication figure
//! of section 4.
//!
//! # The oracle
//!
//! f64 everywhere, one citizen at a time, a `Vec<Vec<usize>>` adjacency,
//! no chunks, no SIMD, and its own generator (xoshiro256** seeded by
//! SplitMix64): it shares no random numbers with the engine, so the
//! comparison is statistical. Beta draws are two Gamma draws
//! (Marsaglia-Tsang, with the `U^(1/a)` boost for shapes below 1);
//! concentration 0 is the Bernoulli limit (the trait is 1 with probability
//! its mean, else 0). Normal draws are Box-Muller.
//!
//! From the engine's crate it takes only the scenario as parsed
//! (`Scenario::params` before inhibitors, the inhibitor intensities, the
//! interventions). It applies the inhibitors of section 5 itself, and
//! reports any difference from the engine's `Model::params` and
//! `Model::excluded_share`; then it draws the population, builds the
//! Watts-Strogatz network, runs the eight phases of section 3 in order,
//! applies the interventions of section 6 and computes the records of
//! section 4.
//!
//! # What is checked
//!
//! Each `engine_docks_with_the_oracle_*` test runs one case of [`CASES`]
//! with both implementations and, for every figure of `RunRecord::FIGURES`
//! and three from the per-step records (total value destroyed, mean
//! openness at the last step, mean trust mid-run), computes the
//! two-sample statistic `z = (mean_e - mean_o) / sqrt(var_e / n_e + var_o
//! / n_o)` and requires `|z| <= 4`; a figure with zero variance on both
//! sides (`value_per_capita_excluded` without digital divide) must instead
//! have equal means. The cases (500 citizens, 200 agencies, 30 steps,
//! participation and capacity raised above the defaults so that each
//! replication holds many interactions) cover every mechanism:
//! - `baseline`: every other parameter at its default;
//! - `citizen_inhibitors`: low_trust 0.5, low_motivation 0.6,
//!   digital_divide 0.5 (so excluded citizens, their penalty and their
//!   reduced capability);
//! - `agency_inhibitors`: risk_averse_culture 0.6, limited_capacity 0.5;
//! - `governance_inhibitors`: missing_legal_framework 0.4, no_feedback 0.5,
//!   misaligned_goals 0.4 (co-destruction at 0.12), with fast agency
//!   learning (gain 0.3, loss 0.8);
//! - `feedback`: feedback 1 with legal level 0.5 and scarce capacity, so
//!   most outcomes are blocked or unserved and softened;
//! - `interventions`: every kind: two `set legal_level` at the same step
//!   (file order decides), `set codestruction`, `set capacity_share`
//!   (capacities recomputed), `set feedback`, `openness_program`, and
//!   `trust_campaign` mid-run and at the last step (only the final trust
//!   sees that one), over inhibitors that a `set` must not reapply;
//! - `capacity`: 400 citizens, 110 agencies, capacity_share 0.55, most
//!   citizens taking part: the quotient is 2.0000000000000004 in f64, so
//!   K = 2 only if it is rounded to 9 decimals before the ceiling;
//! - `no_network`: `network.kind = "none"`;
//! - `social`: strong neighbour effects (social 4, social_weight 0.3) on a
//!   k = 4 network with rewire 0.5;
//! - `concentration_zero`: the Bernoulli limit of every trait.
//!
//! The inhibitors are at partial intensities, where `x` and `x^2` differ.
//! [`watts_strogatz_docks_with_the_oracle`] compares the structure of the
//! engine's networks (edges, rewired edges, degrees, triangles) with the
//! oracle's, including a dense network (k = n - 2) where some citizens
//! come to link to everyone and an edge must then stay.
//!
//! # How many replications
//!
//! The tests must detect a 1% error in `participation_rate` or
//! `total_value_realized`. If the true means differ by `delta = 1%` of the
//! mean, z is about normal with mean `delta / se`, where `se` is the
//! standard error of the difference of the two sample means; `|z| > 4`
//! then happens with probability at least 95% when
//! `delta / se >= 4 + 1.645`, that is `se <= 1% / 5.645 = 0.177%` of the
//! mean. With `n` replications on each side, `se = sqrt(2 / n) * cv`, for a
//! per-replication coefficient of variation `cv`, so
//! `n >= 2 * (cv / 0.00177)^2`. In these cases `cv` is 0.6-3.3% for
//! participation and 2.9-5.2% for realized value (the latter decides:
//! about 550 to 1,700 replications); each case's `n` is that with a margin
//! of 15-30% ([`replications_needed`] prints the figures), 700 to 2,000.
//! Every run asserts that the achieved `se / mean` of both figures is at
//! most `1% / 5.645`, so the tests prove their own power. The exception is
//! `concentration_zero` (500 replications, power not asserted): with 0/1
//! traits `cv` of realized value is 9%, which would need 4,800
//! replications; it checks the Bernoulli limit for gross errors only.
//!
//! These tests failed, as they should, on each of four deliberate faults
//! in the engine: no participants in the last step (participation z -12
//! to -103 in every case), feedback switched off (final trust z -35 to
//! -597), low_trust at two thirds of its strength (the parameter check,
//! and participation z 109 in `citizen_inhibitors`), and the Gini of
//! unsorted values (z -380 to -749).
//!
//! # How long it takes
//!
//! About 30 s of CPU for the whole module in the test profile (opt-level
//! 3), some 60% of it in the oracle, so about 15 s of wall time for
//! `cargo test --test it oracle` on an idle 2-core machine (40 s measured
//! on a 2-core machine shared with other work, load average 7).

use cocreate::experiment;
use cocreate::model::Network;
use cocreate::scenario::{Action, Inhibitor, Intervention, NetworkKind, Params, SetKey};
use cocreate::{RunRecord, Scenario, StepRecord};
use rayon::prelude::*;

// ---------------------------------------------------------------------------
// Random numbers: the oracle's own generator.

/// xoshiro256**, seeded from a u64 by SplitMix64.
struct Rng {
    s: [u64; 4],
}

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut splitmix = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [splitmix(), splitmix(), splitmix(), splitmix()],
        }
    }

    fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// U(): uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in 0..n (n >= 1).
    fn below(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n - 1)
    }

    /// N(): standard normal, Box-Muller.
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // in (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Gamma(shape a, scale 1), a > 0: Marsaglia and Tsang (2000).
    fn gamma(&mut self, a: f64) -> f64 {
        if a < 1.0 {
            let u = 1.0 - self.uniform();
            return self.gamma(a + 1.0) * u.powf(1.0 / a);
        }
        let d = a - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform();
            if u < 1.0 - 0.0331 * x * x * x * x {
                return d * v;
            }
            if u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
                return d * v;
            }
        }
    }

    /// Beta(mean, k): a = mean k, b = (1 - mean) k; k = 0 is the Bernoulli limit.
    fn beta(&mut self, mean: f64, k: f64) -> f64 {
        let bernoulli = |rng: &mut Rng| if rng.uniform() < mean { 1.0 } else { 0.0 };
        if k == 0.0 {
            return bernoulli(self);
        }
        let x = self.gamma(mean * k);
        let y = self.gamma((1.0 - mean) * k);
        if x + y == 0.0 {
            // Both underflowed: only possible for tiny shapes, near the limit.
            return bernoulli(self);
        }
        x / (x + y)
    }
}

// ---------------------------------------------------------------------------
// Parameters: section 5 applied by the oracle itself.

/// What one run of the oracle needs.
struct Setup {
    /// The effective parameters: the scenario's, after the inhibitors.
    p: Params,
    /// The share of digitally excluded citizens.
    excluded_share: f64,
    /// The interventions, in file order.
    interventions: Vec<Intervention>,
}

impl Setup {
    /// Applies MODEL.md section 5 to the scenario's own parameters.
    fn new(s: &Scenario) -> Setup {
        let mut p = s.params.clone();
        let x = |i: Inhibitor| s.inhibitors.get(i);
        p.citizens.trust_mean *= 1.0 - 0.75 * x(Inhibitor::LowTrust);
        p.citizens.motivation_mean *= 1.0 - 0.75 * x(Inhibitor::LowMotivation);
        let excluded_share = 0.4 * x(Inhibitor::DigitalDivide);
        p.agencies.openness_mean *= 1.0 - 0.75 * x(Inhibitor::RiskAverseCulture);
        p.agencies.capacity_share *= 1.0 - 0.9 * x(Inhibitor::LimitedCapacity);
        p.governance.legal_level *= 1.0 - x(Inhibitor::MissingLegalFramework);
        p.governance.feedback *= 1.0 - x(Inhibitor::NoFeedback);
        p.governance.codestruction += 0.25 * x(Inhibitor::MisalignedGoals);
        Setup {
            p,
            excluded_share,
            interventions: s.interventions.clone(),
        }
    }
}

/// K_j = ceil(capacity_share N / M), the quotient first rounded to 9 decimals.
fn capacity(capacity_share: f64, n: usize, m: usize) -> usize {
    let q = capacity_share * n as f64 / m as f64;
    let q = (q * 1e9).round() / 1e9;
    q.ceil() as usize
}

fn sigmoid(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

// ---------------------------------------------------------------------------
// The network (section 1).

/// Ring lattice with k/2 neighbours on each side, then each lattice edge
/// (i, i+d), for d = 1..k/2 and, within each d, i = 0..N-1, rewired with
/// probability `rewire` to a uniform citizen that is neither i nor already
/// a neighbour of i (the edge stays when i links to everyone else).
fn watts_strogatz(n: usize, k: usize, rewire: f64, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut adj = vec![Vec::new(); n];
    for i in 0..n {
        for d in 1..=k / 2 {
            let j = (i + d) % n;
            adj[i].push(j);
            adj[j].push(i);
        }
    }
    for d in 1..=k / 2 {
        for i in 0..n {
            if rng.uniform() >= rewire {
                continue;
            }
            if adj[i].len() >= n - 1 {
                continue;
            }
            let j = (i + d) % n;
            let w = loop {
                let w = rng.below(n);
                if w != i && !adj[i].contains(&w) {
                    break w;
                }
            };
            let at = adj[i]
                .iter()
                .position(|&x| x == j)
                .expect("lattice edge present");
            adj[i].remove(at);
            let at = adj[j]
                .iter()
                .position(|&x| x == i)
                .expect("lattice edge present");
            adj[j].remove(at);
            adj[i].push(w);
            adj[w].push(i);
        }
    }
    adj
}

// ---------------------------------------------------------------------------
// One replication (sections 1, 3, 4, 6).

/// The per-replication figures of section 4.
#[derive(Clone, Debug, Default)]
struct Figures {
    total_value_realized: f64,
    total_value_potential: f64,
    realization_ratio: f64,
    public_value: f64,
    participation_rate: f64,
    service_rate: f64,
    final_mean_trust: f64,
    trust_change: f64,
    gini: f64,
    value_per_capita_included: f64,
    value_per_capita_excluded: f64,
    participants: f64,
    served: f64,
    unserved: f64,
    realized: f64,
    blocked_legal: f64,
    not_implemented: f64,
    co_destroyed: f64,
    /// From the per-step records: sum of value_destroyed over the steps.
    value_destroyed: f64,
    /// mean_openness of the last step's record.
    last_mean_openness: f64,
    /// mean_trust of the record of step T/2.
    mid_mean_trust: f64,
}

impl Figures {
    fn get(&self, name: &str) -> f64 {
        match name {
            "total_value_realized" => self.total_value_realized,
            "total_value_potential" => self.total_value_potential,
            "realization_ratio" => self.realization_ratio,
            "public_value" => self.public_value,
            "participation_rate" => self.participation_rate,
            "service_rate" => self.service_rate,
            "final_mean_trust" => self.final_mean_trust,
            "trust_change" => self.trust_change,
            "gini" => self.gini,
            "value_per_capita_included" => self.value_per_capita_included,
            "value_per_capita_excluded" => self.value_per_capita_excluded,
            "participants" => self.participants,
            "served" => self.served,
            "unserved" => self.unserved,
            "realized" => self.realized,
            "blocked_legal" => self.blocked_legal,
            "not_implemented" => self.not_implemented,
            "co_destroyed" => self.co_destroyed,
            "steps.value_destroyed" => self.value_destroyed,
            "steps.last_mean_openness" => self.last_mean_openness,
            "steps.mid_mean_trust" => self.mid_mean_trust,
            other => panic!("the oracle has no figure `{other}`: add it"),
        }
    }
}

fn mean_of(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Gini of non-negative values: sum_i sum_j |x_i - x_j| / (2 n^2 mean),
/// computed on the sorted values as sum_j x_(j) (2j - n - 1) / (n sum x).
fn gini(values: &[f64]) -> f64 {
    let mut x = values.to_vec();
    x.sort_by(f64::total_cmp);
    let n = x.len() as f64;
    let total: f64 = x.iter().sum();
    if total == 0.0 {
        return 0.0;
    }
    let mut s = 0.0;
    for (j, v) in x.iter().enumerate() {
        s += v * (2.0 * (j + 1) as f64 - n - 1.0);
    }
    s / (n * total)
}

/// Runs one replication of the model described by `setup`.
fn simulate(setup: &Setup, seed: u64) -> Figures {
    let mut rng = Rng::new(seed);
    let mut p = setup.p.clone();
    let n = p.population.citizens as usize;
    let m = p.population.agencies as usize;
    let k = p.citizens.concentration;

    // Section 1: citizens.
    let mut trust = vec![0.0; n];
    let mut motivation = vec![0.0; n];
    let mut capability = vec![0.0; n];
    let mut excluded = vec![false; n];
    for i in 0..n {
        trust[i] = rng.beta(p.citizens.trust_mean, k);
        motivation[i] = rng.beta(p.citizens.motivation_mean, k);
        excluded[i] = rng.uniform() < setup.excluded_share;
        capability[i] = rng.beta(p.citizens.capability_mean, k);
        if excluded[i] {
            capability[i] *= 0.3;
        }
    }
    let mut participated = vec![false; n];
    let mut value = vec![0.0; n];

    // Agencies.
    let mut openness = vec![0.0; m];
    let mut responsiveness = vec![0.0; m];
    for j in 0..m {
        openness[j] = rng.beta(p.agencies.openness_mean, k);
        responsiveness[j] = rng.beta(p.agencies.responsiveness_mean, k);
    }
    let mut cap = capacity(p.agencies.capacity_share, n, m);

    // The social network.
    let adj = match p.network.kind {
        NetworkKind::WattsStrogatz => {
            watts_strogatz(n, p.network.k as usize, p.network.rewire, &mut rng)
        }
        NetworkKind::None => vec![Vec::new(); n],
    };

    let initial_mean_trust = mean_of(&trust);
    let mut f = Figures::default();
    let mut participation_sum = 0.0;

    for t in 0..p.run.steps {
        // Phase 1: participation, from the previous step's state.
        let mut now = vec![false; n];
        for i in 0..n {
            let share = if adj[i].is_empty() {
                0.0
            } else {
                let on = adj[i].iter().filter(|&&j| participated[j]).count();
                on as f64 / adj[i].len() as f64
            };
            let q = &p.participation;
            let mut u = q.intercept
                + q.trust * trust[i]
                + q.motivation * motivation[i]
                + q.capability * capability[i]
                + q.social * share;
            if excluded[i] {
                u -= q.exclusion_penalty;
            }
            now[i] = rng.uniform() < sigmoid(u);
        }
        participated = now;

        // Phase 2: matching, participants in a uniformly random order.
        let mut order: Vec<usize> = (0..n).filter(|&i| participated[i]).collect();
        for a in (1..order.len()).rev() {
            let b = rng.below(a + 1);
            order.swap(a, b);
        }
        let participants = order.len();
        let mut served_by = vec![0usize; m];
        let mut realized_by = vec![0usize; m];
        let mut destroyed_by = vec![0usize; m];
        let (mut unserved, mut realized, mut blocked, mut not_impl, mut destroyed) =
            (0, 0, 0, 0, 0);
        let (mut potential, mut realized_value, mut destroyed_value) = (0.0, 0.0, 0.0);
        let (mut public_gain, mut public_loss) = (0.0, 0.0);
        let (a, s2) = (p.value.alpha, p.value.noise);
        let (gain, loss, soft) = (p.trust.gain, p.trust.loss, p.trust.feedback_softening);
        for &i in &order {
            let j = rng.below(m);
            let lose = |tau: f64, feedback: bool| {
                let softened = if feedback { soft } else { 0.0 };
                tau - loss * tau * (1.0 - softened)
            };
            if served_by[j] >= cap {
                unserved += 1;
                let feedback = rng.uniform() < p.governance.feedback;
                trust[i] = lose(trust[i], feedback);
                continue;
            }
            served_by[j] += 1;
            // Phase 3: value potential, openness as at the start of the step.
            let noise = (s2 * rng.normal() - s2 * s2 / 2.0).exp();
            let v =
                p.value.productivity * capability[i].powf(a) * openness[j].powf(1.0 - a) * noise;
            potential += v;
            // Phase 4: outcome, D, then 1 - L, then 1 - r; phase 5: trust.
            if rng.uniform() < p.governance.codestruction {
                destroyed += 1;
                destroyed_by[j] += 1;
                realized_value -= p.value.destruction_loss * v;
                destroyed_value += p.value.destruction_loss * v;
                public_loss += p.value.destruction_loss * v;
                trust[i] -= (2.0 * loss).min(1.0) * trust[i];
            } else if rng.uniform() < 1.0 - p.governance.legal_level {
                blocked += 1;
                let feedback = rng.uniform() < p.governance.feedback;
                trust[i] = lose(trust[i], feedback);
            } else if rng.uniform() < 1.0 - responsiveness[j] {
                not_impl += 1;
                let feedback = rng.uniform() < p.governance.feedback;
                trust[i] = lose(trust[i], feedback);
            } else {
                realized += 1;
                realized_by[j] += 1;
                realized_value += v;
                public_gain += (1.0 + p.value.spillover) * v;
                trust[i] += gain * (1.0 - trust[i]);
                if v > 0.0 {
                    value[i] += v;
                }
            }
        }

        // Phase 6: agency learning.
        for j in 0..m {
            if served_by[j] == 0 {
                continue;
            }
            let kj = cap as f64;
            let o = openness[j];
            let next = o + p.learning.gain * (1.0 - o) * realized_by[j] as f64 / kj
                - p.learning.loss * o * destroyed_by[j] as f64 / kj;
            openness[j] = next.clamp(0.0, 1.0);
        }

        // Phase 7: social influence on trust, synchronous.
        let w = p.trust.social_weight;
        let before = trust.clone();
        for i in 0..n {
            if !adj[i].is_empty() {
                let nb: f64 = adj[i].iter().map(|&j| before[j]).sum::<f64>() / adj[i].len() as f64;
                trust[i] = (1.0 - w) * before[i] + w * nb;
            }
        }

        // Section 4: the step's record, accumulated.
        let served = participants - unserved;
        participation_sum += participants as f64 / n as f64;
        f.participants += participants as f64;
        f.served += served as f64;
        f.unserved += unserved as f64;
        f.realized += realized as f64;
        f.blocked_legal += blocked as f64;
        f.not_implemented += not_impl as f64;
        f.co_destroyed += destroyed as f64;
        f.total_value_potential += potential;
        f.total_value_realized += realized_value;
        f.public_value += public_gain - public_loss;
        f.value_destroyed += destroyed_value;
        f.last_mean_openness = mean_of(&openness);
        if t == p.run.steps / 2 {
            f.mid_mean_trust = mean_of(&trust);
        }

        // Phase 8: interventions of this step, in file order.
        for iv in setup.interventions.iter().filter(|iv| iv.at == t) {
            match iv.action {
                Action::Set { key, value } => match key {
                    SetKey::LegalLevel => p.governance.legal_level = value,
                    SetKey::Feedback => p.governance.feedback = value,
                    SetKey::Codestruction => p.governance.codestruction = value,
                    SetKey::CapacityShare => {
                        p.agencies.capacity_share = value;
                        cap = capacity(value, n, m);
                    }
                },
                Action::TrustCampaign { delta } => {
                    for tau in trust.iter_mut() {
                        *tau += delta * (1.0 - *tau);
                    }
                }
                Action::OpennessProgram { delta } => {
                    for o in openness.iter_mut() {
                        *o += delta * (1.0 - *o);
                    }
                }
                other => panic!("the oracle implements PVC-1's interventions, not {other:?}"),
            }
        }
    }

    f.realization_ratio = if f.total_value_potential == 0.0 {
        0.0
    } else {
        f.total_value_realized / f.total_value_potential
    };
    f.participation_rate = participation_sum / p.run.steps as f64;
    f.service_rate = if f.participants == 0.0 {
        0.0
    } else {
        f.served / f.participants
    };
    f.final_mean_trust = mean_of(&trust);
    f.trust_change = f.final_mean_trust - initial_mean_trust;
    f.gini = gini(&value);
    let group = |want: bool| {
        let v: Vec<f64> = (0..n)
            .filter(|&i| excluded[i] == want)
            .map(|i| value[i])
            .collect();
        if v.is_empty() { 0.0 } else { mean_of(&v) }
    };
    f.value_per_capita_included = group(false);
    f.value_per_capita_excluded = group(true);
    f
}

// ---------------------------------------------------------------------------
// Docking: the engine against the oracle.

/// A docking scenario: TOML text, and the replications run on each side.
struct Case {
    name: &'static str,
    replications: u32,
    /// Whether the power to detect a 1% error is asserted (see the module doc).
    powered: bool,
    toml: &'static str,
}

/// The master seeds of the engine's replications are this number xor a hash
/// of the case's name, so that the cases do not share random numbers and
/// their z values are independent; the oracle's seeds derive from another,
/// unrelated number.
const ENGINE_SEED: u64 = 20_240_917;
const ORACLE_SEED: u64 = 0x0AC1_E5EED;

/// A 1% shift must give |z| > 4 with 95% power: se <= 1% / (4 + 1.645) of the mean.
const MAX_RELATIVE_SE: f64 = 0.01 / (4.0 + 1.645);
/// The figures whose power is asserted.
const POWERED: [&str; 2] = ["participation_rate", "total_value_realized"];
/// Figures of the per-step records (section 4) compared besides the
/// per-replication ones: they see the openness, which no per-replication
/// figure reports, and the trust mid-run.
const STEP_FIGURES: [&str; 3] = [
    "steps.value_destroyed",
    "steps.last_mean_openness",
    "steps.mid_mean_trust",
];

/// The same figures from the engine's per-step records.
fn step_figure(steps: &[StepRecord], name: &str) -> f64 {
    match name {
        "steps.value_destroyed" => steps.iter().map(|s| s.value_destroyed).sum(),
        "steps.last_mean_openness" => steps.last().expect("a step").mean_openness,
        "steps.mid_mean_trust" => steps[steps.len() / 2].mean_trust,
        other => panic!("no step figure `{other}`"),
    }
}

/// The largest |z| accepted.
const MAX_Z: f64 = 4.0;

fn mean_var(v: &[f64]) -> (f64, f64) {
    let mean = mean_of(v);
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (v.len() - 1) as f64;
    (mean, var)
}

/// The inhibitor-affected parameters, as (name, oracle, engine).
fn parameters(setup: &Setup, model: &cocreate::Model) -> Vec<(&'static str, f64, f64)> {
    let (o, e) = (&setup.p, model.params());
    vec![
        (
            "citizens.trust_mean",
            o.citizens.trust_mean,
            e.citizens.trust_mean,
        ),
        (
            "citizens.motivation_mean",
            o.citizens.motivation_mean,
            e.citizens.motivation_mean,
        ),
        (
            "excluded_share",
            setup.excluded_share,
            model.excluded_share(),
        ),
        (
            "agencies.openness_mean",
            o.agencies.openness_mean,
            e.agencies.openness_mean,
        ),
        (
            "agencies.capacity_share",
            o.agencies.capacity_share,
            e.agencies.capacity_share,
        ),
        (
            "governance.legal_level",
            o.governance.legal_level,
            e.governance.legal_level,
        ),
        (
            "governance.feedback",
            o.governance.feedback,
            e.governance.feedback,
        ),
        (
            "governance.codestruction",
            o.governance.codestruction,
            e.governance.codestruction,
        ),
    ]
}

/// Runs `case` with both implementations and compares every figure.
fn dock(case: &Case) {
    let scenario = Scenario::from_toml(case.toml, case.name, case.name).expect("valid scenario");
    let model = scenario.model().expect("valid model");
    let setup = Setup::new(&scenario);
    let n = case.replications;
    let mut problems = Vec::new();
    let mut report = format!("docking `{}`, {n} replications each side\n", case.name);

    for (name, oracle, engine) in parameters(&setup, &model) {
        if (oracle - engine).abs() > 1e-12 * oracle.abs().max(1.0) {
            problems.push(format!(
                "{name} after inhibitors: engine {engine}, oracle {oracle}"
            ));
        }
    }
    // No inhibitor touches any other parameter.
    let mut others = model.params().clone();
    others.citizens.trust_mean = setup.p.citizens.trust_mean;
    others.citizens.motivation_mean = setup.p.citizens.motivation_mean;
    others.agencies.openness_mean = setup.p.agencies.openness_mean;
    others.agencies.capacity_share = setup.p.agencies.capacity_share;
    others.governance = setup.p.governance.clone();
    if others != setup.p {
        problems.push("the engine's inhibitors changed another parameter".into());
    }
    if setup.interventions != model.interventions() {
        problems.push("the engine's interventions are not the scenario's".into());
    }

    let mut engine: Vec<(RunRecord, Vec<f64>)> = Vec::with_capacity(n as usize);
    experiment::replicate(&model, ENGINE_SEED ^ seed_of(case.name), n, &(), |r| {
        let steps = STEP_FIGURES.map(|name| step_figure(&r.steps, name));
        engine.push((r.record, steps.to_vec()));
        Ok::<(), ()>(())
    })
    .expect("engine runs");
    let oracle: Vec<Figures> = (0..n)
        .into_par_iter()
        .map(|r| {
            simulate(
                &setup,
                ORACLE_SEED ^ (u64::from(r) << 32) ^ seed_of(case.name),
            )
        })
        .collect();

    for name in RunRecord::FIGURES.into_iter().chain(STEP_FIGURES) {
        let e: Vec<f64> = match STEP_FIGURES.iter().position(|f| *f == name) {
            Some(i) => engine.iter().map(|(_, steps)| steps[i]).collect(),
            None => engine
                .iter()
                .map(|(r, _)| r.figure(name).expect("figure"))
                .collect(),
        };
        let o: Vec<f64> = oracle.iter().map(|f| f.get(name)).collect();
        let ((me, ve), (mo, vo)) = (mean_var(&e), mean_var(&o));
        let se = (ve / e.len() as f64 + vo / o.len() as f64).sqrt();
        let line = if ve == 0.0 && vo == 0.0 {
            if me != mo {
                problems.push(format!("{name}: constant, engine {me} vs oracle {mo}"));
            }
            format!("  {name:<26} engine {me:>12.6} oracle {mo:>12.6} (constant)\n")
        } else {
            let z = (me - mo) / se;
            if z.abs() > MAX_Z || z.is_nan() {
                problems.push(format!(
                    "{name}: engine {me:.6} vs oracle {mo:.6}, z = {z:.2}"
                ));
            }
            format!("  {name:<26} engine {me:>12.6} oracle {mo:>12.6} z {z:>6.2}\n")
        };
        report.push_str(&line);
        if case.powered && POWERED.contains(&name) {
            let relative = se / ((me + mo) / 2.0).abs();
            report.push_str(&format!(
                "  {:<26} se / mean = {relative:.5} (at most {MAX_RELATIVE_SE:.5})\n",
                ""
            ));
            if relative > MAX_RELATIVE_SE || relative.is_nan() {
                problems.push(format!(
                    "{name}: se / mean = {relative:.5} above {MAX_RELATIVE_SE:.5}: too few replications to detect a 1% error"
                ));
            }
        }
    }
    println!("{report}");
    assert!(
        problems.is_empty(),
        "the engine and the oracle disagree on `{}`:\n{}\n{report}",
        case.name,
        problems.join("\n")
    );
}

/// A per-case offset to the oracle's seeds (FNV-1a of the name).
fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

const BASELINE: Case = Case {
    name: "baseline",
    replications: 1100,
    powered: true,
    toml: r#"
[run]
steps = 30
[population]
citizens = 500
agencies = 200
[participation]
intercept = -4.5
[agencies]
capacity_share = 0.6
"#,
};

const CITIZEN_INHIBITORS: Case = Case {
    name: "citizen_inhibitors",
    replications: 1700,
    powered: true,
    toml: r#"
[run]
steps = 30
[population]
citizens = 500
agencies = 200
[participation]
intercept = -3.5
[agencies]
capacity_share = 0.6
[inhibitors]
low_trust = 0.5
low_motivation = 0.6
digital_divide = 0.5
"#,
};

const AGENCY_INHIBITORS: Case = Case {
    name: "agency_inhibitors",
    replications: 1100,
    powered: true,
    toml: r#"
[run]
steps = 30
[population]
citizens = 500
agencies = 200
[participation]
intercept = -4.5
[agencies]
capacity_share = 0.6
[inhibitors]
risk_averse_culture = 0.6
limited_capacity = 0.5
"#,
};

const GOVERNANCE_INHIBITORS: Case = Case {
    name: "governance_inhibitors",
    replications: 2000,
    powered: true,
    toml: r#"
[run]
steps = 30
[population]
citizens = 500
agencies = 200
[participation]
intercept = -4.0
[agencies]
capacity_share = 0.6
[inhibitors]
missing_legal_framework = 0.4
no_feedback = 0.5
misaligned_goals = 0.4
[learning]
gain = 0.3
loss = 0.8
"#,
};

const FEEDBACK: Case = Case {
    name: "feedback",
    replications: 1300,
    powered: true,
    toml: r#"
[run]
steps = 30
[population]
citizens = 500
agencies = 200
[participation]
intercept = -4.0
[agencies]
capacity_share = 0.15
[governance]
legal_level = 0.5
feedback = 1.0
"#,
};

const INTERVENTIONS: Case = Case {
    name: "interventions",
    replications: 1300,
    powered: true,
    toml: r#"
[run]
steps = 30
[population]
citizens = 500
agencies = 200
[participation]
intercept = -4.5
[agencies]
capacity_share = 0.6
[inhibitors]
missing_legal_framework = 0.5
misaligned_goals = 0.4
[[interventions]]
at = 8
kind = "set"
key = "legal_level"
value = 0.3
[[interventions]]
at = 8
kind = "set"
key = "legal_level"
value = 0.8
[[interventions]]
at = 8
kind = "set"
key = "codestruction"
value = 0.05
[[interventions]]
at = 12
kind = "set"
key = "capacity_share"
value = 0.2
[[interventions]]
at = 12
kind = "trust_campaign"
delta = 0.3
[[interventions]]
at = 15
kind = "openness_program"
delta = 0.4
[[interventions]]
at = 20
kind = "set"
key = "feedback"
value = 1.0
[[interventions]]
at = 29
kind = "trust_campaign"
delta = 0.5
"#,
};

const CAPACITY: Case = Case {
    name: "capacity",
    replications: 700,
    powered: true,
    toml: r#"
[run]
steps = 30
[population]
citizens = 400
agencies = 110
[participation]
intercept = -2.0
[agencies]
capacity_share = 0.55
"#,
};

const NO_NETWORK: Case = Case {
    name: "no_network",
    replications: 1200,
    powered: true,
    toml: r#"
[run]
steps = 30
[population]
citizens = 500
agencies = 200
[participation]
intercept = -4.5
[agencies]
capacity_share = 0.6
[network]
kind = "none"
"#,
};

const SOCIAL: Case = Case {
    name: "social",
    replications: 1000,
    powered: true,
    toml: r#"
[run]
steps = 30
[population]
citizens = 500
agencies = 200
[participation]
intercept = -5.0
social = 4.0
[agencies]
capacity_share = 0.6
[trust]
social_weight = 0.3
[network]
k = 4
rewire = 0.5
"#,
};

const CONCENTRATION_ZERO: Case = Case {
    name: "concentration_zero",
    replications: 500,
    powered: false,
    toml: r#"
[run]
steps = 30
[population]
citizens = 500
agencies = 200
[participation]
intercept = -4.5
[agencies]
capacity_share = 0.6
[citizens]
concentration = 0
"#,
};

#[test]
fn engine_docks_with_the_oracle_baseline() {
    dock(&BASELINE);
}

#[test]
fn engine_docks_with_the_oracle_citizen_inhibitors() {
    dock(&CITIZEN_INHIBITORS);
}

#[test]
fn engine_docks_with_the_oracle_agency_inhibitors() {
    dock(&AGENCY_INHIBITORS);
}

#[test]
fn engine_docks_with_the_oracle_governance_inhibitors() {
    dock(&GOVERNANCE_INHIBITORS);
}

#[test]
fn engine_docks_with_the_oracle_feedback() {
    dock(&FEEDBACK);
}

#[test]
fn engine_docks_with_the_oracle_interventions() {
    dock(&INTERVENTIONS);
}

#[test]
fn engine_docks_with_the_oracle_capacity() {
    dock(&CAPACITY);
}

#[test]
fn engine_docks_with_the_oracle_no_network() {
    dock(&NO_NETWORK);
}

#[test]
fn engine_docks_with_the_oracle_social() {
    dock(&SOCIAL);
}

#[test]
fn engine_docks_with_the_oracle_concentration_zero() {
    dock(&CONCENTRATION_ZERO);
}

// ---------------------------------------------------------------------------
// Docking the network alone.

/// Structural figures of a graph: edges, edges that are not lattice edges
/// (ring distance above k/2), sum of squared degrees, largest degree,
/// citizens linked to everyone else, triangles.
fn structure(adj: &[Vec<usize>], k: usize) -> [f64; 6] {
    let n = adj.len();
    let (mut edges, mut off_lattice, mut triangles) = (0, 0, 0);
    for i in 0..n {
        for &j in adj[i].iter().filter(|&&j| j > i) {
            edges += 1;
            let d = (j - i).min(n - (j - i));
            if d > k / 2 {
                off_lattice += 1;
            }
            triangles += adj[j]
                .iter()
                .filter(|&&w| w > j && adj[i].contains(&w))
                .count();
        }
    }
    let squares: usize = adj.iter().map(|a| a.len() * a.len()).sum();
    let max = adj.iter().map(Vec::len).max().unwrap_or(0);
    let full = adj.iter().filter(|a| a.len() == n - 1).count();
    [edges, off_lattice, squares, max, full, triangles].map(|x| x as f64)
}

const STRUCTURE: [&str; 6] = [
    "edges",
    "off-lattice edges",
    "sum of squared degrees",
    "largest degree",
    "citizens linked to all",
    "triangles",
];

/// The engine's Watts-Strogatz graphs have the structure of the oracle's,
/// statistically: the same rewiring rule, including the case where a
/// citizen already links to everyone else and its edge stays.
#[test]
fn watts_strogatz_docks_with_the_oracle() {
    const GRAPHS: u32 = 4000;
    let mut problems = Vec::new();
    let mut report = String::new();
    // (n, k, rewire): sparse, fully rewired, and dense (k = n - 2, so
    // rewiring makes some citizens link to everyone).
    for (n, k, rewire) in [(40usize, 4usize, 0.3), (20, 6, 1.0), (8, 6, 0.5)] {
        let engine: Vec<[f64; 6]> = (0..GRAPHS)
            .into_par_iter()
            .map(|seed| {
                let net = Network::watts_strogatz(n as u32, k as u32, rewire, u64::from(seed));
                let adj: Vec<Vec<usize>> = (0..n as u32)
                    .map(|i| net.neighbours(i).into_iter().map(|j| j as usize).collect())
                    .collect();
                structure(&adj, k)
            })
            .collect();
        let oracle: Vec<[f64; 6]> = (0..GRAPHS)
            .into_par_iter()
            .map(|seed| {
                let mut rng = Rng::new(ORACLE_SEED ^ (u64::from(seed) << 20) ^ n as u64);
                structure(&watts_strogatz(n, k, rewire, &mut rng), k)
            })
            .collect();
        report.push_str(&format!("n = {n}, k = {k}, rewire = {rewire}\n"));
        for (f, name) in STRUCTURE.iter().enumerate() {
            let e: Vec<f64> = engine.iter().map(|x| x[f]).collect();
            let o: Vec<f64> = oracle.iter().map(|x| x[f]).collect();
            let ((me, ve), (mo, vo)) = (mean_var(&e), mean_var(&o));
            if ve == 0.0 && vo == 0.0 {
                report.push_str(&format!(
                    "  {name:<24} engine {me:>9.4} oracle {mo:>9.4} (constant)\n"
                ));
                if me != mo {
                    problems.push(format!(
                        "n = {n}, k = {k}: {name} constant, engine {me} vs oracle {mo}"
                    ));
                }
                continue;
            }
            let z = (me - mo) / (ve / e.len() as f64 + vo / o.len() as f64).sqrt();
            report.push_str(&format!(
                "  {name:<24} engine {me:>9.4} oracle {mo:>9.4} z {z:>6.2}\n"
            ));
            if z.abs() > MAX_Z || z.is_nan() {
                problems.push(format!(
                    "n = {n}, k = {k}: {name}, engine {me} vs oracle {mo}, z = {z:.2}"
                ));
            }
        }
    }
    println!("{report}");
    assert!(problems.is_empty(), "{}\n{report}", problems.join("\n"));
}

/// Every docking case, for [`replications_needed`].
const CASES: [&Case; 10] = [
    &BASELINE,
    &CITIZEN_INHIBITORS,
    &AGENCY_INHIBITORS,
    &GOVERNANCE_INHIBITORS,
    &FEEDBACK,
    &INTERVENTIONS,
    &CAPACITY,
    &NO_NETWORK,
    &SOCIAL,
    &CONCENTRATION_ZERO,
];

/// Not a check: prints, for each case, the coefficient of variation of the
/// powered figures over 300 oracle replications and the replications they
/// need, `2 (cv / MAX_RELATIVE_SE)^2`. Run it after changing a case:
/// `cargo test --test it replications_needed -- --ignored --nocapture`.
#[test]
#[ignore = "a helper to size the docking cases, not a check"]
fn replications_needed() {
    for case in CASES {
        let scenario = Scenario::from_toml(case.toml, case.name, case.name).expect("valid");
        let setup = Setup::new(&scenario);
        let runs: Vec<Figures> = (0..300)
            .into_par_iter()
            .map(|r| simulate(&setup, r))
            .collect();
        for name in POWERED {
            let v: Vec<f64> = runs.iter().map(|f| f.get(name)).collect();
            let (mean, var) = mean_var(&v);
            let cv = var.sqrt() / mean.abs();
            let need = 2.0 * (cv / MAX_RELATIVE_SE).powi(2);
            println!(
                "{:<22} {name:<22} cv {cv:.4}  needs {need:>6.0}  has {}",
                case.name, case.replications
            );
        }
    }
}
