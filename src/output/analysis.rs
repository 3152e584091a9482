//! The tables of the analysis commands: `waterfall.csv`, the value-loss
//! waterfall of one or more scenarios (see [`crate::experiment::waterfall`]
//! for the definition of each step), and `series.csv`, time series with
//! 95% intervals.

use crate::experiment::series::StepSeries;
use crate::experiment::waterfall::{STEP_LABELS, STEPS, Waterfall};
use crate::model::StepRecord;
use crate::stats::Summary;

/// The header of a calibration's `generations.csv`.
pub const GENERATIONS_COLUMNS: [&str; 5] = [
    "generation",
    "tolerance",
    "simulations",
    "acceptance_rate",
    "ess",
];

/// The header of a calibration's `summary.csv`.
pub const POSTERIOR_SUMMARY_COLUMNS: [&str; 8] = [
    "parameter",
    "mean",
    "sd",
    "q025",
    "q50",
    "q975",
    "prior_min",
    "prior_max",
];

/// The header of a calibration's `predictive.csv`.
pub const PREDICTIVE_COLUMNS: [&str; 7] =
    ["target", "observed", "sd", "mean", "q025", "q975", "inside"];

/// The header of a discovery's `trajectory.csv`.
pub const TRAJECTORY_COLUMNS: [&str; 7] = [
    "box",
    "step",
    "coverage",
    "density",
    "mass",
    "restricted",
    "chosen",
];

/// The header of a discovery's `boxes.csv`.
pub const BOXES_COLUMNS: [&str; 6] = ["box", "factor", "low", "high", "qp_low", "qp_high"];

/// The header of `waterfall.csv`.
pub const WATERFALL_COLUMNS: [&str; 8] = [
    "scenario",
    "step",
    "kind",
    "label",
    "value",
    "ci95_low",
    "ci95_high",
    "share_of_twin",
];

/// The text of `waterfall.csv`: per scenario, the twin's realized value
/// (`twin_realized`, kind `level`), the change due to each step (kind
/// `change`, negative for value lost) and the scenario's realized value
/// (`scenario_realized`, kind `level`); `share_of_twin` is the value over
/// the twin's mean realized value (NaN when the twin realizes nothing or less).
pub fn waterfall_csv(waterfalls: &[(&str, &Waterfall)]) -> Vec<u8> {
    let rows: Vec<(&str, Option<&str>, &Waterfall)> =
        waterfalls.iter().map(|(s, w)| (*s, None, *w)).collect();
    waterfall_rows(&WATERFALL_COLUMNS, &rows)
}

/// The header of `waterfall_groups.csv`: that of `waterfall.csv` with the
/// citizen group after the scenario.
pub const GROUP_WATERFALL_COLUMNS: [&str; 9] = [
    "scenario",
    "group",
    "step",
    "kind",
    "label",
    "value",
    "ci95_low",
    "ci95_high",
    "share_of_twin",
];

/// The text of `waterfall_groups.csv`: the waterfall of each citizen
/// group's own realized value (MODEL.md 11.5), as in `waterfall.csv`.
pub fn group_waterfall_csv(waterfalls: &[(&str, &str, &Waterfall)]) -> Vec<u8> {
    let rows: Vec<(&str, Option<&str>, &Waterfall)> = waterfalls
        .iter()
        .map(|(s, g, w)| (*s, Some(*g), *w))
        .collect();
    waterfall_rows(&GROUP_WATERFALL_COLUMNS, &rows)
}

fn waterfall_rows(header: &[&str], waterfalls: &[(&str, Option<&str>, &Waterfall)]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut buf = ryu::Buffer::new();
    let _ = out.write_record(header);
    for (scenario, group, w) in waterfalls {
        let base = w.twin.mean;
        let mut row = |step: &str, kind: &str, label: &str, s: &Summary| {
            let share = if base > 0.0 { s.mean / base } else { f64::NAN };
            let mut fields = vec![scenario.to_string()];
            fields.extend(group.map(str::to_string));
            fields.extend([
                step.to_string(),
                kind.to_string(),
                label.to_string(),
                super::real(s.mean, &mut buf),
                super::real(s.ci95_low, &mut buf),
                super::real(s.ci95_high, &mut buf),
                super::real(share, &mut buf),
            ]);
            let _ = out.write_record(&fields);
        };
        row("twin_realized", "level", "inhibitor-free twin", &w.twin);
        for ((step, label), s) in STEPS.iter().zip(STEP_LABELS).zip(&w.steps) {
            row(step, "change", label, s);
        }
        row("scenario_realized", "level", "what remains", &w.scenario);
    }
    out.into_inner().unwrap_or_default()
}

/// The header of `series.csv`.
pub const SERIES_COLUMNS: [&str; 6] = [
    "scenario",
    "step",
    "metric",
    "mean",
    "ci95_low",
    "ci95_high",
];

/// The text of `series.csv`: per scenario, step and figure of
/// [`StepRecord::FIGURES`], the mean over replications and its 95% interval.
pub fn series_csv(series: &[(&str, &StepSeries)]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut buf = ryu::Buffer::new();
    let _ = out.write_record(SERIES_COLUMNS);
    for (scenario, s) in series {
        for step in 0..s.len() {
            for (k, metric) in StepRecord::FIGURES.iter().enumerate() {
                let Some(r) = s.at(step, k) else {
                    continue;
                };
                let (low, high) = r.ci95();
                let _ = out.write_record([
                    scenario.to_string(),
                    step.to_string(),
                    metric.to_string(),
                    super::real(r.mean(), &mut buf),
                    super::real(low, &mut buf),
                    super::real(high, &mut buf),
                ]);
            }
        }
    }
    out.into_inner().unwrap_or_default()
}
