//! `cocreate attribute`.

use super::*;
use cocreate::experiment::resources::kept_bytes;

/// `cocreate attribute`.
pub fn attribute(args: crate::cli::AttributeArgs) -> Result<()> {
    use cocreate::experiment::attribution::shapley;
    use cocreate::experiment::waterfall::waterfall;
    let mut scenarios = load_all(std::slice::from_ref(&args.scenario))?;
    prepare(&mut scenarios, &args.common, args.replications, 2)?;
    let scenario = scenarios.pop().context("no scenario")?;
    // every active inhibitor is a player: built in, redefined or the scenario's own
    let active: Vec<(String, f64)> = scenario
        .inhibitors
        .active()
        .map(|e| (e.name.clone(), e.intensity))
        .collect();
    if active.is_empty() {
        bail!(BadInput(format!(
            "{}: the scenario activates no inhibitor, so there is nothing to attribute",
            args.scenario.display()
        )));
    }
    let k = active.len();
    let (seed, replications) = (scenario.params.run.seed, scenario.params.run.replications);
    // every coalition of the active inhibitors, checked before anything runs
    let mut models = Vec::with_capacity(1 << k);
    for mask in 0..(1usize << k) {
        let mut s = scenario.clone();
        for (j, (inhibitor, x)) in active.iter().enumerate() {
            if let Some(entry) = s.inhibitors.named_mut(inhibitor) {
                entry.intensity = if mask & (1 << j) != 0 { *x } else { 0.0 };
            }
        }
        models.push(checked(&s)?);
    }
    let (threads, pool) = worker_pool(args.common.threads)?;
    {
        // every coalition's records are kept until the end
        let jobs = limits::jobs(models.iter().map(|m| (&scenario, m)), |_| {
            u64::from(replications)
        });
        let per_replication = models.len() as u64 * kept_bytes(1, 0);
        let kept = per_replication * u64::from(replications);
        limits::check(
            &jobs,
            threads,
            kept,
            Some((per_replication, "replications")),
            args.common.quiet,
        )?;
    }
    let folder = stage(&args.out, &format!("{}-attribution", scenario.name))?;
    let progress = Progress::new(
        models.len() as u64 * u64::from(replications),
        "replications",
        args.common.quiet,
    )?;
    progress.bar.set_message(scenario.name.clone());
    let started = SystemTime::now();
    let records = models
        .iter()
        .map(|model| {
            records_of(
                &pool,
                model,
                seed,
                replications,
                &progress,
                "the attribution",
            )
        })
        .collect::<Result<Vec<_>>>()?;
    progress.bar.finish_and_clear();

    let mut table = Vec::new();
    let mut csv_text = csv::Writer::from_writer(Vec::new());
    let _ = csv_text.write_record([
        "inhibitor",
        "metric",
        "shapley",
        "ci95_low",
        "ci95_high",
        "removal_gain",
    ]);
    let mut buf = ryu::Buffer::new();
    let mut num = |x: f64| output::real(x, &mut buf);
    for (i, metric) in cocreate::RunRecord::FIGURES.iter().enumerate() {
        let values: Vec<Vec<f64>> = records
            .iter()
            .map(|rs| rs.iter().map(|r| r.record.values()[i].as_f64()).collect())
            .collect();
        let shares = shapley(k, &values);
        for ((inhibitor, _), s) in active.iter().zip(&shares) {
            let _ = csv_text.write_record([
                inhibitor.clone(),
                metric.to_string(),
                num(s.shapley),
                num(s.ci.0),
                num(s.ci.1),
                num(s.removal_gain),
            ]);
            if *metric == "total_value_realized" {
                table.push((inhibitor.clone(), *s));
            }
        }
    }
    // per citizen group: each inhibitor's Shapley value for the group's figures
    let mut group_csv = csv::Writer::from_writer(Vec::new());
    let _ = group_csv.write_record([
        "group",
        "inhibitor",
        "metric",
        "shapley",
        "ci95_low",
        "ci95_high",
        "removal_gain",
    ]);
    let mut group_tables = Vec::new();
    for (g, group) in models[0].groups().iter().enumerate() {
        for (i, metric) in cocreate::model::GroupRecord::FIGURES.iter().enumerate() {
            let values: Vec<Vec<f64>> = records
                .iter()
                .map(|rs| {
                    rs.iter()
                        .map(|r| r.groups[g].values()[i].as_f64())
                        .collect()
                })
                .collect();
            let shares = shapley(k, &values);
            for ((inhibitor, _), s) in active.iter().zip(&shares) {
                let _ = group_csv.write_record([
                    group.name.clone(),
                    inhibitor.clone(),
                    metric.to_string(),
                    num(s.shapley),
                    num(s.ci.0),
                    num(s.ci.1),
                    num(s.removal_gain),
                ]);
            }
            if *metric == "value_per_capita" {
                group_tables.push((group.name.clone(), shares));
            }
        }
    }
    // the waterfall needs only the twin (no inhibitor) and the scenario (all)
    let (twin_runs, all_runs) = (&records[0], &records[models.len() - 1]);
    let lambda = scenario.params.value.destruction_loss;
    let waterfall = waterfall(&run_funnels(twin_runs), &run_funnels(all_runs), lambda);
    let groups = group_waterfalls(&models[0], twin_runs, all_runs, lambda);
    let manifest_bytes = analysis_manifest(
        serde_json::json!({
            "scenario": scenario,
            "inhibitors": active.iter().map(|(i, x)| (i.as_str(), *x)).collect::<std::collections::BTreeMap<_, _>>(),
            "coalitions": models.len(),
            "master_seed": seed,
            "replications": replications,
        }),
        threads,
        started,
    )?;
    let waterfall_text = output::waterfall_csv(&[(&scenario.name, &waterfall)]);
    let by_group: Vec<(&str, &str, &cocreate::experiment::waterfall::Waterfall)> = groups
        .iter()
        .map(|(g, w)| (scenario.name.as_str(), g.as_str(), w))
        .collect();
    let group_waterfall_text = output::group_waterfall_csv(&by_group);
    let attribution = csv_text.into_inner().unwrap_or_default();
    let group_attribution = group_csv.into_inner().unwrap_or_default();
    let dir = write_folder(
        folder,
        &progress,
        &[
            ("waterfall.csv", &waterfall_text),
            ("waterfall_groups.csv", &group_waterfall_text),
            ("attribution.csv", &attribution),
            ("attribution_groups.csv", &group_attribution),
            ("manifest.json", &manifest_bytes),
        ],
    )?;
    if !args.common.quiet {
        // ranked: the inhibitor that costs the most realized value first
        table.sort_by(|a, b| a.1.shapley.total_cmp(&b.1.shapley));
        println!(
            "{}: realized value lost to each inhibitor (Shapley values, 95% CI), {} coalitions x {replications} replications",
            scenario.name,
            models.len()
        );
        let mut t = output::TextTable::new(&[
            ("rank", output::Align::Right),
            ("inhibitor", output::Align::Left),
            ("Shapley value", output::Align::Right),
            ("95% CI", output::Align::Left),
            ("removing it alone", output::Align::Right),
        ]);
        for (rank, (inhibitor, s)) in table.iter().enumerate() {
            t.row(vec![
                format!("{}.", rank + 1),
                inhibitor.clone(),
                output::signed(s.shapley),
                output::interval(s.ci.0, s.ci.1),
                output::signed(s.removal_gain),
            ]);
        }
        print!("{}", t.render());
        if !scenario.groups.is_empty() {
            println!(
                "\nvalue per capita lost to each inhibitor, by citizen group (Shapley values, 95% CI):"
            );
            let mut t = output::TextTable::new(&[
                ("group", output::Align::Left),
                ("costs the most", output::Align::Left),
                ("Shapley value", output::Align::Right),
                ("95% CI", output::Align::Left),
                ("then", output::Align::Left),
            ]);
            for (group, shares) in &group_tables {
                let mut ranked: Vec<(&String, &cocreate::experiment::attribution::Share)> =
                    active.iter().map(|(n, _)| n).zip(shares).collect();
                ranked.sort_by(|a, b| a.1.shapley.total_cmp(&b.1.shapley));
                let (first, s) = ranked[0];
                let rest: Vec<String> = ranked[1..]
                    .iter()
                    .map(|(n, s)| format!("{n} {}", output::signed(s.shapley)))
                    .collect();
                t.row(vec![
                    group.clone(),
                    first.clone(),
                    output::signed(s.shapley),
                    output::interval(s.ci.0, s.ci.1),
                    rest.join(", "),
                ]);
            }
            print!("{}", t.render());
        }
        print!("{}", waterfall_table(&scenario.name, &waterfall));
        println!(
            "wrote {}/attribution.csv, attribution_groups.csv, waterfall.csv, waterfall_groups.csv and manifest.json",
            dir.display()
        );
    }
    Ok(())
}
