//! The rules of PVC-1 as plain functions of numbers (MODEL.md section 3).
//!
//! Each function is one formula of the model, tested on hand-checked cases.
//! The step loop in [`super::world`] calls them.

/// The logistic function `1 / (1 + exp(-u))`.
#[inline]
pub fn sigmoid(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

/// Whether a uniform draw `uniform` in [0, 1) falls below `sigmoid(u)`:
/// the participation decision of phase 1, exactly.
///
/// `U < 1 / (1 + e^x)` with `x = -u` is `U (1 + e^x) < 1`. Most citizens do
/// not take part, and for them a cheap lower bound of `e^x` already decides:
/// the cubic Taylor polynomial `1 + x + x^2/2 + x^3/6` is below `e^x` for
/// every real x (the remainder `e^t x^4 / 24` is never negative). Only when
/// the bound cannot decide is `exp` called.
#[inline]
pub fn bernoulli_sigmoid(uniform: f64, u: f64) -> bool {
    let x = -u;
    let lower = 1.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0)));
    // the margin keeps the bound below e^x despite rounding
    if uniform * (1.0 + lower * (1.0 - 1e-9)) >= 1.0 {
        return false;
    }
    uniform * (1.0 + x.exp()) < 1.0
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

/// Phase 4: the outcome of a served interaction, from three uniform draws,
/// decided in the order of MODEL.md section 3.4 (co-destruction with
/// probability D, else blocked with probability 1 - L, else not implemented
/// with probability 1 - r, else realized).
/// (Osborne et al. 2016; Järvi et al. 2018; McBride et al. 2019)
#[inline]
pub fn outcome(u_destroy: f64, u_legal: f64, u_implement: f64, d: f64, l: f64, r: f64) -> Outcome {
    if u_destroy < d {
        Outcome::CoDestroyed
    } else if u_legal < 1.0 - l {
        Outcome::BlockedLegal
    } else if u_implement < 1.0 - r {
        Outcome::NotImplemented
    } else {
        Outcome::Realized
    }
}

/// Trust parameters used by phase 5.
#[derive(Clone, Copy, Debug)]
pub struct TrustRule {
    /// eta+, gain after a realized outcome.
    pub gain: f64,
    /// eta-, loss after a failed outcome.
    pub loss: f64,
    /// Share of a loss avoided when feedback is given.
    pub feedback_softening: f64,
}

impl TrustRule {
    /// Phase 5: a participant's trust after the outcome of its interaction.
    /// Trust is gained slowly and lost fast (Slovic 1993); participation without
    /// visible results erodes it unless the agency explains (Wang & Van Wart 2007).
    #[inline]
    pub fn after(&self, outcome: Outcome, trust: f64, feedback: bool) -> f64 {
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
#[inline]
pub fn influenced_trust(own: f64, neighbours_mean: f64, weight: f64) -> f64 {
    (1.0 - weight) * own + weight * neighbours_mean
}

/// Each agency's capacity per step: `ceil(capacity_share * N / M)`, the
/// quotient first rounded to 9 decimals (MODEL.md section 1).
pub fn capacity(capacity_share: f64, citizens: u32, agencies: u32) -> u32 {
    let quotient = capacity_share * f64::from(citizens) / f64::from(agencies);
    let rounded = (quotient * 1e9).round() / 1e9;
    rounded.ceil() as u32
}

/// Phase 3: value potential `A c^alpha o^(1-alpha) exp(sigma z - sigma^2/2)`,
/// given the precomputed factors `c^alpha` and `o^(1-alpha)` and a standard
/// normal draw `z`. Its mean does not depend on sigma.
#[inline]
pub fn value_potential(
    productivity: f64,
    c_alpha: f64,
    o_one_minus_alpha: f64,
    sigma: f64,
    z: f64,
) -> f64 {
    productivity * c_alpha * o_one_minus_alpha * (sigma * z - 0.5 * sigma * sigma).exp()
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

    #[test]
    fn realized_outcome_raises_trust() {
        assert!(close(RULE.after(Outcome::Realized, 0.5, false), 0.55));
    }

    #[test]
    fn failures_lower_trust_and_feedback_softens_the_loss() {
        for o in [
            Outcome::BlockedLegal,
            Outcome::NotImplemented,
            Outcome::Unserved,
        ] {
            assert!(close(RULE.after(o, 0.5, false), 0.5 - 0.15 * 0.5));
            assert!(close(RULE.after(o, 0.5, true), 0.5 - 0.15 * 0.5 * 0.5));
        }
    }

    #[test]
    fn co_destruction_loses_twice_and_is_capped() {
        assert!(close(
            RULE.after(Outcome::CoDestroyed, 0.5, true),
            0.5 - 0.3 * 0.5
        ));
        let harsh = TrustRule { loss: 0.8, ..RULE };
        assert_eq!(harsh.after(Outcome::CoDestroyed, 0.7, false), 0.0);
    }

    #[test]
    fn outcome_order_and_probabilities() {
        assert_eq!(
            outcome(0.01, 0.0, 0.0, 0.02, 0.9, 0.7),
            Outcome::CoDestroyed
        );
        assert_eq!(
            outcome(0.5, 0.05, 0.0, 0.02, 0.9, 0.7),
            Outcome::BlockedLegal
        );
        assert_eq!(
            outcome(0.5, 0.5, 0.2, 0.02, 0.9, 0.7),
            Outcome::NotImplemented
        );
        assert_eq!(outcome(0.5, 0.5, 0.5, 0.02, 0.9, 0.7), Outcome::Realized);
        // No legal basis at all: nothing is ever realized.
        assert_eq!(
            outcome(0.5, 0.999, 0.999, 0.02, 0.0, 1.0),
            Outcome::BlockedLegal
        );
        // L = 1 and r = 1: never blocked, always implemented.
        assert_eq!(outcome(0.5, 0.0, 0.0, 0.02, 1.0, 1.0), Outcome::Realized);
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
        assert!(close(influenced_trust(0.5, 0.9, 0.05), 0.52));
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
    fn value_potential_formula() {
        // A = 1, c = 0.64, o = 0.25, alpha = 0.5: 0.8 * 0.5 = 0.4; sigma = 0: no noise.
        assert!(close(
            value_potential(1.0, 0.64f64.sqrt(), 0.25f64.sqrt(), 0.0, 1.7),
            0.4
        ));
        let v = value_potential(2.0, 1.0, 1.0, 0.3, 1.0);
        assert!(close(v, 2.0 * (0.3f64 - 0.045).exp()));
    }

    #[test]
    fn the_fast_participation_test_is_exact() {
        // every decision equals the plain comparison U < sigmoid(u)
        let mut state = 0x1234_5678_9abc_def0_u64;
        for k in 0..2_000_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let uniform = (state >> 11) as f64 / (1u64 << 53) as f64;
            let u = -30.0 + 60.0 * (k as f64 / 2e6);
            assert_eq!(
                bernoulli_sigmoid(uniform, u),
                uniform * (1.0 + (-u).exp()) < 1.0,
                "U = {uniform}, u = {u}"
            );
        }
        assert!(bernoulli_sigmoid(0.0, -800.0) == (0.0 < sigmoid(-800.0)));
        assert!(bernoulli_sigmoid(0.4, 0.0) && !bernoulli_sigmoid(0.6, 0.0));
    }

    #[test]
    fn sigmoid_is_the_logistic() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(close(sigmoid(2.0), 1.0 / (1.0 + (-2.0f64).exp())));
    }
}
