//! Comparing scenarios run under common random numbers: each scenario's
//! mean of every figure with its 95% interval, the paired difference from
//! the base scenario, replication by replication, with its interval, and
//! what the pairing gained. Pure: no I/O.

use crate::model::rng::{Stream, below, key, word};
use crate::model::{RunRecord, StepRecord};
use crate::stats::{Summary, quantile_sorted};

/// One scenario's figure, compared with the base.
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    /// The figure's name.
    pub metric: &'static str,
    /// The scenario's mean and its 95% interval.
    pub level: Summary,
    /// Mean of the paired differences (scenario minus base).
    pub diff: f64,
    /// 95% interval of the mean paired difference (Student t).
    pub diff_ci: (f64, f64),
    /// How much common random numbers shrank the variance of the
    /// difference, estimated from the paired runs alone (`None` for the
    /// base).
    pub variance_reduction: Option<Reduction>,
    /// The same, measured against runs of the scenario under another
    /// master seed (`--check-pairing`).
    pub measured_reduction: Option<f64>,
}

/// The variance reduction of a paired difference, with an approximate 95%
/// interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reduction {
    /// `(s²_X + s²_B) / s²_D`: the variance the difference of independent
    /// runs would have, over that of the paired differences D = X - B.
    pub estimate: f64,
    /// Bootstrap percentile interval over the replication pairs.
    pub ci: (f64, f64),
}

/// Bootstrap resamples for the interval of a variance reduction.
pub const REDUCTION_RESAMPLES: usize = 1000;

/// `(var(x) + var(b)) / var(x - b)` over the pairs in `rows`: infinite
/// when the paired differences do not vary but the runs do, 1 when
/// nothing varies.
fn reduction_of(x: &[f64], b: &[f64], rows: &[usize]) -> f64 {
    let n = rows.len() as f64;
    let var = |f: &dyn Fn(usize) -> f64| {
        let mean = rows.iter().map(|&i| f(i)).sum::<f64>() / n;
        rows.iter().map(|&i| (f(i) - mean).powi(2)).sum::<f64>() / (n - 1.0)
    };
    let unpaired = var(&|i| x[i]) + var(&|i| b[i]);
    let paired = var(&|i| x[i] - b[i]);
    if paired > 0.0 {
        unpaired / paired
    } else if unpaired > 0.0 {
        f64::INFINITY
    } else {
        1.0
    }
}

/// The variance reduction of the pairs `(x[i], b[i])` (at least 2), with a
/// bootstrap interval from `resamples` resamples of the pairs drawn from
/// `seed`.
///
/// Independent runs of the two scenarios would give a difference of
/// variance `s²_X + s²_B`; paired runs give `s²_D`. Their ratio is what
/// common random numbers gained, in replications: a reduction of 5 means
/// the paired comparison is as precise as an unpaired one with 5 times as
/// many replications.
pub fn variance_reduction(x: &[f64], b: &[f64], resamples: usize, seed: u64) -> Reduction {
    let n = x.len();
    let all: Vec<usize> = (0..n).collect();
    let estimate = reduction_of(x, b, &all);
    let k = key(seed, Stream::Bootstrap, 1);
    let mut rows = vec![0usize; n];
    let mut draws: Vec<f64> = (0..resamples)
        .map(|r| {
            for (i, row) in rows.iter_mut().enumerate() {
                *row = below(word(k, (r * n + i) as u64), n as u64) as usize;
            }
            reduction_of(x, b, &rows)
        })
        .collect();
    draws.sort_by(f64::total_cmp);
    let ci = if draws.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        (
            quantile_sorted(&draws, 0.025),
            quantile_sorted(&draws, 0.975),
        )
    };
    Reduction { estimate, ci }
}

/// The measured variance reduction: the variance of `independent - base`
/// (runs of the scenario under another master seed) over that of the
/// paired differences `paired - base`.
pub fn measured_reduction(base: &[f64], paired: &[f64], independent: &[f64]) -> f64 {
    let diff = |x: &[f64]| -> Vec<f64> { x.iter().zip(base).map(|(a, b)| a - b).collect() };
    let (vp, vu) = (
        Summary::of(&diff(paired)).sd.powi(2),
        Summary::of(&diff(independent)).sd.powi(2),
    );
    if vp > 0.0 {
        vu / vp
    } else if vu > 0.0 {
        f64::INFINITY
    } else {
        1.0
    }
}

/// Compares `other` with `base`, figure by figure: `names[i]` is figure
/// `i`, and `base[r][i]`, `other[r][i]` its value in replication `r`
/// (paired by index: both ran with the same master seed). With `is_base`,
/// no variance reduction is computed. `independent`, the same figures of
/// the scenario under another master seed, measures the reduction
/// directly. `seed` seeds the bootstrap.
pub fn compare_values(
    names: &[&'static str],
    base: &[Vec<f64>],
    other: &[Vec<f64>],
    is_base: bool,
    independent: Option<&[Vec<f64>]>,
    seed: u64,
) -> Vec<Compared> {
    let column = |rows: &[Vec<f64>], i: usize| -> Vec<f64> { rows.iter().map(|r| r[i]).collect() };
    names
        .iter()
        .enumerate()
        .map(|(i, metric)| {
            let (b, o) = (column(base, i), column(other, i));
            let paired: Vec<f64> = o.iter().zip(&b).map(|(x, y)| x - y).collect();
            let d = Summary::of(&paired);
            Compared {
                metric,
                level: Summary::of(&o),
                diff: d.mean,
                diff_ci: (d.ci95_low, d.ci95_high),
                variance_reduction: (!is_base)
                    .then(|| variance_reduction(&o, &b, REDUCTION_RESAMPLES, seed)),
                measured_reduction: independent
                    .filter(|_| !is_base)
                    .map(|ind| measured_reduction(&b, &o, &column(ind, i))),
            }
        })
        .collect()
}

/// The per-replication figures of run records, as rows for
/// [`compare_values`] (in [`RunRecord::FIGURES`] order).
pub fn figure_rows(records: &[RunRecord]) -> Vec<Vec<f64>> {
    records
        .iter()
        .map(|r| r.values().iter().map(|f| f.as_f64()).collect())
        .collect()
}

/// How a step figure is aggregated over a window of steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// Counts and values: summed over the window's steps.
    Sum,
    /// Levels (trust, openness): averaged over the window's steps.
    Mean,
    /// A cumulative figure (public value): its gain over the window, the
    /// value at the window's last step minus that before its first.
    Gain,
}

impl Aggregate {
    /// The name written in `window.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Sum => "sum",
            Aggregate::Mean => "mean",
            Aggregate::Gain => "gain",
        }
    }

    /// How figure `i` of [`StepRecord::FIGURES`] is aggregated.
    pub fn of_figure(i: usize) -> Aggregate {
        match StepRecord::FIGURES[i] {
            "mean_trust" | "mean_openness" => Aggregate::Mean,
            "public_value" => Aggregate::Gain,
            _ => Aggregate::Sum,
        }
    }
}

/// One replication's step figures aggregated over steps `first..=last`
/// (0-based; the steps must exist), in [`StepRecord::FIGURES`] order: see
/// [`Aggregate`].
pub fn window_figures(steps: &[StepRecord], first: usize, last: usize) -> Vec<f64> {
    let window = &steps[first..=last];
    (0..StepRecord::FIGURES.len())
        .map(|i| {
            let value = |s: &StepRecord| s.values()[i].as_f64();
            match Aggregate::of_figure(i) {
                Aggregate::Sum => window.iter().map(value).sum(),
                Aggregate::Mean => window.iter().map(value).sum::<f64>() / window.len() as f64,
                Aggregate::Gain => {
                    let before = if first == 0 {
                        0.0
                    } else {
                        value(&steps[first - 1])
                    };
                    value(&steps[last]) - before
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: &[f64]) -> Vec<Vec<f64>> {
        values.iter().map(|&v| vec![v]).collect()
    }

    #[test]
    fn paired_differences_and_their_gain() {
        // other = base + 10 exactly: the paired difference has no variance
        let base = rows(&[1.0, 5.0, 3.0, 7.0]);
        let other = rows(&[11.0, 15.0, 13.0, 17.0]);
        let independent = rows(&[17.0, 11.0, 15.0, 13.0]);
        let names = ["total_value_realized"];
        let c = compare_values(&names, &base, &other, false, Some(&independent), 1);
        let v = &c[0];
        assert_eq!(v.metric, "total_value_realized");
        assert_eq!(v.level.mean, 14.0);
        assert_eq!(v.diff, 10.0);
        assert_eq!(v.diff_ci, (10.0, 10.0));
        let r = v.variance_reduction.unwrap();
        assert_eq!(r.estimate, f64::INFINITY);
        assert_eq!(v.measured_reduction, Some(f64::INFINITY));
        // the base against itself: no difference, no reduction
        let c = compare_values(&names, &base, &base, true, None, 1);
        assert_eq!((c[0].diff, c[0].diff_ci), (0.0, (0.0, 0.0)));
        assert_eq!(c[0].variance_reduction, None);
        assert_eq!(c[0].measured_reduction, None);
    }

    #[test]
    fn the_estimated_reduction_matches_its_definition_and_the_measured_one() {
        // X = B + e with B of variance 4 and e of variance 1: independent
        // runs would give var(X) + var(B) = 5 + 4 = 9, pairs give 1
        let n = 4000;
        let k = key(3, Stream::Bootstrap, 2);
        let normal = |i: u64| -> f64 {
            (0..12)
                .map(|j| crate::model::rng::unit_f64(word(k, i * 12 + j)))
                .sum::<f64>()
                - 6.0
        };
        let b: Vec<f64> = (0..n).map(|i| 2.0 * normal(i)).collect();
        let x: Vec<f64> = (0..n).map(|i| b[i as usize] + normal(n + i)).collect();
        let independent: Vec<f64> = (0..n)
            .map(|i| 2.0 * normal(2 * n + i) + normal(3 * n + i))
            .collect();
        let r = variance_reduction(&x, &b, 500, 7);
        // its definition, computed directly
        let var = |v: &[f64]| Summary::of(v).sd.powi(2);
        let d: Vec<f64> = x.iter().zip(&b).map(|(a, c)| a - c).collect();
        assert!((r.estimate - (var(&x) + var(&b)) / var(&d)).abs() < 1e-12);
        assert!((r.estimate - 9.0).abs() < 0.5, "{}", r.estimate);
        assert!(r.ci.0 < r.estimate && r.estimate < r.ci.1);
        assert!(r.ci.0 < 9.0 && 9.0 < r.ci.1, "{:?}", r.ci);
        // the direct measurement, against independently drawn runs, agrees
        let m = measured_reduction(&b, &x, &independent);
        assert!((m - 9.0).abs() < 0.8, "{m}");
        // without pairing there is nothing to gain
        let none = variance_reduction(&independent, &b, 200, 7);
        assert!((none.estimate - 1.0).abs() < 0.1, "{}", none.estimate);
    }

    #[test]
    fn windows_sum_counts_average_levels_and_take_the_gain_of_totals() {
        let steps: Vec<StepRecord> = (0..5)
            .map(|t| StepRecord {
                step: t,
                participants: u64::from(t) + 1,
                value_realized: 2.0 * f64::from(t),
                mean_trust: 0.1 * f64::from(t),
                public_value: 10.0 * f64::from(t + 1),
                ..StepRecord::default()
            })
            .collect();
        let w = window_figures(&steps, 1, 3);
        let at = |name: &str| w[StepRecord::FIGURES.iter().position(|f| *f == name).unwrap()];
        assert_eq!(at("participants"), 2.0 + 3.0 + 4.0);
        assert_eq!(at("value_realized"), 2.0 + 4.0 + 6.0);
        assert!((at("mean_trust") - 0.2).abs() < 1e-12);
        assert_eq!(at("public_value"), 40.0 - 10.0);
        let whole = window_figures(&steps, 0, 4);
        assert_eq!(
            whole[StepRecord::FIGURES
                .iter()
                .position(|f| *f == "public_value")
                .unwrap()],
            50.0
        );
    }
}
