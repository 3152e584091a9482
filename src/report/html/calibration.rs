//! A calibration's section: the posterior table, each parameter's marginal
//! density over its prior's range, the particles pairwise coloured by
//! weight, the tolerance trajectory, and the predictive check.

use super::{Page, escape, named, number};
use crate::experiment::abc::weighted_mean_sd;
use crate::report::labels;
use crate::report::load::CalibrationResults;
use crate::report::plot::{self, Band, Bar, BarGroup, PlotError, Points};
use std::fmt::Write as _;

/// Points of a marginal density curve.
const DENSITY_POINTS: usize = 121;

/// At most this many pairs of parameters get a scatter plot.
const MOST_PAIRS: usize = 6;

/// The weighted Gaussian kernel density of `values` at `DENSITY_POINTS`
/// points over `[lo, hi]`, with Silverman's bandwidth from the weighted sd
/// and the effective sample size; reflected at the prior's ends, so that
/// mass piled against a bound is not lost outside it.
pub(crate) fn density(values: &[(f64, f64)], lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let total: f64 = values.iter().map(|v| v.1).sum();
    let (_, sd) = weighted_mean_sd(values);
    let ess = total * total / values.iter().map(|v| v.1 * v.1).sum::<f64>();
    let h = (1.06 * sd * ess.powf(-0.2)).max((hi - lo) * 1e-3);
    let xs: Vec<f64> = (0..DENSITY_POINTS)
        .map(|i| lo + (hi - lo) * i as f64 / (DENSITY_POINTS - 1) as f64)
        .collect();
    let norm = 1.0 / (total * h * (2.0 * std::f64::consts::PI).sqrt());
    let kernel = |d: f64| (-0.5 * (d / h).powi(2)).exp();
    let ys = xs
        .iter()
        .map(|&x| {
            norm * values
                .iter()
                .map(|&(v, w)| {
                    w * (kernel(x - v) + kernel(x - (2.0 * lo - v)) + kernel(x - (2.0 * hi - v)))
                })
                .sum::<f64>()
        })
        .collect();
    (xs, ys)
}

impl Page {
    pub(super) fn calibration(&mut self, c: &CalibrationResults) -> Result<(), PlotError> {
        self.section(&format!("Calibration: {}", c.name));
        let m = &c.manifest;
        if let Some(d) = m["description"].as_str().filter(|d| !d.is_empty()) {
            let _ = write!(self.body, "<p>{}</p>", escape(d));
        }
        let targets: Vec<String> = m["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| {
                let f = t["figure"].as_str().unwrap_or("?");
                format!(
                    "{} = {} (sd {})",
                    named(&labels::target(f), f),
                    number(t["value"].as_f64().unwrap_or(f64::NAN)),
                    number(t["sd"].as_f64().unwrap_or(f64::NAN))
                )
            })
            .collect();
        let _ = write!(
            self.body,
            "<p>From <code>cocreate calibrate</code> (<code>{}</code>): ABC-SMC with {} particles a generation, {} replication(s) a particle, {} generations, {} simulations; it stopped because {}. Base scenario <b>{}</b>; observed: {}.</p>",
            escape(&c.dir.display().to_string()),
            m["particles"].as_u64().unwrap_or(0),
            m["replications_per_particle"].as_u64().unwrap_or(0),
            c.generations.len(),
            m["simulations"].as_u64().unwrap_or(0),
            escape(m["stopped_because"].as_str().unwrap_or("?")),
            escape(m["base_scenario"]["name"].as_str().unwrap_or("?")),
            targets.join("; ")
        );
        self.posterior_table(c);
        self.marginals(c)?;
        self.pairs(c)?;
        self.tolerances(c)?;
        self.predictive(c)
    }

    fn posterior_table(&mut self, c: &CalibrationResults) {
        let mut table = String::from(
            "<table class=\"indices\"><thead><tr><th>parameter</th><th>posterior mean</th><th>sd</th><th>95% credible interval</th><th>prior (uniform)</th><th>sd / prior sd</th></tr></thead><tbody>",
        );
        for (name, [mean, sd, q025, _, q975, lo, hi]) in &c.summary {
            let prior_sd = (hi - lo) / 12f64.sqrt();
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>[{}, {}]</td><td>[{}, {}]</td><td>{}</td></tr>",
                named(&labels::parameter(name), name),
                number(*mean),
                number(*sd),
                number(*q025),
                number(*q975),
                number(*lo),
                number(*hi),
                number(sd / prior_sd)
            );
        }
        table.push_str("</tbody></table>");
        let _ = write!(
            self.body,
            "<p>The posterior of each parameter (weighted over the last generation's particles). An sd near the prior's means the observations say little about it.</p>{table}"
        );
    }

    fn marginals(&mut self, c: &CalibrationResults) -> Result<(), PlotError> {
        for (name, summary) in &c.summary {
            // the summary's parameter, by name, among posterior.csv's columns
            let Some(i) = c.parameters.iter().position(|p| p == name) else {
                continue;
            };
            let (lo, hi) = (summary[5], summary[6]);
            let values: Vec<(f64, f64)> = c.particles.iter().map(|(w, v)| (v[i], *w)).collect();
            let (xs, ys) = density(&values, lo, hi);
            let flat = vec![1.0 / (hi - lo); xs.len()];
            let nan = vec![f64::NAN; xs.len()];
            let label = labels::parameter(name);
            let chart = plot::time_series(
                &format!("Posterior of {label}"),
                &label,
                "density",
                &[
                    Band {
                        label: "posterior".into(),
                        x: xs.clone(),
                        mean: ys,
                        low: nan.clone(),
                        high: nan.clone(),
                    },
                    Band {
                        label: "prior".into(),
                        x: xs,
                        mean: flat,
                        low: nan.clone(),
                        high: nan,
                    },
                ],
            );
            self.figure(
                &format!("posterior-{}-{}", c.name, name),
                chart,
                &format!(
                    "Marginal posterior density of {label} ({name}), a weighted kernel density of the particles, over the prior's range [{}, {}] with the prior's flat density.",
                    number(lo),
                    number(hi)
                ),
            )?;
        }
        Ok(())
    }

    fn pairs(&mut self, c: &CalibrationResults) -> Result<(), PlotError> {
        let d = c.parameters.len();
        let pairs: Vec<(usize, usize)> = (0..d)
            .flat_map(|a| (a + 1..d).map(move |b| (a, b)))
            .take(MOST_PAIRS)
            .collect();
        for (a, b) in pairs {
            let (na, nb) = (&c.parameters[a], &c.parameters[b]);
            let (la, lb) = (labels::parameter(na), labels::parameter(nb));
            let points = Points {
                label: String::new(),
                x: c.particles.iter().map(|p| p.1[a]).collect(),
                y: c.particles.iter().map(|p| p.1[b]).collect(),
                joined: false,
                radius: 3,
                shade: Some(c.particles.iter().map(|p| p.0).collect()),
            };
            let chart = plot::scatter(
                &format!("Particles: {la} and {lb}"),
                &la,
                &lb,
                "weight",
                &[points],
                &[],
            );
            self.figure(
                &format!("particles-{}-{na}-{nb}", c.name),
                chart,
                &format!(
                    "The last generation's particles over {la} and {lb}, coloured by weight. A diagonal ridge means the observations fix a combination of the two, not each."
                ),
            )?;
        }
        Ok(())
    }

    fn tolerances(&mut self, c: &CalibrationResults) -> Result<(), PlotError> {
        let x: Vec<f64> = c.generations.iter().map(|g| g[0]).collect();
        let tolerance: Vec<f64> = c.generations.iter().map(|g| g[1]).collect();
        let nan = vec![f64::NAN; x.len()];
        let chart = plot::time_series(
            &format!("Tolerance by generation: {}", c.name),
            "generation",
            "tolerance (distance in observation sds)",
            &[Band {
                label: String::new(),
                x,
                mean: tolerance,
                low: nan.clone(),
                high: nan,
            }],
        );
        let rates: Vec<String> = c
            .generations
            .iter()
            .map(|g| format!("{}%", number(100.0 * g[3])))
            .collect();
        self.figure(
            &format!("tolerance-{}", c.name),
            chart,
            &format!(
                "Each generation's tolerance, the median distance of the previous generation (generation 0 samples the priors and has none). Acceptance rates by generation: {}.",
                rates.join(", ")
            ),
        )
    }

    fn predictive(&mut self, c: &CalibrationResults) -> Result<(), PlotError> {
        let bars: Vec<Bar> = c
            .predictive
            .iter()
            .map(|(name, [observed, sd, mean, q025, q975], _)| Bar {
                label: labels::target(name),
                value: (mean - observed) / sd,
                low: (q025 - observed) / sd,
                high: (q975 - observed) / sd,
            })
            .collect();
        let chart = plot::bars(
            &format!("Predictive check: {}", c.name),
            "simulated minus observed, in observation sds",
            &[BarGroup {
                name: "posterior predictive".into(),
                bars,
            }],
        );
        self.figure(
            &format!("predictive-{}", c.name),
            chart,
            "Each target's posterior predictive mean (bar) and 95% interval (error bar) from 200 particles drawn by weight and simulated again, as the difference from the observed value in units of its sd: the observed value is the line at 0, inside every interval when the model reproduces it.",
        )?;
        let mut table = String::from(
            "<table class=\"indices\"><thead><tr><th>target</th><th>observed</th><th>95% predictive interval</th><th></th></tr></thead><tbody>",
        );
        for (name, [observed, _, _, q025, q975], inside) in &c.predictive {
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td></tr>",
                named(&labels::target(name), name),
                number(*observed),
                number(*q025),
                number(*q975),
                if *inside { "inside" } else { "<b>outside</b>" }
            );
        }
        table.push_str("</tbody></table>");
        self.body.push_str(&table);
        Ok(())
    }
}
