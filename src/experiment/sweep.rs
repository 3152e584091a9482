//! The points of a sweep, from its design, and the sensitivity analysis of
//! their results. Pure: no I/O.

use super::design::{self, Design, Trajectory};
use super::sensitivity::{self, Convergence, MorrisEffect, SobolIndex};
use crate::scenario::Sweep;

/// The points of a sweep and how they are arranged.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Factor values of each point, in factor order.
    pub points: Vec<Vec<f64>>,
    /// What the points are, for the sensitivity analysis.
    pub layout: Layout,
}

/// How the points of a plan are arranged.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// Grid or Latin hypercube: no sensitivity analysis.
    Plain,
    /// Saltelli: `n` points of A, `n` of B, then `n` of each AB_j.
    Sobol {
        /// Base samples.
        n: usize,
    },
    /// Morris: the trajectories' points one after the other, d + 1 each.
    Morris {
        /// The trajectories, in the unit cube.
        trajectories: Vec<Trajectory>,
    },
}

/// The points of a sweep.
pub fn plan(sweep: &Sweep) -> Plan {
    let d = sweep.factors.len();
    let n = sweep.samples as usize;
    let values = |unit: &[f64]| -> Vec<f64> {
        sweep
            .factors
            .iter()
            .zip(unit)
            .map(|(f, &u)| f.at(u))
            .collect()
    };
    match sweep.design {
        Design::Grid => {
            let per_factor: Vec<Vec<f64>> = sweep.factors.iter().map(|f| f.grid_values()).collect();
            Plan {
                points: design::grid(&per_factor),
                layout: Layout::Plain,
            }
        }
        Design::Lhs => Plan {
            points: design::latin_hypercube(n, d, sweep.seed)
                .iter()
                .map(|u| values(u))
                .collect(),
            layout: Layout::Plain,
        },
        Design::Sobol => {
            let s = design::saltelli(n, d, sweep.seed);
            let points =
                s.a.iter()
                    .chain(&s.b)
                    .chain(s.ab.iter().flatten())
                    .map(|u| values(u))
                    .collect();
            Plan {
                points,
                layout: Layout::Sobol { n },
            }
        }
        Design::Morris => {
            let p = sweep.levels;
            let trajectories = design::morris(n, p as usize, d, sweep.seed);
            // each level from its index, as grids take theirs
            let points = trajectories
                .iter()
                .flat_map(|t| {
                    t.levels.iter().map(|point| {
                        (sweep.factors.iter())
                            .zip(point)
                            .map(|(f, &l)| f.level(l, p))
                            .collect()
                    })
                })
                .collect();
            Plan {
                points,
                layout: Layout::Morris { trajectories },
            }
        }
    }
}

/// The sensitivity of one figure to every factor.
#[derive(Clone, Debug, PartialEq)]
pub enum Sensitivity {
    /// Sobol indices, per factor.
    Sobol(Vec<SobolIndex>),
    /// Morris statistics, per factor.
    Morris(Vec<MorrisEffect>),
}

/// Bootstrap resamples for the intervals of Sobol indices.
pub const BOOTSTRAP_RESAMPLES: usize = 500;

/// The sensitivity of a figure, from its mean at every point of the plan
/// (in plan order); `None` for designs without a sensitivity analysis.
pub fn sensitivity(plan: &Plan, factors: usize, means: &[f64], seed: u64) -> Option<Sensitivity> {
    match &plan.layout {
        Layout::Plain => None,
        Layout::Sobol { n } => {
            let (f_a, f_b, f_ab) = saltelli_parts(*n, factors, means);
            Some(Sensitivity::Sobol(sensitivity::sobol_indices(
                f_a,
                f_b,
                &f_ab,
                BOOTSTRAP_RESAMPLES,
                seed,
            )))
        }
        Layout::Morris { trajectories } => {
            let per = factors + 1;
            let outputs: Vec<Vec<f64>> = means.chunks(per).map(<[f64]>::to_vec).collect();
            Some(Sensitivity::Morris(sensitivity::morris_effects(
                trajectories,
                &outputs,
                factors,
            )))
        }
    }
}

/// For Sobol designs, the indices of a figure recomputed on the first N/8,
/// N/4, N/2 and all N base samples ([`sensitivity::convergence`]); empty
/// for other designs.
pub fn convergence(plan: &Plan, factors: usize, means: &[f64]) -> Vec<Convergence> {
    match &plan.layout {
        Layout::Sobol { n } => {
            let (f_a, f_b, f_ab) = saltelli_parts(*n, factors, means);
            sensitivity::convergence(f_a, f_b, &f_ab)
        }
        _ => Vec::new(),
    }
}

/// The figure at the points of A, of B and of each AB_j, from the means in
/// plan order.
fn saltelli_parts(n: usize, factors: usize, means: &[f64]) -> (&[f64], &[f64], Vec<Vec<f64>>) {
    let f_ab = (0..factors)
        .map(|j| means[(2 + j) * n..(3 + j) * n].to_vec())
        .collect();
    (&means[..n], &means[n..2 * n], f_ab)
}

/// The sensitivity analysis of one figure of a sweep, as the files hold it.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureAnalysis {
    /// The figure, one of [`crate::RunRecord::FIGURES`].
    pub metric: &'static str,
    /// Its indices per factor.
    pub sensitivity: Sensitivity,
    /// See [`noise_share`].
    pub noise_share: f64,
    /// Sobol designs: the indices on growing prefixes of the base samples.
    pub convergence: Vec<Convergence>,
}

/// The share of the variance of point means that replication noise alone
/// would give: the mean within-point variance over `replications`, divided
/// by the variance of the point means (0 when the means do not vary).
/// Near 1, the design cannot tell the factors' effects from noise.
/// NaN when it cannot be told: fewer than 2 replications or points.
pub fn noise_share(within_variances: &[f64], means: &[f64], replications: u32) -> f64 {
    let k = means.len() as f64;
    if k < 2.0 || replications < 2 || means.iter().any(|m| !m.is_finite()) {
        return f64::NAN;
    }
    let m = means.iter().sum::<f64>() / k;
    let between = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (k - 1.0);
    let within = within_variances
        .iter()
        .filter(|v| v.is_finite())
        .sum::<f64>()
        / k;
    if between == 0.0 {
        0.0
    } else {
        (within / f64::from(replications) / between).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    fn sweep(text: &str) -> Sweep {
        Sweep::from_toml(text, "s.toml", "s", |p| Scenario::from_toml("", p, "b")).unwrap()
    }

    #[test]
    fn plans_have_the_size_of_their_design() {
        let g = plan(&sweep(
            "design = \"grid\"\n[factors]\n\"population.agencies\" = { values = [10, 20] }\n\"governance.feedback\" = { min = 0, max = 1, steps = 3 }\n",
        ));
        assert_eq!(g.points.len(), 6);
        assert_eq!(g.points[0], [10.0, 0.0]);
        let s = plan(&sweep(
            "design = \"sobol\"\nsamples = 16\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n\"governance.feedback\" = { min = 0.2, max = 0.4 }\n",
        ));
        assert_eq!(s.points.len(), 16 * 4);
        assert!(s.points.iter().all(|p| (0.2..=0.4).contains(&p[1])));
        let m = plan(&sweep(
            "design = \"morris\"\nsamples = 5\nlevels = 4\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n\"population.agencies\" = { min = 10, max = 40 }\n",
        ));
        assert_eq!(m.points.len(), 5 * 3);
        assert!(
            m.points.iter().all(|p| p[1].fract() == 0.0),
            "integers stay integers"
        );
        let l = plan(&sweep(
            "design = \"lhs\"\nsamples = 7\nseed = 3\n[factors]\n\"inhibitors.low_trust\" = { min = 0, max = 1 }\n",
        ));
        assert_eq!(l.points.len(), 7);
    }

    #[test]
    fn morris_levels_are_exact_and_the_grids_own() {
        for levels in [4, 6, 8] {
            let m = plan(&sweep(&format!(
                "design = \"morris\"\nsamples = 40\nlevels = {levels}\n[factors]\n\"inhibitors.low_trust\" = {{ min = 0, max = 1 }}\n\"governance.feedback\" = {{ min = 0.1, max = 0.9 }}\n\"value.alpha\" = {{ min = 0.3, max = 0.7 }}\n"
            )));
            let g = plan(&sweep(&format!(
                "design = \"grid\"\n[factors]\n\"inhibitors.low_trust\" = {{ min = 0, max = 1, steps = {levels} }}\n\"governance.feedback\" = {{ min = 0.1, max = 0.9, steps = {levels} }}\n\"value.alpha\" = {{ min = 0.3, max = 0.7, steps = {levels} }}\n"
            )));
            for j in 0..3 {
                let distinct = |points: &[Vec<f64>]| {
                    let mut v: Vec<u64> = points.iter().map(|p| p[j].to_bits()).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                };
                // exactly `levels` numbers, bit for bit, and the grid's
                assert_eq!(
                    distinct(&m.points).len(),
                    levels,
                    "factor {j}, {levels} levels"
                );
                assert_eq!(distinct(&m.points), distinct(&g.points), "factor {j}");
            }
        }
        // an integer factor with fewer integers than levels is refused
        let err = Sweep::from_toml(
            "design = \"morris\"\nsamples = 4\nlevels = 6\n[factors]\n\"population.agencies\" = { min = 1, max = 3 }\n",
            "s.toml",
            "s",
            |p| Scenario::from_toml("", p, "b"),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("cannot take 6 distinct values"),
            "{err}"
        );
    }

    #[test]
    fn noise_share_of_pure_noise_is_about_one() {
        // point means that vary only by noise of variance 1 / R around 0
        let means = [0.1, -0.2, 0.15, -0.05, 0.0, 0.2, -0.1, -0.15];
        let var = means.iter().map(|x: &f64| x * x).sum::<f64>() / 7.0;
        let within = vec![var * 10.0; 8];
        assert!((noise_share(&within, &means, 10) - 1.0).abs() < 0.05);
        assert_eq!(noise_share(&[0.5, 0.5], &[1.0, 1.0], 10), 0.0);
        assert!(noise_share(&within, &means, 1).is_nan());
    }
}
