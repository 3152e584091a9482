//! Where the value is lost: the value-loss waterfall of a scenario against
//! its inhibitor-free twin (the same scenario with every inhibitor at 0),
//! both run with the same seeds. Pure: no I/O.
//!
//! The realized value of a run is a product along the funnel of MODEL.md
//! section 3, exactly:
//!
//! ```text
//! R = P · a · v · ((1 − d) · l · m − λ · d)
//! ```
//!
//! with, over the whole run (Σ V summed over served interactions with the
//! outcome named),
//! - `P`: participations (Σ participants over steps);
//! - `a`: service rate, served / participations;
//! - `v`: value potential per served interaction, Σ V / served;
//! - `d`: co-destroyed share of the potential, Σ V over co-destroyed / Σ V;
//! - `l`: legal share, the part of the potential not co-destroyed that had
//!   a legal basis: Σ V over realized and not_implemented / Σ V over
//!   realized, not_implemented and blocked_legal;
//! - `m`: implemented share, the part of the legally possible potential the
//!   agencies implemented: Σ V over realized / (Σ V over realized and not_implemented);
//! - `λ`: `value.destruction_loss`, the same in both runs.
//!
//! Going from the twin's six factors to the scenario's changes R from the
//! twin's realized value to the scenario's. That change is split among
//! the six factors by their Shapley values: the average, over every order
//! in which the factors can be switched from the twin's value to the
//! scenario's, of the change in R when that factor is switched. The steps
//! therefore add up exactly to the scenario's realized value minus the
//! twin's, do not depend on the order in which they are listed, and a step
//! whose factor is the same in both runs gets nothing. This is done for
//! each replication pair (common random numbers), and the mean and
//! Student-t 95% interval are taken over replications.
//!
//! A factor that is undefined in one run (a rate with nothing to divide:
//! no participations, nothing served, no potential) takes the other run's
//! value, so no loss is put on a stage that no interaction reached; if it
//! is undefined in both, it is 0 (the run's value is 0 whatever it is).

use super::attribution::shapley_in;
use crate::model::Funnel;
use crate::stats::Summary;

/// The steps of the waterfall, in the order they are shown: what each
/// funnel factor changed the realized value by.
pub const STEPS: [&str; 6] = [
    "participation",
    "unserved",
    "interaction_value",
    "legal",
    "not_implemented",
    "co_destruction",
];

/// What each step of [`STEPS`] measures, for tables and plots.
pub const STEP_LABELS: [&str; 6] = [
    "lower participation",
    "unserved citizens",
    "less value per interaction",
    "legal blocks",
    "not implemented",
    "co-destruction",
];

/// The value-loss waterfall of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Waterfall {
    /// Total realized value of the inhibitor-free twin.
    pub twin: Summary,
    /// The change of realized value due to each step of [`STEPS`], in that
    /// order (negative: value lost), per replication pair.
    pub steps: Vec<Summary>,
    /// Total realized value of the scenario (what remains).
    pub scenario: Summary,
}

/// The waterfall from the funnels of paired runs of the twin and the
/// scenario (replication r of each ran with the same seed): of whole runs
/// ([`crate::RunRecord::funnel`]), or of one citizen group's part of them
/// ([`crate::model::GroupRecord::funnel`]). `destruction_loss` is λ,
/// `value.destruction_loss` of both.
///
/// # Panics
/// If the two slices differ in length (a caller's bug).
pub fn waterfall(twin: &[Funnel], scenario: &[Funnel], destruction_loss: f64) -> Waterfall {
    assert_eq!(twin.len(), scenario.len(), "runs are paired");
    let reps = twin.len();
    // value of R for every mix of factors: bit k set = factor k from the scenario
    let mut values = vec![vec![0.0; reps]; 1 << STEPS.len()];
    for (r, (t, s)) in twin.iter().zip(scenario).enumerate() {
        let (ft, fs) = filled(factors(t), factors(s));
        for (mask, v) in values.iter_mut().enumerate() {
            let mut mix = ft;
            for k in 0..STEPS.len() {
                if mask & (1 << k) != 0 {
                    mix[k] = fs[k];
                }
            }
            v[r] = realized(&mix, destruction_loss);
        }
    }
    let steps = (0..STEPS.len())
        .map(|k| {
            let per_rep: Vec<f64> = (0..reps)
                .map(|r| shapley_in(STEPS.len(), k, &values, r))
                .collect();
            Summary::of(&per_rep)
        })
        .collect();
    let level = |runs: &[Funnel]| Summary::of(&runs.iter().map(|r| r.realized).collect::<Vec<_>>());
    Waterfall {
        twin: level(twin),
        steps,
        scenario: level(scenario),
    }
}

/// R from the six factors [P, a, v, l, m, d].
fn realized(f: &[f64; 6], destruction_loss: f64) -> f64 {
    let [p, a, v, l, m, d] = *f;
    p * a * v * ((1.0 - d) * l * m - destruction_loss * d)
}

/// The factors [P, a, v, l, m, d] of a run; `None` where undefined. The
/// shares come from sums of V by outcome, so a share with nothing to
/// divide is exactly undefined (no rounding leftovers of a difference).
fn factors(r: &Funnel) -> [Option<f64>; 6] {
    let div = |x: f64, y: f64| (y > 0.0).then(|| x / y);
    let v = &r.by_outcome;
    let legal = v.realized + v.not_implemented;
    let kept = legal + v.blocked_legal;
    [
        Some(r.participants as f64),
        div(r.served as f64, r.participants as f64),
        div(r.potential, r.served as f64),
        div(legal, kept),
        div(v.realized, legal),
        div(v.co_destroyed, kept + v.co_destroyed),
    ]
}

/// Undefined factors take the other run's value, or 0 if undefined in both.
fn filled(t: [Option<f64>; 6], s: [Option<f64>; 6]) -> ([f64; 6], [f64; 6]) {
    let mut ft = [0.0; 6];
    let mut fs = [0.0; 6];
    for k in 0..6 {
        ft[k] = t[k].or(s[k]).unwrap_or(0.0);
        fs[k] = s[k].or(t[k]).unwrap_or(0.0);
    }
    (ft, fs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OutcomePotential;

    /// A run with the given totals; realized value and potential follow
    /// from the outcome sums (lambda = 0.5).
    fn run(participants: u64, served: u64, potential: f64, u: [f64; 3]) -> Funnel {
        let [co, bl, ni] = u;
        let realized = potential - co - bl - ni;
        Funnel {
            participants,
            served,
            potential,
            realized: realized - 0.5 * co,
            by_outcome: OutcomePotential {
                realized,
                co_destroyed: co,
                blocked_legal: bl,
                not_implemented: ni,
            },
        }
    }

    #[test]
    fn the_factors_reproduce_the_realized_value() {
        let r = run(1000, 800, 640.0, [10.0, 60.0, 150.0]);
        let (f, _) = filled(factors(&r), factors(&r));
        assert!((realized(&f, 0.5) - r.realized).abs() < 1e-9);
    }

    #[test]
    fn steps_add_up_and_only_changed_stages_lose() {
        // the scenario differs from the twin only by its legal blocks
        // (the same implemented share, 3/4 of the legally possible potential)
        let twin = vec![run(1000, 800, 640.0, [10.0, 30.0, 150.0])];
        let scen = vec![run(1000, 800, 640.0, [10.0, 330.0, 75.0])];
        let w = waterfall(&twin, &scen, 0.5);
        let total: f64 = w.steps.iter().map(|s| s.mean).sum();
        assert!((w.twin.mean + total - w.scenario.mean).abs() < 1e-9);
        for (k, s) in w.steps.iter().enumerate() {
            if STEPS[k] == "legal" {
                assert!(s.mean < -100.0, "legal step {}", s.mean);
            } else {
                assert!(s.mean.abs() < 1e-9, "{} moved by {}", STEPS[k], s.mean);
            }
        }
    }

    #[test]
    fn halving_participation_costs_half_the_value_at_the_same_rates() {
        let twin = vec![run(1000, 800, 640.0, [10.0, 60.0, 150.0])];
        let scen = vec![run(500, 400, 320.0, [5.0, 30.0, 75.0])];
        let w = waterfall(&twin, &scen, 0.5);
        let half = twin[0].realized / 2.0;
        assert!((w.steps[0].mean + half).abs() < 1e-9);
        assert!(w.steps[1..].iter().all(|s| s.mean.abs() < 1e-9));
    }

    #[test]
    fn stages_no_interaction_reached_lose_nothing() {
        // nobody takes part in the scenario: everything is lost to participation
        let twin = vec![run(1000, 800, 640.0, [10.0, 60.0, 150.0])];
        let scen = vec![run(0, 0, 0.0, [0.0; 3])];
        let w = waterfall(&twin, &scen, 0.5);
        assert!((w.steps[0].mean + twin[0].realized).abs() < 1e-9);
        assert!(w.steps[1..].iter().all(|s| s.mean == 0.0));
        // no legal basis at all: nothing is implemented either, and the
        // whole legally possible value goes to the legal step
        let scen = vec![run(1000, 800, 640.0, [10.0, 630.0, 0.0])];
        let w = waterfall(&twin, &scen, 0.5);
        assert_eq!(w.steps[4].mean, 0.0, "not implemented");
        assert!((w.twin.mean + w.steps[3].mean - w.scenario.mean).abs() < 1e-9);
        assert!(w.scenario.mean < 0.0, "only co-destruction is left");
    }
}
