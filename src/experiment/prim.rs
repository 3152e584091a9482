//! Scenario discovery with PRIM, the Patient Rule Induction Method
//! (Friedman & Fisher 1999), as the EMA Workbench runs it with its
//! original objective: over the points of a sweep, find boxes (a range of
//! each factor) in which the cases of interest (say, realized value below
//! half of the baseline's) are dense. Pure: no I/O.
//!
//! **Peeling.** Starting from the box of all points, each step considers,
//! for every factor, removing the `peel_alpha` quantile slice below the
//! box (raising its lower limit to that quantile) or above it (lowering
//! its upper limit), computed over the points in the box. The candidate
//! whose points have the highest share of cases (the original objective)
//! wins; among equals, the one restricting fewer factors, then the first
//! considered (factors in order, the upper slice before the lower). It is
//! taken while the box keeps at least `mass_min` of the points and loses
//! some. Every box along the way is a step of the *peeling trajectory*.
//!
//! **Pasting.** Then the last box is widened again where that raises the
//! share of cases: for each restricted factor, by the `paste_alpha`
//! quantile slice of the points just outside it (below its lower limit
//! or above its upper one, within the other limits).
//!
//! Quantiles are those of the EMA Workbench (from sdtoolkit): the middle
//! of the two order statistics around `(n - 1) q`, moved outward past any
//! run of equal values, so that a peel always removes whole ties.
//!
//! This module is the algorithm only; `cocreate discover` (issue 11) will
//! read a sweep's points, call it and write the trajectory and the boxes.

/// PRIM's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrimOptions {
    /// The share of the box's points a peel removes (EMA: 0.05).
    pub peel_alpha: f64,
    /// The share of the points next to the box a paste adds (EMA: 0.05).
    pub paste_alpha: f64,
    /// The smallest share of all points a box may hold (EMA: 0.05).
    pub mass_min: f64,
}

impl Default for PrimOptions {
    fn default() -> PrimOptions {
        PrimOptions {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
        }
    }
}

/// One box of a trajectory: its limits and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct PrimBox {
    /// Per factor, the lower and upper limit (both included).
    pub limits: Vec<(f64, f64)>,
    /// The points in the box, ascending.
    pub points: Vec<usize>,
    /// The share of all cases of interest that are in the box.
    pub coverage: f64,
    /// The share of the box's points that are cases of interest.
    pub density: f64,
    /// The share of all points in the box.
    pub mass: f64,
    /// The factors whose limits are narrower than those of all points.
    pub restricted: Vec<usize>,
}

/// The data PRIM works on: `x[j][i]` is factor j at point i, `case[i]`
/// whether point i is a case of interest.
#[derive(Clone, Copy, Debug)]
pub struct PrimData<'a> {
    /// The factors' values, factor by factor.
    pub x: &'a [Vec<f64>],
    /// Which points are cases of interest.
    pub case: &'a [bool],
}

impl PrimData<'_> {
    fn points(&self) -> usize {
        self.case.len()
    }

    /// The box of limits `limits` over the points `among`.
    fn inside(&self, limits: &[(f64, f64)], among: &[usize]) -> Vec<usize> {
        among
            .iter()
            .copied()
            .filter(|&i| {
                limits
                    .iter()
                    .zip(self.x)
                    .all(|(&(lo, hi), xj)| xj[i] >= lo && xj[i] <= hi)
            })
            .collect()
    }

    fn cases(&self, points: &[usize]) -> usize {
        points.iter().filter(|&&i| self.case[i]).count()
    }

    /// The box's statistics, against `initial` (the limits of all points)
    /// and the cases among all points.
    fn describe(
        &self,
        limits: Vec<(f64, f64)>,
        points: Vec<usize>,
        initial: &[(f64, f64)],
    ) -> PrimBox {
        let n = self.points() as f64;
        let all_cases = self.case.iter().filter(|&&c| c).count() as f64;
        let inside = self.cases(&points) as f64;
        let restricted = limits
            .iter()
            .zip(initial)
            .enumerate()
            .filter(|(_, (l, i))| l != i)
            .map(|(j, _)| j)
            .collect();
        PrimBox {
            coverage: if all_cases > 0.0 {
                inside / all_cases
            } else {
                0.0
            },
            density: if points.is_empty() {
                0.0
            } else {
                inside / points.len() as f64
            },
            mass: points.len() as f64 / n,
            limits,
            points,
            restricted,
        }
    }
}

/// The EMA Workbench's quantile `q` (0 < q < 1) of `values` (not empty):
/// the mean of the order statistics at floor and ceil of `(n - 1) q`,
/// the one beyond a run of equal values moved outward (down for q > 0.5,
/// up otherwise) until the two differ or the data ends.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut data = values.to_vec();
    data.sort_by(f64::total_cmp);
    let i = (data.len() - 1) as f64 * q;
    let (mut lower, mut upper) = (i.floor() as usize, i.ceil() as usize);
    if q > 0.5 {
        while data[lower] == data[upper] && lower > 0 {
            lower -= 1;
        }
    } else {
        while data[lower] == data[upper] && upper < data.len() - 1 {
            upper += 1;
        }
    }
    (data[lower] + data[upper]) / 2.0
}

/// The limits of all points: each factor's minimum and maximum.
pub fn initial_limits(data: &PrimData) -> Vec<(f64, f64)> {
    data.x
        .iter()
        .map(|xj| {
            xj.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                })
        })
        .collect()
}

/// A candidate box: its limits, its points, and its score (density, then
/// the number of factors it leaves unrestricted).
struct Candidate {
    limits: Vec<(f64, f64)>,
    points: Vec<usize>,
    score: (f64, usize),
}

/// The first candidate of highest score (the EMA Workbench sorts by score,
/// stably, in descending order and takes the first).
fn best(candidates: Vec<Candidate>) -> Option<Candidate> {
    let mut best: Option<Candidate> = None;
    for c in candidates {
        let better = best.as_ref().is_none_or(|b| {
            c.score.0 > b.score.0 || (c.score.0 == b.score.0 && c.score.1 > b.score.1)
        });
        if better {
            best = Some(c);
        }
    }
    best
}

/// The original objective: the share of cases among the candidate's
/// points (-1 for none).
fn objective(data: &PrimData, points: &[usize]) -> f64 {
    if points.is_empty() {
        -1.0
    } else {
        data.cases(points) as f64 / points.len() as f64
    }
}

fn unrestricted(limits: &[(f64, f64)], initial: &[(f64, f64)]) -> usize {
    limits.iter().zip(initial).filter(|(l, i)| l == i).count()
}

/// The peeling trajectory and the pasted box of one PRIM box over the
/// points `among` (all points for the first box; those left outside the
/// boxes found so far for the next ones). The trajectory's first box is
/// that of `among`'s points within `initial`.
pub fn find_box(
    data: &PrimData,
    among: &[usize],
    initial: &[(f64, f64)],
    options: &PrimOptions,
) -> (Vec<PrimBox>, PrimBox) {
    let n = data.points() as f64;
    let mut limits = initial.to_vec();
    let mut points = data.inside(&limits, among);
    let mut trajectory = vec![data.describe(limits.clone(), points.clone(), initial)];
    // peeling
    loop {
        let mut candidates = Vec::new();
        for (j, xj) in data.x.iter().enumerate() {
            if points.is_empty() {
                break;
            }
            let values: Vec<f64> = points.iter().map(|&i| xj[i]).collect();
            for upper in [true, false] {
                let q = if upper {
                    1.0 - options.peel_alpha
                } else {
                    options.peel_alpha
                };
                let cut = quantile(&values, q);
                let kept: Vec<usize> = points
                    .iter()
                    .copied()
                    .filter(|&i| if upper { xj[i] <= cut } else { xj[i] >= cut })
                    .collect();
                let mut new = limits.clone();
                if upper {
                    new[j].1 = cut;
                } else {
                    new[j].0 = cut;
                }
                let score = (objective(data, &kept), unrestricted(&new, initial));
                candidates.push(Candidate {
                    limits: new,
                    points: kept,
                    score,
                });
            }
        }
        let Some(c) = best(candidates) else { break };
        let (mass_old, mass_new) = (points.len() as f64 / n, c.points.len() as f64 / n);
        if mass_new >= options.mass_min && mass_new < mass_old && c.score.0 > 0.0 {
            limits = c.limits;
            points = c.points;
            trajectory.push(data.describe(limits.clone(), points.clone(), initial));
        } else {
            break;
        }
    }
    // pasting
    loop {
        let mut candidates = Vec::new();
        for j in 0..data.x.len() {
            if limits[j] == initial[j] {
                continue;
            }
            for lower in [true, false] {
                // the points just outside the box along factor j
                let mut beyond = limits.clone();
                beyond[j] = if lower {
                    (initial[j].0, limits[j].0)
                } else {
                    (limits[j].1, initial[j].1)
                };
                let outside: Vec<f64> = data
                    .inside(&beyond, among)
                    .iter()
                    .map(|&i| data.x[j][i])
                    .collect();
                let mut new = limits.clone();
                if lower {
                    new[j].0 = if outside.is_empty() {
                        initial[j].0
                    } else {
                        quantile(&outside, 1.0 - options.paste_alpha)
                    };
                } else {
                    new[j].1 = if outside.is_empty() {
                        initial[j].1
                    } else {
                        quantile(&outside, options.paste_alpha)
                    };
                }
                let pasted = data.inside(&new, among);
                let score = (objective(data, &pasted), unrestricted(&new, initial));
                candidates.push(Candidate {
                    limits: new,
                    points: pasted,
                    score,
                });
            }
        }
        let Some(c) = best(candidates) else { break };
        let (mass_old, mass_new) = (points.len() as f64 / n, c.points.len() as f64 / n);
        let (mean_old, mean_new) = (objective(data, &points), c.score.0);
        if mass_new >= options.mass_min
            && mass_new > mass_old
            && mean_new > 0.0
            && mean_new > mean_old
        {
            limits = c.limits;
            points = c.points;
        } else {
            break;
        }
    }
    let pasted = data.describe(limits, points, initial);
    (trajectory, pasted)
}

/// The box of the trajectory (or the pasted box, appended last) that a
/// researcher is shown: the one of highest coverage whose density is at
/// least `threshold`; `None` when no box is that dense.
pub fn chosen(trajectory: &[PrimBox], threshold: f64) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (k, b) in trajectory.iter().enumerate() {
        if b.density >= threshold && best.is_none_or(|c| b.coverage > trajectory[c].coverage) {
            best = Some(k);
        }
    }
    best
}

/// The probability that a binomial(n, p) count is at least `k` (the
/// one-sided binomial test of the EMA Workbench's quasi-p-values).
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    // ln of the probability of exactly k, then the terms above it by
    // their ratio (n - j) / (j + 1) * p / (1 - p)
    let ln_choose: f64 = (1..=k).map(|i| ((n - k + i) as f64 / i as f64).ln()).sum();
    let mut term = (ln_choose + k as f64 * p.ln() + (n - k) as f64 * (-p).ln_1p()).exp();
    let ratio = p / (1.0 - p);
    let mut sum = 0.0;
    for j in k..=n {
        sum += term;
        // past the mode the terms only fall: stop once they no longer count
        if (j as f64) > n as f64 * p && term < sum * 1e-17 {
            break;
        }
        term *= (n - j) as f64 / (j + 1) as f64 * ratio;
    }
    sum.min(1.0)
}

/// The quasi-p-values of a box's limits, as the EMA Workbench reports
/// them: for each restricted limit, the one-sided binomial test that the
/// box's share of cases could come from the box with that one limit
/// removed. Per factor (lower, upper); NaN for a limit left at its initial
/// value.
pub fn quasi_p_values(
    data: &PrimData,
    b: &PrimBox,
    among: &[usize],
    initial: &[(f64, f64)],
) -> Vec<(f64, f64)> {
    let (hits, total) = (data.cases(&b.points) as u64, b.points.len() as u64);
    let test = |limits: &[(f64, f64)]| {
        let relaxed = data.inside(limits, among);
        if relaxed.is_empty() {
            return f64::NAN;
        }
        let p = data.cases(&relaxed) as f64 / relaxed.len() as f64;
        binomial_upper_tail(hits, total, p)
    };
    b.limits
        .iter()
        .enumerate()
        .map(|(j, &(lo, hi))| {
            let side = |lower: bool| {
                let (value, init) = if lower {
                    (lo, initial[j].0)
                } else {
                    (hi, initial[j].1)
                };
                if value == init {
                    return f64::NAN;
                }
                let mut relaxed = b.limits.clone();
                if lower {
                    relaxed[j].0 = init;
                } else {
                    relaxed[j].1 = init;
                }
                test(&relaxed)
            };
            (side(true), side(false))
        })
        .collect()
}

/// Boxes one after the other (covering, as the EMA Workbench does): each
/// over the points no earlier box holds, with the limits of all points as
/// its start. Returns each box's trajectory and the index of its chosen
/// box at `threshold` density (the pasted box is the trajectory's last
/// entry); stops early when no box reaches the threshold or no case is
/// left.
pub fn find_boxes(
    data: &PrimData,
    boxes: usize,
    threshold: f64,
    options: &PrimOptions,
) -> Vec<(Vec<PrimBox>, usize)> {
    let initial = initial_limits(data);
    let mut remaining: Vec<usize> = (0..data.points()).collect();
    let mut out = Vec::new();
    while out.len() < boxes && data.cases(&remaining) > 0 {
        let (mut trajectory, pasted) = find_box(data, &remaining, &initial, options);
        trajectory.push(pasted);
        let Some(k) = chosen(&trajectory, threshold) else {
            break;
        };
        let taken = &trajectory[k].points;
        remaining.retain(|i| taken.binary_search(i).is_err());
        out.push((trajectory, k));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{Stream, key, unit_f64, word};

    #[test]
    fn quantiles_follow_the_ema_workbench() {
        let v = [5.0, 1.0, 4.0, 2.0, 3.0];
        // (n - 1) q = 0.2: between 1 and 2
        assert_eq!(quantile(&v, 0.05), 1.5);
        // 3.8: between 4 and 5
        assert_eq!(quantile(&v, 0.95), 4.5);
        // an exact index counts as a tie with itself: the median of
        // 1..5 moves up to between 3 and 4, as the EMA Workbench's does
        assert_eq!(quantile(&v, 0.5), 3.5);
        // ties are passed: the lower quantile moves up past the run of 1s
        let tied = [1.0, 1.0, 1.0, 2.0, 3.0];
        assert_eq!(quantile(&tied, 0.05), 1.5);
        // and the upper one down past the run of 3s
        let tied = [1.0, 2.0, 3.0, 3.0, 3.0];
        assert_eq!(quantile(&tied, 0.95), 2.5);
    }

    /// `n` points uniform on the unit square; cases where x0 > 0.6 and
    /// x1 > 0.7, and a share `noise` of points labelled at random.
    fn square(n: usize, noise: f64) -> (Vec<Vec<f64>>, Vec<bool>) {
        let k = key(5, Stream::Design, 0);
        let x0: Vec<f64> = (0..n).map(|i| unit_f64(word(k, 3 * i as u64))).collect();
        let x1: Vec<f64> = (0..n)
            .map(|i| unit_f64(word(k, 3 * i as u64 + 1)))
            .collect();
        let case = (0..n)
            .map(|i| {
                let flip = unit_f64(word(k, 3 * i as u64 + 2)) < noise;
                (x0[i] > 0.6 && x1[i] > 0.7) != flip
            })
            .collect();
        (vec![x0, x1], case)
    }

    #[test]
    fn prim_finds_the_box_of_the_cases() {
        let (x, case) = square(5000, 0.0);
        let data = PrimData { x: &x, case: &case };
        let initial = initial_limits(&data);
        let all: Vec<usize> = (0..5000).collect();
        let (trajectory, pasted) = find_box(&data, &all, &initial, &PrimOptions::default());
        // the trajectory starts with every point, and the density rises
        assert_eq!(trajectory[0].mass, 1.0);
        assert!((trajectory[0].coverage - 1.0).abs() < 1e-12);
        assert!(trajectory.windows(2).all(|w| w[1].density >= w[0].density));
        assert!(trajectory.windows(2).all(|w| w[1].mass < w[0].mass));
        // the original objective keeps peeling inside the cases' box down
        // to the minimum mass; the box shown (highest coverage at density
        // 0.95) is the cases' box, both factors restricted near 0.6 and 0.7
        // (a peel removes about 5% of a side at a time)
        let last = trajectory.last().unwrap();
        assert_eq!(last.density, 1.0);
        assert!(last.mass >= 0.05);
        let k = chosen(&trajectory, 0.95).unwrap();
        let b = &trajectory[k];
        assert_eq!(b.restricted, [0, 1]);
        assert!((b.limits[0].0 - 0.6).abs() < 0.03, "{:?}", b.limits);
        assert!((b.limits[1].0 - 0.7).abs() < 0.03, "{:?}", b.limits);
        assert!(b.coverage > 0.85, "{}", b.coverage);
        assert!(
            trajectory
                .iter()
                .all(|t| t.density < 0.95 || t.coverage <= b.coverage)
        );
        // pasting never lowers the density
        assert!(pasted.density >= last.density);
    }

    #[test]
    fn with_noise_the_trajectory_stops_at_the_minimum_mass() {
        let (x, case) = square(4000, 0.1);
        let data = PrimData { x: &x, case: &case };
        let initial = initial_limits(&data);
        let all: Vec<usize> = (0..4000).collect();
        let options = PrimOptions::default();
        let (trajectory, _) = find_box(&data, &all, &initial, &options);
        assert!(trajectory.iter().all(|b| b.mass >= options.mass_min));
        // the densest boxes lie in the cases' corner
        let last = trajectory.last().unwrap();
        assert!(last.density > 0.8, "{}", last.density);
        assert!(
            last.limits[0].0 > 0.5 && last.limits[1].0 > 0.6,
            "{:?}",
            last.limits
        );
    }

    #[test]
    fn binomial_tails_are_exact_on_small_cases() {
        // n = 4, p = 0.5: P(X >= 3) = (4 + 1) / 16
        assert!((binomial_upper_tail(3, 4, 0.5) - 5.0 / 16.0).abs() < 1e-15);
        assert_eq!(binomial_upper_tail(0, 10, 0.3), 1.0);
        assert_eq!(binomial_upper_tail(11, 10, 0.3), 0.0);
        // n = 10, p = 0.3, k = 6: sum of C(10, j) 0.3^j 0.7^(10-j), j >= 6
        let exact: f64 = (6..=10)
            .map(|j| {
                let c: f64 = (1..=j).map(|i| (10 - j + i) as f64 / i as f64).product();
                c * 0.3f64.powi(j) * 0.7f64.powi(10 - j)
            })
            .sum();
        assert!((binomial_upper_tail(6, 10, 0.3) - exact).abs() < 1e-15);
        // a large n: the normal approximation's region (mean 5000, sd 50):
        // 3 sd above the mean, about 0.00135
        let tail = binomial_upper_tail(5150, 10_000, 0.5);
        assert!((tail - 0.00135).abs() < 0.0002, "{tail}");
    }

    #[test]
    fn a_limit_that_matters_has_a_small_quasi_p_value_and_covering_takes_the_rest() {
        // cases in two corners: x0 > 0.8 (any x1) and x1 < 0.15 (x0 < 0.5)
        let (x, _) = square(4000, 0.0);
        let case: Vec<bool> = (0..4000)
            .map(|i| x[0][i] > 0.8 || (x[1][i] < 0.15 && x[0][i] < 0.5))
            .collect();
        let data = PrimData { x: &x, case: &case };
        let found = find_boxes(&data, 3, 0.9, &PrimOptions::default());
        assert!(found.len() >= 2, "{}", found.len());
        let (first, k) = &found[0];
        let b = &first[*k];
        let all: Vec<usize> = (0..4000).collect();
        let qp = quasi_p_values(&data, b, &all, &initial_limits(&data));
        for (j, &(lo, hi)) in b.limits.iter().enumerate() {
            let (ilo, ihi) = initial_limits(&data)[j];
            assert_eq!(qp[j].0.is_nan(), lo == ilo);
            assert_eq!(qp[j].1.is_nan(), hi == ihi);
        }
        // the first box is the x0 > 0.8 band: its lower limit on x0 matters
        // (a tiny quasi-p-value); a limit on x1, which peeling may have
        // trimmed on the way, does not (the test says so)
        assert!((b.limits[0].0 - 0.8).abs() < 0.03, "{:?}", b.limits);
        assert!(qp[0].0 < 1e-6, "{qp:?}");
        assert!(
            [qp[1].0, qp[1].1].iter().all(|p| p.is_nan() || *p > 0.05),
            "{qp:?}"
        );
        // the second box holds none of the first box's points
        let (second, k2) = &found[1];
        assert!(
            second[*k2]
                .points
                .iter()
                .all(|i| b.points.binary_search(i).is_err())
        );
        assert!(second[*k2].density >= 0.9);
    }

    #[test]
    fn a_factor_that_does_not_matter_is_left_alone() {
        // cases depend on x0 only; x1 is noise
        let (x, _) = square(3000, 0.0);
        let case: Vec<bool> = x[0].iter().map(|&v| v < 0.3).collect();
        let data = PrimData { x: &x, case: &case };
        let initial = initial_limits(&data);
        let all: Vec<usize> = (0..3000).collect();
        let (trajectory, _) = find_box(&data, &all, &initial, &PrimOptions::default());
        let k = chosen(&trajectory, 0.95).unwrap();
        assert_eq!(trajectory[k].restricted, [0]);
        assert!((trajectory[k].limits[0].1 - 0.3).abs() < 0.03);
    }
}
