//! Which inhibitor costs the most: Shapley values of the inhibitors a
//! scenario activates, in the game v(S) = mean figure with only the
//! inhibitors in S active (at the scenario's intensities) minus the mean
//! figure of the inhibitor-free twin. All 2^k coalitions run with the same
//! seeds, so each replication has its own exact Shapley values; their mean
//! is the Shapley value of the means, and their spread gives the interval.
//! Pure: no I/O.

use crate::stats::Summary;

/// The Shapley value of one player, with its interval, and the gain of
/// removing it alone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share {
    /// Mean over replications of the player's Shapley value.
    pub shapley: f64,
    /// 95% interval (Student t over replications).
    pub ci: (f64, f64),
    /// v(all) - v(all without the player), as a gain: what removing it
    /// alone changes the figure by, with the sign of "removing helps" when
    /// the figure rises (mean over replications of v(N \ {i}) - v(N)).
    pub removal_gain: f64,
}

/// Shapley values of `k` players from the figure of every coalition:
/// `values[mask][r]` is the figure of replication r with the players in
/// bit mask `mask` active (mask 0 is the twin without any).
pub fn shapley(k: usize, values: &[Vec<f64>]) -> Vec<Share> {
    let full = (1usize << k) - 1;
    let reps = values[0].len();
    (0..k)
        .map(|i| {
            let bit = 1 << i;
            let per_rep: Vec<f64> = (0..reps).map(|r| shapley_in(k, i, values, r)).collect();
            let s = Summary::of(&per_rep);
            let removal: Vec<f64> = (0..reps)
                .map(|r| values[full & !bit][r] - values[full][r])
                .collect();
            Share {
                shapley: s.mean,
                ci: (s.ci95_low, s.ci95_high),
                removal_gain: removal.iter().sum::<f64>() / reps as f64,
            }
        })
        .collect()
}

/// Player `i`'s Shapley value in replication `r` of the game of `k`
/// players whose coalition values are `values` (as for [`shapley`]).
pub fn shapley_in(k: usize, i: usize, values: &[Vec<f64>], r: usize) -> f64 {
    let factorial = |n: usize| (1..=n).map(|x| x as f64).product::<f64>();
    let weight = |s: usize| factorial(s) * factorial(k - s - 1) / factorial(k);
    let bit = 1 << i;
    (0..1usize << k)
        .filter(|m| m & bit == 0)
        .map(|m| weight(m.count_ones() as usize) * (values[m | bit][r] - values[m][r]))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapley_values_of_a_known_game() {
        // v(S) = 3 [a in S] + 5 [b in S] + 4 [a and b in S]: a gets 3 + 2, b gets 5 + 2
        let v = |m: usize| {
            let (a, b) = (m & 1 != 0, m & 2 != 0);
            3.0 * f64::from(u8::from(a))
                + 5.0 * f64::from(u8::from(b))
                + 4.0 * f64::from(u8::from(a && b))
        };
        let values: Vec<Vec<f64>> = (0..4).map(|m| vec![v(m), v(m)]).collect();
        let s = shapley(2, &values);
        assert!((s[0].shapley - 5.0).abs() < 1e-12);
        assert!((s[1].shapley - 7.0).abs() < 1e-12);
        // efficiency: the shares add up to v(all) - v(none)
        assert!((s[0].shapley + s[1].shapley - 12.0).abs() < 1e-12);
        // removing a alone changes the figure by v({b}) - v({a, b}) = -7
        assert!((s[0].removal_gain + 7.0).abs() < 1e-12);
    }

    #[test]
    fn shapley_values_of_an_asymmetric_three_player_game() {
        // Harsanyi dividends 6 for {a}, 12 for {a, b}, 6 for {b, c}, 30 for
        // {a, b, c}: each player gets its share of every coalition it is
        // in, a = 6 + 6 + 10 = 22, b = 6 + 3 + 10 = 19, c = 3 + 10 = 13;
        // any mix-up of players changes them
        let v = |m: usize| {
            let (a, b, c) = (m & 1 != 0, m & 2 != 0, m & 4 != 0);
            let d = |x: bool, w: f64| if x { w } else { 0.0 };
            d(a, 6.0) + d(a && b, 12.0) + d(b && c, 6.0) + d(a && b && c, 30.0)
        };
        // two replications that differ, so the intervals have width
        let values: Vec<Vec<f64>> = (0..8).map(|m| vec![v(m), 2.0 * v(m)]).collect();
        let s = shapley(3, &values);
        for (i, expected) in [22.0, 19.0, 13.0].into_iter().enumerate() {
            // the mean over replications of 1x and 2x the game
            assert!(
                (s[i].shapley - 1.5 * expected).abs() < 1e-9,
                "{i}: {}",
                s[i].shapley
            );
            assert!(s[i].ci.0 < s[i].shapley && s[i].shapley < s[i].ci.1);
        }
        // removal gains: v(all minus i) - v(all), means over the replications
        let all = v(7);
        for (i, without) in [v(6), v(5), v(3)].into_iter().enumerate() {
            assert!((s[i].removal_gain - 1.5 * (without - all)).abs() < 1e-9);
        }
    }
}
