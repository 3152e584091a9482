//! The HTML report: one self-contained page (styles, font and plots
//! inline, no network) from the result folders [`super::load`] reads.
//!
//! The page shows each scenario once, with the folders that hold it
//! ([`super::catalogue`]), and each plot once: where several folders hold
//! the same thing of a scenario, the one with the most replications is
//! shown, and the page says which numbers come from which folder.
//! Figures, parameters, factors and inhibitors are named in words
//! ([`super::labels`]), with the files' names beside them in tables.

use super::catalogue::{Catalogue, Command, Entry, Source};
use super::labels;
use super::load::{
    AttributionResults, CompareResults, Estimate, PartEstimate, Results, RunResults, WaterfallStep,
};
use super::parts::{self, ScenarioParts};
use super::plot::{self, Band, Bar, BarGroup, BarKind, Chart, PlotError, UsedChars, WaterfallBar};
use crate::model::StepRecord;
use crate::output::{KEY_FIGURES, significant_decimals};
use serde_json::Value;
use std::fmt::Write as _;

mod calibration;
mod discovery;
mod sweep;

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

/// Builds the report of `results`; `generated` is shown as its date,
/// `sources` name the folders given, and `notes` (such as folders left out)
/// are shown under the title.
pub fn build(
    results: &[Results],
    sources: &[String],
    generated: &str,
    notes: &[String],
) -> Result<Report, PlotError> {
    let mut page = Page::default();
    let _ = write!(
        page.body,
        "<header><h1>Public value co-creation: simulation report</h1><p class=\"meta\">cocreate {} (model {}), generated {}, from {}.</p>",
        env!("CARGO_PKG_VERSION"),
        if results.iter().any(|r| r.manifest()["model"] == "PVC-2") {
            "PVC-2"
        } else {
            "PVC-1"
        },
        escape(generated),
        sources
            .iter()
            .map(|s| format!("<code>{}</code>", escape(s)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !notes.is_empty() {
        let items: String = notes
            .iter()
            .map(|n| format!("<li>Note: {}</li>", escape(n)))
            .collect();
        let _ = write!(page.body, "<ul class=\"notes\">{items}</ul>");
    }
    page.body.push_str("</header>");
    let catalogue = Catalogue::of(results);
    if !catalogue.entries.is_empty() {
        page.scenarios(&catalogue);
    }
    page.key_figures(&catalogue);
    page.time_series(&catalogue)?;
    for r in results {
        if let Results::Compare(c) = r {
            page.compare(r, c, &catalogue)?;
        }
    }
    page.waterfalls(&catalogue)?;
    page.equity(&catalogue)?;
    page.kinds(&catalogue)?;
    for e in &catalogue.entries {
        if let Some(source) = e.best(|s| s.command == Command::Attribute)
            && let Results::Attribution(a) = source.results
        {
            page.attribution(e, &source, a)?;
        }
    }
    for r in results {
        if let Results::Sweep(s) = r {
            page.sweep(s)?;
        }
    }
    for r in results {
        match r {
            Results::Discovery(d) => page.discovery(d)?,
            Results::Calibration(c) => page.calibration(c)?,
            _ => {}
        }
    }
    page.methods(&catalogue);
    let html = page.finish()?;
    Ok(Report {
        html,
        figures: page.figures,
    })
}

#[derive(Default)]
struct Page {
    toc: Vec<(String, String)>,
    body: String,
    figures: Vec<Figure>,
    /// The characters of the inline plots' text: the font subset the page
    /// declares once for all of them.
    used: UsedChars,
}

impl Page {
    fn section(&mut self, title: &str) {
        let id = format!("s{}", self.toc.len() + 1);
        let _ = write!(self.body, "<h2 id=\"{id}\">{}</h2>", escape(title));
        self.toc.push((id, title.to_string()));
    }

    /// Adds a plot inline (as SVG) with its caption.
    fn figure(&mut self, stem: &str, chart: Chart, caption: &str) -> Result<(), PlotError> {
        let (svg, used) = chart.svg_without_font()?;
        self.used.merge(&used);
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

    /// Each scenario once: what it is, and the folders that hold it.
    fn scenarios(&mut self, catalogue: &Catalogue) {
        self.section("Scenarios");
        for e in &catalogue.entries {
            self.scenario(e);
        }
    }

    /// A scenario's description, inhibitors, interventions, the folders
    /// holding it, and its parameters (after the inhibitors act too, where
    /// a `run` manifest records them).
    fn scenario(&mut self, e: &Entry) {
        let s = e.scenario;
        let _ = write!(
            self.body,
            "<div class=\"scenario\" id=\"{}\"><h3>{}</h3>",
            scenario_id(&e.label),
            escape(&e.label)
        );
        if let Some(d) = s["description"].as_str().filter(|d| !d.is_empty()) {
            let _ = write!(self.body, "<p>{}</p>", escape(d));
        }
        let active: Vec<String> = s["inhibitors"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| {
                        // a number, or a table with the intensity and targets
                        let x = v.as_f64().or_else(|| v["intensity"].as_f64())?;
                        let targets: Vec<String> = ["groups", "kinds"]
                            .iter()
                            .filter_map(|side| {
                                let names: Vec<&str> = v[*side]
                                    .as_array()?
                                    .iter()
                                    .filter_map(Value::as_str)
                                    .collect();
                                Some(format!("{side} {}", escape(&names.join(", "))))
                            })
                            .collect();
                        let on = if targets.is_empty() {
                            String::new()
                        } else {
                            format!(" (on {})", targets.join("; "))
                        };
                        (x > 0.0).then(|| format!("{} = {x}{on}", named(&labels::inhibitor(k), k)))
                    })
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
        let held: Vec<String> = e
            .sources
            .iter()
            .map(|src| {
                format!(
                    "{} (<code>{}</code>)",
                    escape(&src.describe()),
                    escape(&src.dir().display().to_string())
                )
            })
            .collect();
        let _ = write!(self.body, "<p><b>Results:</b> {}.</p>", held.join("; "));
        let effective = e.effective;
        let mut rows = String::new();
        for (section, values) in s.as_object().into_iter().flatten() {
            let Some(values) = values.as_object() else {
                continue;
            };
            if section == "inhibitors" {
                continue;
            }
            for (key, v) in values {
                let after = effective.map(|x| &x[section][key]).filter(|a| !a.is_null());
                let changed = after.is_some_and(|a| a != v);
                let dotted = format!("{section}.{key}");
                let _ = write!(
                    rows,
                    "<tr{}><td>{}</td><td>{}</td>{}</tr>",
                    if changed { " class=\"changed\"" } else { "" },
                    named(&labels::parameter(&dotted), &dotted),
                    escape(&parameter(v)),
                    match (effective, after) {
                        (Some(_), Some(a)) => format!("<td>{}</td>", escape(&parameter(a))),
                        (Some(_), None) => "<td></td>".into(),
                        (None, _) => String::new(),
                    }
                );
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

    /// The key figures of the scenarios `cocreate run` ran, one column
    /// each, saying which folder's replications they come from.
    fn key_figures(&mut self, catalogue: &Catalogue) {
        let columns: Vec<(&Entry, Source, &RunResults)> = catalogue
            .entries
            .iter()
            .filter_map(|e| {
                let source = e.best(|s| s.command == Command::Run)?;
                match source.results {
                    Results::Run(r) => Some((e, source, r)),
                    _ => None,
                }
            })
            .collect();
        if columns.is_empty() {
            return;
        }
        self.section("Key figures");
        let mut table = String::from("<table><thead><tr><th>figure</th>");
        for (e, source, _) in &columns {
            let _ = write!(
                table,
                "<th>{}<br><span class=\"source\">from {}</span></th>",
                escape(&e.label),
                escape(&source.describe())
            );
        }
        table.push_str("</tr></thead><tbody>");
        for key in KEY_FIGURES {
            let _ = write!(table, "<tr><td>{}</td>", named(&labels::figure(key), key));
            for (_, _, r) in &columns {
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
        // the same scenarios in a comparison, with other replications
        let mut elsewhere: Vec<(String, Vec<String>)> = Vec::new();
        for (e, used, _) in &columns {
            for s in &e.sources {
                if s.command == Command::Compare && s.replications != used.replications {
                    let reps = s.replications_text();
                    match elsewhere.iter_mut().find(|(r, _)| *r == reps) {
                        Some((_, names)) => names.push(e.label.clone()),
                        None => elsewhere.push((reps, vec![e.label.clone()])),
                    }
                }
            }
        }
        let note = if elsewhere.is_empty() {
            String::new()
        } else {
            let runs: Vec<String> = elsewhere
                .iter()
                .map(|(reps, names)| {
                    let each = if names.len() > 1 { " each" } else { "" };
                    format!("{} again with {reps}{each}", and_list(names))
                })
                .collect();
            format!(
                " The comparison below ran {}, so its means differ from these within their intervals.",
                escape(&runs.join("; "))
            )
        };
        let _ = write!(
            self.body,
            "<p>Means over the replications of <code>cocreate run</code> (each column says how many), with the 95% confidence interval of the mean in brackets.{note}</p>{table}"
        );
    }

    /// Three time-series plots (realized value, trust, participation), each
    /// scenario once, from the folder with the most replications that
    /// holds its series (`run` or `compare`).
    fn time_series(&mut self, catalogue: &Catalogue) -> Result<(), PlotError> {
        let mut series: Vec<(String, f64, Vec<[Estimate; 3]>)> = Vec::new();
        let mut from: Vec<(String, String)> = Vec::new(); // (source, scenario)
        for e in &catalogue.entries {
            let holds = |s: &Source| match s.results {
                Results::Run(_) => true,
                Results::Compare(c) => c.series.iter().any(|(n, _)| *n == e.name),
                _ => false,
            };
            let Some(source) = e.best(holds) else {
                continue;
            };
            let steps = match source.results {
                Results::Run(r) => from_step_series(r),
                Results::Compare(c) => c
                    .series
                    .iter()
                    .find(|(n, _)| *n == e.name)
                    .map(|(_, points)| from_series_points(points))
                    .unwrap_or_default(),
                _ => continue,
            };
            series.push((e.label.clone(), citizens(e.scenario), steps));
            from.push((source.describe(), e.label.clone()));
        }
        if series.is_empty() {
            return Ok(());
        }
        self.section("Over time");
        // "baseline and combined from run, 100 replications each; ..."
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for (source, label) in from {
            match groups.iter_mut().find(|(s, _)| *s == source) {
                Some((_, labels)) => labels.push(label),
                None => groups.push((source, vec![label])),
            }
        }
        let sources = groups
            .iter()
            .map(|(source, labels)| {
                let each = if labels.len() > 1 { " each" } else { "" };
                format!("{} from {source}{each}", and_list(labels))
            })
            .collect::<Vec<_>>()
            .join("; ");
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
                "{title}: mean over replications at each step, the shaded band its 95% confidence interval. Sources: {sources}."
            );
            self.figure(&format!("over-time-{file}"), chart, &caption)?;
        }
        Ok(())
    }

    fn compare(
        &mut self,
        results: &Results,
        c: &CompareResults,
        catalogue: &Catalogue,
    ) -> Result<(), PlotError> {
        let base = c.manifest["base"].as_str().unwrap_or("base").to_string();
        let base_label = catalogue.label(results, &base);
        self.section(&format!("Comparison with {base_label}"));
        let reps = c.manifest["replications"].as_u64().unwrap_or(0);
        let _ = write!(
            self.body,
            "<p>From <code>cocreate compare</code> (<code>{}</code>): every scenario ran the same <b>{reps} paired replications</b> with the same seeds (common random numbers). The difference is the mean of the paired differences from <b>{}</b>, with its 95% interval. The last column is what the pairing gained: the variance an unpaired difference would have, (s²<sub>X</sub> + s²<sub>B</sub>), over that of the paired differences, s²<sub>D</sub>, with a 95% bootstrap interval (a gain of 5 is worth 5 times as many replications){}.</p>",
            escape(&c.dir.display().to_string()),
            escape(&base_label),
            if c.manifest.get("variance_reduction_measured").is_some() {
                "; beside it, the same ratio measured against runs under another master seed (<code>--check-pairing</code>)"
            } else {
                ""
            }
        );
        let measured = c.manifest.get("variance_reduction_measured").is_some();
        let mut table = format!(
            "<table><thead><tr><th>scenario</th><th>figure</th><th>mean [95% CI] ({reps} replications)</th><th>difference [95% CI]</th><th>CRN variance reduction [95% CI]</th>{}</tr></thead><tbody>",
            if measured { "<th>measured</th>" } else { "" }
        );
        for (scenario, metric, level, diff) in c
            .rows
            .iter()
            .filter(|r| KEY_FIGURES.contains(&r.1.as_str()))
        {
            let vr = c.manifest["variance_reduction"][scenario][metric].as_f64();
            let ci = &c.manifest["variance_reduction_ci95"][scenario][metric];
            let times = |v: Option<f64>| match v {
                Some(v) => format!("{v:.1}×"),
                // JSON has no infinity: the paired difference had no variance
                None => "∞".into(),
            };
            let is_base = *scenario == base;
            let interval = if is_base || ci.is_null() {
                String::new()
            } else {
                format!(
                    " <span class=\"ci\">[{}, {}]</span>",
                    times(ci[0].as_f64()),
                    times(ci[1].as_f64())
                )
            };
            let measured_cell = if !measured {
                String::new()
            } else if is_base {
                "<td></td>".into()
            } else {
                format!(
                    "<td>{}</td>",
                    times(c.manifest["variance_reduction_measured"][scenario][metric].as_f64())
                )
            };
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{interval}</td>{measured_cell}</tr>",
                escape(&catalogue.label(results, scenario)),
                named(&labels::figure(metric), metric),
                with_interval(level),
                if is_base {
                    "(base)".into()
                } else {
                    with_interval(diff)
                },
                if is_base { String::new() } else { times(vr) }
            );
        }
        table.push_str("</tbody></table>");
        self.body.push_str(&table);
        // the differences in the key value figure, as bars
        let bars: Vec<Bar> = c
            .rows
            .iter()
            .filter(|r| r.1 == "total_value_realized" && r.0 != base)
            .map(|(s, _, _, d)| bar(&catalogue.label(results, s), d))
            .collect();
        if !bars.is_empty() {
            let chart = plot::bars(
                &format!("Realized value: difference from {base_label}"),
                "difference in realized value (value units)",
                &[BarGroup {
                    name: "paired difference".into(),
                    bars,
                }],
            );
            let caption = format!(
                "Mean paired difference in realized value from the base scenario over {reps} paired replications, with its 95% interval (common random numbers)."
            );
            self.figure(&format!("compare-{base}-difference"), chart, &caption)?;
        }
        Ok(())
    }

    /// Each scenario's waterfall once, from the folder (`waterfall`, or
    /// `attribute`, which writes one too) with the most replications.
    fn waterfalls(&mut self, catalogue: &Catalogue) -> Result<(), PlotError> {
        for e in &catalogue.entries {
            fn steps_of<'a>(s: &Source<'a>) -> Option<&'a Vec<WaterfallStep>> {
                match s.results {
                    Results::Waterfall(w) => Some(&w.steps),
                    Results::Attribution(a) => a.waterfall.as_ref(),
                    _ => None,
                }
            }
            let Some(source) = e.best(|s| steps_of(s).is_some()) else {
                continue;
            };
            let Some(steps) = steps_of(&source) else {
                continue;
            };
            let others: Vec<String> = e
                .sources
                .iter()
                .filter(|s| steps_of(s).is_some() && !std::ptr::eq(s.results, source.results))
                .map(|s| format!("cocreate {} ({})", s.command.name(), s.replications_text()))
                .collect();
            self.section(&format!("Where the value is lost: {}", e.label));
            let also = if others.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} wrote one too, not shown again",
                    escape(&and_list(&others))
                )
            };
            let _ = write!(
                self.body,
                "<p>From <code>cocreate {}</code> (<code>{}</code>), {}{also}.</p>",
                source.command.name(),
                escape(&source.dir().display().to_string()),
                escape(&source.replications_text())
            );
            self.waterfall(&e.label, &format!("waterfall-{}", e.label), steps)?;
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
                label: capitalized(&s.label),
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
            "realized value (value units)",
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
                named(&capitalized(&s.label), &s.step),
                with_interval(&s.value)
            );
        }
        table.push_str("</tbody></table>");
        self.body.push_str(&table);
        Ok(())
    }

    fn attribution(
        &mut self,
        e: &Entry,
        source: &Source,
        a: &AttributionResults,
    ) -> Result<(), PlotError> {
        self.section(&format!("Which inhibitor costs the most: {}", e.label));
        let mut shares: Vec<_> = a
            .shares
            .iter()
            .filter(|s| s.metric == "total_value_realized")
            .collect();
        shares.sort_by(|x, y| x.shapley.mean.total_cmp(&y.shapley.mean));
        let reps = source.replications;
        let coalitions = a.manifest["coalitions"].as_u64().unwrap_or(0);
        let _ = write!(
            self.body,
            "<p>From <code>cocreate attribute</code> (<code>{}</code>). Shapley values of the inhibitors for realized value: all {coalitions} combinations of the inhibitors ran with the same {reps} replications, so the values add up exactly to the scenario's realized value minus that of its inhibitor-free twin. Removing one alone changes the value by the last column.</p>",
            escape(&a.dir.display().to_string())
        );
        let mut table = String::from(
            "<table><thead><tr><th>rank</th><th>inhibitor</th><th>Shapley value [95% CI]</th><th>removing it alone</th></tr></thead><tbody>",
        );
        for (i, s) in shares.iter().enumerate() {
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                named(&labels::inhibitor(&s.inhibitor), &s.inhibitor),
                with_interval(&s.shapley),
                signed(s.removal_gain)
            );
        }
        table.push_str("</tbody></table>");
        self.body.push_str(&table);
        let bars: Vec<Bar> = shares
            .iter()
            .map(|s| bar(&labels::inhibitor(&s.inhibitor), &s.shapley))
            .collect();
        let chart = plot::bars(
            &format!("Realized value lost to each inhibitor: {}", e.label),
            "Shapley value for realized value (value units)",
            &[BarGroup {
                name: "Shapley value".into(),
                bars,
            }],
        );
        self.figure(&format!("attribution-{}", e.label), chart, "Shapley value of each inhibitor for realized value (negative: value lost), with 95% intervals over replications.")?;
        Ok(())
    }

    fn methods(&mut self, catalogue: &Catalogue) {
        self.section("Method notes");
        self.body.push_str(METHODS);
        // the scenarios' own and redefined inhibitors, each definition once
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut items = String::new();
        for e in &catalogue.entries {
            for (name, v) in e.scenario["inhibitors"].as_object().into_iter().flatten() {
                let Some(effects) = v["effects"].as_array() else {
                    continue;
                };
                let effects: Vec<&str> = effects.iter().filter_map(Value::as_str).collect();
                let key = (name.clone(), effects.join("; "));
                if seen.contains(&key) {
                    continue;
                }
                let origin = v["origin"].as_str().unwrap_or("custom");
                let description = v["description"].as_str().unwrap_or_default();
                let list: String = effects
                    .iter()
                    .map(|f| format!("<li><code>{}</code></li>", escape(f)))
                    .collect();
                let _ = write!(
                    items,
                    "<dt>{} ({}, in {})</dt><dd>{}<ul>{list}</ul></dd>",
                    named(&labels::inhibitor(name), name),
                    if origin == "redefined" {
                        "a built-in, redefined"
                    } else {
                        "defined by the scenario"
                    },
                    escape(&e.label),
                    escape(description)
                );
                seen.push(key);
            }
        }
        if !items.is_empty() {
            let _ = write!(
                self.body,
                "<h3>Inhibitors the scenarios define</h3><p>Each is a list of effects (MODEL.md 11.3): at intensity x, <code>scale</code> multiplies its parameter by 1 + by·x, <code>add</code> adds by·x, and <code>toward</code> moves it by·x of the way to <code>to</code>. They act after the built-ins, in file order; a redefined built-in keeps its place.</p><dl>{items}</dl>"
            );
        }
    }

    /// Each scenario's groups and kinds (by its label), from the folder
    /// with the most replications among its `run` and `compare` folders
    /// that hold a `breakdown.csv`.
    fn breakdowns(catalogue: &Catalogue) -> Vec<ScenarioParts> {
        let of = |e: &Entry, results: &Results| -> Vec<PartEstimate> {
            match results {
                Results::Run(r) => r.breakdown.clone(),
                Results::Compare(c) => c
                    .breakdown
                    .iter()
                    .filter(|(scenario, _)| *scenario == e.name)
                    .map(|(_, p)| p.clone())
                    .collect(),
                _ => Vec::new(),
            }
        };
        catalogue
            .entries
            .iter()
            .filter_map(|e| {
                let source = e.best(|s| !of(e, s.results).is_empty())?;
                Some((e.label.clone(), of(e, source.results)))
            })
            .collect()
    }

    /// The equity panel (MODEL.md 11.5): who gains and who is left behind.
    fn equity(&mut self, catalogue: &Catalogue) -> Result<(), PlotError> {
        let runs = Self::breakdowns(catalogue);
        let groups = parts::part_names(&runs, "group");
        if groups.is_empty() {
            return Ok(());
        }
        self.section("Who gains and who is left behind: citizen groups");
        let _ = write!(
            self.body,
            "<p>Each citizen group's private value per capita, participation and change of trust over the run, per scenario, from the <code>breakdown.csv</code> of each scenario's <code>cocreate run</code> or <code>compare</code> folder with the most replications (means over replications with 95% intervals). The groups are the scenarios' own (MODEL.md 11.1); a scenario without groups has the one group <i>all</i>.</p>"
        );
        let mut table = String::from(
            "<table><thead><tr><th>scenario</th><th>group</th><th>citizens</th><th>value per capita [95% CI]</th><th>participation rate [95% CI]</th><th>trust change [95% CI]</th></tr></thead><tbody>",
        );
        for (label, found) in &runs {
            for g in &groups {
                let get = |metric: &str| parts::estimate(found, "group", g, metric);
                let Some(value) = get("value_per_capita") else {
                    continue;
                };
                // a group's size is the same in every replication
                let citizens =
                    get("citizens").map_or_else(|| "–".to_string(), |c| format!("{:.0}", c.mean));
                let _ = write!(
                    table,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(label),
                    escape(g),
                    citizens,
                    with_interval(&value),
                    with_interval(&get("participation_rate").unwrap_or(Estimate::NAN)),
                    with_interval(&get("trust_change").unwrap_or(Estimate::NAN)),
                );
            }
        }
        table.push_str("</tbody></table>");
        self.body.push_str(&table);
        for c in parts::equity_charts(&runs) {
            self.figure(&c.stem, c.chart, &c.caption)?;
        }
        Ok(())
    }

    /// The kinds panel (MODEL.md 11.5): which kind of agency holds things back.
    fn kinds(&mut self, catalogue: &Catalogue) -> Result<(), PlotError> {
        let runs = Self::breakdowns(catalogue);
        let charts = parts::kinds_charts(&runs);
        if charts.is_empty() {
            return Ok(());
        }
        self.section("Which agencies hold things back: agency kinds");
        let _ = write!(
            self.body,
            "<p>Each agency kind's realized value and what became of the participants who turned to it, per scenario, from the <code>breakdown.csv</code> of each scenario's <code>cocreate run</code> or <code>compare</code> folder with the most replications. Outcome shares are shares of the participants who picked the kind's agencies (means over replications of the counts, so without intervals).</p>"
        );
        for c in charts {
            self.figure(&c.stem, c.chart, &c.caption)?;
        }
        Ok(())
    }

    /// The page, with the subset of the font its plots use declared once.
    fn finish(&self) -> Result<String, PlotError> {
        let toc: String = self
            .toc
            .iter()
            .map(|(id, t)| format!("<li><a href=\"#{id}\">{}</a></li>", escape(t)))
            .collect();
        let fonts = self.used.font_face_css()?;
        Ok(format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>cocreate report</title><style>{fonts}{STYLE}</style></head><body><nav><ol>{toc}</ol></nav><main>{}</main></body></html>\n",
            self.body
        ))
    }
}

/// A readable name with the file's name beside it (and as its tooltip), for
/// tables: users look columns up by the file's name.
fn named(readable: &str, raw: &str) -> String {
    if readable == raw {
        return escape(raw);
    }
    format!(
        "<span title=\"{0}\">{1}</span> <code class=\"raw\">{0}</code>",
        escape(raw),
        escape(readable)
    )
}

/// `text` with a capital first letter.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The HTML id of a scenario's block.
fn scenario_id(label: &str) -> String {
    format!("scenario-{}", slug(label))
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
        Some("set") => {
            let key = v["key"].as_str().unwrap_or("?");
            let dotted = crate::scenario::SetKey::from_name(key).map_or(key, |k| k.dotted());
            format!(
                "set {} to {}",
                named(&labels::parameter(dotted), key),
                escape(&parameter(&v["value"]))
            )
        }
        Some(kind) => {
            let delta = &v["delta"];
            let moved = match kind {
                "trust_campaign" => "each citizen's trust",
                "openness_program" => "each agency's openness",
                "capability_program" => "each citizen's capability",
                "motivation_campaign" => "each citizen's motivation",
                _ => "the value",
            };
            let share = delta.as_f64().map_or_else(String::new, |d| {
                let percent = parameter(&Value::from(100.0 * d));
                if kind == "inclusion_program" {
                    format!(": each excluded citizen is included with probability {percent}%")
                } else {
                    format!(": {moved} moves {percent}% of the way to 1")
                }
            });
            format!(
                "{} (delta {}{share})",
                named(&labels::intervention(kind), kind),
                escape(&parameter(delta))
            )
        }
        None => escape(&v.to_string()),
    };
    let mut on = String::new();
    for (side, word) in [("groups", "group"), ("kinds", "kind")] {
        if let Some(names) = v[side].as_array() {
            let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
            let s = if names.len() == 1 { "" } else { "s" };
            on = format!(", on the {word}{s} {}", escape(&names.join(", ")));
        }
    }
    format!("<li>after step {at}: {what}{on}</li>")
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

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;margin:0;display:flex}nav{position:sticky;top:0;align-self:flex-start;width:15rem;padding:1rem;font-size:.9rem}nav ol{padding-left:1.2rem}main{max-width:60rem;padding:1rem 2rem}h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.5rem}table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}th{background:#f3f3f3}.ci{color:#666}tr.changed td{font-weight:600;background:#fff6e0}figure.plot{margin:1.5rem 0}figure.plot svg{max-width:100%;height:auto}figcaption{font-size:.85rem;color:#444}.meta{color:#555}.scenario{border-left:3px solid #0072B2;padding-left:.8rem;margin:1rem 0}details{margin:.5rem 0}code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono','DejaVu Sans Mono',monospace;font-size:.85em}code.raw{color:#666;font-size:.75em}th .source{font-weight:normal;color:#555;font-size:.85em}ul.notes{color:#8a4b00}@media print{nav{display:none}}";

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
            breakdown: Vec::new(),
        })];
        let report = build(&results, &["x".into()], "now", &[]).unwrap();
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
