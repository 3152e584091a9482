//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC;
//! Beaumont, Cornuet, Marin & Robert 2009; Del Moral, Doucet & Jasra 2012),
//! the scheme pyabc and OpenMOLE use, deterministic from a seed.
//!
//! - Generation 0 samples the (uniform, independent) priors and accepts
//!   every particle.
//! - Each later generation's tolerance is the median distance of the
//!   previous generation's particles. A candidate is drawn from the
//!   previous generation by weight and moved by a Gaussian kernel with
//!   twice the weighted covariance of that generation (redrawn while it
//!   falls outside the priors' box), simulated, and accepted when its
//!   distance is at most the tolerance.
//! - An accepted particle's weight is its prior density over the kernel
//!   mixture, `pi(theta) / sum_j W_j K(theta | theta_j)`, then normalized.
//! - It stops after `generations`, or earlier when the tolerance shrinks
//!   by less than [`AbcSettings::min_shrink`] or fewer than
//!   [`AbcSettings::min_acceptance`] of a generation's simulations are
//!   accepted (the generation is then given up, after
//!   `particles / min_acceptance` simulations, and the previous one kept).
//!
//! Determinism: candidate `i` of generation `g` draws its proposal and its
//! simulation seed from (seed, g, i) alone; candidates are simulated in
//! parallel batches, but the generation takes the first `particles`
//! accepted candidates in index order. The batch size only changes how
//! many candidates past the last accepted one are simulated in vain, never
//! the result, so results do not depend on the number of threads.
//!
//! Pure: the caller simulates (a closure from parameter values and a seed
//! to a distance) and watches progress through [`AbcObserver`].

use crate::model::rng::{SplitMix, Stream, key, normal, unit_f64, word};
use rand_core::Rng;
use rayon::prelude::*;

/// A uniform prior on `[min, max]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prior {
    /// Lower end.
    pub min: f64,
    /// Upper end, above `min`.
    pub max: f64,
}

impl Prior {
    fn contains(&self, x: f64) -> bool {
        x >= self.min && x <= self.max
    }
}

/// How a calibration runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AbcSettings {
    /// Accepted particles per generation.
    pub particles: usize,
    /// Generations at most, generation 0 included.
    pub generations: u32,
    /// Master seed of proposals and simulations.
    pub seed: u64,
    /// Stop when the next tolerance is above `(1 - min_shrink)` times the
    /// last (0.05: it shrank by less than 5%).
    pub min_shrink: f64,
    /// Stop when fewer than this share of a generation's simulations are
    /// accepted (0.01).
    pub min_acceptance: f64,
}

impl AbcSettings {
    /// `particles` and `generations` with the default stopping rules (5%
    /// shrink, 1% acceptance).
    pub fn new(particles: usize, generations: u32, seed: u64) -> AbcSettings {
        AbcSettings {
            particles,
            generations,
            seed,
            min_shrink: 0.05,
            min_acceptance: 0.01,
        }
    }
}

/// One accepted particle.
#[derive(Clone, Debug, PartialEq)]
pub struct Particle {
    /// Parameter values, in prior order.
    pub theta: Vec<f64>,
    /// Normalized importance weight (the weights of a generation sum to 1).
    pub weight: f64,
    /// Its distance to the observations.
    pub distance: f64,
}

/// What one generation did.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerationStats {
    /// 0-based.
    pub generation: u32,
    /// Its tolerance (infinite for generation 0).
    pub tolerance: f64,
    /// Simulations until its last particle was accepted.
    pub simulations: u64,
    /// Accepted particles over simulations.
    pub acceptance_rate: f64,
    /// Effective sample size of its weights, `1 / sum W^2`.
    pub ess: f64,
}

/// Why a calibration stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// It ran every generation asked for.
    Generations,
    /// The next tolerance would have shrunk by less than `min_shrink`.
    Shrink {
        /// The last generation's tolerance.
        last: f64,
        /// The median distance of its particles.
        next: f64,
    },
    /// The next tolerance would be 0: the particles reproduce the
    /// observations exactly.
    Exact,
    /// A generation accepted fewer than `min_acceptance` of its
    /// simulations and was given up.
    Acceptance {
        /// The generation given up.
        generation: u32,
        /// Its tolerance.
        tolerance: f64,
        /// Simulations run.
        simulations: u64,
        /// Particles accepted among them.
        accepted: usize,
    },
}

impl Stop {
    /// Why, in words.
    pub fn describe(&self, settings: &AbcSettings) -> String {
        match self {
            Stop::Generations => format!("it ran all {} generations", settings.generations),
            Stop::Shrink { last, next } => format!(
                "the tolerance would shrink by less than {:.0}% (from {last:.4} to {next:.4}): more generations would add little",
                100.0 * settings.min_shrink
            ),
            Stop::Exact => "the particles reproduce the observations exactly".into(),
            Stop::Acceptance {
                generation,
                tolerance,
                simulations,
                accepted,
            } => format!(
                "generation {generation} (tolerance {tolerance:.4}) accepted {accepted} of {simulations} simulations, under {:.0}%: it was given up and the previous generation kept",
                100.0 * settings.min_acceptance
            ),
        }
    }
}

/// The result of a calibration.
#[derive(Clone, Debug, PartialEq)]
pub struct Posterior {
    /// Every generation kept, in order.
    pub generations: Vec<GenerationStats>,
    /// The last generation's particles, in acceptance order.
    pub particles: Vec<Particle>,
    /// Why it stopped.
    pub stop: Stop,
}

/// Watches a calibration: progress and cancellation. Called from worker
/// threads.
pub trait AbcObserver: Sync {
    /// Generation `generation` starts, with `tolerance`.
    fn generation_started(&self, _generation: u32, _tolerance: f64) {}
    /// A simulation finished (in any order).
    fn simulated(&self) {}
    /// A generation is complete.
    fn generation_done(&self, _stats: &GenerationStats) {}
    /// Whether to stop: simulations not yet started are skipped.
    fn cancelled(&self) -> bool {
        false
    }
}

impl AbcObserver for () {}

/// Why a calibration failed.
#[derive(Debug, thiserror::Error)]
pub enum AbcError<E> {
    /// The observer cancelled.
    #[error("interrupted in generation {generation}")]
    Interrupted {
        /// The generation under way.
        generation: u32,
    },
    /// A simulation failed.
    #[error(transparent)]
    Simulation(E),
}

/// Runs ABC-SMC: `simulate(theta, seed)` gives the distance of parameter
/// values `theta` (one per prior) to the observations, from simulations
/// seeded by `seed`. Runs on the current rayon pool.
pub fn calibrate<E: Send>(
    priors: &[Prior],
    settings: &AbcSettings,
    observer: &impl AbcObserver,
    simulate: impl Fn(&[f64], u64) -> Result<f64, E> + Sync,
) -> Result<Posterior, AbcError<E>> {
    let n = settings.particles.max(1);
    let mut generations = Vec::new();
    // generation 0: the priors, all accepted
    observer.generation_started(0, f64::INFINITY);
    let k0 = key(settings.seed, Stream::Calibration, 0);
    let proposal = |i: u64| {
        let mut rng = candidate_rng(k0, i);
        let theta: Vec<f64> = priors
            .iter()
            .map(|p| p.min + unit_f64(rng.next_u64()) * (p.max - p.min))
            .collect();
        theta
    };
    let first = run_generation(
        0,
        n,
        n as u64,
        f64::INFINITY,
        settings,
        observer,
        |i| Some(proposal(i)),
        &simulate,
    )?;
    let mut particles: Vec<Particle> = first
        .accepted
        .into_iter()
        .map(|(theta, distance)| Particle {
            theta,
            weight: 1.0 / n as f64,
            distance,
        })
        .collect();
    let stats = stats_of(0, f64::INFINITY, first.simulations, &particles);
    observer.generation_done(&stats);
    generations.push(stats);

    let mut tolerance = f64::INFINITY;
    for g in 1..settings.generations {
        let next = median(particles.iter().map(|p| p.distance).collect());
        if next <= 0.0 {
            return Ok(done(generations, particles, Stop::Exact));
        }
        if tolerance.is_finite() && next > (1.0 - settings.min_shrink) * tolerance {
            let stop = Stop::Shrink {
                last: tolerance,
                next,
            };
            return Ok(done(generations, particles, stop));
        }
        tolerance = next;
        observer.generation_started(g, tolerance);
        let kernel = Kernel::of(&particles, priors);
        let cumulative = cumulative(particles.iter().map(|p| p.weight));
        let k = key(settings.seed, Stream::Calibration, u64::from(2 * g));
        let propose = |i: u64| -> Option<Vec<f64>> {
            let mut rng = candidate_rng(k, i);
            for _ in 0..MAX_REDRAWS {
                let parent = &particles[pick(&cumulative, unit_f64(rng.next_u64()))];
                let theta = kernel.perturb(&parent.theta, &mut rng);
                if theta.iter().zip(priors).all(|(&x, p)| p.contains(x)) {
                    return Some(theta);
                }
            }
            None
        };
        let budget = (n as f64 / settings.min_acceptance).ceil() as u64;
        let result = run_generation(
            g, n, budget, tolerance, settings, observer, propose, &simulate,
        )?;
        if result.accepted.len() < n {
            let stop = Stop::Acceptance {
                generation: g,
                tolerance,
                simulations: result.simulations,
                accepted: result.accepted.len(),
            };
            return Ok(done(generations, particles, stop));
        }
        let mut next_particles: Vec<Particle> = result
            .accepted
            .into_par_iter()
            .map(|(theta, distance)| {
                let density = kernel.mixture_density(&theta, &particles);
                Particle {
                    theta,
                    weight: 1.0 / density,
                    distance,
                }
            })
            .collect();
        normalize(&mut next_particles);
        particles = next_particles;
        let stats = stats_of(g, tolerance, result.simulations, &particles);
        observer.generation_done(&stats);
        generations.push(stats);
    }
    Ok(done(generations, particles, Stop::Generations))
}

/// The random numbers of candidate `i` under key `k`: a stream of its own
/// (keyed by a hash of `(k, i)`), so that candidates share no numbers
/// however many each draws.
fn candidate_rng(k: u64, i: u64) -> SplitMix {
    SplitMix::at(word(k, i), 0)
}

/// Proposals redrawn at most this often before one inside the priors is
/// found (a kernel from particles inside the box rarely needs more than a
/// few).
const MAX_REDRAWS: usize = 100_000;

fn done(generations: Vec<GenerationStats>, particles: Vec<Particle>, stop: Stop) -> Posterior {
    Posterior {
        generations,
        particles,
        stop,
    }
}

/// A simulated candidate: `None` when cancelled before it ran, else its
/// simulation's outcome, `Some((theta, distance))` when accepted.
type Candidate<E> = Option<Result<Option<(Vec<f64>, f64)>, E>>;

/// The accepted candidates of one generation, in index order.
struct GenerationResult {
    accepted: Vec<(Vec<f64>, f64)>,
    simulations: u64,
}

/// Simulates candidates `0, 1, ...` in parallel batches until `n` are
/// accepted or `budget` simulations ran.
#[allow(clippy::too_many_arguments)]
fn run_generation<E: Send>(
    generation: u32,
    n: usize,
    budget: u64,
    tolerance: f64,
    settings: &AbcSettings,
    observer: &impl AbcObserver,
    propose: impl Fn(u64) -> Option<Vec<f64>> + Sync,
    simulate: &(impl Fn(&[f64], u64) -> Result<f64, E> + Sync),
) -> Result<GenerationResult, AbcError<E>> {
    let seeds = key(
        settings.seed,
        Stream::Calibration,
        u64::from(2 * generation + 1),
    );
    let threads = rayon::current_num_threads() as u64;
    let mut accepted = Vec::with_capacity(n);
    let mut next = 0u64;
    let mut rate = 1.0f64;
    while accepted.len() < n && next < budget {
        let missing = (n - accepted.len()) as f64;
        let size = ((missing / rate.max(settings.min_acceptance)).ceil() as u64)
            .clamp(2 * threads, 4096.max(2 * threads))
            .min(budget - next);
        let batch: Vec<Candidate<E>> = (next..next + size)
            .into_par_iter()
            .map(|i| {
                if observer.cancelled() {
                    return None;
                }
                let out = match propose(i) {
                    None => Ok(None),
                    Some(theta) => simulate(&theta, word(seeds, i)).map(|d| {
                        observer.simulated();
                        // a figure that is not a number is as far as can be
                        let d = if d.is_nan() { f64::INFINITY } else { d };
                        (d <= tolerance).then_some((theta, d))
                    }),
                };
                Some(out)
            })
            .collect();
        let mut taken = 0u64;
        for (offset, outcome) in batch.into_iter().enumerate() {
            if accepted.len() == n {
                break;
            }
            match outcome {
                None => return Err(AbcError::Interrupted { generation }),
                Some(Err(e)) => return Err(AbcError::Simulation(e)),
                Some(Ok(Some(particle))) => accepted.push(particle),
                Some(Ok(None)) => {}
            }
            taken = offset as u64 + 1;
        }
        next += taken;
        rate = (accepted.len() as f64 / next as f64).max(1.0 / next as f64);
        if observer.cancelled() && accepted.len() < n {
            return Err(AbcError::Interrupted { generation });
        }
    }
    Ok(GenerationResult {
        accepted,
        simulations: next,
    })
}

fn stats_of(
    generation: u32,
    tolerance: f64,
    simulations: u64,
    particles: &[Particle],
) -> GenerationStats {
    GenerationStats {
        generation,
        tolerance,
        simulations,
        acceptance_rate: particles.len() as f64 / simulations.max(1) as f64,
        ess: effective_sample_size(particles),
    }
}

/// `1 / sum W^2` of normalized weights.
pub fn effective_sample_size(particles: &[Particle]) -> f64 {
    1.0 / particles.iter().map(|p| p.weight * p.weight).sum::<f64>()
}

fn normalize(particles: &mut [Particle]) {
    let total: f64 = particles.iter().map(|p| p.weight).sum();
    for p in particles {
        p.weight /= total;
    }
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    crate::stats::quantile_sorted(&values, 0.5)
}

/// Running sums of `weights`.
fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .map(|w| {
            sum += w;
            sum
        })
        .collect()
}

/// The index whose cumulative weight first exceeds `u` times the total.
fn pick(cumulative: &[f64], u: f64) -> usize {
    let target = u * cumulative.last().copied().unwrap_or(0.0);
    cumulative
        .partition_point(|&c| c <= target)
        .min(cumulative.len() - 1)
}

/// `n` particle indices drawn with replacement in proportion to their
/// weights, from `(seed, purpose)` alone: what posterior reruns use.
pub fn resample(weights: &[f64], n: usize, seed: u64, purpose: u64) -> Vec<usize> {
    if weights.is_empty() {
        return Vec::new();
    }
    let cumulative = cumulative(weights.iter().copied());
    let k = key(seed, Stream::Posterior, purpose);
    (0..n as u64)
        .map(|i| pick(&cumulative, unit_f64(word(k, i))))
        .collect()
}

/// The Gaussian perturbation kernel: mean 0, covariance twice the weighted
/// covariance of a generation (its Cholesky factor and inverse kept).
struct Kernel {
    /// Lower-triangular Cholesky factor, row-major d x d.
    chol: Vec<f64>,
    /// The covariance's inverse, row-major.
    inverse: Vec<f64>,
    d: usize,
}

impl Kernel {
    fn of(particles: &[Particle], priors: &[Prior]) -> Kernel {
        let d = priors.len();
        let mut mean = vec![0.0; d];
        for p in particles {
            for (m, x) in mean.iter_mut().zip(&p.theta) {
                *m += p.weight * x;
            }
        }
        let mut cov = vec![0.0; d * d];
        for p in particles {
            for a in 0..d {
                for b in 0..=a {
                    cov[a * d + b] += p.weight * (p.theta[a] - mean[a]) * (p.theta[b] - mean[b]);
                }
            }
        }
        for a in 0..d {
            for b in 0..=a {
                cov[a * d + b] *= 2.0;
                cov[b * d + a] = cov[a * d + b];
            }
            // a floor, so that a collapsed dimension still moves a little
            let width = priors[a].max - priors[a].min;
            cov[a * d + a] += 1e-10 * width * width;
        }
        let chol = cholesky(&cov, d);
        let inverse = inverse_from_cholesky(&chol, d);
        Kernel { chol, inverse, d }
    }

    fn perturb(&self, theta: &[f64], rng: &mut SplitMix) -> Vec<f64> {
        let z: Vec<f64> = (0..self.d).map(|_| normal(rng.next_u64())).collect();
        (0..self.d)
            .map(|a| {
                theta[a]
                    + (0..=a)
                        .map(|b| self.chol[a * self.d + b] * z[b])
                        .sum::<f64>()
            })
            .collect()
    }

    /// `sum_j W_j K(theta | theta_j)` up to the kernel's constant factor
    /// (the same for every particle, so it cancels in the normalized weights).
    fn mixture_density(&self, theta: &[f64], particles: &[Particle]) -> f64 {
        let d = self.d;
        let mut diff = vec![0.0; d];
        particles
            .iter()
            .map(|p| {
                for a in 0..d {
                    diff[a] = theta[a] - p.theta[a];
                }
                let mut q = 0.0;
                for a in 0..d {
                    let row: f64 = (0..d).map(|b| self.inverse[a * d + b] * diff[b]).sum();
                    q += diff[a] * row;
                }
                p.weight * (-0.5 * q).exp()
            })
            .sum::<f64>()
            .max(f64::MIN_POSITIVE)
    }
}

/// The lower Cholesky factor of a symmetric positive definite matrix.
fn cholesky(a: &[f64], d: usize) -> Vec<f64> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum();
            if i == j {
                l[i * d + i] = (a[i * d + i] - s).max(f64::MIN_POSITIVE).sqrt();
            } else {
                l[i * d + j] = (a[i * d + j] - s) / l[j * d + j];
            }
        }
    }
    l
}

/// `(L L^T)^-1` from the lower factor `L`.
fn inverse_from_cholesky(l: &[f64], d: usize) -> Vec<f64> {
    // L^-1 by forward substitution, then (L^-1)^T L^-1
    let mut li = vec![0.0; d * d];
    for c in 0..d {
        for i in c..d {
            let rhs = if i == c { 1.0 } else { 0.0 };
            let s: f64 = (c..i).map(|k| l[i * d + k] * li[k * d + c]).sum();
            li[i * d + c] = (rhs - s) / l[i * d + i];
        }
    }
    let mut inv = vec![0.0; d * d];
    for a in 0..d {
        for b in 0..d {
            inv[a * d + b] = (a.max(b)..d).map(|k| li[k * d + a] * li[k * d + b]).sum();
        }
    }
    inv
}

/// The weighted `q`-quantile of `(value, weight)` pairs: the smallest value
/// whose cumulative weight reaches `q` of the total.
pub fn weighted_quantile(pairs: &[(f64, f64)], q: f64) -> f64 {
    let mut sorted = pairs.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = sorted.iter().map(|p| p.1).sum();
    let mut sum = 0.0;
    for &(v, w) in &sorted {
        sum += w;
        if sum >= q * total * (1.0 - 1e-12) {
            return v;
        }
    }
    sorted.last().map_or(f64::NAN, |p| p.0)
}

/// Weighted mean and standard deviation of one parameter.
pub fn weighted_mean_sd(pairs: &[(f64, f64)]) -> (f64, f64) {
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mean = pairs.iter().map(|(v, w)| v * w).sum::<f64>() / total;
    let var = pairs
        .iter()
        .map(|(v, w)| w * (v - mean) * (v - mean))
        .sum::<f64>()
        / total;
    (mean, var.max(0.0).sqrt())
}

#[cfg(test)]
mod tests;
