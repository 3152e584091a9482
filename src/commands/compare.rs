//! `cocreate compare`.

use super::*;
use cocreate::experiment::series::StepSeries;

/// `cocreate compare`.
pub fn compare(args: crate::cli::CompareArgs) -> Result<()> {
    use cocreate::experiment::compare::{Compared, compare};
    let mut scenarios = load_all(&args.scenarios)?;
    let seed = prepare(&mut scenarios, &args.common, args.replications, 2)?;
    // paired replication by replication: every scenario runs as many as the base
    let replications = scenarios[0].params.run.replications;
    for scenario in &mut scenarios {
        scenario.params.run.replications = replications;
    }
    let models = scenarios.iter().map(checked).collect::<Result<Vec<_>>>()?;
    let (threads, pool) = worker_pool(args.common.threads)?;
    // the base once, every other scenario twice: paired, and under another
    // master seed to measure what the pairing gains
    let independent_seed = seed.wrapping_add(1) & (i64::MAX as u64);
    let total = u64::from(replications) * (2 * models.len() as u64 - 1);
    let progress = Progress::new(total, "replications", args.common.quiet)?;
    let started = SystemTime::now();
    // [base, then (paired, independent) per other scenario]; with
    // --precision, batches follow until every scenario's target figure has
    // a 95% interval within REL of its mean
    let mut paired: Vec<Vec<cocreate::RunRecord>> = vec![Vec::new(); models.len()];
    let mut independent: Vec<Vec<cocreate::RunRecord>> = vec![Vec::new(); models.len()];
    let mut series = vec![StepSeries::default(); models.len()];
    let (mut done, mut end) = (0, args.precision.first_batch(replications));
    let what = "the comparison";
    loop {
        for (k, (scenario, model)) in scenarios.iter().zip(&models).enumerate() {
            progress.bar.set_message(scenario.name.clone());
            let (records, steps) = (&mut paired[k], &mut series[k]);
            replications_of(&pool, model, seed, done..end, &progress, what, |rep| {
                steps.add(&rep.steps);
                records.push(rep.record);
            })?;
            if k > 0 {
                progress
                    .bar
                    .set_message(format!("{} (indep.)", scenario.name));
                let records = &mut independent[k];
                let range = done..end;
                replications_of(
                    &pool,
                    model,
                    independent_seed,
                    range,
                    &progress,
                    what,
                    |rep| records.push(rep.record),
                )?;
            }
        }
        done = end;
        let target = &args.precision.target;
        let narrow = |rel| {
            paired.iter().all(|records| {
                let values: Vec<f64> = records.iter().filter_map(|r| r.figure(target)).collect();
                cocreate::stats::Summary::of(&values).precise_to(rel)
            })
        };
        let Some(next) = args.precision.next_batch(done, replications, narrow) else {
            break;
        };
        end = next;
        progress
            .bar
            .inc_length(u64::from(end - done) * (2 * models.len() as u64 - 1));
    }
    let base = &paired[0];
    let mut results: Vec<(String, Vec<Compared>)> =
        vec![(scenarios[0].name.clone(), compare(base, base, None))];
    for k in 1..models.len() {
        results.push((
            scenarios[k].name.clone(),
            compare(base, &paired[k], Some(&independent[k])),
        ));
    }
    let replications = done;
    progress.bar.finish_and_clear();

    let dir = args.out.join(format!("{}-compare", scenarios[0].name));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut csv_text = csv::Writer::from_writer(Vec::new());
    let mut buf = ryu::Buffer::new();
    let mut num = |x: f64| output::real(x, &mut buf);
    let _ = csv_text.write_record([
        "scenario",
        "metric",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff",
        "diff_ci95_low",
        "diff_ci95_high",
    ]);
    for (name, rows) in &results {
        for c in rows {
            let _ = csv_text.write_record([
                name.clone(),
                c.metric.to_string(),
                num(c.level.mean),
                num(c.level.ci95_low),
                num(c.level.ci95_high),
                num(c.diff),
                num(c.diff_ci.0),
                num(c.diff_ci.1),
            ]);
        }
    }
    let manifest_bytes = analysis_manifest(
        serde_json::json!({
            "base": scenarios[0].name,
            "scenarios": scenarios,
            "master_seed": seed,
            "independent_seed": independent_seed,
            "replications": replications,
            "variance_reduction": results.iter().skip(1).map(|(name, rows)| {
                (name.clone(), rows.iter().map(|c| (c.metric, c.variance_reduction)).collect::<std::collections::BTreeMap<_, _>>())
            }).collect::<std::collections::BTreeMap<_, _>>(),
        }),
        threads,
        started,
    )?;
    let named: Vec<(&str, &StepSeries)> = scenarios
        .iter()
        .map(|s| s.name.as_str())
        .zip(&series)
        .collect();
    write_file(&dir.join("series.csv"), &output::series_csv(&named))?;
    write_file(
        &dir.join("comparison.csv"),
        &csv_text.into_inner().unwrap_or_default(),
    )?;
    write_file(&dir.join("manifest.json"), &manifest_bytes)?;
    if !args.common.quiet {
        print!("{}", comparison_table(&results));
        println!(
            "wrote {}/comparison.csv, series.csv and manifest.json",
            dir.display()
        );
    }
    Ok(())
}

/// The terminal table of a comparison: key figures, each scenario's mean
/// with its interval, the paired difference with its interval, and the
/// variance reduction common random numbers gave.
fn comparison_table(results: &[(String, Vec<cocreate::experiment::compare::Compared>)]) -> String {
    use std::fmt::Write as _;
    let key = [
        "participation_rate",
        "total_value_realized",
        "realization_ratio",
        "public_value",
        "final_mean_trust",
    ];
    let f = |x: f64| format!("{x:.4}");
    let mut rows = vec![[
        "scenario".to_string(),
        "figure".into(),
        "mean [95% CI]".into(),
        "difference [95% CI]".into(),
        "CRN variance reduction".into(),
    ]];
    for (name, cs) in results {
        for (k, c) in cs.iter().filter(|c| key.contains(&c.metric)).enumerate() {
            rows.push([
                if k == 0 { name.clone() } else { String::new() },
                c.metric.to_string(),
                format!(
                    "{} [{}, {}]",
                    f(c.level.mean),
                    f(c.level.ci95_low),
                    f(c.level.ci95_high)
                ),
                if c.variance_reduction.is_none() {
                    "(base)".into()
                } else {
                    format!("{} [{}, {}]", f(c.diff), f(c.diff_ci.0), f(c.diff_ci.1))
                },
                c.variance_reduction
                    .map_or(String::new(), |v| format!("{v:.1}x")),
            ]);
        }
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line = (0..5)
            .map(|c| format!("{:<w$}", r[c], w = widths[c]))
            .collect::<Vec<_>>()
            .join("  ");
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}
