//! Summaries across replications: mean, standard deviation, Student-t 95%
//! confidence interval of the mean, percentiles; and the Gini coefficient.

/// The summary of one figure over replications (MODEL.md section 4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Number of replications.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1 in the denominator); NaN when n < 2.
    pub sd: f64,
    /// Lower end of the 95% confidence interval of the mean (Student t); NaN when n < 2.
    pub ci95_low: f64,
    /// Upper end of the 95% confidence interval of the mean; NaN when n < 2.
    pub ci95_high: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Summary {
    /// Summarizes `values` (at least one). Percentiles interpolate linearly
    /// between order statistics (R's type 7, NumPy's default).
    pub fn of(values: &[f64]) -> Summary {
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let (sd, half) = if n >= 2 {
            let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
            let sd = (ss / (n - 1) as f64).sqrt();
            (
                sd,
                student_t_quantile(0.975, (n - 1) as f64) * sd / (n as f64).sqrt(),
            )
        } else {
            (f64::NAN, f64::NAN)
        };
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Summary {
            n,
            mean,
            sd,
            ci95_low: mean - half,
            ci95_high: mean + half,
            p5: quantile_sorted(&sorted, 0.05),
            p50: quantile_sorted(&sorted, 0.50),
            p95: quantile_sorted(&sorted, 0.95),
        }
    }

    /// Half the width of the 95% interval.
    pub fn half_width(&self) -> f64 {
        (self.ci95_high - self.ci95_low) / 2.0
    }
}

/// A running mean and variance (Welford's method), for figures summarized
/// without keeping every value, such as each step of a time series.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Running {
    n: usize,
    mean: f64,
    m2: f64,
}

impl Running {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Number of values.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Their mean (NaN with none).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// The Student-t 95% confidence interval of the mean (NaN when n < 2).
    pub fn ci95(&self) -> (f64, f64) {
        if self.n < 2 {
            return (f64::NAN, f64::NAN);
        }
        let sd = (self.m2 / (self.n - 1) as f64).sqrt();
        let half = student_t_quantile(0.975, (self.n - 1) as f64) * sd / (self.n as f64).sqrt();
        (self.mean - half, self.mean + half)
    }
}

/// The q-quantile of sorted values, interpolating linearly (type 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Gini coefficient of non-negative values: 0 for perfect equality, and 0
/// when every value is 0. `sum_i sum_j |x_i - x_j| / (2 n^2 mean)`.
pub fn gini(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    gini_of_sorted(&sorted)
}

/// [`gini`] of values already sorted in ascending order.
pub fn gini_of_sorted<T: Copy + Into<f64>>(sorted: &[T]) -> f64 {
    let (mut total, mut weighted) = (0.0, 0.0);
    for (i, &x) in sorted.iter().enumerate() {
        let x: f64 = x.into();
        total += x;
        weighted += (i + 1) as f64 * x;
    }
    if sorted.is_empty() || total == 0.0 {
        return 0.0;
    }
    let n = sorted.len() as f64;
    2.0 * weighted / (n * total) - (n + 1.0) / n
}

/// Sorts non-negative finite f32 values in ascending order (an LSD radix
/// sort on their bits, which order like the values): linear time, for the
/// Gini coefficient of every replication.
pub fn sort_nonnegative(values: &mut [f32]) {
    let mut keys: Vec<u32> = values.iter().map(|v| v.to_bits()).collect();
    let mut other = vec![0u32; keys.len()];
    for shift in [0, 11, 22] {
        let mut counts = [0usize; 2049];
        for &k in &keys {
            counts[((k >> shift) & 0x7FF) as usize + 1] += 1;
        }
        for d in 0..2048 {
            counts[d + 1] += counts[d];
        }
        for &k in &keys {
            let slot = &mut counts[((k >> shift) & 0x7FF) as usize];
            other[*slot] = k;
            *slot += 1;
        }
        std::mem::swap(&mut keys, &mut other);
    }
    for (v, k) in values.iter_mut().zip(&keys) {
        *v = f32::from_bits(*k);
    }
}

/// The p-quantile of Student's t distribution with `df` degrees of freedom
/// (p in (0, 1), df > 0), found by bisection on the distribution function.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while student_t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if student_t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// P(T <= t) for Student's t with `df` degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * regularized_incomplete_beta(x, df / 2.0, 0.5);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// I_x(a, b), by the continued fraction of Numerical Recipes (Lentz's method).
fn regularized_incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_continued_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_continued_fraction(1.0 - x, b, a) / b
    }
}

fn beta_continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    d = 1.0 / if d.abs() < TINY { TINY } else { d };
    let mut h = d;
    for m in 1..=10_000 {
        let m = m as f64;
        for numerator in [
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + numerator * d;
            d = 1.0 / if d.abs() < TINY { TINY } else { d };
            c = 1.0 + numerator / c;
            if c.abs() < TINY {
                c = TINY;
            }
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// ln Gamma(x) for x > 0 (Lanczos approximation, g = 7, n = 9).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let series: f64 = G[0] + (1..9).map(|i| G[i] / (x + i as f64)).sum::<f64>();
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_summary_matches_the_full_one() {
        let values = [3.0, 1.5, 4.25, 9.0, -2.0, 0.5, 7.75];
        let mut r = Running::default();
        values.iter().for_each(|x| r.push(*x));
        let s = Summary::of(&values);
        assert_eq!(r.n(), 7);
        assert!((r.mean() - s.mean).abs() < 1e-12);
        let (lo, hi) = r.ci95();
        assert!((lo - s.ci95_low).abs() < 1e-12 && (hi - s.ci95_high).abs() < 1e-12);
        let mut one = Running::default();
        one.push(1.0);
        assert!(one.ci95().0.is_nan() && Running::default().mean().is_nan());
    }

    #[test]
    fn t_quantiles_match_tables() {
        // two-sided 95% critical values
        for (df, t) in [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_730),
            (9.0, 2.262_157_163),
            (29.0, 2.045_229_642),
            (99.0, 1.984_216_952),
            (1e6, 1.959_965_3),
        ] {
            let q = student_t_quantile(0.975, df);
            assert!((q - t).abs() < 1e-6 * t, "df {df}: {q} vs {t}");
        }
        assert!((student_t_quantile(0.025, 9.0) + 2.262_157_163).abs() < 1e-6);
    }

    #[test]
    fn summary_of_known_values() {
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 3.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        let half = 2.776_445_105 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((s.ci95_high - 3.0 - half).abs() < 1e-6);
        assert!((s.ci95_low - 3.0 + half).abs() < 1e-6);
        assert!((s.p5 - 1.2).abs() < 1e-12);
        assert_eq!(s.p50, 3.0);
        assert!((s.p95 - 4.8).abs() < 1e-12);
    }

    #[test]
    fn one_value_has_no_interval() {
        let s = Summary::of(&[2.0]);
        assert_eq!((s.mean, s.p5, s.p95), (2.0, 2.0, 2.0));
        assert!(s.sd.is_nan() && s.ci95_low.is_nan());
    }

    #[test]
    fn radix_sort_matches_the_standard_sort() {
        let mut state = 7u64;
        let mut v: Vec<f32> = (0..5000)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                match i % 5 {
                    0 => 0.0,
                    1 => (state >> 40) as f32 * 1e-3,
                    2 => (state >> 40) as f32 * 1e-30,
                    _ => (state >> 11) as f32,
                }
            })
            .collect();
        let mut expected = v.clone();
        expected.sort_by(f32::total_cmp);
        sort_nonnegative(&mut v);
        assert_eq!(v, expected);
    }

    #[test]
    fn gini_of_known_distributions() {
        assert_eq!(gini(&[0.0, 0.0]), 0.0);
        assert!(gini(&[3.0, 3.0, 3.0]).abs() < 1e-12);
        // one of n holds everything: (n - 1) / n
        assert!((gini(&[0.0, 0.0, 0.0, 8.0]) - 0.75).abs() < 1e-12);
        // 1, 2, 3: sum |xi - xj| = 8, 2 n^2 mean = 36 -> 2/9
        assert!((gini(&[2.0, 1.0, 3.0]) - 2.0 / 9.0).abs() < 1e-12);
    }
}
