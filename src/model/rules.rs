//! The rules of PVC-1 as plain functions of numbers (MODEL.md section 3).
//!
//! Each function is one formula of the model, tested on hand-checked cases.
//! The step loop (`world.rs`, `kernel.rs`, `interact.rs`) calls them.

/// The logistic function `1 / (1 + exp(-u))`.
#[inline]
pub fn sigmoid(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

/// `e^x` in f32, to within 2 ulp for x in [-87, 88] (clamped outside),
/// written so that loops over arrays vectorize: Cody-Waite reduction to
/// `x = n ln 2 + r`, a degree-6 polynomial for `e^r`, and `2^n` built from
/// its bits.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    let x = x.clamp(-87.0, 88.0);
    let t = x * std::f32::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    let k = t.to_bits().wrapping_sub(MAGIC.to_bits()) as i32;
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (0.166_666_67 + r * (0.041_666_41 + r * (0.008_333_75 + r * 0.001_393_39)))));
    p * f32::from_bits(((k + 127) as u32) << 23)
}

/// Phase 1's decision: whether a uniform draw `uniform` in [0, 1) falls
/// below `sigmoid(u)`, tested as `U (1 + e^-u) < 1` (no division).
#[inline(always)]
pub fn takes_part(uniform: f32, u: f32) -> bool {
    uniform * (1.0 + exp_f32(-u)) < 1.0
}

/// `min(1, max(0, x))`.
#[inline]
pub fn clamp01(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// The fate of one participant's interaction in a step (phase 2 and 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The agency picked was at capacity.
    Unserved,
    /// Co-destruction: a share lambda of the value potential is destroyed.
    CoDestroyed,
    /// No legal basis to implement the co-created outcome.
    BlockedLegal,
    /// The agency did not implement it.
    NotImplemented,
    /// The value potential is realized.
    Realized,
}

/// Phase 4: the outcome of a served interaction, from three uniform 32-bit
/// draws compared with integer thresholds (see [`super::rng::threshold`]),
/// decided in the order of MODEL.md section 3.4: co-destruction with
/// probability D (`destroy = threshold(D)`), else blocked with probability
/// 1 - L (`blocked = threshold(1 - L)`), else not implemented with
/// probability 1 - r (`not_implemented = threshold(1 - r)`), else realized.
/// (Osborne et al. 2016; Järvi et al. 2018; McBride et al. 2019)
#[inline]
pub fn outcome(draws: [u32; 3], destroy: u64, blocked: u64, not_implemented: u64) -> Outcome {
    if u64::from(draws[0]) < destroy {
        Outcome::CoDestroyed
    } else if u64::from(draws[1]) < blocked {
        Outcome::BlockedLegal
    } else if u64::from(draws[2]) < not_implemented {
        Outcome::NotImplemented
    } else {
        Outcome::Realized
    }
}

/// Trust parameters used by phase 5 (trust is held in f32).
#[derive(Clone, Copy, Debug)]
pub struct TrustRule {
    /// eta+, gain after a realized outcome.
    pub gain: f32,
    /// eta-, loss after a failed outcome.
    pub loss: f32,
    /// Share of a loss avoided when feedback is given.
    pub feedback_softening: f32,
}

impl TrustRule {
    /// Phase 5: a participant's trust after the outcome of its interaction.
    /// Trust is gained slowly and lost fast (Slovic 1993); participation without
    /// visible results erodes it unless the agency explains (Wang & Van Wart 2007).
    #[inline]
    pub fn after(&self, outcome: Outcome, trust: f32, feedback: bool) -> f32 {
        match outcome {
            Outcome::Realized => trust + self.gain * (1.0 - trust),
            Outcome::BlockedLegal | Outcome::NotImplemented | Outcome::Unserved => {
                let softened = if feedback {
                    self.feedback_softening
                } else {
                    0.0
                };
                trust - self.loss * trust * (1.0 - softened)
            }
            Outcome::CoDestroyed => trust - (2.0 * self.loss).min(1.0) * trust,
        }
    }
}

/// Phase 6: an agency's openness after a step in which it realized `x` and
/// co-destroyed `d` interactions, with capacity `k` (> 0).
#[inline]
pub fn learned_openness(o: f64, x: u32, d: u32, k: u32, gain: f64, loss: f64) -> f64 {
    let k = f64::from(k);
    clamp01(o + gain * (1.0 - o) * f64::from(x) / k - loss * o * f64::from(d) / k)
}

/// Phase 7: DeGroot averaging of trust with the neighbours' mean (DeGroot 1974).
#[inline(always)]
pub fn influenced_trust(own: f32, neighbours_mean: f32, weight: f32) -> f32 {
    (1.0 - weight) * own + weight * neighbours_mean
}

/// Each agency's capacity per step: `ceil(capacity_share * N / M)`, the
/// quotient first rounded to 9 decimals (MODEL.md section 1).
pub fn capacity(capacity_share: f64, citizens: u32, agencies: u32) -> u32 {
    let quotient = capacity_share * f64::from(citizens) / f64::from(agencies);
    let rounded = (quotient * 1e9).round() / 1e9;
    rounded.ceil() as u32
}

/// `x^a` for x >= 0, with the common exponents done exactly and fast
/// (`0^0` is 1, as in `powf`).
#[inline]
pub fn power(x: f64, a: f64) -> f64 {
    if a == 0.5 {
        x.sqrt()
    } else if a == 1.0 {
        x
    } else if a == 0.0 {
        1.0
    } else {
        x.powf(a)
    }
}

/// Phase 3: value potential `A c^alpha o^(1-alpha) exp(sigma z - sigma^2/2)`,
/// given the precomputed factors `c^alpha` and `o^(1-alpha)` and the
/// log-normal factor `exp_f32(lognormal_exponent(sigma, z))`. Its mean does
/// not depend on sigma.
#[inline]
pub fn value_potential(
    productivity: f64,
    c_alpha: f64,
    o_one_minus_alpha: f64,
    lognormal: f32,
) -> f64 {
    productivity * c_alpha * o_one_minus_alpha * f64::from(lognormal)
}

/// The exponent `sigma z - sigma^2 / 2` of the log-normal factor of phase 3,
/// for a standard normal `z`; [`exp_f32`] of it has mean 1.
#[inline]
pub fn lognormal_exponent(sigma: f64, z: f64) -> f32 {
    (sigma * z - 0.5 * sigma * sigma) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: TrustRule = TrustRule {
        gain: 0.1,
        loss: 0.15,
        feedback_softening: 0.5,
    };

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn close32(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn realized_outcome_raises_trust() {
        assert!(close32(RULE.after(Outcome::Realized, 0.5, false), 0.55));
    }

    #[test]
    fn failures_lower_trust_and_feedback_softens_the_loss() {
        for o in [
            Outcome::BlockedLegal,
            Outcome::NotImplemented,
            Outcome::Unserved,
        ] {
            assert!(close32(RULE.after(o, 0.5, false), 0.5 - 0.15 * 0.5));
            assert!(close32(RULE.after(o, 0.5, true), 0.5 - 0.15 * 0.5 * 0.5));
        }
    }

    #[test]
    fn co_destruction_loses_twice_and_is_capped() {
        assert!(close32(
            RULE.after(Outcome::CoDestroyed, 0.5, true),
            0.5 - 0.3 * 0.5
        ));
        let harsh = TrustRule { loss: 0.8, ..RULE };
        assert_eq!(harsh.after(Outcome::CoDestroyed, 0.7, false), 0.0);
    }

    #[test]
    fn outcome_order_and_probabilities() {
        use crate::model::rng::threshold;
        let (d, b, n) = (threshold(0.02), threshold(1.0 - 0.9), threshold(1.0 - 0.7));
        let u = |x: f64| (x * 4_294_967_296.0) as u32;
        assert_eq!(outcome([u(0.01), 0, 0], d, b, n), Outcome::CoDestroyed);
        assert_eq!(
            outcome([u(0.5), u(0.05), 0], d, b, n),
            Outcome::BlockedLegal
        );
        assert_eq!(
            outcome([u(0.5), u(0.5), u(0.2)], d, b, n),
            Outcome::NotImplemented
        );
        assert_eq!(
            outcome([u(0.5), u(0.5), u(0.5)], d, b, n),
            Outcome::Realized
        );
        // No legal basis at all: nothing is ever realized.
        assert_eq!(
            outcome([u(0.5), u32::MAX, u32::MAX], d, threshold(1.0), 0),
            Outcome::BlockedLegal
        );
        // L = 1 and r = 1: never blocked, always implemented.
        assert_eq!(
            outcome([u(0.5), 0, 0], d, threshold(0.0), threshold(0.0)),
            Outcome::Realized
        );
        // D = 1: always destroyed
        assert_eq!(
            outcome([u32::MAX, 0, 0], threshold(1.0), b, n),
            Outcome::CoDestroyed
        );
    }

    #[test]
    fn openness_learns_from_realized_and_destroyed() {
        // o = 0.5, 10 realized of capacity 50: 0.5 + 0.05 * 0.5 * 0.2 = 0.505
        assert!(close(learned_openness(0.5, 10, 0, 50, 0.05, 0.5), 0.505));
        // 5 destroyed: 0.5 - 0.5 * 0.5 * 0.1 = 0.475
        assert!(close(learned_openness(0.5, 0, 5, 50, 0.05, 0.5), 0.475));
        assert_eq!(learned_openness(0.5, 0, 50, 50, 0.05, 3.0), 0.0);
        assert_eq!(learned_openness(0.9, 50, 0, 50, 2.0, 0.5), 1.0);
    }

    #[test]
    fn social_influence_mixes_with_the_neighbours() {
        assert!(close32(influenced_trust(0.5, 0.9, 0.05), 0.52));
        assert_eq!(influenced_trust(0.5, 0.9, 0.0), 0.5);
    }

    #[test]
    fn capacity_rounds_the_quotient_first() {
        assert_eq!(capacity(0.1, 10_000, 20), 50);
        // 0.1 * 1000 / 3 = 33.33.. -> 34
        assert_eq!(capacity(0.1, 1000, 3), 34);
        // limited_capacity at x = 1: 0.1 * (1 - 0.9) is not exactly 0.01 in binary
        assert_eq!(capacity(0.1 * (1.0 - 0.9), 10_000, 20), 5);
        assert_eq!(capacity(0.0, 10_000, 20), 0);
    }

    #[test]
    fn power_matches_powf() {
        for x in [0.0, 0.3, 1.0] {
            for a in [0.0, 0.25, 0.5, 1.0] {
                assert!((power(x, a) - x.powf(a)).abs() < 1e-15, "{x}^{a}");
            }
        }
    }

    #[test]
    fn value_potential_formula() {
        // A = 1, c = 0.64, o = 0.25, alpha = 0.5: 0.8 * 0.5 = 0.4; sigma = 0: no noise.
        let none = exp_f32(lognormal_exponent(0.0, 1.7));
        assert_eq!(none, 1.0);
        assert!(close(
            value_potential(1.0, 0.64f64.sqrt(), 0.25f64.sqrt(), none),
            0.4
        ));
        let v = value_potential(2.0, 1.0, 1.0, exp_f32(lognormal_exponent(0.3, 1.0)));
        assert!((v - 2.0 * (0.3f64 - 0.045).exp()).abs() < 1e-6);
    }

    #[test]
    fn fast_exp_is_accurate() {
        let mut worst = 0.0f64;
        for k in -870_000..=880_000 {
            let x = k as f32 * 1e-4;
            let exact = (x as f64).exp();
            let rel = ((exp_f32(x) as f64 - exact) / exact).abs();
            worst = worst.max(rel);
        }
        assert!(worst < 3e-7, "worst relative error {worst}");
        assert_eq!(exp_f32(-200.0), exp_f32(-87.0));
    }

    #[test]
    fn participation_decision_matches_the_sigmoid() {
        assert!(takes_part(0.4, 0.0) && !takes_part(0.6, 0.0));
        assert!(takes_part(0.9, 3.0) && !takes_part(0.96, 3.0)); // sigmoid(3) = 0.9526
        assert!(!takes_part(0.0001, -20.0));
    }

    #[test]
    fn sigmoid_is_the_logistic() {
        // values of 1 / (1 + e^-u) from a table, not from the code's own formula
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(close(sigmoid(2.0), 0.880_797_077_977_882_4));
        assert!(close(sigmoid(-3.0), 0.047_425_873_177_566_78));
        assert!(close(sigmoid(-2.6), 0.069_138_420_343_346_84));
        // symmetric: sigmoid(-u) = 1 - sigmoid(u)
        for u in [-5.0, -0.7, 0.3, 4.0] {
            assert!(close(sigmoid(-u), 1.0 - sigmoid(u)));
        }
    }
}
