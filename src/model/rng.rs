//! Seeds and counter-based random numbers (MODEL.md section 8).
//!
//! Every random number of a replication is a pure function of (replication
//! seed, purpose, step, index): the SplitMix64 output function applied to a
//! Weyl sequence, `mix(key + index * GOLDEN)`, where the key derives from the
//! seed, the purpose ([`Stream`]) and the step. So:
//!
//! - replication `r` under master seed `s` depends on `(s, r)` alone
//!   ([`replication_seed`]), and scenarios run with the same master seed
//!   share common random numbers replication by replication;
//! - each purpose has its own numbers, so changing one parameter does not
//!   shift the draws of unrelated mechanisms;
//! - a citizen's draw in a step is keyed by the citizen, not by the thread
//!   or the order of work, so results are identical bit for bit whatever
//!   the number of threads, and a citizen's decision in one scenario meets
//!   the same random number in another;
//! - draws can be computed for any block of citizens independently, which
//!   vectorizes and parallelizes.
//!
//! For a fixed key, `mix(key + i * GOLDEN)` over `i = 0, 1, ...` is exactly
//! the SplitMix64 generator of Steele, Lea & Flood (2014) started at `key`,
//! which passes BigCrush. Where a sampler needs a sequential generator
//! (Beta and Gamma draws at initialization), [`SplitMix`] gives one that
//! starts at a given index of such a sequence.

use core::convert::Infallible;
use rand_core::TryRng;

/// The Weyl increment of SplitMix64 (2^64 / golden ratio, odd).
pub const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijection on u64 that mixes all bits.
#[inline(always)]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of replication `replication` under master seed `master`.
///
/// Distinct replications of one master seed always get distinct seeds.
pub fn replication_seed(master: u64, replication: u32) -> u64 {
    mix(master.wrapping_add(u64::from(replication).wrapping_mul(GOLDEN)))
}

/// The purposes that draw random numbers, each with its own numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Citizens' initial trust.
    Trust = 1,
    /// Citizens' motivation.
    Motivation = 2,
    /// Citizens' capability.
    Capability = 3,
    /// Which citizens are digitally excluded.
    Exclusion = 4,
    /// Agencies' initial openness.
    Openness = 5,
    /// Agencies' responsiveness.
    Responsiveness = 6,
    /// Whether each lattice edge is rewired.
    Rewire = 7,
    /// The new far end of a rewired edge.
    RewireTarget = 8,
    /// Phase 1: who participates.
    Participation = 9,
    /// Phase 2: choice of agency and place in the random order.
    Matching = 10,
    /// Phase 3: the log-normal noise of value potential.
    Value = 11,
    /// Phase 4: co-destruction, legal basis, implementation, feedback.
    Outcomes = 12,
    /// Sampling designs of sweeps (Latin hypercube, Morris trajectories).
    Design = 13,
    /// Bootstrap resampling of sensitivity indices.
    Bootstrap = 14,
    /// Which citizen belongs to which group (MODEL.md 11.1).
    Placement = 15,
    /// Phase 2 with demands: the kind of agency a participant turns to (11.2).
    KindChoice = 16,
    /// Which excluded citizens an `inclusion_program` includes (11.4).
    Inclusion = 17,
    /// Calibration (ABC-SMC): proposals and the seeds of their simulations.
    Calibration = 18,
    /// Draws of posterior particles for posterior runs and predictive checks.
    Posterior = 19,
}

/// The key of one purpose in one step (use step 0 for initialization).
#[inline]
pub fn key(seed: u64, purpose: Stream, step: u64) -> u64 {
    let k = mix(seed ^ mix(purpose as u64));
    mix(k.wrapping_add(mix(step.wrapping_add(1).wrapping_mul(GOLDEN))))
}

/// The random word number `index` of a key.
#[inline(always)]
pub fn word(key: u64, index: u64) -> u64 {
    mix(key.wrapping_add(index.wrapping_mul(GOLDEN)))
}

/// The top 23 bits of a word, as an integer in 0..2^23 (for a uniform f32
/// `(d + 0.5) 2^-23`, exactly representable).
#[inline(always)]
pub fn top23(w: u64) -> i32 {
    (w >> 41) as i32
}

/// A uniform f64 in [0, 1) from the top 53 bits of a word.
#[inline]
pub fn unit_f64(w: u64) -> f64 {
    (w >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` from a word (multiply-shift; bias below n / 2^64).
#[inline]
pub fn below(w: u64, n: u64) -> u64 {
    ((u128::from(w) * u128::from(n)) >> 64) as u64
}

/// The integer threshold `t` such that a uniform 32-bit value `u` satisfies
/// `u < t` with probability `p` (to within 2^-33), for p in [0, 1].
#[inline]
pub fn threshold(p: f64) -> u64 {
    (p * 4_294_967_296.0).round() as u64
}

/// A standard normal draw from one word: the inverse of the normal
/// distribution function at a uniform in (0, 1) (Acklam's rational
/// approximation, relative error below 1.2e-9). Only the 5% of draws in
/// the tails need a logarithm.
#[inline]
pub fn normal(w: u64) -> f64 {
    let p = normal_uniform(w);
    if normal_in_tail(p) {
        normal_tail(p)
    } else {
        normal_central(p)
    }
}

const NORMAL_LOW: f64 = 0.024_25;

/// The uniform in (0, 1) behind [`normal`]'s draw from a word.
#[inline(always)]
pub fn normal_uniform(w: u64) -> f64 {
    ((w >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// Whether `p` falls in a tail, where [`normal_tail`] applies.
#[inline(always)]
pub fn normal_in_tail(p: f64) -> bool {
    !(NORMAL_LOW..=1.0 - NORMAL_LOW).contains(&p)
}

/// The inverse normal distribution function for p in the central region
/// (branch-free: vectorizes).
#[inline(always)]
pub fn normal_central(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    let q = p - 0.5;
    let r = q * q;
    (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
        / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
}

/// The inverse normal distribution function for p in a tail.
pub fn normal_tail(p: f64) -> f64 {
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |p: f64| {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < NORMAL_LOW {
        tail(p)
    } else {
        -tail(1.0 - p)
    }
}

/// A sequential generator over the words of a key, from a given index:
/// for samplers that need a variable number of draws.
#[derive(Clone, Debug)]
pub struct SplitMix {
    state: u64,
}

impl SplitMix {
    /// The generator whose first output is `word(key, index)`.
    pub fn at(key: u64, index: u64) -> SplitMix {
        SplitMix {
            state: key.wrapping_add(index.wrapping_mul(GOLDEN)),
        }
    }
}

impl TryRng for SplitMix {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|w| (w >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let w = mix(self.state);
        self.state = self.state.wrapping_add(GOLDEN);
        Ok(w)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let w = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng;

    #[test]
    fn replication_seeds_are_distinct_and_stable() {
        let seeds: std::collections::BTreeSet<u64> =
            (0..10_000).map(|r| replication_seed(42, r)).collect();
        assert_eq!(seeds.len(), 10_000);
        assert_ne!(replication_seed(42, 0), replication_seed(43, 0));
    }

    #[test]
    fn keys_differ_by_purpose_and_step() {
        let a = key(1, Stream::Trust, 0);
        assert_ne!(a, key(1, Stream::Motivation, 0));
        assert_ne!(a, key(1, Stream::Trust, 1));
        assert_ne!(a, key(2, Stream::Trust, 0));
        assert_eq!(a, key(1, Stream::Trust, 0));
    }

    #[test]
    fn splitmix_continues_the_word_sequence() {
        let k = key(5, Stream::Value, 3);
        let mut g = SplitMix::at(k, 10);
        for i in 10..20 {
            assert_eq!(g.next_u64(), word(k, i));
        }
    }

    #[test]
    fn draws_are_uniform_enough() {
        let k = key(9, Stream::Participation, 0);
        let n = 200_000u64;
        let mean = (0..n).map(|i| unit_f64(word(k, i))).sum::<f64>() / n as f64;
        // sd of the mean: sqrt(1/12 / n) = 0.00065
        assert!((mean - 0.5).abs() < 0.004, "{mean}");
        let mut counts = [0u32; 7];
        for i in 0..n {
            counts[below(word(k, i), 7) as usize] += 1;
        }
        for c in counts {
            assert!((f64::from(c) / n as f64 - 1.0 / 7.0).abs() < 0.005);
        }
        let th = threshold(0.3);
        let share = (0..n).filter(|&i| (word(k, i) & 0xFFFF_FFFF) < th).count() as f64 / n as f64;
        assert!((share - 0.3).abs() < 0.005);
        assert_eq!(threshold(1.0), 1 << 32);
        assert_eq!(threshold(0.0), 0);
    }

    #[test]
    fn normal_quantiles_are_exact_enough() {
        // the word whose uniform is p
        let at = |p: f64| normal((((p * (1u64 << 53) as f64) - 0.5) as u64) << 11);
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.1, -1.281_551_565_544_601),
            (0.01, -2.326_347_874_040_841),
            (0.999, 3.090_232_306_167_813),
            (0.024, -1.977_368_428_181_947),
            (0.03, -1.880_793_608_151_251),
            (1e-6, -4.753_424_308_822_899),
        ] {
            assert!(
                (at(p) - z).abs() < 1e-6 * (1.0 + z.abs()),
                "p = {p}: {} vs {z}",
                at(p)
            );
        }
    }

    #[test]
    fn normals_have_mean_zero_and_unit_variance() {
        let k = key(3, Stream::Value, 0);
        let n = 200_000u64;
        let z: Vec<f64> = (0..n).map(|i| normal(word(k, i))).collect();
        let mean = z.iter().sum::<f64>() / n as f64;
        let var = z.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.015, "{var}");
        assert!(z.iter().all(|x| x.is_finite()));
    }
}
