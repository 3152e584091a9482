//! `cocreate attribute`.

use super::*;
use cocreate::experiment::attribution::Share;
use cocreate::experiment::resources::kept_bytes;

/// `cocreate attribute`.
pub fn attribute(args: crate::app::cli::AttributeArgs) -> Result<()> {
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

    let mut csv_text = csv::Writer::from_writer(Vec::new());
    let _ = csv_text.write_record(ATTRIBUTION_COLUMNS);
    let shares = shapley_rows(
        &active,
        &records,
        &cocreate::RunRecord::FIGURES,
        |r, i| r.record.values()[i].as_f64(),
        &[],
        &mut csv_text,
    );
    let realized = cocreate::RunRecord::FIGURES
        .iter()
        .position(|f| *f == "total_value_realized")
        .context("realized value is a figure")?;
    let mut table: Vec<(String, Share)> = active
        .iter()
        .map(|(n, _)| n.clone())
        .zip(shares[realized].iter().copied())
        .collect();
    // per citizen group: each inhibitor's Shapley value for the group's figures
    use cocreate::model::GroupRecord;
    let mut group_csv = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["group"];
    header.extend(ATTRIBUTION_COLUMNS);
    let _ = group_csv.write_record(&header);
    let per_capita = GroupRecord::FIGURES
        .iter()
        .position(|f| *f == "value_per_capita")
        .context("value per capita is a group figure")?;
    let mut group_tables = Vec::new();
    for (g, group) in models[0].groups().iter().enumerate() {
        let shares = shapley_rows(
            &active,
            &records,
            &GroupRecord::FIGURES,
            |r, i| r.groups[g].values()[i].as_f64(),
            std::slice::from_ref(&group.name),
            &mut group_csv,
        );
        group_tables.push((group.name.clone(), shares[per_capita].clone()));
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
                let mut ranked: Vec<(&String, &Share)> =
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

/// The columns of `attribution.csv` (`attribution_groups.csv` has `group` first).
const ATTRIBUTION_COLUMNS: [&str; 6] = [
    "inhibitor",
    "metric",
    "shapley",
    "ci95_low",
    "ci95_high",
    "removal_gain",
];

/// Each inhibitor's Shapley value for every one of `figures` (`value(r, i)`
/// is figure i of a replication's record), over the coalitions' records:
/// one row per figure and inhibitor, after the columns `lead`, into `csv`.
/// Returns the shares, per figure, in the order of `active`.
fn shapley_rows(
    active: &[(String, f64)],
    records: &[Vec<cocreate::model::Finished>],
    figures: &[&str],
    value: impl Fn(&cocreate::model::Finished, usize) -> f64,
    lead: &[String],
    csv: &mut csv::Writer<Vec<u8>>,
) -> Vec<Vec<Share>> {
    use cocreate::experiment::attribution::shapley;
    let mut buf = ryu::Buffer::new();
    let mut num = |x: f64| output::real(x, &mut buf);
    figures
        .iter()
        .enumerate()
        .map(|(i, metric)| {
            let values: Vec<Vec<f64>> = records
                .iter()
                .map(|rs| rs.iter().map(|r| value(r, i)).collect())
                .collect();
            let shares = shapley(active.len(), &values);
            for ((inhibitor, _), s) in active.iter().zip(&shares) {
                let mut row = lead.to_vec();
                row.extend([
                    inhibitor.clone(),
                    metric.to_string(),
                    num(s.shapley),
                    num(s.ci.0),
                    num(s.ci.1),
                    num(s.removal_gain),
                ]);
                let _ = csv.write_record(&row);
            }
            shares
        })
        .collect()
}
