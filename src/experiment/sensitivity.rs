//! Sensitivity analysis of a figure over the factors of a sweep: Sobol
//! indices from the Saltelli scheme, with bootstrap intervals, and Morris
//! elementary effects. Pure: the caller supplies the figure's value at each
//! point of the design (for a stochastic model, the mean over replications
//! at that point).

use super::design::Trajectory;
use crate::model::rng::{Stream, below, key, word};
use crate::stats::quantile_sorted;

/// First-order and total Sobol indices of one factor, with 95% bootstrap
/// intervals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SobolIndex {
    /// First-order index S1: the share of the variance the factor explains alone.
    pub s1: f64,
    /// 95% interval of S1 (bootstrap percentiles).
    pub s1_ci: (f64, f64),
    /// Total index ST: the share it explains with all its interactions.
    pub st: f64,
    /// 95% interval of ST.
    pub st_ci: (f64, f64),
}

/// The estimates of S1 and ST for every factor, from the figure at the
/// points of A, B and each AB_j, over the base samples in `rows`.
fn estimate(f_a: &[f64], f_b: &[f64], f_ab: &[Vec<f64>], rows: &[usize]) -> Vec<(f64, f64)> {
    let n = rows.len() as f64;
    let mean = rows.iter().map(|&i| f_a[i] + f_b[i]).sum::<f64>() / (2.0 * n);
    let variance = rows
        .iter()
        .map(|&i| (f_a[i] - mean).powi(2) + (f_b[i] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * n - 1.0);
    f_ab.iter()
        .map(|f_abj| {
            if variance == 0.0 {
                return (0.0, 0.0);
            }
            // Saltelli et al. (2010) for S1, Jansen (1999) for ST
            let s1 = rows
                .iter()
                .map(|&i| f_b[i] * (f_abj[i] - f_a[i]))
                .sum::<f64>()
                / n;
            let st = rows
                .iter()
                .map(|&i| (f_a[i] - f_abj[i]).powi(2))
                .sum::<f64>()
                / (2.0 * n);
            (s1 / variance, st / variance)
        })
        .collect()
}

/// Sobol indices of every factor from the figure at the points of a
/// [`super::design::Saltelli`] design: `f_a[i]`, `f_b[i]` and `f_ab[j][i]`.
/// Intervals come from `resamples` bootstrap resamples of the base samples,
/// drawn from `seed`.
pub fn sobol_indices(
    f_a: &[f64],
    f_b: &[f64],
    f_ab: &[Vec<f64>],
    resamples: usize,
    seed: u64,
) -> Vec<SobolIndex> {
    let n = f_a.len();
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(f_a, f_b, f_ab, &all);
    let k = key(seed, Stream::Bootstrap, 0);
    let mut draws: Vec<Vec<(f64, f64)>> = vec![Vec::with_capacity(resamples); f_ab.len()];
    let mut rows = vec![0usize; n];
    for b in 0..resamples {
        for (i, r) in rows.iter_mut().enumerate() {
            *r = below(word(k, (b * n + i) as u64), n as u64) as usize;
        }
        for (j, e) in estimate(f_a, f_b, f_ab, &rows).into_iter().enumerate() {
            draws[j].push(e);
        }
    }
    point
        .into_iter()
        .zip(draws)
        .map(|((s1, st), d)| {
            let interval = |mut v: Vec<f64>| {
                if v.is_empty() {
                    return (f64::NAN, f64::NAN);
                }
                v.sort_by(f64::total_cmp);
                (quantile_sorted(&v, 0.025), quantile_sorted(&v, 0.975))
            };
            SobolIndex {
                s1,
                s1_ci: interval(d.iter().map(|e| e.0).collect()),
                st,
                st_ci: interval(d.iter().map(|e| e.1).collect()),
            }
        })
        .collect()
}

/// Elementary-effect statistics of one factor (Morris 1991; mu* from
/// Campolongo, Cariboni & Saltelli 2007).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MorrisEffect {
    /// Mean of the elementary effects.
    pub mu: f64,
    /// Mean of their absolute values: the factor's overall influence.
    pub mu_star: f64,
    /// Their standard deviation: non-linearity and interactions.
    pub sigma: f64,
}

/// Morris statistics of every factor, from the figure at the points of each
/// trajectory (`outputs[t][s]` at `trajectories[t].points[s]`), factors
/// measured in the unit cube.
pub fn morris_effects(
    trajectories: &[Trajectory],
    outputs: &[Vec<f64>],
    factors: usize,
) -> Vec<MorrisEffect> {
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); factors];
    for (t, y) in trajectories.iter().zip(outputs) {
        for (s, (&j, &step)) in t.factor.iter().zip(&t.step).enumerate() {
            effects[j].push((y[s + 1] - y[s]) / step);
        }
    }
    effects
        .into_iter()
        .map(|e| {
            let r = e.len() as f64;
            let mu = e.iter().sum::<f64>() / r;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / r;
            let sigma = if e.len() > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (r - 1.0)).sqrt()
            } else {
                0.0
            };
            MorrisEffect { mu, mu_star, sigma }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::design::{morris, saltelli};
    use super::*;
    use std::f64::consts::PI;

    /// The Ishigami function with a = 7, b = 0.1, on the unit cube mapped to [-pi, pi]^3.
    fn ishigami(x: &[f64]) -> f64 {
        let [x1, x2, x3] = [x[0], x[1], x[2]].map(|u| -PI + 2.0 * PI * u);
        x1.sin() + 7.0 * x2.sin().powi(2) + 0.1 * x3.powi(4) * x1.sin()
    }

    #[test]
    fn sobol_indices_of_the_ishigami_function() {
        // analytic: S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
        let design = saltelli(8192, 3, 11);
        let f_a: Vec<f64> = design.a.iter().map(|x| ishigami(x)).collect();
        let f_b: Vec<f64> = design.b.iter().map(|x| ishigami(x)).collect();
        let f_ab: Vec<Vec<f64>> = design
            .ab
            .iter()
            .map(|m| m.iter().map(|x| ishigami(x)).collect())
            .collect();
        let idx = sobol_indices(&f_a, &f_b, &f_ab, 200, 5);
        let expected = [(0.314, 0.558), (0.442, 0.442), (0.0, 0.244)];
        for (i, (s1, st)) in expected.into_iter().enumerate() {
            assert!((idx[i].s1 - s1).abs() < 0.02, "S1[{i}] = {}", idx[i].s1);
            assert!((idx[i].st - st).abs() < 0.02, "ST[{i}] = {}", idx[i].st);
            assert!(idx[i].s1_ci.0 <= idx[i].s1 && idx[i].s1 <= idx[i].s1_ci.1);
            assert!(idx[i].st_ci.0 <= idx[i].st && idx[i].st <= idx[i].st_ci.1);
            // the intervals are tight at this sample size
            assert!(idx[i].st_ci.1 - idx[i].st_ci.0 < 0.1);
        }
    }

    #[test]
    fn a_constant_figure_has_zero_indices() {
        let idx = sobol_indices(&[1.0; 10], &[1.0; 10], &[vec![1.0; 10]], 20, 1);
        assert_eq!((idx[0].s1, idx[0].st), (0.0, 0.0));
    }

    #[test]
    fn morris_effects_of_known_functions() {
        let d = 4;
        let trajectories = morris(30, 4, d, 9);
        // linear: every elementary effect of factor j is exactly c_j
        let c = [3.0, -2.0, 0.5, 0.0];
        let linear = |x: &[f64]| x.iter().zip(&c).map(|(a, b)| a * b).sum::<f64>();
        let outputs: Vec<Vec<f64>> = trajectories
            .iter()
            .map(|t| t.points.iter().map(|p| linear(p)).collect())
            .collect();
        let e = morris_effects(&trajectories, &outputs, d);
        for j in 0..d {
            assert!((e[j].mu - c[j]).abs() < 1e-9);
            assert!((e[j].mu_star - c[j].abs()).abs() < 1e-9);
            assert!(e[j].sigma < 1e-9);
        }
        // with an interaction x0 x1 and a quadratic x2^2: sigma > 0 there,
        // and mu* ranks the factors by influence
        let f = |x: &[f64]| 10.0 * x[0] * x[1] + 4.0 * x[2] * x[2] + 0.1 * x[3];
        let outputs: Vec<Vec<f64>> = trajectories
            .iter()
            .map(|t| t.points.iter().map(|p| f(p)).collect())
            .collect();
        let e = morris_effects(&trajectories, &outputs, d);
        assert!(e[0].sigma > 1.0 && e[1].sigma > 1.0 && e[2].sigma > 0.5);
        assert!(e[3].sigma < 1e-9);
        assert!(e[0].mu_star > e[2].mu_star && e[2].mu_star > e[3].mu_star);
    }
}
