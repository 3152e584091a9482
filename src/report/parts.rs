//! The charts of the equity panel (citizen groups) and the kinds panel
//! (agency kinds), MODEL.md 11.5, from each scenario's `breakdown.csv`
//! rows. The report and `cocreate serve` draw them with this code.

use super::load::{Estimate, PartEstimate};
use super::plot::{self, Bar, BarGroup, Chart};

/// One scenario's groups and kinds: its label and its breakdown rows.
pub type ScenarioParts = (String, Vec<PartEstimate>);

/// A chart of a panel, with the file stem and caption the report gives it.
pub struct PartChart {
    /// File stem (e.g. `equity-value_per_capita`).
    pub stem: String,
    /// The chart.
    pub chart: Chart,
    /// What it shows, in a sentence or two.
    pub caption: String,
}

/// The names at `level` (`group` or `kind`) over `runs`, in order of first
/// appearance; empty when every scenario has only the implicit `all`.
pub fn part_names(runs: &[ScenarioParts], level: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, parts) in runs {
        for p in parts.iter().filter(|p| p.level == level) {
            if !names.contains(&p.name) {
                names.push(p.name.clone());
            }
        }
    }
    if names.iter().all(|n| n == crate::model::structure::ALL) {
        names.clear();
    }
    names
}

/// The estimate of `metric` of the group or kind `name` in `parts`.
pub fn estimate(parts: &[PartEstimate], level: &str, name: &str, metric: &str) -> Option<Estimate> {
    parts
        .iter()
        .find(|p| p.level == level && p.name == name && p.metric == metric)
        .map(|p| p.value)
}

/// One figure of every group or kind in `names`, per scenario: one bar
/// group per scenario (no bar where it has no such group or kind).
fn part_bars(
    runs: &[ScenarioParts],
    level: &str,
    names: &[String],
    metric: &str,
    scale: f64,
) -> Vec<BarGroup> {
    runs.iter()
        .map(|(label, parts)| BarGroup {
            name: label.clone(),
            bars: names
                .iter()
                .map(|n| {
                    let v = estimate(parts, level, n, metric).unwrap_or(Estimate::NAN);
                    Bar {
                        label: n.clone(),
                        value: v.mean * scale,
                        low: v.low * scale,
                        high: v.high * scale,
                    }
                })
                .collect(),
        })
        .collect()
}

/// The equity panel's charts: each group's value per capita, participation
/// and change of trust, per scenario, with 95% intervals. None when no
/// scenario has groups of its own.
pub fn equity_charts(runs: &[ScenarioParts]) -> Vec<PartChart> {
    let groups = part_names(runs, "group");
    if groups.is_empty() {
        return Vec::new();
    }
    [
        (
            "value_per_capita",
            "Private value per citizen, by group",
            "value per capita (value units)",
            1.0,
            "Mean private value each group's citizens received over the run, per scenario, with 95% intervals.",
        ),
        (
            "participation_rate",
            "Participation, by group",
            "participation rate (% of the group per month)",
            100.0,
            "Mean share of each group that took part per month, per scenario, with 95% intervals.",
        ),
        (
            "trust_change",
            "Change of trust over the run, by group",
            "trust change (final minus initial mean trust)",
            1.0,
            "Each group's mean trust at the end minus right after initialization, per scenario, with 95% intervals.",
        ),
    ]
    .into_iter()
    .map(|(metric, title, axis, scale, caption)| PartChart {
        stem: format!("equity-{metric}"),
        chart: plot::bars(
            title,
            axis,
            &part_bars(runs, "group", &groups, metric, scale),
        ),
        caption: caption.into(),
    })
    .collect()
}

/// What can become of a participant, as `kinds.csv` counts it, with its
/// label in the kinds panel.
const OUTCOMES: [(&str, &str); 5] = [
    ("realized", "realized"),
    ("blocked_legal", "no legal basis"),
    ("not_implemented", "not implemented"),
    ("co_destroyed", "co-destroyed"),
    ("unserved", "unserved"),
];

/// The kinds panel's charts: each kind's realized value per scenario (with
/// 95% intervals), and for each scenario what became of the participants
/// who turned to each kind. None when no scenario has kinds of its own.
pub fn kinds_charts(runs: &[ScenarioParts]) -> Vec<PartChart> {
    let kinds = part_names(runs, "kind");
    if kinds.is_empty() {
        return Vec::new();
    }
    let mut charts = vec![PartChart {
        stem: "kinds-value".into(),
        chart: plot::bars(
            "Realized value, by agency kind",
            "realized value over the run (value units)",
            &part_bars(runs, "kind", &kinds, "value_realized", 1.0),
        ),
        caption: "Value realized by each kind's agencies over the run (co-destruction's losses included), per scenario, with 95% intervals.".into(),
    }];
    for (label, parts) in runs {
        let mean = |kind: &str, metric: &str| {
            estimate(parts, "kind", kind, metric).map_or(f64::NAN, |e| e.mean)
        };
        let present: Vec<&String> = kinds
            .iter()
            .filter(|k| mean(k, "served").is_finite())
            .collect();
        if present.is_empty()
            || present
                .iter()
                .all(|k| k.as_str() == crate::model::structure::ALL)
        {
            continue;
        }
        let groups: Vec<BarGroup> = OUTCOMES
            .iter()
            .map(|(metric, outcome)| BarGroup {
                name: (*outcome).to_string(),
                bars: present
                    .iter()
                    .map(|k| {
                        let picks = mean(k, "served") + mean(k, "unserved");
                        let share = if picks > 0.0 {
                            100.0 * mean(k, metric) / picks
                        } else {
                            f64::NAN
                        };
                        Bar {
                            label: (*k).clone(),
                            value: share,
                            low: f64::NAN,
                            high: f64::NAN,
                        }
                    })
                    .collect(),
            })
            .collect();
        charts.push(PartChart {
            stem: format!("kinds-outcomes-{label}"),
            chart: plot::bars(
                &format!("What became of the participants, by agency kind: {label}"),
                "share of the participants who picked the kind (%)",
                &groups,
            ),
            caption: format!(
                "{label}: for each kind, the share of its participants whose interaction was realized, had no legal basis, was not implemented, was co-destroyed, or was not served (capacity)."
            ),
        });
    }
    charts
}
