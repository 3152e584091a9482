//! `cocreate calibrate`: ABC-SMC against observed figures.

use super::*;
use cocreate::experiment::abc::{AbcError, AbcObserver, GenerationStats, Particle, Stop};
use cocreate::experiment::calibration::{
    self, Check, PREDICTIVE_DRAWS, ParameterSummary, predictive, summarize,
};
use cocreate::output::{Align, TextTable, number};
use cocreate::scenario::Calibration;
use std::sync::atomic::{AtomicU64, Ordering};

/// `cocreate calibrate`.
pub fn calibrate(args: crate::app::cli::CalibrateArgs) -> Result<()> {
    let started = SystemTime::now();
    let (cal, _) = load_with_base(
        &args.calibration,
        "calibration",
        |text, shown, stem, base| Calibration::from_toml(text, shown, stem, base),
    )?;
    let (threads, pool) = worker_pool(args.threads)?;
    // memory and time before anything runs: the priors' largest corner
    let heaviest = cal
        .scenario_at(&cal.parameters.iter().map(|p| p.max).collect::<Vec<_>>())
        .map_err(|m| BadInput(format!("{}: {m}", args.calibration.display())))?;
    let heavy_model = checked(&heaviest)?;
    limits::check(
        &[limits::Job {
            scenario: &heaviest,
            model: &heavy_model,
            replications: u64::from(cal.replications) * threads as u64,
        }],
        threads,
        0,
        None,
        true,
    )?;
    let folder = stage(&args.out, &cal.name)?;
    let settings = calibration::settings(&cal);
    if !args.quiet {
        eprintln!(
            "calibrating {} parameter{} against {} target{}: {} particles, at most {} generations, {} replication{} per particle, on {threads} thread{}",
            cal.parameters.len(),
            plural(cal.parameters.len()),
            cal.targets.len(),
            plural(cal.targets.len()),
            cal.particles,
            cal.generations,
            cal.replications,
            plural(cal.replications as usize),
            plural(threads),
        );
    }
    let progress = Progress::new(u64::from(cal.particles), "simulations", args.quiet)?;
    // a second Ctrl-C removes the staging folder before exiting
    progress.writing(Some(Unfinished::Staging(folder.target().to_path_buf())));
    let watch = Watch {
        progress: &progress,
        quiet: args.quiet,
        simulated: AtomicU64::new(0),
        expected: AtomicU64::new(u64::from(cal.particles)),
    };
    let posterior = pool.install(|| calibration::run(&cal, &watch));
    let posterior = match posterior {
        Ok(p) => p,
        Err(AbcError::Interrupted { generation }) => bail!(Interrupted(format!(
            "the calibration was stopped in generation {generation}; nothing was written"
        ))),
        Err(AbcError::Simulation(e)) => bail!(BadInput(e)),
    };
    progress.bar.set_message("predictive");
    progress.bar.set_length(PREDICTIVE_DRAWS as u64);
    progress.bar.set_position(0);
    let checks = pool
        .install(|| {
            predictive(&cal, &posterior, &|| progress.bar.inc(1), &|| {
                experiment::Observer::cancelled(&progress)
            })
        })
        .map_err(BadInput)?
        .ok_or_else(|| {
            Interrupted(
                "the calibration was stopped in its predictive check; nothing was written".into(),
            )
        })?;
    progress.bar.finish_and_clear();

    let summary = summarize(&cal, &posterior.particles);
    let mut at_means = cal
        .scenario_at(&summary.iter().map(|s| s.mean).collect::<Vec<_>>())
        .map_err(BadInput)?;
    at_means.name = cal.name.clone();
    at_means.description = format!(
        "{} at the posterior means of calibration `{}`{}",
        cal.base.name,
        cal.name,
        if cal.description.is_empty() {
            String::new()
        } else {
            format!(": {}", cal.description)
        }
    );
    // the posterior means of a valid box may still break a PVC-2 rule
    checked(&at_means)?;
    let scenario_toml = format!(
        "# The base scenario `{}` with the posterior means of `cocreate calibrate {}`\n# filled in (see summary.csv beside this file).\n{}",
        cal.base.name,
        args.calibration.display(),
        at_means.to_toml()
    );
    // the generation given up for too few acceptances ran too
    let given_up = match posterior.stop {
        Stop::Acceptance { simulations, .. } => simulations,
        _ => 0,
    };
    let total: u64 = posterior
        .generations
        .iter()
        .map(|g| g.simulations)
        .sum::<u64>()
        + given_up;
    let manifest = analysis_manifest(
        serde_json::json!({
            "model": if cal.base.uses_pvc2() { "PVC-2" } else { "PVC-1" },
            "calibration": args.calibration.display().to_string(),
            "name": cal.name,
            "description": cal.description,
            "base_scenario": cal.base,
            "particles": cal.particles,
            "generations_asked": cal.generations,
            "generations_run": posterior.generations.len(),
            "replications_per_particle": cal.replications,
            "seed": cal.seed,
            "method": "ABC-SMC (Beaumont et al. 2009): median tolerance, Gaussian kernel with twice the weighted covariance, weights prior / kernel mixture",
            "parameters": cal.parameters.iter().map(|p| serde_json::json!({
                "key": p.key.name(), "prior": "uniform", "min": p.min, "max": p.max,
                "integer": p.key.is_integer(),
            })).collect::<Vec<_>>(),
            "targets": cal.targets.iter().map(|t| serde_json::json!({
                "figure": t.name, "value": t.value, "sd": t.sd,
            })).collect::<Vec<_>>(),
            "stopped_because": posterior.stop.describe(&settings),
            "simulations": total,
            "predictive_draws": PREDICTIVE_DRAWS,
            "files": ["posterior.csv", "generations.csv", "summary.csv", "predictive.csv", "scenario.toml"],
        }),
        threads,
        started,
    )?;
    let dir = write_folder(
        folder,
        &progress,
        &[
            ("posterior.csv", &posterior_csv(&cal, &posterior.particles)),
            ("generations.csv", &generations_csv(&posterior.generations)),
            ("summary.csv", &summary_csv(&summary)),
            ("predictive.csv", &predictive_csv(&checks)),
            ("scenario.toml", scenario_toml.as_bytes()),
            ("manifest.json", &manifest),
        ],
    )?;
    let outside: Vec<&str> = checks
        .iter()
        .filter(|c| !c.inside)
        .map(|c| c.name.as_str())
        .collect();
    if !outside.is_empty() {
        eprintln!(
            "warning: observed {} outside the 95% predictive interval: the model at these priors does not reproduce {}; see predictive.csv",
            outside.join(", "),
            if outside.len() == 1 { "it" } else { "them" }
        );
    }
    if !args.quiet {
        println!(
            "stopped after {} generation{} ({} simulations): {}",
            posterior.generations.len(),
            plural(posterior.generations.len()),
            total,
            posterior.stop.describe(&settings)
        );
        print!("{}", summary_table(&summary));
        print!("{}", predictive_table(&checks));
        println!(
            "wrote {}/{{posterior,generations,summary,predictive}}.csv, scenario.toml and manifest.json",
            dir.display()
        );
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Progress of a calibration: one bar per generation, over its expected
/// simulations, and a line for each generation done.
struct Watch<'a> {
    progress: &'a Progress,
    quiet: bool,
    simulated: AtomicU64,
    expected: AtomicU64,
}

impl AbcObserver for Watch<'_> {
    fn generation_started(&self, generation: u32, tolerance: f64) {
        let bar = &self.progress.bar;
        bar.set_message(if tolerance.is_finite() {
            format!("gen {generation}, tol {}", number(tolerance))
        } else {
            format!("gen {generation}")
        });
        bar.set_length(self.expected.load(Ordering::Relaxed));
        bar.set_position(0);
        bar.reset_eta();
        self.simulated.store(0, Ordering::Relaxed);
    }

    fn simulated(&self) {
        let done = self.simulated.fetch_add(1, Ordering::Relaxed) + 1;
        let bar = &self.progress.bar;
        if bar.length().is_some_and(|l| done > l) {
            bar.set_length(done);
        }
        bar.inc(1);
    }

    fn generation_done(&self, g: &GenerationStats) {
        // a guess for the bar: the next generation accepts fewer
        let particles = g.simulations as f64 * g.acceptance_rate;
        let next = particles / (0.6 * g.acceptance_rate).max(0.01);
        self.expected
            .store(next.ceil().max(1.0) as u64, Ordering::Relaxed);
        if self.quiet {
            return;
        }
        let line = format!(
            "generation {}: tolerance {}, {} simulations, {} accepted, ESS {}",
            g.generation,
            if g.tolerance.is_finite() {
                number(g.tolerance)
            } else {
                "none (the priors)".into()
            },
            g.simulations,
            cocreate::output::percent(g.acceptance_rate),
            number(g.ess)
        );
        self.progress.bar.suspend(|| eprintln!("{line}"));
    }

    fn cancelled(&self) -> bool {
        experiment::Observer::cancelled(self.progress)
    }
}

fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row);
    }
    w.into_inner().unwrap_or_default()
}

fn posterior_csv(cal: &Calibration, particles: &[Particle]) -> Vec<u8> {
    let mut header = vec!["particle".to_string(), "weight".into(), "distance".into()];
    header.extend(cal.parameters.iter().map(|p| p.key.name()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut buf = ryu::Buffer::new();
    let rows: Vec<Vec<String>> = particles
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row = vec![
                i.to_string(),
                output::real(p.weight, &mut buf),
                output::real(p.distance, &mut buf),
            ];
            row.extend(
                (cal.parameters.iter())
                    .zip(&p.theta)
                    .map(|(q, &x)| output::real(q.value(x), &mut buf)),
            );
            row
        })
        .collect();
    csv_bytes(&header, rows)
}

fn generations_csv(generations: &[GenerationStats]) -> Vec<u8> {
    let mut buf = ryu::Buffer::new();
    let rows: Vec<Vec<String>> = generations
        .iter()
        .map(|g| {
            vec![
                g.generation.to_string(),
                output::real(g.tolerance, &mut buf),
                g.simulations.to_string(),
                output::real(g.acceptance_rate, &mut buf),
                output::real(g.ess, &mut buf),
            ]
        })
        .collect();
    csv_bytes(&output::GENERATIONS_COLUMNS, rows)
}

fn summary_csv(summary: &[ParameterSummary]) -> Vec<u8> {
    let mut buf = ryu::Buffer::new();
    let rows: Vec<Vec<String>> = summary
        .iter()
        .map(|s| {
            let mut row = vec![s.name.clone()];
            for v in [s.mean, s.sd, s.q025, s.q50, s.q975, s.prior.0, s.prior.1] {
                row.push(output::real(v, &mut buf));
            }
            row
        })
        .collect();
    csv_bytes(&output::POSTERIOR_SUMMARY_COLUMNS, rows)
}

fn predictive_csv(checks: &[Check]) -> Vec<u8> {
    let mut buf = ryu::Buffer::new();
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            let mut row = vec![c.name.clone()];
            for v in [c.observed, c.sd, c.mean, c.q025, c.q975] {
                row.push(output::real(v, &mut buf));
            }
            row.push(c.inside.to_string());
            row
        })
        .collect();
    csv_bytes(&output::PREDICTIVE_COLUMNS, rows)
}

fn summary_table(summary: &[ParameterSummary]) -> String {
    let mut t = TextTable::new(&[
        ("parameter", Align::Left),
        ("posterior mean", Align::Right),
        ("sd", Align::Right),
        ("95% credible interval", Align::Right),
        ("prior", Align::Right),
        ("sd / prior sd", Align::Right),
    ]);
    for s in summary {
        t.row(vec![
            s.name.clone(),
            number(s.mean),
            number(s.sd),
            output::interval(s.q025, s.q975),
            output::interval(s.prior.0, s.prior.1),
            number(s.sd / s.prior_sd()),
        ]);
    }
    t.render()
}

fn predictive_table(checks: &[Check]) -> String {
    let mut t = TextTable::new(&[
        ("target", Align::Left),
        ("observed", Align::Right),
        (
            &format!("95% predictive ({PREDICTIVE_DRAWS} draws)"),
            Align::Right,
        ),
        ("", Align::Left),
    ]);
    for c in checks {
        t.row(vec![
            c.name.clone(),
            number(c.observed),
            output::interval(c.q025, c.q975),
            if c.inside { "inside" } else { "OUTSIDE" }.into(),
        ]);
    }
    t.render()
}
