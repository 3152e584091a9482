//! Sampling designs for sweeps over parameter points: full factorial grids,
//! Latin hypercubes, the Saltelli scheme on a scrambled Sobol sequence (for
//! Sobol indices) and Morris trajectories (for elementary effects).
//!
//! Designs are built in the unit cube [0, 1)^d (one coordinate per factor)
//! and are deterministic from their seed; mapping a coordinate to a
//! factor's range is the caller's. Pure: no I/O.

use crate::model::rng::{Stream, below, key, unit_f64, word};

/// The sampling designs a sweep can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    /// Every combination of every factor's values.
    Grid,
    /// A Latin hypercube: each factor's range cut into n strata, each
    /// stratum sampled once.
    Lhs,
    /// The Saltelli scheme on a scrambled Sobol sequence, for Sobol indices.
    Sobol,
    /// Morris trajectories, for elementary effects.
    Morris,
}

impl Design {
    /// Every design, for messages.
    pub const ALL: [Design; 4] = [Design::Grid, Design::Lhs, Design::Sobol, Design::Morris];

    /// The name used in sweep files.
    pub fn name(self) -> &'static str {
        match self {
            Design::Grid => "grid",
            Design::Lhs => "lhs",
            Design::Sobol => "sobol",
            Design::Morris => "morris",
        }
    }

    /// Looks a design up by name.
    pub fn from_name(name: &str) -> Option<Design> {
        Design::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// Every combination of the given values, the last factor varying fastest.
pub fn grid(values: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut points = vec![Vec::with_capacity(values.len())];
    for factor in values {
        points = points
            .into_iter()
            .flat_map(|p| {
                factor.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    points
}

/// A Latin hypercube of `n` points in [0, 1)^d: for each factor, the n
/// strata [k/n, (k+1)/n) are visited once each, in a random order, at a
/// random place within the stratum.
pub fn latin_hypercube(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let k = key(seed, Stream::Design, 0);
    let mut points = vec![vec![0.0; d]; n];
    for j in 0..d {
        // a random permutation of the strata (Fisher-Yates on counter-based draws)
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let w = word(k, (j * n + i) as u64 * 2);
            strata.swap(i, below(w, (i + 1) as u64) as usize);
        }
        for (i, point) in points.iter_mut().enumerate() {
            let jitter = unit_f64(word(k, (j * n + i) as u64 * 2 + 1));
            point[j] = (strata[i] as f64 + jitter) / n as f64;
        }
    }
    points
}

/// The points of the Saltelli scheme for `n` base samples and `d` factors:
/// matrices A and B (from a scrambled Sobol sequence of dimension 2d), and
/// for each factor j the matrix AB_j, A with column j taken from B. In all
/// `n (d + 2)` points.
#[derive(Clone, Debug, PartialEq)]
pub struct Saltelli {
    /// Base samples, n x d.
    pub a: Vec<Vec<f64>>,
    /// Second base samples, n x d.
    pub b: Vec<Vec<f64>>,
    /// For each factor j, A with column j from B: d x n x d.
    pub ab: Vec<Vec<Vec<f64>>>,
}

/// The largest number of base samples of [`saltelli`] (the sequence's length).
pub const SOBOL_MAX_SAMPLES: usize = 1 << 16;
/// The most factors [`saltelli`] can take (the sequence has 256 dimensions).
pub const SOBOL_MAX_FACTORS: usize = 128;

/// The Saltelli scheme for `n` base samples (at most [`SOBOL_MAX_SAMPLES`])
/// and `d` factors (at most [`SOBOL_MAX_FACTORS`]), on an Owen-scrambled
/// Sobol sequence (Burley 2020) seeded from `seed`.
pub fn saltelli(n: usize, d: usize, seed: u64) -> Saltelli {
    let scramble = (key(seed, Stream::Design, 1) >> 32) as u32;
    let coordinate =
        |i: usize, dim: usize| f64::from(sobol_burley::sample(i as u32, dim as u32, scramble));
    let a: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..d).map(|j| coordinate(i, j)).collect())
        .collect();
    let b: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..d).map(|j| coordinate(i, d + j)).collect())
        .collect();
    let ab = (0..d)
        .map(|j| {
            a.iter()
                .zip(&b)
                .map(|(ra, rb)| {
                    let mut row = ra.clone();
                    row[j] = rb[j];
                    row
                })
                .collect()
        })
        .collect();
    Saltelli { a, b, ab }
}

/// One Morris trajectory: d + 1 points, each differing from the previous
/// one in a single factor, by +delta or -delta.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    /// The d + 1 points, as level indices from 0 to `levels - 1`.
    pub levels: Vec<Vec<u32>>,
    /// The d + 1 points, in [0, 1]^d: level / (levels - 1), computed from
    /// the index each time (never accumulated), so that a level is the same
    /// number wherever it appears.
    pub points: Vec<Vec<f64>>,
    /// For step s (from point s to s + 1), the factor that changed.
    pub factor: Vec<usize>,
    /// For step s, the signed change (+delta or -delta).
    pub step: Vec<f64>,
}

/// `r` Morris trajectories over a grid of `levels` levels per factor
/// (Morris 1991), with the usual jump `delta = levels / (2 (levels - 1))`
/// (`levels / 2` levels): a random base point on the grid, the factors in
/// random order, each moved once by +delta or -delta (whichever stays on
/// the grid). `levels` is even and at least 2.
pub fn morris(r: usize, levels: usize, d: usize, seed: u64) -> Vec<Trajectory> {
    let k = key(seed, Stream::Design, 2);
    let top = (levels - 1) as u32;
    let jump = (levels / 2) as u32;
    let delta = f64::from(jump) / f64::from(top);
    let mut counter = 0u64;
    let mut draw = |n: u64| {
        counter += 1;
        below(word(k, counter), n)
    };
    let unit = |point: &[u32]| -> Vec<f64> {
        point
            .iter()
            .map(|&l| f64::from(l) / f64::from(top))
            .collect()
    };
    (0..r)
        .map(|_| {
            let mut point: Vec<u32> = (0..d).map(|_| draw(levels as u64) as u32).collect();
            let mut order: Vec<usize> = (0..d).collect();
            for i in (1..d).rev() {
                order.swap(i, draw((i + 1) as u64) as usize);
            }
            let mut all = vec![point.clone()];
            let mut step = Vec::with_capacity(d);
            for &j in &order {
                // go up when that stays on the grid, else down; at random
                // when both do
                let up_ok = point[j] + jump <= top;
                let down_ok = point[j] >= jump;
                let up = up_ok && (!down_ok || draw(2) == 0);
                if up {
                    point[j] += jump;
                    step.push(delta);
                } else {
                    point[j] -= jump;
                    step.push(-delta);
                }
                all.push(point.clone());
            }
            Trajectory {
                points: all.iter().map(|p| unit(p)).collect(),
                levels: all,
                factor: order,
                step,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_full_factorial() {
        let g = grid(&[vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], [1.0, 10.0]);
        assert_eq!(g[1], [1.0, 20.0]);
        assert_eq!(g[5], [2.0, 30.0]);
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        let n = 50;
        let points = latin_hypercube(n, 3, 7);
        for j in 0..3 {
            let mut seen: Vec<usize> = points.iter().map(|p| (p[j] * n as f64) as usize).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(points, latin_hypercube(n, 3, 7));
        assert_ne!(points, latin_hypercube(n, 3, 8));
    }

    #[test]
    fn saltelli_matrices_share_columns_as_the_scheme_says() {
        let s = saltelli(64, 3, 1);
        assert_eq!((s.a.len(), s.b.len(), s.ab.len()), (64, 64, 3));
        for j in 0..3 {
            for i in 0..64 {
                for c in 0..3 {
                    let expected = if c == j { s.b[i][c] } else { s.a[i][c] };
                    assert_eq!(s.ab[j][i][c], expected);
                }
            }
        }
        // low discrepancy: each column's mean is very close to 1/2
        for c in 0..3 {
            let m = s.a.iter().map(|r| r[c]).sum::<f64>() / 64.0;
            assert!((m - 0.5).abs() < 0.02, "{m}");
        }
    }

    #[test]
    fn morris_trajectories_move_one_factor_at_a_time_on_the_grid() {
        let levels = 4;
        let delta = 4.0 / 6.0;
        for t in morris(20, levels, 5, 3) {
            assert_eq!(t.points.len(), 6);
            let mut moved: Vec<usize> = t.factor.clone();
            moved.sort_unstable();
            assert_eq!(moved, (0..5).collect::<Vec<_>>());
            for (s, pair) in t.points.windows(2).enumerate() {
                let changed: Vec<usize> = (0..5).filter(|&j| pair[0][j] != pair[1][j]).collect();
                assert_eq!(changed, [t.factor[s]]);
                assert!((pair[1][t.factor[s]] - pair[0][t.factor[s]] - t.step[s]).abs() < 1e-12);
                assert!((t.step[s].abs() - delta).abs() < 1e-12);
            }
            for p in &t.points {
                for &x in p {
                    let level = x * 3.0;
                    assert!(
                        (level - level.round()).abs() < 1e-9 && (-1e-9..=1.0 + 1e-9).contains(&x)
                    );
                }
            }
        }
    }

    #[test]
    fn designs_have_names() {
        for d in Design::ALL {
            assert_eq!(Design::from_name(d.name()), Some(d));
        }
        assert_eq!(Design::from_name("latin"), None);
    }
}
