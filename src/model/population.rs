//! Initial traits of citizens and agencies (MODEL.md section 1).
//!
//! Each citizen's traits are drawn from its own numbers (keyed by the
//! citizen's index and the trait), so a population can be drawn in any
//! order, in parallel, with the same result; and changing one trait's mean
//! does not move the others.

use super::rng::{SplitMix, Stream, key, unit_f64, word};
use rand_distr::{Beta, Distribution, Gamma};

/// `Beta(mean, k)`: a = mean k, b = (1 - mean) k. With k = 0 (allowed by
/// MODEL.md), the limit of the Beta as k -> 0 is used: 1 with probability
/// `mean`, else 0.
#[derive(Clone, Copy, Debug)]
pub enum BetaMean {
    /// Beta as the ratio X / (X + Y) of two Gamma draws (fast, for a, b >= 0.5).
    GammaRatio(Gamma<f64>, Gamma<f64>),
    /// A Beta with small parameters, drawn by rand_distr's own algorithm.
    Beta(Beta<f64>),
    /// The k = 0 limit.
    Bernoulli(f64),
}

impl BetaMean {
    /// The distribution with the given mean in (0, 1) and concentration >= 0.
    pub fn new(mean: f64, concentration: f64) -> BetaMean {
        let (a, b) = (mean * concentration, (1.0 - mean) * concentration);
        if a >= 0.5
            && b >= 0.5
            && let (Ok(x), Ok(y)) = (Gamma::new(a, 1.0), Gamma::new(b, 1.0))
        {
            return BetaMean::GammaRatio(x, y);
        }
        match Beta::new(a, b) {
            Ok(beta) if concentration > 0.0 => BetaMean::Beta(beta),
            _ => BetaMean::Bernoulli(mean),
        }
    }

    /// One draw, from a generator positioned at the citizen's numbers.
    pub fn sample(&self, rng: &mut SplitMix) -> f64 {
        match self {
            BetaMean::GammaRatio(x, y) => {
                let gx = x.sample(rng);
                let gy = y.sample(rng);
                gx / (gx + gy)
            }
            BetaMean::Beta(beta) => beta.sample(rng),
            BetaMean::Bernoulli(mean) => {
                f64::from(u8::from(unit_f64(rand_core::Rng::next_u64(rng)) < *mean))
            }
        }
    }
}

/// Words reserved for one individual's draw of one trait (rejection
/// samplers use a few; the rest are never reached in practice).
const WORDS_PER_DRAW: u64 = 1 << 16;

/// Draws trait values for individuals `0..`, each from its own numbers.
#[derive(Clone, Copy, Debug)]
pub struct TraitDraw {
    dist: BetaMean,
    key: u64,
}

impl TraitDraw {
    /// The trait `purpose` with the given mean and concentration, in the
    /// replication with this seed.
    pub fn new(seed: u64, purpose: Stream, mean: f64, concentration: f64) -> TraitDraw {
        TraitDraw {
            dist: BetaMean::new(mean, concentration),
            key: key(seed, purpose, 0),
        }
    }

    /// The value of individual `i`.
    #[inline]
    pub fn of(&self, i: u64) -> f64 {
        self.dist
            .sample(&mut SplitMix::at(self.key, i.wrapping_mul(WORDS_PER_DRAW)))
    }
}

/// Whether citizen `i` is digitally excluded (probability `share`).
#[inline]
pub fn excluded(seed_key: u64, i: u64, share: f64) -> bool {
    // without a digital divide nobody is excluded, whatever the draw
    share > 0.0 && unit_f64(word(seed_key, i)) < share
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len() as f64
    }

    fn draws(mean_: f64, k: f64, n: u64) -> Vec<f64> {
        let d = TraitDraw::new(3, Stream::Trust, mean_, k);
        (0..n).map(|i| d.of(i)).collect()
    }

    #[test]
    fn traits_follow_their_beta_distribution() {
        for (m, k) in [
            (0.6, 10.0),
            (0.15, 10.0),
            (0.5, 1.2),
            (0.3, 0.4),
            (0.999, 1e6),
        ] {
            let v = draws(m, k, 100_000);
            let mu = mean(&v);
            let var = v.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / v.len() as f64;
            // Beta variance: m (1 - m) / (k + 1)
            let expected_var = m * (1.0 - m) / (k + 1.0);
            assert!((mu - m).abs() < 0.004, "mean {mu} for ({m}, {k})");
            assert!(
                (var - expected_var).abs() < 0.05 * expected_var + 1e-7,
                "var {var} vs {expected_var} for ({m}, {k})"
            );
            assert!(v.iter().all(|x| (0.0..=1.0).contains(x)));
        }
    }

    #[test]
    fn zero_concentration_is_the_bernoulli_limit() {
        let v = draws(0.3, 0.0, 20_000);
        assert!(v.iter().all(|&x| x == 0.0 || x == 1.0));
        assert!((mean(&v) - 0.3).abs() < 0.02);
    }

    #[test]
    fn each_individual_has_its_own_numbers() {
        let d = TraitDraw::new(3, Stream::Trust, 0.6, 10.0);
        let forward: Vec<f64> = (0..100).map(|i| d.of(i)).collect();
        let backward: Vec<f64> = (0..100).rev().map(|i| d.of(i)).collect();
        assert!(forward.iter().eq(backward.iter().rev()));
        let other = TraitDraw::new(3, Stream::Motivation, 0.6, 10.0);
        assert_ne!(d.of(0), other.of(0));
    }

    #[test]
    fn exclusion_share() {
        let k = key(1, Stream::Exclusion, 0);
        let share = (0..100_000).filter(|&i| excluded(k, i, 0.4)).count() as f64 / 1e5;
        assert!((share - 0.4).abs() < 0.01);
    }
}
