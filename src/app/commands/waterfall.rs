//! `cocreate waterfall`.

use super::*;
use cocreate::experiment::resources::kept_bytes;
use cocreate::experiment::waterfall::{STEP_LABELS, Waterfall, waterfall as compute};

/// `cocreate waterfall`: each scenario and its inhibitor-free twin, run
/// with the same seeds, and where the difference in realized value goes.
pub fn waterfall(args: crate::app::cli::WaterfallArgs) -> Result<()> {
    let mut scenarios = load_all(&args.scenarios)?;
    let seed = prepare(&mut scenarios, &args.common, args.replications, 2)?;
    for (s, path) in scenarios.iter().zip(&args.scenarios) {
        if s.inhibitors.active().next().is_none() {
            bail!(BadInput(format!(
                "{}: the scenario activates no inhibitor, so it is its own inhibitor-free twin and loses nothing to compare",
                path.display()
            )));
        }
    }
    // every model checked before anything runs: [scenario, twin] each
    let mut models = Vec::with_capacity(2 * scenarios.len());
    for s in &scenarios {
        models.push(checked(s)?);
        models.push(checked(&s.twin())?);
    }
    let mut folders = scenarios
        .iter()
        .map(|s| stage(&args.out, &format!("{}-waterfall", s.name)))
        .collect::<Result<Vec<_>>>()?
        .into_iter();
    let (threads, pool) = worker_pool(args.common.threads)?;
    {
        // a scenario's and its twin's records, one scenario at a time
        let jobs = limits::jobs(scenarios.iter().flat_map(|s| [s, s]).zip(&models), |s| {
            u64::from(s.params.run.replications)
        });
        let most = scenarios
            .iter()
            .map(|s| u64::from(s.params.run.replications))
            .max()
            .unwrap_or(0);
        let per_replication = 2 * kept_bytes(1, 0);
        limits::check(
            &jobs,
            threads,
            per_replication * most,
            Some((per_replication, "replications")),
            args.common.quiet,
        )?;
    }
    let total: u64 = scenarios
        .iter()
        .map(|s| 2 * u64::from(s.params.run.replications))
        .sum();
    let progress = Progress::new(total, "replications", args.common.quiet)?;
    let started = SystemTime::now();
    let mut results = Vec::with_capacity(scenarios.len());
    for (scenario, pair) in scenarios.iter().zip(models.chunks(2)) {
        let replications = scenario.params.run.replications;
        let what = "the waterfall";
        progress.bar.set_message(scenario.name.clone());
        let runs = records_of(&pool, &pair[0], seed, replications, &progress, what)?;
        progress
            .bar
            .set_message(format!("{} (twin)", scenario.name));
        let twin = records_of(&pool, &pair[1], seed, replications, &progress, what)?;
        let lambda = scenario.params.value.destruction_loss;
        let groups = group_waterfalls(&pair[0], &twin, &runs, lambda);
        results.push((
            compute(&run_funnels(&twin), &run_funnels(&runs), lambda),
            groups,
        ));
    }
    progress.bar.finish_and_clear();
    for (scenario, (w, groups)) in scenarios.iter().zip(&results) {
        let folder = folders.next().context("one folder per scenario")?;
        let manifest = analysis_manifest(
            serde_json::json!({
                "scenario": scenario,
                "twin": "the scenario with every inhibitor at 0",
                "master_seed": seed,
                "replications": scenario.params.run.replications,
            }),
            threads,
            started,
        )?;
        let text = output::waterfall_csv(&[(&scenario.name, w)]);
        let by_group: Vec<(&str, &str, &Waterfall)> = groups
            .iter()
            .map(|(g, gw)| (scenario.name.as_str(), g.as_str(), gw))
            .collect();
        let group_text = output::group_waterfall_csv(&by_group);
        let dir = write_folder(
            folder,
            &progress,
            &[
                ("waterfall.csv", &text),
                ("waterfall_groups.csv", &group_text),
                ("manifest.json", &manifest),
            ],
        )?;
        if !args.common.quiet {
            print!("{}", waterfall_table(&scenario.name, w));
            if !scenario.groups.is_empty() {
                for (g, gw) in groups {
                    print!(
                        "{}",
                        waterfall_table(&format!("{} (group {g})", scenario.name), gw)
                    );
                }
            }
            println!(
                "wrote {}/waterfall.csv, waterfall_groups.csv and manifest.json",
                dir.display()
            );
        }
    }
    Ok(())
}

/// The terminal table of a waterfall.
pub(super) fn waterfall_table(name: &str, w: &Waterfall) -> String {
    use cocreate::output::{Align, TextTable, interval, number, percent, signed};
    let mut table = TextTable::new(&[
        ("step", Align::Left),
        ("realized value", Align::Right),
        ("95% CI", Align::Left),
        ("share of the twin", Align::Right),
    ]);
    let share = |x: f64| {
        if w.twin.mean <= 0.0 {
            String::new()
        } else {
            percent(x / w.twin.mean)
        }
    };
    let mut line = |label: &str, s: &cocreate::stats::Summary, change: bool| {
        let value = if change {
            signed(s.mean)
        } else {
            number(s.mean)
        };
        table.row(vec![
            label.to_string(),
            value,
            interval(s.ci95_low, s.ci95_high),
            share(s.mean),
        ]);
    };
    line("inhibitor-free twin", &w.twin, false);
    for (label, s) in STEP_LABELS.iter().zip(&w.steps) {
        line(label, s, true);
    }
    line("what remains", &w.scenario, false);
    format!(
        "{name}: where realized value is lost (mean over {} paired replications, 95% CI)\n{}",
        w.twin.n,
        table.render()
    )
}
