//! The short table of key figures printed at the end of a run.

use super::ScenarioSummary;
use std::fmt::Write as _;

/// The figures shown in the terminal, in order.
pub const KEY_FIGURES: [&str; 7] = [
    "participation_rate",
    "service_rate",
    "total_value_realized",
    "realization_ratio",
    "public_value",
    "final_mean_trust",
    "gini",
];

/// A plain-text table: for each scenario, each key figure's mean and 95%
/// confidence interval.
pub fn key_figures_table(summaries: &[ScenarioSummary]) -> String {
    let mut rows: Vec<[String; 4]> = vec![[
        "scenario".into(),
        "figure".into(),
        "mean".into(),
        "95% CI".into(),
    ]];
    for s in summaries {
        for (i, figure) in KEY_FIGURES.iter().enumerate() {
            let Some(sum) = s.get(figure) else { continue };
            let name = if i == 0 {
                s.scenario.clone()
            } else {
                String::new()
            };
            rows.push([
                name,
                figure.to_string(),
                number(sum.mean),
                format!("[{}, {}]", number(sum.ci95_low), number(sum.ci95_high)),
            ]);
        }
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:<w3$}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// Four significant digits, without exponent for everyday magnitudes.
fn number(x: f64) -> String {
    if x.is_nan() {
        return "n/a".into();
    }
    if (-4..6).contains(&magnitude(x)) {
        let decimals = significant_decimals(x);
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

fn magnitude(x: f64) -> i32 {
    if x == 0.0 || !x.is_finite() {
        0
    } else {
        x.abs().log10().floor() as i32
    }
}

/// The decimals that show `x` with four significant digits (none from
/// 1000 up); the terminal tables and the HTML report both use it.
pub fn significant_decimals(x: f64) -> usize {
    (3 - magnitude(x)).max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(1234.5678), "1235");
        assert_eq!(number(12.5), "12.50");
        assert_eq!(number(0.0), "0.000");
        assert_eq!(number(-0.5), "-0.5000");
        assert_eq!(number(f64::NAN), "n/a");
    }
}
