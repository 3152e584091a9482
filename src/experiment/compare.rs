//! Comparing scenarios run under common random numbers: each scenario's
//! mean of every figure with its 95% interval, and the paired difference
//! from the base scenario, replication by replication, with its interval.
//! Pure: no I/O.

use crate::model::RunRecord;
use crate::stats::Summary;

/// One scenario's figure, compared with the base.
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    /// The figure, one of [`RunRecord::FIGURES`].
    pub metric: &'static str,
    /// The scenario's mean and its 95% interval.
    pub level: Summary,
    /// Mean of the paired differences (scenario minus base).
    pub diff: f64,
    /// 95% interval of the mean paired difference (Student t).
    pub diff_ci: (f64, f64),
    /// How much common random numbers shrank the variance of the
    /// difference: its variance between independently seeded runs divided
    /// by its variance between paired runs (`None` for the base, or when
    /// independent runs were not made).
    pub variance_reduction: Option<f64>,
}

/// Compares `other` with `base`, figure by figure. Replications are paired
/// by index (both run with the same master seed). `independent`, runs of
/// the same scenario under another master seed, measures what the pairing
/// gained.
pub fn compare(
    base: &[RunRecord],
    other: &[RunRecord],
    independent: Option<&[RunRecord]>,
) -> Vec<Compared> {
    let column = |records: &[RunRecord], i: usize| -> Vec<f64> {
        records.iter().map(|r| r.values()[i].as_f64()).collect()
    };
    RunRecord::FIGURES
        .iter()
        .enumerate()
        .map(|(i, metric)| {
            let (b, o) = (column(base, i), column(other, i));
            let paired: Vec<f64> = o.iter().zip(&b).map(|(x, y)| x - y).collect();
            let d = Summary::of(&paired);
            let variance_reduction = independent.map(|ind| {
                let unpaired: Vec<f64> =
                    column(ind, i).iter().zip(&b).map(|(x, y)| x - y).collect();
                let (vp, vu) = (d.sd * d.sd, Summary::of(&unpaired).sd.powi(2));
                if vp > 0.0 {
                    vu / vp
                } else if vu > 0.0 {
                    f64::INFINITY
                } else {
                    1.0
                }
            });
            Compared {
                metric,
                level: Summary::of(&o),
                diff: d.mean,
                diff_ci: (d.ci95_low, d.ci95_high),
                variance_reduction,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(values: &[f64]) -> Vec<RunRecord> {
        values
            .iter()
            .map(|&v| RunRecord {
                total_value_realized: v,
                ..RunRecord::default()
            })
            .collect()
    }

    #[test]
    fn paired_differences_and_their_gain() {
        // other = base + 10 exactly: the paired difference has no variance
        let base = records(&[1.0, 5.0, 3.0, 7.0]);
        let other = records(&[11.0, 15.0, 13.0, 17.0]);
        let independent = records(&[17.0, 11.0, 15.0, 13.0]);
        let c = compare(&base, &other, Some(&independent));
        let v = &c[0];
        assert_eq!(v.metric, "total_value_realized");
        assert_eq!(v.level.mean, 14.0);
        assert_eq!(v.diff, 10.0);
        assert_eq!(v.diff_ci, (10.0, 10.0));
        assert_eq!(v.variance_reduction, Some(f64::INFINITY));
        // the base against itself: no difference
        let c = compare(&base, &base, None);
        assert_eq!((c[0].diff, c[0].diff_ci), (0.0, (0.0, 0.0)));
        assert_eq!(c[0].variance_reduction, None);
    }
}
