//! A scenario discovery's section: each chosen box as a rule with its
//! quasi-p-values, the peeling trajectory (coverage against density, the
//! chosen box marked), and each box over its two most restricted factors
//! with the points coloured by case.

use super::{Page, escape, named, number};
use crate::report::labels;
use crate::report::load::{BoxLimit, DiscoveryResults};
use crate::report::plot::{self, PlotError, Points, Region};
use std::fmt::Write as _;

/// At most this many points are drawn on a box's scatter plot (every k-th).
const MOST_POINTS: usize = 3000;

impl Page {
    pub(super) fn discovery(&mut self, d: &DiscoveryResults) -> Result<(), PlotError> {
        self.section(&format!("Scenario discovery: {}", d.name));
        let m = &d.manifest;
        let (relation, limit) = if m["below"].is_number() {
            ("below", m["below"].as_f64())
        } else {
            ("above", m["above"].as_f64())
        };
        let metric = m["metric"].as_str().unwrap_or("?");
        let _ = write!(
            self.body,
            "<p>From <code>cocreate discover</code> (<code>{}</code>) over the sweep <code>{}</code>: a point is a case of interest when its mean {} is {relation} {}; {} of its {} points are. PRIM (Friedman &amp; Fisher 1999) peels {}% at a time, pastes {}%, down to {}% of the points; the box shown is the one of highest coverage whose density is at least {}%.</p>",
            escape(&d.dir.display().to_string()),
            escape(m["sweep"].as_str().unwrap_or("?")),
            named(&labels::figure(metric), metric),
            number(limit.unwrap_or(f64::NAN)),
            m["cases"].as_u64().unwrap_or(0),
            m["points"].as_u64().unwrap_or(0),
            number(100.0 * m["peel_alpha"].as_f64().unwrap_or(f64::NAN)),
            number(100.0 * m["paste_alpha"].as_f64().unwrap_or(f64::NAN)),
            number(100.0 * m["min_mass"].as_f64().unwrap_or(f64::NAN)),
            number(100.0 * m["threshold"].as_f64().unwrap_or(f64::NAN)),
        );
        let boxes: Vec<u32> = {
            let mut b: Vec<u32> = d.trajectory.iter().map(|r| r.boxed).collect();
            b.dedup();
            b
        };
        if boxes.is_empty() {
            self.body
                .push_str("<p>No box reached the density asked for.</p>");
            return Ok(());
        }
        self.rules(d, &boxes);
        self.trajectory(d, &boxes)?;
        for &b in &boxes {
            self.box_plot(d, b)?;
        }
        Ok(())
    }

    fn rules(&mut self, d: &DiscoveryResults, boxes: &[u32]) {
        let mut table = String::from(
            "<table class=\"indices\"><thead><tr><th>box</th><th>coverage</th><th>density</th><th>mass</th><th>factor</th><th>from</th><th>to</th><th>quasi-p (from)</th><th>quasi-p (to)</th></tr></thead><tbody>",
        );
        for &b in boxes {
            let Some(chosen) = d.trajectory.iter().find(|r| r.boxed == b && r.chosen) else {
                continue;
            };
            let limits: Vec<&BoxLimit> = d.limits.iter().filter(|l| l.boxed == b).collect();
            let rows = limits.len().max(1);
            let _ = write!(
                table,
                "<tr><td rowspan=\"{rows}\">{b}</td><td rowspan=\"{rows}\">{}%</td><td rowspan=\"{rows}\">{}%</td><td rowspan=\"{rows}\">{}%</td>",
                number(100.0 * chosen.coverage),
                number(100.0 * chosen.density),
                number(100.0 * chosen.mass),
            );
            if limits.is_empty() {
                table.push_str("<td colspan=\"5\">(every point)</td></tr>");
            }
            for (k, l) in limits.iter().enumerate() {
                if k > 0 {
                    table.push_str("<tr>");
                }
                let _ = write!(
                    table,
                    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    named(&labels::parameter(&l.factor), &l.factor),
                    number(l.low),
                    number(l.high),
                    number(l.qp_low),
                    number(l.qp_high)
                );
            }
        }
        table.push_str("</tbody></table>");
        let _ = write!(
            self.body,
            "<p>Each box's limits: coverage is the share of all cases inside it, density the share of cases among the points inside, mass the share of points inside. A limit's quasi-p-value (a binomial test, as the EMA Workbench reports it) is small when the limit matters; one near 1 marks a limit that could be dropped.</p>{table}"
        );
    }

    fn trajectory(&mut self, d: &DiscoveryResults, boxes: &[u32]) -> Result<(), PlotError> {
        let mut sets: Vec<Points> = boxes
            .iter()
            .map(|&b| {
                let rows = d.trajectory.iter().filter(|r| r.boxed == b);
                Points {
                    label: if boxes.len() > 1 {
                        format!("box {b}")
                    } else {
                        "peeling trajectory".into()
                    },
                    x: rows.clone().map(|r| r.coverage).collect(),
                    y: rows.map(|r| r.density).collect(),
                    joined: true,
                    radius: 2,
                    shade: None,
                }
            })
            .collect();
        let chosen = d.trajectory.iter().filter(|r| r.chosen);
        sets.push(Points {
            label: "chosen box".into(),
            x: chosen.clone().map(|r| r.coverage).collect(),
            y: chosen.map(|r| r.density).collect(),
            joined: false,
            radius: 7,
            shade: None,
        });
        let chart = plot::scatter(
            &format!("Peeling trajectory: {}", d.name),
            "coverage (share of the cases inside)",
            "density (share of cases inside)",
            "",
            &sets,
            &[],
        );
        self.figure(
            &format!("trajectory-{}", d.name),
            chart,
            "Each box of the peeling trajectory, from the whole space (coverage 1, lower right) to the smallest box (upper left), and the box chosen: the one of highest coverage whose density reaches the threshold.",
        )
    }

    fn box_plot(&mut self, d: &DiscoveryResults, b: u32) -> Result<(), PlotError> {
        if d.points.is_empty() {
            return Ok(());
        }
        let column = |f: usize| d.points.iter().map(move |p| p[f]);
        let range = |f: usize| {
            column(f).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
        };
        // the two factors the box narrows most, relative to their range
        let limits: Vec<&BoxLimit> = d.limits.iter().filter(|l| l.boxed == b).collect();
        let mut by_narrowing: Vec<(f64, usize)> = limits
            .iter()
            .filter_map(|l| {
                let f = d.factors.iter().position(|n| *n == l.factor)?;
                let (lo, hi) = range(f);
                Some(((l.high - l.low) / (hi - lo), f))
            })
            .collect();
        by_narrowing.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut shown: Vec<usize> = by_narrowing.iter().map(|p| p.1).collect();
        let rest: Vec<usize> = (0..d.factors.len())
            .filter(|f| !shown.contains(f))
            .collect();
        shown.extend(rest);
        if shown.len() < 2 {
            return Ok(());
        }
        let (fx, fy) = (shown[0], shown[1]);
        let limit = |f: usize| {
            limits
                .iter()
                .find(|l| l.factor == d.factors[f])
                .map_or_else(|| range(f), |l| (l.low, l.high))
        };
        let step = d.points.len().div_ceil(MOST_POINTS).max(1);
        let set = |case: bool, label: &str| {
            let picked: Vec<&Vec<f64>> = d
                .points
                .iter()
                .zip(&d.case)
                .step_by(step)
                .filter(|(_, c)| **c == case)
                .map(|(p, _)| p)
                .collect();
            Points {
                label: label.into(),
                x: picked.iter().map(|p| p[fx]).collect(),
                y: picked.iter().map(|p| p[fy]).collect(),
                joined: false,
                radius: 3,
                shade: None,
            }
        };
        let (nx, ny) = (
            labels::parameter(&d.factors[fx]),
            labels::parameter(&d.factors[fy]),
        );
        let chart = plot::scatter(
            &format!("Box {b} over {nx} and {ny}"),
            &nx,
            &ny,
            "",
            &[set(false, "not a case"), set(true, "case of interest")],
            &[Region {
                label: format!("box {b}"),
                x: limit(fx),
                y: limit(fy),
            }],
        );
        let sampled = if step > 1 {
            format!(" (every {step}th point of {})", d.points.len())
        } else {
            String::new()
        };
        self.figure(
            &format!("box-{}-{b}", d.name),
            chart,
            &format!(
                "The sweep's points{sampled} over {nx} and {ny}, the two factors box {b} restricts most, coloured by whether they are cases of interest; the box's limits on these two factors outlined (its other limits, if any, are in the table)."
            ),
        )
    }
}
