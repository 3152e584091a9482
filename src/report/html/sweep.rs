//! A sweep's section: its sensitivity indices (bars and a table, most
//! important factor first), how they converged, the estimates that cannot
//! be true, and a heat map over two factors.

use super::{Page, escape, fixed, named, number, with_interval};
use crate::report::labels;
use crate::report::load::{Estimate, SensitivityRow, SweepResults};
use crate::report::plot::{self, Band, Bar, BarGroup, PlotError};
use std::fmt::Write as _;

/// The figure a sweep's section shows.
const METRIC: &str = "total_value_realized";

/// A factor's index as an estimate (NaN bounds where the file has none:
/// Morris statistics come without intervals).
fn index(r: &SensitivityRow, key: &str) -> Estimate {
    let value = |k: &str| r.values.get(k).copied().unwrap_or(f64::NAN);
    Estimate {
        mean: value(key),
        low: value(&format!("{key}_ci95_low")),
        high: value(&format!("{key}_ci95_high")),
    }
}

/// The rows of `rows` by importance: the total Sobol index (or Morris mu*)
/// from the largest down, indices that are not numbers last, ties in file
/// order.
fn by_importance<'a>(rows: &[&'a SensitivityRow]) -> Vec<&'a SensitivityRow> {
    let importance = |r: &SensitivityRow| {
        let key = if r.values.contains_key("st") {
            "st"
        } else {
            "mu_star"
        };
        Some(index(r, key).mean)
            .filter(|x| x.is_finite())
            .unwrap_or(f64::NEG_INFINITY)
    };
    let mut sorted = rows.to_vec();
    sorted.sort_by(|a, b| importance(b).total_cmp(&importance(a)));
    sorted
}

impl Page {
    pub(super) fn sweep(&mut self, s: &SweepResults) -> Result<(), PlotError> {
        self.section(&format!("Sweep: {}", s.name));
        let sweep = &s.manifest["sweep"];
        if let Some(d) = sweep["description"].as_str() {
            let _ = write!(self.body, "<p>{}</p>", escape(d));
        }
        let _ = write!(
            self.body,
            "<p>From <code>cocreate sweep</code> (<code>{}</code>): design <b>{}</b>, {} points, {} replications each; factors: {}.</p>",
            escape(&s.dir.display().to_string()),
            escape(sweep["design"].as_str().unwrap_or("?")),
            s.points.len(),
            sweep["replications"].as_u64().unwrap_or(0),
            s.factors
                .iter()
                .map(|f| named(&labels::parameter(f), f))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows: Vec<&SensitivityRow> = s
            .sensitivity
            .iter()
            .filter(|r| r.metric == METRIC)
            .collect();
        if !rows.is_empty() {
            self.sensitivity(s, &by_importance(&rows))?;
        }
        self.convergence(s)?;
        self.implausible(s);
        if s.factors.len() >= 2
            && let Some(means) = s.means.get(METRIC)
        {
            // the two factors that matter most (by ST or mu*), else the first two
            let (fx, fy) = top_two(s, &rows);
            let (xs, ys, z, binned) = heat_grid(s, means, fx, fy);
            let (nx, ny) = (
                labels::parameter(&s.factors[fx]),
                labels::parameter(&s.factors[fy]),
            );
            let chart = plot::heat_map(
                &format!("Realized value over two factors: {}", s.name),
                &nx,
                &ny,
                "mean realized value",
                &xs,
                &ys,
                &z,
            );
            let which = if rows.is_empty() {
                String::new()
            } else {
                " (the two factors with the largest total effect)".to_string()
            };
            let caption = if binned {
                format!(
                    "Mean realized value over {nx} and {ny}{which}: the points' means averaged within an 8 × 8 grid of bins (grey: no point), over all other factors."
                )
            } else {
                format!(
                    "Mean realized value at each combination of {nx} and {ny}{which}, averaged over the other factors."
                )
            };
            self.figure(&format!("heatmap-{}", s.name), chart, &caption)?;
        }
        Ok(())
    }

    /// The indices of `rows` (sorted, most important first) as bars and
    /// as a table.
    fn sensitivity(&mut self, s: &SweepResults, rows: &[&SensitivityRow]) -> Result<(), PlotError> {
        let sobol = rows[0].values.contains_key("s1");
        let (series, title, axis, caption) = if sobol {
            (
                [("S1 (first order)", "s1"), ("ST (total)", "st")],
                format!("Sobol indices of realized value: {}", s.name),
                "index",
                "First-order (S1) and total (ST) Sobol indices of realized value for each factor, the largest total first, with 95% bootstrap intervals.",
            )
        } else {
            (
                [
                    ("mu* (mean absolute effect)", "mu_star"),
                    ("sigma (interactions)", "sigma"),
                ],
                format!("Morris elementary effects on realized value: {}", s.name),
                "effect (value units per factor range)",
                "Morris screening: mu* (mean absolute elementary effect) and sigma (spread, a sign of interactions or non-linearity) for each factor, the largest mu* first.",
            )
        };
        let groups: Vec<BarGroup> = series
            .iter()
            .map(|(name, key)| BarGroup {
                name: name.to_string(),
                bars: rows
                    .iter()
                    .map(|r| {
                        let e = index(r, key);
                        Bar {
                            label: labels::parameter(&r.factor),
                            value: e.mean,
                            low: e.low,
                            high: e.high,
                        }
                    })
                    .collect(),
            })
            .collect();
        let chart = plot::bars(&title, axis, &groups);
        self.figure(&format!("sensitivity-{}", s.name), chart, caption)?;

        let head = if sobol {
            "<th>rank</th><th>factor</th><th>ST, total [95% CI]</th><th>S1, first order [95% CI]</th>"
        } else {
            "<th>rank</th><th>factor</th><th>mu*</th><th>sigma</th><th>mu</th>"
        };
        let mut table = format!("<table class=\"indices\"><thead><tr>{head}</tr></thead><tbody>");
        for (i, r) in rows.iter().enumerate() {
            let cells: Vec<String> = if sobol {
                vec![
                    with_interval(&index(r, "st")),
                    with_interval(&index(r, "s1")),
                ]
            } else {
                ["mu_star", "sigma", "mu"]
                    .iter()
                    .map(|k| number(index(r, k).mean))
                    .collect()
            };
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{}</td>{}</tr>",
                i + 1,
                named(&labels::parameter(&r.factor), &r.factor),
                cells
                    .iter()
                    .map(|c| format!("<td>{c}</td>"))
                    .collect::<String>()
            );
        }
        table.push_str("</tbody></table>");
        let noise = rows[0]
            .values
            .get("noise_share")
            .copied()
            .filter(|x| x.is_finite());
        let noise = match noise {
            Some(x) => format!(
                " Replication noise alone would give {}% of the variance of the points' means (near 100%: the indices measure noise; add replications).",
                fixed(100.0 * x, 1)
            ),
            None => String::new(),
        };
        let _ = write!(
            self.body,
            "<p>The indices of realized value, the most important factor first ({}).{noise}</p>{table}",
            if sobol { "by ST" } else { "by mu*" }
        );
        Ok(())
    }
}

impl Page {
    /// How the Sobol indices of realized value moved as base samples were
    /// added (N/8, N/4, N/2, N): whether N was enough.
    fn convergence(&mut self, s: &SweepResults) -> Result<(), PlotError> {
        let rows: Vec<_> = s
            .convergence
            .iter()
            .filter(|r| r.metric == METRIC)
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        for (key, title, axis) in [
            ("st", "total index ST", "ST"),
            ("s1", "first-order index S1", "S1"),
        ] {
            let bands: Vec<Band> = s
                .factors
                .iter()
                .map(|f| {
                    let mine: Vec<_> = rows.iter().filter(|r| &r.factor == f).collect();
                    let values: Vec<f64> = mine
                        .iter()
                        .map(|r| if key == "st" { r.st } else { r.s1 })
                        .collect();
                    Band {
                        label: labels::parameter(f),
                        x: mine.iter().map(|r| r.samples).collect(),
                        mean: values.clone(),
                        low: values.clone(),
                        high: values,
                    }
                })
                .collect();
            let chart = plot::time_series(
                &format!("Convergence of the {title} of realized value: {}", s.name),
                "base samples",
                axis,
                &bands,
            );
            self.figure(
                &format!("convergence-{key}-{}", s.name),
                chart,
                &format!(
                    "The {title} of realized value for each factor, recomputed on the first N/8, N/4, N/2 and all N base samples (convergence.csv). Lines still moving at N mean more samples are needed."
                ),
            )?;
        }
        Ok(())
    }

    /// A note for every Sobol estimate that cannot be true of the model:
    /// S1 above ST beyond their intervals, or a negative index whose
    /// interval excludes 0.
    fn implausible(&mut self, s: &SweepResults) {
        use crate::experiment::sensitivity::{SobolIndex, implausible};
        let mut notes = Vec::new();
        for r in &s.sensitivity {
            let v = |k: &str| r.values.get(k).copied().unwrap_or(f64::NAN);
            if !r.values.contains_key("s1") {
                continue;
            }
            let index = SobolIndex {
                s1: v("s1"),
                s1_ci: (v("s1_ci95_low"), v("s1_ci95_high")),
                st: v("st"),
                st_ci: (v("st_ci95_low"), v("st_ci95_high")),
            };
            for kind in implausible(&index) {
                notes.push(format!(
                    "<li>{}, {}: {}</li>",
                    named(&labels::figure(&r.metric), &r.metric),
                    named(&labels::parameter(&r.factor), &r.factor),
                    escape(kind.describe())
                ));
            }
        }
        if !notes.is_empty() {
            let _ = write!(
                self.body,
                "<p>These estimates cannot be true of the model; the design needs more samples (or its points more replications) before they can be trusted:</p><ul class=\"notes\">{}</ul>",
                notes.concat()
            );
        }
    }
}

/// The indices of the two factors with the largest total Sobol index (or
/// Morris mu*) in `rows`, in `points.csv` order; the first two without rows.
fn top_two(s: &SweepResults, rows: &[&SensitivityRow]) -> (usize, usize) {
    let effect = |f: &String| {
        rows.iter()
            .find(|r| &r.factor == f)
            .and_then(|r| r.values.get("st").or_else(|| r.values.get("mu_star")))
            .copied()
            .filter(|x| x.is_finite())
            .unwrap_or(f64::NEG_INFINITY)
    };
    let mut order: Vec<usize> = (0..s.factors.len()).collect();
    if !rows.is_empty() {
        // stable: ties keep file order
        order.sort_by(|&a, &b| effect(&s.factors[b]).total_cmp(&effect(&s.factors[a])));
    }
    let (a, b) = (order[0], order[1]);
    (a.min(b), a.max(b))
}

/// The heat map's grid over factors `fx` (x) and `fy` (y): exact levels when the
/// points take few distinct values (a grid design), otherwise 8 × 8 bins.
/// Cells average the means of the points they hold.
fn heat_grid(
    s: &SweepResults,
    means: &[f64],
    fx: usize,
    fy: usize,
) -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>, bool) {
    // levels equal but for rounding (a Morris design's 0.05 + 1/3 of the
    // range, reached two ways) are one level, not two narrow columns
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300);
    let levels = |k: usize| {
        let mut v: Vec<f64> = s.points.iter().map(|p| p[k]).collect();
        v.sort_by(f64::total_cmp);
        v.dedup_by(|b, a| same(*a, *b));
        v
    };
    let (lx, ly) = (levels(fx), levels(fy));
    let binned = lx.len() > 12 || ly.len() > 12;
    let axis = |l: &[f64]| -> Vec<f64> {
        if !binned {
            return l.to_vec();
        }
        let (lo, hi) = (l[0], l[l.len() - 1]);
        // bin centres, rounded to a digit below the bin width for legible ticks
        let width = (hi - lo) / 8.0;
        let decimals = if width > 0.0 {
            (1.0 - width.log10().floor()).clamp(0.0, 12.0)
        } else {
            3.0
        };
        let scale = 10f64.powi(decimals as i32);
        (0..8)
            .map(|i| ((lo + width * (i as f64 + 0.5)) * scale).round() / scale)
            .collect()
    };
    let (xs, ys) = (axis(&lx), axis(&ly));
    let cell = |l: &[f64], v: f64| -> usize {
        if binned {
            let (lo, hi) = (l[0], l[l.len() - 1]);
            if hi > lo {
                (((v - lo) / (hi - lo) * 8.0) as usize).min(7)
            } else {
                0
            }
        } else {
            l.iter().position(|x| same(*x, v)).unwrap_or(0)
        }
    };
    let mut sum = vec![vec![0.0; xs.len()]; ys.len()];
    let mut count = vec![vec![0usize; xs.len()]; ys.len()];
    for (p, m) in s.points.iter().zip(means) {
        if m.is_finite() {
            let (ix, iy) = (cell(&lx, p[fx]), cell(&ly, p[fy]));
            sum[iy][ix] += m;
            count[iy][ix] += 1;
        }
    }
    let z = sum
        .iter()
        .zip(&count)
        .map(|(row, n)| {
            row.iter()
                .zip(n)
                .map(|(s, n)| if *n > 0 { s / *n as f64 } else { f64::NAN })
                .collect()
        })
        .collect();
    (xs, ys, z, binned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_equal_but_for_rounding_are_one_level() {
        let third = 0.05 + 0.35 / 3.0;
        let other_third = 0.4 - 0.7 / 3.0; // the same level, reached another way
        assert_ne!(third, other_third);
        let points: Vec<Vec<f64>> = [0.05, third, other_third, 0.4]
            .iter()
            .flat_map(|&x| [vec![x, 1.0], vec![x, 2.0]])
            .collect();
        let s = SweepResults {
            dir: "s".into(),
            name: "s".into(),
            manifest: serde_json::json!({}),
            factors: vec!["trust.loss".into(), "trust.gain".into()],
            means: Default::default(),
            sensitivity: Vec::new(),
            convergence: Vec::new(),
            points,
        };
        let means = vec![1.0; 8];
        let (xs, ys, z, binned) = heat_grid(&s, &means, 0, 1);
        assert!(!binned);
        assert_eq!(xs.len(), 3, "{xs:?}");
        assert_eq!(ys, [1.0, 2.0]);
        assert!(z.iter().flatten().all(|v| *v == 1.0), "{z:?}");
    }
}
