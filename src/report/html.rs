//! The HTML report: one self-contained page (styles and plots inline, no
//! network) from the result folders [`super::load`] reads.

use super::load::{
    AttributionResults, CompareResults, Estimate, Results, RunResults, SensitivityRow,
    SweepResults, WaterfallStep,
};
use super::plot::{self, Band, Bar, BarGroup, BarKind, Chart, PlotError, WaterfallBar};
use crate::model::StepRecord;
use crate::output::{KEY_FIGURES, significant_decimals};
use serde_json::Value;
use std::fmt::Write as _;

/// A plot of the report, to be written beside it as SVG and PNG.
pub struct Figure {
    /// File stem, unique within the report (e.g. `waterfall-combined`).
    pub stem: String,
    /// The chart.
    pub chart: Chart,
}

/// The report: its HTML text, and its plots for writing as files.
pub struct Report {
    /// The whole page.
    pub html: String,
    /// Every plot in it, in page order.
    pub figures: Vec<Figure>,
}

/// Builds the report of `results`; `generated` is shown as its date and
/// `sources` name the folders given.
pub fn build(
    results: &[Results],
    sources: &[String],
    generated: &str,
) -> Result<Report, PlotError> {
    let mut page = Page::default();
    let _ = write!(
        page.body,
        "<header><h1>Public value co-creation: simulation report</h1><p class=\"meta\">cocreate {} (model PVC-1), generated {}, from {}.</p></header>",
        env!("CARGO_PKG_VERSION"),
        escape(generated),
        sources
            .iter()
            .map(|s| format!("<code>{}</code>", escape(s)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let runs: Vec<&RunResults> = results
        .iter()
        .filter_map(|r| {
            if let Results::Run(r) = r {
                Some(r)
            } else {
                None
            }
        })
        .collect();
    if !runs.is_empty() {
        page.runs(&runs)?;
    }
    for r in results {
        match r {
            Results::Run(_) => {}
            Results::Compare(c) => page.compare(c)?,
            Results::Waterfall(w) => {
                page.section(&format!("Where the value is lost: {}", w.name));
                page.scenario(&w.manifest["scenario"], None);
                page.waterfall(&w.name, &format!("waterfall-{}", w.name), &w.steps)?;
            }
            Results::Attribution(a) => page.attribution(a)?,
            Results::Sweep(s) => page.sweep(s)?,
        }
    }
    page.methods();
    Ok(Report {
        html: page.finish(),
        figures: page.figures,
    })
}

#[derive(Default)]
struct Page {
    toc: Vec<(String, String)>,
    body: String,
    figures: Vec<Figure>,
}

impl Page {
    fn section(&mut self, title: &str) {
        let id = format!("s{}", self.toc.len() + 1);
        let _ = write!(self.body, "<h2 id=\"{id}\">{}</h2>", escape(title));
        self.toc.push((id, title.to_string()));
    }

    /// Adds a plot inline (as SVG) with its caption.
    fn figure(&mut self, stem: &str, chart: Chart, caption: &str) -> Result<(), PlotError> {
        let svg = chart.svg()?;
        let base = slug(stem);
        let mut stem = base.clone();
        let mut n = 1;
        while self.figures.iter().any(|f| f.stem == stem) {
            n += 1;
            stem = format!("{base}-{n}");
        }
        let _ = write!(
            self.body,
            "<figure class=\"plot\" data-file=\"{stem}\">{}<figcaption>{}</figcaption></figure>",
            strip_xml_declaration(&svg),
            escape(caption)
        );
        self.figures.push(Figure { stem, chart });
        Ok(())
    }

    /// The scenarios run with `cocreate run`: parameters, key figures, time series.
    fn runs(&mut self, runs: &[&RunResults]) -> Result<(), PlotError> {
        self.section("Scenarios and key figures");
        for r in runs {
            let effective = Some(&r.manifest["effective_parameters"]).filter(|e| e.is_object());
            self.scenario(&r.manifest["scenario"], effective);
        }
        let mut table = String::from("<table><thead><tr><th>figure</th>");
        for r in runs {
            let _ = write!(table, "<th>{}</th>", escape(&r.name));
        }
        table.push_str("</tr></thead><tbody>");
        for key in KEY_FIGURES {
            let _ = write!(table, "<tr><td>{key}</td>");
            for r in runs {
                let cell = r
                    .summary
                    .iter()
                    .find(|(m, _)| m == key)
                    .map_or("–".to_string(), |(_, e)| with_interval(e));
                let _ = write!(table, "<td>{cell}</td>");
            }
            table.push_str("</tr>");
        }
        table.push_str("</tbody></table>");
        let n = runs
            .iter()
            .filter_map(|r| r.manifest["replications"].as_u64())
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            self.body,
            "<p>Mean over replications ({n} per scenario), with the 95% confidence interval of the mean in brackets.</p>{table}"
        );
        let series: Vec<(String, f64, Vec<[Estimate; 3]>)> = runs
            .iter()
            .map(|r| {
                let citizens = citizens(&r.manifest["scenario"]);
                (r.name.clone(), citizens, from_step_series(r))
            })
            .collect();
        self.time_series("runs", &series)
    }

    /// Three time-series plots (realized value, trust, participation) of
    /// scenarios given as (name, citizens, per step [value_realized,
    /// mean_trust, participants]).
    fn time_series(
        &mut self,
        stem: &str,
        series: &[(String, f64, Vec<[Estimate; 3]>)],
    ) -> Result<(), PlotError> {
        let specs = [
            (
                "Realized value per step",
                "value realized (value units)",
                "value_realized",
            ),
            (
                "Mean trust in government",
                "mean trust (0 to 1)",
                "mean_trust",
            ),
            (
                "Participation",
                "participants (share of citizens)",
                "participation",
            ),
        ];
        for (k, (title, y_label, file)) in specs.iter().enumerate() {
            let bands: Vec<Band> = series
                .iter()
                .map(|(name, citizens, steps)| {
                    let scale = if k == 2 { 1.0 / citizens.max(1.0) } else { 1.0 };
                    Band {
                        label: name.clone(),
                        x: (0..steps.len()).map(|t| t as f64).collect(),
                        mean: steps.iter().map(|s| s[k].mean * scale).collect(),
                        low: steps.iter().map(|s| s[k].low * scale).collect(),
                        high: steps.iter().map(|s| s[k].high * scale).collect(),
                    }
                })
                .collect();
            let chart = plot::time_series(title, "step (month)", y_label, &bands);
            let caption = format!(
                "{title}: mean over replications at each step, the shaded band its 95% confidence interval."
            );
            self.figure(&format!("{stem}-{file}"), chart, &caption)?;
        }
        Ok(())
    }

    /// A scenario's description, inhibitors, interventions and parameters.
    /// `effective`: the parameters after the inhibitors act, where known
    /// (the manifest of `cocreate run` holds them).
    fn scenario(&mut self, s: &Value, effective: Option<&Value>) {
        let name = s["name"].as_str().unwrap_or("scenario");
        let _ = write!(
            self.body,
            "<div class=\"scenario\"><h3>{}</h3>",
            escape(name)
        );
        if let Some(d) = s["description"].as_str().filter(|d| !d.is_empty()) {
            let _ = write!(self.body, "<p>{}</p>", escape(d));
        }
        let active: Vec<String> = s["inhibitors"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, x)| x.as_f64().is_some_and(|x| x > 0.0))
                    .map(|(k, x)| format!("<code>{}</code> = {}", escape(k), x))
                    .collect()
            })
            .unwrap_or_default();
        let _ = write!(
            self.body,
            "<p><b>Inhibitors:</b> {}.</p>",
            if active.is_empty() {
                "none".to_string()
            } else {
                active.join(", ")
            }
        );
        if let Some(list) = s["interventions"].as_array().filter(|l| !l.is_empty()) {
            let items: Vec<String> = list.iter().map(intervention).collect();
            let _ = write!(
                self.body,
                "<p><b>Interventions:</b></p><ul>{}</ul>",
                items.join("")
            );
        }
        let mut rows = String::new();
        if let Some(sections) = s.as_object() {
            for (section, values) in sections {
                let Some(values) = values.as_object() else {
                    continue;
                };
                if section == "inhibitors" {
                    continue;
                }
                for (key, v) in values {
                    let after = effective.map(|e| &e[section][key]).filter(|a| !a.is_null());
                    let changed = after.is_some_and(|a| a != v);
                    let _ = write!(
                        rows,
                        "<tr{}><td><code>{}.{}</code></td><td>{}</td>{}</tr>",
                        if changed { " class=\"changed\"" } else { "" },
                        escape(section),
                        escape(key),
                        escape(&parameter(v)),
                        match (effective, after) {
                            (Some(_), Some(a)) => format!("<td>{}</td>", escape(&parameter(a))),
                            (Some(_), None) => "<td></td>".into(),
                            (None, _) => String::new(),
                        }
                    );
                }
            }
        }
        let head = if effective.is_some() {
            "<tr><th>parameter</th><th>in the scenario</th><th>after the inhibitors act</th></tr>"
        } else {
            "<tr><th>parameter</th><th>in the scenario (before the inhibitors act)</th></tr>"
        };
        let _ = write!(
            self.body,
            "<details><summary>All parameters</summary><table><thead>{head}</thead><tbody>{rows}</tbody></table></details></div>"
        );
    }

    fn compare(&mut self, c: &CompareResults) -> Result<(), PlotError> {
        let base = c.manifest["base"].as_str().unwrap_or("base").to_string();
        self.section(&format!("Comparison with {base}"));
        if let Some(list) = c.manifest["scenarios"].as_array() {
            for s in list {
                self.scenario(s, None);
            }
        }
        let reps = c.manifest["replications"].as_u64().unwrap_or(0);
        let _ = write!(
            self.body,
            "<p>Every scenario ran the same {reps} replications with the same seeds (common random numbers). The difference is the mean of the paired differences from <b>{}</b>, with its 95% interval. The last column is the variance of the difference between independently seeded runs divided by that between paired runs, as measured.</p>",
            escape(&base)
        );
        let mut table = String::from(
            "<table><thead><tr><th>scenario</th><th>figure</th><th>mean [95% CI]</th><th>difference [95% CI]</th><th>CRN variance reduction</th></tr></thead><tbody>",
        );
        for (scenario, metric, level, diff) in c
            .rows
            .iter()
            .filter(|r| KEY_FIGURES.contains(&r.1.as_str()))
        {
            let vr = c.manifest["variance_reduction"][scenario][metric].as_f64();
            let is_base = *scenario == base;
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(scenario),
                escape(metric),
                with_interval(level),
                if is_base {
                    "(base)".into()
                } else {
                    with_interval(diff)
                },
                match vr {
                    Some(v) => format!("{v:.1}×"),
                    // JSON has no infinity: the paired difference had no variance
                    None if !is_base => "∞".into(),
                    None => String::new(),
                }
            );
        }
        table.push_str("</tbody></table>");
        self.body.push_str(&table);
        let citizens_of = |name: &str| {
            c.manifest["scenarios"]
                .as_array()
                .and_then(|l| l.iter().find(|s| s["name"] == name))
                .map_or(1.0, citizens)
        };
        let series: Vec<(String, f64, Vec<[Estimate; 3]>)> = c
            .series
            .iter()
            .map(|(name, points)| (name.clone(), citizens_of(name), from_series_points(points)))
            .collect();
        if !series.is_empty() {
            self.time_series(&format!("compare-{base}"), &series)?;
        }
        // the differences in the key value figure, as bars
        let bars: Vec<Bar> = c
            .rows
            .iter()
            .filter(|r| r.1 == "total_value_realized" && r.0 != base)
            .map(|(s, _, _, d)| bar(s, d))
            .collect();
        if !bars.is_empty() {
            let chart = plot::bars(
                &format!("Realized value: difference from {base}"),
                "difference in total realized value (value units)",
                &[BarGroup {
                    name: "paired difference".into(),
                    bars,
                }],
            );
            self.figure(&format!("compare-{base}-difference"), chart, "Mean paired difference in total realized value from the base scenario, with its 95% interval (common random numbers).")?;
        }
        Ok(())
    }

    /// The waterfall of scenario `name`, its plot saved as `stem`.
    fn waterfall(
        &mut self,
        name: &str,
        stem: &str,
        steps: &[WaterfallStep],
    ) -> Result<(), PlotError> {
        let bars: Vec<WaterfallBar> = steps
            .iter()
            .map(|s| WaterfallBar {
                label: s.label.clone(),
                kind: if s.kind == "level" {
                    BarKind::Level
                } else {
                    BarKind::Change
                },
                value: s.value.mean,
                low: s.value.low,
                high: s.value.high,
            })
            .collect();
        let chart = plot::waterfall(
            &format!("Where the value is lost: {name}"),
            "total realized value (value units)",
            &bars,
        );
        self.figure(
            stem,
            chart,
            "From the value the inhibitor-free twin realizes (the same parameters and interventions, every inhibitor at 0) to what the scenario realizes: the change at each stage of the co-creation funnel (Shapley decomposition of the funnel's factors, common random numbers), with 95% intervals.",
        )?;
        let twin = steps.first().map_or(0.0, |s| s.value.mean);
        let _ = write!(
            self.body,
            "<p>The twin is the same scenario with every inhibitor at 0: the same parameters, interventions and seeds. Each step is the change in realized value at one stage of the funnel (participation, service, value per interaction, legal basis, implementation, co-destruction); negative steps are value lost, and they add up exactly to the scenario's value minus the twin's. A stage is where value is lost, not which inhibitor causes the loss: an inhibitor that lowers trust shows up as lower participation (see the attribution for causes).</p>"
        );
        let mut table = String::from(
            "<table><thead><tr><th>step</th><th>value [95% CI]</th><th>share of the twin's value</th></tr></thead><tbody>",
        );
        for s in steps {
            // a share of a twin that realizes nothing (or less) means nothing
            let share = if twin <= 0.0 {
                String::new()
            } else {
                format!("{:.1}%", 100.0 * s.value.mean / twin)
            };
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{}</td><td>{share}</td></tr>",
                escape(&s.label),
                with_interval(&s.value)
            );
        }
        table.push_str("</tbody></table>");
        self.body.push_str(&table);
        Ok(())
    }

    fn attribution(&mut self, a: &AttributionResults) -> Result<(), PlotError> {
        self.section(&format!("Which inhibitor costs the most: {}", a.name));
        self.scenario(&a.manifest["scenario"], None);
        let mut shares: Vec<_> = a
            .shares
            .iter()
            .filter(|s| s.metric == "total_value_realized")
            .collect();
        shares.sort_by(|x, y| x.shapley.mean.total_cmp(&y.shapley.mean));
        let reps = a.manifest["replications"].as_u64().unwrap_or(0);
        let coalitions = a.manifest["coalitions"].as_u64().unwrap_or(0);
        let _ = write!(
            self.body,
            "<p>Shapley values of the inhibitors for total realized value: all {coalitions} combinations of the inhibitors ran with the same {reps} replications, so the values add up exactly to the scenario's realized value minus that of its inhibitor-free twin. Removing one alone changes the value by the last column.</p>"
        );
        let mut table = String::from(
            "<table><thead><tr><th>rank</th><th>inhibitor</th><th>Shapley value [95% CI]</th><th>removing it alone</th></tr></thead><tbody>",
        );
        for (i, s) in shares.iter().enumerate() {
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                escape(&s.inhibitor),
                with_interval(&s.shapley),
                signed(s.removal_gain)
            );
        }
        table.push_str("</tbody></table>");
        self.body.push_str(&table);
        let bars: Vec<Bar> = shares
            .iter()
            .map(|s| bar(&s.inhibitor, &s.shapley))
            .collect();
        let chart = plot::bars(
            &format!("Realized value lost to each inhibitor: {}", a.name),
            "Shapley value, total realized value (value units)",
            &[BarGroup {
                name: "Shapley value".into(),
                bars,
            }],
        );
        self.figure(&format!("attribution-{}", a.name), chart, "Shapley value of each inhibitor for total realized value (negative: value lost), with 95% intervals over replications.")?;
        if let Some(steps) = &a.waterfall {
            let _ = write!(
                self.body,
                "<h3>Where the value is lost: {}</h3>",
                escape(&a.name)
            );
            self.waterfall(&a.name, &format!("attribution-{}-waterfall", a.name), steps)?;
        }
        Ok(())
    }

    fn sweep(&mut self, s: &SweepResults) -> Result<(), PlotError> {
        self.section(&format!("Sweep: {}", s.name));
        let sweep = &s.manifest["sweep"];
        if let Some(d) = sweep["description"].as_str() {
            let _ = write!(self.body, "<p>{}</p>", escape(d));
        }
        let _ = write!(
            self.body,
            "<p>Design <b>{}</b>, {} points, {} replications each; factors: {}.</p>",
            escape(sweep["design"].as_str().unwrap_or("?")),
            s.points.len(),
            sweep["replications"].as_u64().unwrap_or(0),
            s.factors
                .iter()
                .map(|f| format!("<code>{}</code>", escape(f)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let metric = "total_value_realized";
        let rows: Vec<_> = s
            .sensitivity
            .iter()
            .filter(|r| r.metric == metric)
            .collect();
        if !rows.is_empty() {
            let sobol = rows[0].values.contains_key("s1");
            let (series, title, axis, caption) = if sobol {
                (
                    [("S1 (first order)", "s1"), ("ST (total)", "st")],
                    format!("Sobol indices of total realized value: {}", s.name),
                    "index",
                    "First-order (S1) and total (ST) Sobol indices of total realized value for each factor, with 95% bootstrap intervals.",
                )
            } else {
                (
                    [
                        ("mu* (mean absolute effect)", "mu_star"),
                        ("sigma (interactions)", "sigma"),
                    ],
                    format!(
                        "Morris elementary effects on total realized value: {}",
                        s.name
                    ),
                    "effect (value units per factor range)",
                    "Morris screening: mu* (mean absolute elementary effect) and sigma (spread, a sign of interactions or non-linearity) for each factor.",
                )
            };
            // Morris statistics come without intervals: their bounds are NaN
            let value =
                |r: &&SensitivityRow, key: &str| r.values.get(key).copied().unwrap_or(f64::NAN);
            let groups: Vec<BarGroup> = series
                .iter()
                .map(|(name, key)| BarGroup {
                    name: name.to_string(),
                    bars: rows
                        .iter()
                        .map(|r| Bar {
                            label: r.factor.clone(),
                            value: value(r, key),
                            low: value(r, &format!("{key}_ci95_low")),
                            high: value(r, &format!("{key}_ci95_high")),
                        })
                        .collect(),
                })
                .collect();
            let chart = plot::bars(&title, axis, &groups);
            self.figure(&format!("sensitivity-{}", s.name), chart, caption)?;
        }
        if s.factors.len() >= 2
            && let Some(means) = s.means.get(metric)
        {
            // the two factors that matter most (by ST or mu*), else the first two
            let (fx, fy) = top_two(s, &rows);
            let (xs, ys, z, binned) = heat_grid(s, means, fx, fy);
            let (nx, ny) = (&s.factors[fx], &s.factors[fy]);
            let chart = plot::heat_map(
                &format!("Total realized value over two factors: {}", s.name),
                nx,
                ny,
                "mean total realized value",
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
                    "Mean total realized value over {nx} and {ny}{which}: the points' means averaged within an 8 × 8 grid of bins (grey: no point), over all other factors."
                )
            } else {
                format!(
                    "Mean total realized value at each combination of {nx} and {ny}{which}, averaged over the other factors."
                )
            };
            self.figure(&format!("heatmap-{}", s.name), chart, &caption)?;
        }
        Ok(())
    }

    fn methods(&mut self) {
        self.section("Method notes");
        self.body.push_str(METHODS);
    }

    fn finish(&self) -> String {
        let toc: String = self
            .toc
            .iter()
            .map(|(id, t)| format!("<li><a href=\"#{id}\">{}</a></li>", escape(t)))
            .collect();
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>cocreate report</title><style>{STYLE}</style></head><body><nav><ol>{toc}</ol></nav><main>{}</main></body></html>\n",
            self.body
        )
    }
}

/// The indices of the two factors with the largest total Sobol index (or
/// Morris mu*) in `rows`, in `points.csv` order; the first two without rows.
fn top_two(s: &SweepResults, rows: &[&super::load::SensitivityRow]) -> (usize, usize) {
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
    let levels = |k: usize| {
        let mut v: Vec<f64> = s.points.iter().map(|p| p[k]).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
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
            l.iter().position(|x| *x == v).unwrap_or(0)
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

/// The step figures the time-series plots show, in their order.
const PLOTTED: [&str; 3] = ["value_realized", "mean_trust", "participants"];

/// Per step, the [`PLOTTED`] figures of a run's steps.
fn from_step_series(r: &RunResults) -> Vec<[Estimate; 3]> {
    let ks = PLOTTED.map(|name| {
        StepRecord::FIGURES
            .iter()
            .position(|f| *f == name)
            .expect("the plotted figures are step figures")
    });
    (0..r.series.len())
        .map(|t| {
            ks.map(|k| {
                r.series.at(t, k).map_or(Estimate::NAN, |s| {
                    let (low, high) = s.ci95();
                    Estimate {
                        mean: s.mean(),
                        low,
                        high,
                    }
                })
            })
        })
        .collect()
}

/// Per step, the [`PLOTTED`] figures of `series.csv` rows.
fn from_series_points(points: &[super::load::SeriesPoint]) -> Vec<[Estimate; 3]> {
    let steps = points
        .iter()
        .map(|p| p.step as usize + 1)
        .max()
        .unwrap_or(0);
    let mut out = vec![[Estimate::NAN; 3]; steps];
    for p in points {
        if let Some(k) = PLOTTED.iter().position(|m| *m == p.metric) {
            out[p.step as usize][k] = p.value;
        }
    }
    out
}

/// A parameter's value as text; numbers to 12 significant digits, so that
/// the inhibitors' arithmetic shows 0.055, not 0.05500000000000001.
fn parameter(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if v.is_f64() => format!("{:.11e}", x)
            .parse::<f64>()
            .map_or_else(|_| x.to_string(), |r| r.to_string()),
        _ => v.as_str().map_or_else(|| v.to_string(), str::to_string),
    }
}

fn citizens(scenario: &Value) -> f64 {
    scenario["population"]["citizens"].as_f64().unwrap_or(1.0)
}

fn intervention(v: &Value) -> String {
    let at = v["at"].as_u64().unwrap_or(0);
    let what = match v["kind"].as_str() {
        Some("set") => format!(
            "set <code>{}</code> to {}",
            escape(v["key"].as_str().unwrap_or("?")),
            escape(&v["value"].to_string())
        ),
        Some(kind) => format!(
            "{} (delta {})",
            escape(kind),
            escape(&v["delta"].to_string())
        ),
        None => escape(&v.to_string()),
    };
    format!("<li>after step {at}: {what}</li>")
}

/// A number with its interval, for tables, all three with the decimals
/// the mean's size calls for.
fn with_interval(e: &Estimate) -> String {
    let d = significant_decimals(e.mean);
    if e.low.is_nan() {
        return fixed(e.mean, d);
    }
    format!(
        "{} <span class=\"ci\">[{}, {}]</span>",
        fixed(e.mean, d),
        fixed(e.low, d),
        fixed(e.high, d)
    )
}

fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", number(x))
    } else {
        number(x)
    }
}

/// About four significant digits, plain notation.
fn number(x: f64) -> String {
    fixed(x, significant_decimals(x))
}

fn fixed(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "–".into()
    }
}

/// A bar of `label` showing an estimate with its interval.
fn bar(label: &str, e: &Estimate) -> Bar {
    Bar {
        label: label.to_string(),
        value: e.mean,
        low: e.low,
        high: e.high,
    }
}

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A file-name-safe version of `s`.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;margin:0;display:flex}nav{position:sticky;top:0;align-self:flex-start;width:15rem;padding:1rem;font-size:.9rem}nav ol{padding-left:1.2rem}main{max-width:60rem;padding:1rem 2rem}h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.5rem}table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}th{background:#f3f3f3}.ci{color:#666}tr.changed td{font-weight:600;background:#fff6e0}figure.plot{margin:1.5rem 0}figure.plot svg{max-width:100%;height:auto}figcaption{font-size:.85rem;color:#444}.meta{color:#555}.scenario{border-left:3px solid #0072B2;padding-left:.8rem;margin:1rem 0}details{margin:.5rem 0}code{font-size:.85em}@media print{nav{display:none}}";

const METHODS: &str = "<dl>\
<dt>Model</dt><dd>PVC-1 (docs/MODEL.md): citizens decide to take part from their trust, motivation, capability and their neighbours; agencies with limited capacity serve them; a served interaction is co-destroyed, legally blocked, not implemented or realized; trust and agencies' openness learn from the outcomes. Value counts only once it is realized.</dd>\
<dt>Intervals</dt><dd>Every mean over replications comes with a Student-t 95% confidence interval of the mean. Time-series bands are the same interval at each step.</dd>\
<dt>Common random numbers</dt><dd>Replication <i>r</i> of every scenario uses the same seed, so paired differences cancel most of the noise shared by both runs. <code>cocreate compare</code> measures the gain by also running each scenario under another master seed and dividing the variance of the unpaired difference by that of the paired one.</dd>\
<dt>Where the value is lost (waterfall)</dt><dd>Realized value is the product along the funnel R = P · a · v · ((1 − d) · l · m − λ · d): participations P, service rate a, value potential per served interaction v, co-destroyed share d, legal share l, implemented share m (the shares weighted by value potential), and the destruction loss λ. The change from the inhibitor-free twin to the scenario is split among the six factors by their Shapley values (the average over every order of switching them from the twin's value to the scenario's), per replication pair; the steps add up exactly to the difference. See docs/analysis.md.</dd>\
<dt>Which inhibitor costs the most (Shapley)</dt><dd>For a figure F, the game v(S) is mean F with only the inhibitors in S active minus mean F of the inhibitor-free twin; all 2<sup>k</sup> combinations run with the same seeds, so each replication has exact Shapley values, which add up to the scenario minus the twin. Intervals come from the spread over replications. The removal gain is what removing one inhibitor alone changes F by.</dd>\
<dt>Sensitivity</dt><dd>Sobol designs: Saltelli sampling on an Owen-scrambled Sobol sequence; S1 by Saltelli's 2010 estimator, ST by Jansen's, with 500 bootstrap resamples for the intervals. Morris designs: mu* and sigma of elementary effects. Indices are computed on each point's mean over its replications.</dd>\
</dl>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(slug("waterfall-legal reform/2"), "waterfall-legal-reform-2");
    }

    #[test]
    fn participation_is_plotted_as_a_share_of_citizens() {
        use super::super::load::SeriesPoint;
        let point = |step: u32, metric: &str, mean: f64| SeriesPoint {
            step,
            metric: metric.into(),
            value: Estimate {
                mean,
                low: mean * 0.9,
                high: mean * 1.1,
            },
        };
        let series = (0..5)
            .flat_map(|t| [point(t, "participants", 500.0), point(t, "mean_trust", 0.5)])
            .collect();
        let manifest = serde_json::json!({
            "base": "a",
            "replications": 2,
            "scenarios": [{"name": "a", "population": {"citizens": 1000}, "run": {"steps": 5}}],
        });
        let results = [Results::Compare(CompareResults {
            dir: "x".into(),
            manifest,
            rows: Vec::new(),
            series: vec![("a".into(), series)],
        })];
        let report = build(&results, &["x".into()], "now").unwrap();
        let figure = report
            .figures
            .iter()
            .find(|f| f.stem.ends_with("participation"))
            .unwrap();
        let svg = figure.chart.svg().unwrap();
        // 500 participants of 1000 citizens: ticks around 0.5, none in the hundreds
        let ticks: Vec<f64> = svg
            .lines()
            .filter_map(|l| l.trim().parse::<f64>().ok())
            .collect();
        assert!(ticks.iter().any(|t| (0.4..0.6).contains(t)), "{ticks:?}");
        assert!(ticks.iter().all(|t| *t < 100.0), "{ticks:?}");
    }

    #[test]
    fn parameters_show_without_float_noise() {
        assert_eq!(parameter(&serde_json::json!(0.05500000000000001)), "0.055");
        assert_eq!(parameter(&serde_json::json!(10000)), "10000");
        assert_eq!(parameter(&serde_json::json!(-6.0)), "-6");
        assert_eq!(
            parameter(&serde_json::json!("watts-strogatz")),
            "watts-strogatz"
        );
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(18051.35102), "18051");
        assert_eq!(number(-123.456), "-123.5");
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(f64::NAN), "–");
    }
}
