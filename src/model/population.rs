//! Citizens and agencies as structure-of-arrays state (MODEL.md section 1).

use super::rng::{Rng, Stream, stream};
use rand::RngExt;
use rand_distr::{Beta, Distribution};

/// `Beta(mean, k)`: a = mean k, b = (1 - mean) k. With k = 0 (allowed by
/// MODEL.md), the limit of the Beta as k -> 0 is used: 1 with probability
/// `mean`, else 0.
#[derive(Clone, Copy, Debug)]
pub enum BetaMean {
    /// A proper Beta distribution.
    Beta(Beta<f64>),
    /// The k = 0 limit.
    Bernoulli(f64),
}

impl BetaMean {
    /// The distribution with the given mean in (0, 1) and concentration >= 0.
    pub fn new(mean: f64, concentration: f64) -> BetaMean {
        match Beta::new(mean * concentration, (1.0 - mean) * concentration) {
            Ok(beta) if concentration > 0.0 => BetaMean::Beta(beta),
            _ => BetaMean::Bernoulli(mean),
        }
    }

    /// One draw.
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        match self {
            BetaMean::Beta(beta) => beta.sample(rng),
            BetaMean::Bernoulli(mean) => f64::from(u8::from(rng.random::<f64>() < *mean)),
        }
    }
}

/// The citizens' state, one vector per field.
#[derive(Clone, Debug)]
pub struct Citizens {
    /// Trust in government, tau.
    pub trust: Vec<f64>,
    /// Civic motivation, m (constant).
    pub motivation: Vec<f64>,
    /// Capability, c (constant; times 0.3 if excluded).
    pub capability: Vec<f64>,
    /// Digitally excluded (constant).
    pub excluded: Vec<bool>,
    /// Took part in the previous step.
    pub participated: Vec<bool>,
    /// Private value-in-use received so far.
    pub value: Vec<f64>,
}

/// Citizen trait means and the excluded share, after inhibitors.
#[derive(Clone, Copy, Debug)]
pub struct CitizenTraits {
    /// Mean initial trust.
    pub trust_mean: f64,
    /// Mean motivation.
    pub motivation_mean: f64,
    /// Mean capability.
    pub capability_mean: f64,
    /// Concentration k of every Beta.
    pub concentration: f64,
    /// Share of digitally excluded citizens.
    pub excluded_share: f64,
}

impl Citizens {
    /// Draws `n` citizens from the replication's seed. Each field has its own
    /// stream, so the number of draws one field needs does not move another.
    pub fn draw(n: u32, traits: &CitizenTraits, seed: u64) -> Citizens {
        let n = n as usize;
        let k = traits.concentration;
        let mut rng = stream(seed, Stream::Exclusion);
        let excluded: Vec<bool> = (0..n)
            .map(|_| rng.random::<f64>() < traits.excluded_share)
            .collect();
        let trust = draw_beta(n, traits.trust_mean, k, seed, Stream::Trust);
        let motivation = draw_beta(n, traits.motivation_mean, k, seed, Stream::Motivation);
        let mut capability = draw_beta(n, traits.capability_mean, k, seed, Stream::Capability);
        for (c, &e) in capability.iter_mut().zip(&excluded) {
            if e {
                *c *= 0.3;
            }
        }
        Citizens {
            trust,
            motivation,
            capability,
            excluded,
            participated: vec![false; n],
            value: vec![0.0; n],
        }
    }
}

/// The agencies' state, one vector per field.
#[derive(Clone, Debug)]
pub struct Agencies {
    /// Openness, o.
    pub openness: Vec<f64>,
    /// Responsiveness, r (constant).
    pub responsiveness: Vec<f64>,
}

impl Agencies {
    /// Draws `m` agencies from the replication's seed.
    pub fn draw(
        m: u32,
        openness_mean: f64,
        responsiveness_mean: f64,
        k: f64,
        seed: u64,
    ) -> Agencies {
        let m = m as usize;
        Agencies {
            openness: draw_beta(m, openness_mean, k, seed, Stream::Openness),
            responsiveness: draw_beta(m, responsiveness_mean, k, seed, Stream::Responsiveness),
        }
    }
}

fn draw_beta(n: usize, mean: f64, k: f64, seed: u64, purpose: Stream) -> Vec<f64> {
    let dist = BetaMean::new(mean, k);
    let mut rng = stream(seed, purpose);
    (0..n).map(|_| dist.sample(&mut rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len() as f64
    }

    #[test]
    fn traits_follow_their_beta_means() {
        let traits = CitizenTraits {
            trust_mean: 0.6,
            motivation_mean: 0.5,
            capability_mean: 0.6,
            concentration: 10.0,
            excluded_share: 0.4,
        };
        let c = Citizens::draw(100_000, &traits, 3);
        // sd of one draw is about 0.15, of the mean of 1e5 about 0.0005
        assert!((mean(&c.trust) - 0.6).abs() < 0.003);
        assert!((mean(&c.motivation) - 0.5).abs() < 0.003);
        let share = c.excluded.iter().filter(|&&e| e).count() as f64 / 1e5;
        assert!((share - 0.4).abs() < 0.01);
        // capability of the excluded is scaled by 0.3
        let group = |excluded: bool| -> Vec<f64> {
            c.capability
                .iter()
                .zip(&c.excluded)
                .filter(|(_, e)| **e == excluded)
                .map(|(x, _)| *x)
                .collect()
        };
        let (inc, exc) = (group(false), group(true));
        assert!((mean(&inc) - 0.6).abs() < 0.005);
        assert!((mean(&exc) - 0.18).abs() < 0.005);
        assert!(c.trust.iter().all(|t| (0.0..=1.0).contains(t)));
    }

    #[test]
    fn zero_concentration_is_the_bernoulli_limit() {
        let d = BetaMean::new(0.3, 0.0);
        let mut rng = stream(1, Stream::Trust);
        let draws: Vec<f64> = (0..20_000).map(|_| d.sample(&mut rng)).collect();
        assert!(draws.iter().all(|&x| x == 0.0 || x == 1.0));
        assert!((mean(&draws) - 0.3).abs() < 0.02);
    }

    #[test]
    fn changing_one_trait_leaves_the_others_alone() {
        let base = CitizenTraits {
            trust_mean: 0.6,
            motivation_mean: 0.5,
            capability_mean: 0.6,
            concentration: 10.0,
            excluded_share: 0.0,
        };
        let low = CitizenTraits {
            trust_mean: 0.15,
            ..base
        };
        let a = Citizens::draw(1000, &base, 9);
        let b = Citizens::draw(1000, &low, 9);
        assert_eq!(a.motivation, b.motivation);
        assert_eq!(a.capability, b.capability);
        assert_ne!(a.trust, b.trust);
    }
}
