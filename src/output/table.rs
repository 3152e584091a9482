//! Tables and numbers for the terminal: one rule for every command (four
//! significant digits, aligned columns, no `-0`), and the table of key
//! figures printed at the end of a run.

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
    let mut table = TextTable::new(&[
        ("scenario", Align::Left),
        ("figure", Align::Left),
        ("mean", Align::Right),
        ("95% CI", Align::Left),
    ]);
    for s in summaries {
        for (i, figure) in KEY_FIGURES.iter().enumerate() {
            let Some(sum) = s.get(figure) else { continue };
            let name = if i == 0 {
                s.scenario.clone()
            } else {
                String::new()
            };
            table.row(vec![
                name,
                figure.to_string(),
                number(sum.mean),
                interval(sum.ci95_low, sum.ci95_high),
            ]);
        }
    }
    table.render()
}

/// How a column of a [`TextTable`] is aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A table for the terminal: a header row, then rows, columns two spaces
/// apart, each aligned as declared. Every command prints its tables with
/// it, so they all look alike.
#[derive(Clone, Debug)]
pub struct TextTable {
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl TextTable {
    /// A table with these column headers and alignments.
    pub fn new(columns: &[(&str, Align)]) -> TextTable {
        TextTable {
            align: columns.iter().map(|c| c.1).collect(),
            rows: vec![columns.iter().map(|c| c.0.to_string()).collect()],
        }
    }

    /// Adds a row (missing cells are empty).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as lines of text, each ending in a newline, without
    /// trailing spaces.
    pub fn render(&self) -> String {
        let cell = |r: &Vec<String>, c: usize| r.get(c).map_or("", String::as_str).to_string();
        let widths: Vec<usize> = (0..self.align.len())
            .map(|c| {
                (self.rows.iter())
                    .map(|r| cell(r, c).chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for r in &self.rows {
            let line = (0..self.align.len())
                .map(|c| match self.align[c] {
                    Align::Left => format!("{:<w$}", cell(r, c), w = widths[c]),
                    Align::Right => format!("{:>w$}", cell(r, c), w = widths[c]),
                })
                .collect::<Vec<_>>()
                .join("  ");
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }
}

/// A number for the terminal: four significant digits, without exponent
/// from 0.0001 up to a million; `n/a` where undefined; never `-0`.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        return "n/a".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞" } else { "-∞" }.into();
    }
    let text = if (-4..6).contains(&magnitude(x)) {
        let decimals = significant_decimals(x);
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    };
    unsigned_zero(text)
}

/// [`number`] with its sign always shown (`+12.35`, `-0.5000`), for
/// changes; zero has none.
pub fn signed(x: f64) -> String {
    let text = number(x);
    if x > 0.0 && !is_zero(&text) {
        format!("+{text}")
    } else {
        text
    }
}

/// A share as a percentage, by the rule of [`number`] (`12.35%`).
pub fn percent(share: f64) -> String {
    if share.is_nan() {
        return "n/a".into();
    }
    format!("{}%", number(100.0 * share))
}

/// A 95% interval as `[low, high]`, by the rule of [`number`].
pub fn interval(low: f64, high: f64) -> String {
    format!("[{}, {}]", number(low), number(high))
}

/// `-0.000` becomes `0.000`.
fn unsigned_zero(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) if is_zero(rest) => rest.to_string(),
        _ => text,
    }
}

fn is_zero(text: &str) -> bool {
    text.chars().all(|c| c == '0' || c == '.')
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
        assert_eq!(number(-0.0), "0.000");
        assert_eq!(number(2.5e-7), "2.500e-7");
        assert_eq!(number(-3.2e9), "-3.200e9");
    }

    #[test]
    fn signs_and_percentages_never_show_minus_zero() {
        assert_eq!(signed(1.5), "+1.500");
        assert_eq!(signed(-1.5), "-1.500");
        assert_eq!(signed(0.0), "0.000");
        assert_eq!(signed(-0.0), "0.000");
        assert_eq!(percent(-0.0), "0.000%");
        assert_eq!(percent(0.1234), "12.34%");
        assert_eq!(percent(-0.5), "-50.00%");
        assert_eq!(interval(-0.0, 2.0), "[0.000, 2.000]");
    }

    #[test]
    fn text_tables_align_text_left_and_numbers_right() {
        let mut t = TextTable::new(&[("name", Align::Left), ("value", Align::Right)]);
        t.row(vec!["a".into(), "1.000".into()]);
        t.row(vec!["longer".into(), "-12.50".into()]);
        t.row(vec!["b".into()]);
        assert_eq!(
            t.render(),
            "name     value\na        1.000\nlonger  -12.50\nb\n"
        );
    }
}
