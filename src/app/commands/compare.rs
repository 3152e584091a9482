//! `cocreate compare`.

use super::*;
use cocreate::experiment::compare::{
    Aggregate, Compared, compare_values, figure_rows, window_figures,
};
use cocreate::experiment::precision::{PrecisionOutcome, relative_half_width};
use cocreate::experiment::series::StepSeries;
use cocreate::output::{Align, TextTable, interval, number, signed};
use cocreate::{RunRecord, StepRecord};
use std::collections::BTreeMap;

/// What each scenario's runs leave for the comparison.
#[derive(Default)]
pub(super) struct Collected {
    pub(super) records: Vec<RunRecord>,
    pub(super) series: StepSeries,
    /// Per replication: the step figures aggregated over `--window`.
    pub(super) window: Vec<Vec<f64>>,
    /// With `--check-pairing`: the records under another master seed.
    pub(super) independent: Vec<RunRecord>,
    /// Per replication, each group's and each kind's figures.
    pub(super) groups: Vec<Vec<cocreate::model::GroupRecord>>,
    pub(super) kinds: Vec<Vec<cocreate::model::KindRecord>>,
}

/// `cocreate compare`.
pub fn compare(args: crate::app::cli::CompareArgs) -> Result<()> {
    let mut scenarios = load_all(&args.scenarios)?;
    let seed = prepare(&mut scenarios, &args.common, args.replications, 2)?;
    let posterior =
        super::posterior::read_and_rename(args.posterior.as_deref(), &mut scenarios, false)?;
    let rule = args.precision.rule().map_err(BadInput)?;
    // paired replication by replication: every scenario runs as many as the base
    let replications = scenarios[0].params.run.replications;
    for scenario in &mut scenarios {
        scenario.params.run.replications = replications;
    }
    if let Some((_, last)) = args.window
        && let Some(s) = scenarios.iter().find(|s| last >= s.params.run.steps)
    {
        bail!(BadInput(format!(
            "--window ends at step {last}, but `{}` has {} steps (0 to {}): steps are 0-based",
            s.name,
            s.params.run.steps,
            s.params.run.steps - 1
        )));
    }
    let models = scenarios.iter().map(checked).collect::<Result<Vec<_>>>()?;
    // with --posterior, replication r of every scenario runs at one
    // particle, drawn for the most replications --precision may run
    let most_replications = rule.map_or(replications, |p| replications.max(p.max));
    let drawn = match &posterior {
        None => Vec::new(),
        Some(file) => file.models_for(&scenarios, seed, most_replications)?,
    };
    let runs_of = |k: usize| -> &dyn experiment::Models {
        match drawn.get(k) {
            Some((models, _)) => models,
            None => &models[k],
        }
    };
    let (threads, pool) = worker_pool(args.common.threads)?;
    {
        use cocreate::experiment::resources::{kept_bytes, part_bytes};
        // every scenario's records (twice with --check-pairing), window
        // figures, groups' and kinds' figures and time series are kept
        // until the end
        let most = rule.map_or(u64::from(replications), |p| {
            u64::from(replications).max(u64::from(p.max))
        });
        let window = if args.window.is_some() { 13 * 8 } else { 0 };
        let copies = scenarios.len() as u64 * if args.check_pairing { 2 } else { 1 };
        let parts: u64 = models.iter().map(part_bytes).sum();
        let per_replication = copies * kept_bytes(1, window) + parts;
        let series: u64 = scenarios
            .iter()
            .map(|s| u64::from(s.params.run.steps) * 13 * 24)
            .sum();
        let jobs = limits::jobs(scenarios.iter().zip(&models), |_| most);
        let kept = series + per_replication * most;
        limits::check(
            &jobs,
            threads,
            kept,
            Some((per_replication, "replications")),
            args.common.quiet,
        )?;
    }
    let folder = stage(&args.out, &format!("{}-compare", scenarios[0].name))?;
    // with --check-pairing, every other scenario also runs under another
    // master seed, to measure directly what the pairing gains
    let independent_seed = seed.wrapping_add(1) & (i64::MAX as u64);
    let per_replication = if args.check_pairing {
        2 * models.len() as u64 - 1
    } else {
        models.len() as u64
    };
    let progress = Progress::new(
        u64::from(replications) * per_replication,
        "replications",
        args.common.quiet,
    )?;
    let started = SystemTime::now();
    let mut collected: Vec<Collected> = (0..models.len()).map(|_| Collected::default()).collect();
    let (mut done, mut end) = (
        0,
        rule.map_or(replications, |p| p.first_batch(replications)),
    );
    let what = "the comparison";
    let target = &args.precision.target;
    let mut achieved = f64::NAN;
    loop {
        for (k, scenario) in scenarios.iter().enumerate() {
            let model = runs_of(k);
            progress.bar.set_message(scenario.name.clone());
            let c = &mut collected[k];
            let (records, series, window) = (&mut c.records, &mut c.series, &mut c.window);
            let (groups, kinds) = (&mut c.groups, &mut c.kinds);
            replications_of(&pool, model, seed, done..end, &progress, what, |rep| {
                series.add(&rep.steps);
                if let Some((first, last)) = args.window {
                    window.push(window_figures(&rep.steps, first as usize, last as usize));
                }
                records.push(rep.record);
                groups.push(rep.groups);
                kinds.push(rep.kinds);
            })?;
            if k > 0 && args.check_pairing {
                progress
                    .bar
                    .set_message(format!("{} (indep.)", scenario.name));
                let records = &mut c.independent;
                replications_of(
                    &pool,
                    model,
                    independent_seed,
                    done..end,
                    &progress,
                    what,
                    |rep| records.push(rep.record),
                )?;
            }
        }
        done = end;
        let Some(p) = rule else { break };
        achieved = paired_precision(&collected, target);
        let Some(next) = p.next_batch(done, replications, achieved) else {
            break;
        };
        end = next;
        progress
            .bar
            .inc_length(u64::from(end - done) * per_replication);
    }
    let precision = rule.map(|p| p.outcome(target, done, achieved));
    progress.bar.finish_and_clear();

    let compared = |rows: &dyn Fn(&Collected) -> Vec<Vec<f64>>, names: &[&'static str]| {
        let base = rows(&collected[0]);
        scenarios
            .iter()
            .zip(&collected)
            .enumerate()
            .map(|(k, (s, c))| {
                let independent =
                    (args.check_pairing && k > 0).then(|| figure_rows(&c.independent));
                (
                    s.name.clone(),
                    compare_values(names, &base, &rows(c), k == 0, independent.as_deref(), seed),
                )
            })
            .collect::<Vec<_>>()
    };
    let results = compared(&|c| figure_rows(&c.records), &RunRecord::FIGURES);
    let parts = part_comparisons(&models.iter().collect::<Vec<_>>(), &collected, seed);
    let windowed = args
        .window
        .map(|_| compared(&|c| c.window.clone(), &StepRecord::FIGURES));

    // the manifest's scenarios say how many replications ran
    for scenario in &mut scenarios {
        scenario.params.run.replications = done;
    }
    let mut manifest = serde_json::json!({
        "base": scenarios[0].name,
        "scenarios": scenarios,
        "master_seed": seed,
        "replications": done,
        "variance_reduction": reductions(&results, |c| {
            c.variance_reduction.map(|r| serde_json::json!(r.estimate))
        }),
        "variance_reduction_ci95": reductions(&results, |c| {
            c.variance_reduction.map(|r| serde_json::json!([r.ci.0, r.ci.1]))
        }),
    });
    if args.check_pairing {
        manifest["independent_seed"] = independent_seed.into();
        manifest["variance_reduction_measured"] = serde_json::json!(reductions(&results, |c| {
            c.measured_reduction.map(|m| serde_json::json!(m))
        }));
    }
    if let Some((first, last)) = args.window {
        manifest["window"] = serde_json::json!([first, last]);
    }
    if let (Some(file), Some((_, draws))) = (&posterior, drawn.first()) {
        let mut record = file.record(draws);
        super::posterior::keep_replications(&mut record, 0..done);
        manifest["posterior"] = record;
    }
    if let Some(p) = &precision {
        manifest["precision"] = serde_json::to_value(p)?;
    }
    let manifest_bytes = analysis_manifest(manifest, threads, started)?;
    let named: Vec<(&str, &StepSeries)> = scenarios
        .iter()
        .map(|s| s.name.as_str())
        .zip(collected.iter().map(|c| &c.series))
        .collect();
    let series = output::series_csv(&named);
    let comparison = comparison_csv(&results, None);
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    let breakdown = breakdown_csv(&names, &parts);
    let window = windowed
        .as_ref()
        .map(|w| comparison_csv(w, Some(Aggregate::of_figure)));
    let mut files: Vec<(&str, &[u8])> = vec![
        ("series.csv", &series),
        ("comparison.csv", &comparison),
        ("breakdown.csv", &breakdown),
    ];
    if let Some(w) = &window {
        files.push(("window.csv", w));
    }
    files.push(("manifest.json", &manifest_bytes));
    let dir = write_folder(folder, &progress, &files)?;
    let outcomes: Vec<(String, PrecisionOutcome)> = precision
        .iter()
        .map(|p| {
            (
                format!("{} (paired differences)", scenarios[0].name),
                p.clone(),
            )
        })
        .collect();
    warn_unreached(&outcomes);
    if !args.common.quiet {
        print!("{}", comparison_table(&results, &KEY, args.check_pairing));
        print!("{}", parts_table(&scenarios, &parts));
        if let (Some(w), Some((first, last))) = (&windowed, args.window) {
            println!("\nover steps {first} to {last}:");
            print!("{}", comparison_table(w, &WINDOW_KEY, args.check_pairing));
        }
        if let Some(p) = &precision {
            println!(
                "{}",
                p.describe("the base's mean, for every paired difference")
            );
        }
        println!(
            "wrote {}/comparison.csv, breakdown.csv, series.csv{} and manifest.json",
            dir.display(),
            if windowed.is_some() {
                ", window.csv"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// The largest half-width of a paired difference's 95% interval (target
/// figure, every scenario against the base), relative to the base's mean.
fn paired_precision(collected: &[Collected], target: &str) -> f64 {
    let base: Vec<f64> = collected[0]
        .records
        .iter()
        .filter_map(|r| r.figure(target))
        .collect();
    let base_mean = cocreate::stats::Summary::of(&base).mean;
    collected[1..]
        .iter()
        .map(|c| {
            let diffs: Vec<f64> = c
                .records
                .iter()
                .zip(&base)
                .filter_map(|(r, b)| r.figure(target).map(|x| x - b))
                .collect();
            relative_half_width(&cocreate::stats::Summary::of(&diffs), base_mean)
        })
        .fold(0.0, |worst, x| if x.is_nan() { x } else { worst.max(x) })
}

/// Per scenario (the base left out) and figure, what `value` takes of the
/// comparison, for the manifest.
fn reductions(
    results: &[(String, Vec<Compared>)],
    value: impl Fn(&Compared) -> Option<serde_json::Value>,
) -> BTreeMap<String, BTreeMap<&'static str, serde_json::Value>> {
    results
        .iter()
        .skip(1)
        .map(|(name, rows)| {
            let per_figure = rows
                .iter()
                .filter_map(|c| value(c).map(|v| (c.metric, v)))
                .collect();
            (name.clone(), per_figure)
        })
        .collect()
}

/// One group's or kind's figures in one scenario, compared with the same
/// group or kind of the base (`None` when the base has none of that name).
pub(super) struct PartCompared {
    level: &'static str,
    name: String,
    compared: Vec<Compared>,
    paired: bool,
}

/// Each scenario's groups and kinds, compared figure by figure with the
/// group or kind of the same name in the base, replication by replication.
pub(super) fn part_comparisons(
    models: &[&Model],
    collected: &[Collected],
    seed: u64,
) -> Vec<Vec<PartCompared>> {
    use cocreate::model::{Figure, GroupRecord, KindRecord};
    /// Per replication, the figures of part `p` of a scenario's records.
    fn rows<R>(records: &[Vec<R>], p: usize, values: impl Fn(&R) -> Vec<Figure>) -> Vec<Vec<f64>> {
        records
            .iter()
            .map(|r| values(&r[p]).iter().map(|f| f.as_f64()).collect())
            .collect()
    }
    let base = &models[0];
    models
        .iter()
        .zip(collected)
        .enumerate()
        .map(|(k, (model, c))| {
            let mut out = Vec::new();
            // the parts of one level: names in this scenario and in the base,
            // each part's rows here and in the base
            let mut level = |level: &'static str,
                             names: Vec<&str>,
                             base_names: Vec<&str>,
                             figures: &[&'static str],
                             own: &dyn Fn(usize) -> Vec<Vec<f64>>,
                             in_base: &dyn Fn(usize) -> Vec<Vec<f64>>| {
                for (p, name) in names.iter().enumerate() {
                    let at = base_names.iter().position(|b| b == name);
                    let mine = own(p);
                    let base_rows = at.map_or_else(|| mine.clone(), in_base);
                    out.push(PartCompared {
                        level,
                        name: name.to_string(),
                        compared: compare_values(
                            figures,
                            &base_rows,
                            &mine,
                            k == 0 || at.is_none(),
                            None,
                            seed,
                        ),
                        paired: at.is_some(),
                    });
                }
            };
            let group_values = |g: &GroupRecord| g.values().to_vec();
            let kind_values = |q: &KindRecord| q.values().to_vec();
            level(
                "group",
                model.groups().iter().map(|g| g.name.as_str()).collect(),
                base.groups().iter().map(|g| g.name.as_str()).collect(),
                &GroupRecord::FIGURES,
                &|p| rows(&c.groups, p, group_values),
                &|p| rows(&collected[0].groups, p, group_values),
            );
            level(
                "kind",
                model.kinds().iter().map(|q| q.name.as_str()).collect(),
                base.kinds().iter().map(|q| q.name.as_str()).collect(),
                &KindRecord::FIGURES,
                &|p| rows(&c.kinds, p, kind_values),
                &|p| rows(&collected[0].kinds, p, kind_values),
            );
            out
        })
        .collect()
}

/// `breakdown.csv` of a comparison: each scenario's groups and kinds, each
/// figure's mean with its interval, and the paired difference from the
/// same group or kind of the base (empty where the base has none of that
/// name).
pub(super) fn breakdown_csv(names: &[&str], parts: &[Vec<PartCompared>]) -> Vec<u8> {
    let mut csv_text = csv::Writer::from_writer(Vec::new());
    let mut buf = ryu::Buffer::new();
    let mut num = |x: f64| output::real(x, &mut buf);
    let _ = csv_text.write_record([
        "scenario",
        "level",
        "name",
        "metric",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff",
        "diff_ci95_low",
        "diff_ci95_high",
    ]);
    for (scenario, rows) in names.iter().zip(parts) {
        for part in rows {
            for c in &part.compared {
                let mut row = vec![
                    scenario.to_string(),
                    part.level.to_string(),
                    part.name.clone(),
                    c.metric.to_string(),
                    num(c.level.mean),
                    num(c.level.ci95_low),
                    num(c.level.ci95_high),
                ];
                if part.paired {
                    row.extend([num(c.diff), num(c.diff_ci.0), num(c.diff_ci.1)]);
                } else {
                    row.extend([String::new(), String::new(), String::new()]);
                }
                let _ = csv_text.write_record(&row);
            }
        }
    }
    csv_text.into_inner().unwrap_or_default()
}

/// The terminal table of the groups and kinds (when a scenario has its
/// own): value per capita of each group and realized value of each kind,
/// with the paired difference from the base.
fn parts_table(scenarios: &[Scenario], parts: &[Vec<PartCompared>]) -> String {
    if scenarios
        .iter()
        .all(|s| s.groups.is_empty() && s.kinds.is_empty())
    {
        return String::new();
    }
    let mut t = TextTable::new(&[
        ("scenario", Align::Left),
        ("group or kind", Align::Left),
        ("figure", Align::Left),
        ("mean", Align::Right),
        ("95% CI", Align::Left),
        ("difference", Align::Right),
        ("95% CI", Align::Left),
    ]);
    for (k, (scenario, rows)) in scenarios.iter().zip(parts).enumerate() {
        for part in rows {
            let figure = if part.level == "group" {
                "value_per_capita"
            } else {
                "value_realized"
            };
            let Some(c) = part.compared.iter().find(|c| c.metric == figure) else {
                continue;
            };
            let (diff, ci) = match (k, part.paired) {
                (0, _) => ("(base)".to_string(), String::new()),
                (_, true) => (
                    output::signed(c.diff),
                    output::interval(c.diff_ci.0, c.diff_ci.1),
                ),
                (_, false) => ("(not in base)".to_string(), String::new()),
            };
            t.row(vec![
                scenario.name.clone(),
                format!("{} {}", part.level, part.name),
                figure.to_string(),
                output::number(c.level.mean),
                output::interval(c.level.ci95_low, c.level.ci95_high),
                diff,
                ci,
            ]);
        }
    }
    format!(
        "\nby group and kind (all figures in breakdown.csv):\n{}",
        t.render()
    )
}

/// `comparison.csv` (or `window.csv`, whose rows also say how each step
/// figure was aggregated).
pub(super) fn comparison_csv(
    results: &[(String, Vec<Compared>)],
    aggregate: Option<fn(usize) -> Aggregate>,
) -> Vec<u8> {
    let mut csv_text = csv::Writer::from_writer(Vec::new());
    let mut buf = ryu::Buffer::new();
    let mut num = |x: f64| output::real(x, &mut buf);
    let mut header = vec!["scenario", "metric"];
    if aggregate.is_some() {
        header.push("aggregate");
    }
    header.extend([
        "mean",
        "ci95_low",
        "ci95_high",
        "diff",
        "diff_ci95_low",
        "diff_ci95_high",
    ]);
    let _ = csv_text.write_record(&header);
    for (name, rows) in results {
        for (i, c) in rows.iter().enumerate() {
            let mut row = vec![name.clone(), c.metric.to_string()];
            if let Some(of) = aggregate {
                row.push(of(i).name().to_string());
            }
            row.extend([
                num(c.level.mean),
                num(c.level.ci95_low),
                num(c.level.ci95_high),
                num(c.diff),
                num(c.diff_ci.0),
                num(c.diff_ci.1),
            ]);
            let _ = csv_text.write_record(&row);
        }
    }
    csv_text.into_inner().unwrap_or_default()
}

/// The figures of the terminal table.
const KEY: [&str; 5] = [
    "participation_rate",
    "total_value_realized",
    "realization_ratio",
    "public_value",
    "final_mean_trust",
];

/// The window figures of the terminal table.
const WINDOW_KEY: [&str; 4] = [
    "participants",
    "value_realized",
    "public_value",
    "mean_trust",
];

/// The terminal table of a comparison: key figures, each scenario's mean
/// with its interval, the paired difference with its interval, and the
/// variance reduction common random numbers gave (estimated, and measured
/// with `--check-pairing`).
fn comparison_table(results: &[(String, Vec<Compared>)], key: &[&str], measured: bool) -> String {
    let mut columns = vec![
        ("scenario", Align::Left),
        ("figure", Align::Left),
        ("mean", Align::Right),
        ("95% CI", Align::Left),
        ("difference", Align::Right),
        ("95% CI", Align::Left),
        ("CRN variance reduction", Align::Right),
        ("95% CI", Align::Left),
    ];
    if measured {
        columns.push(("measured", Align::Right));
    }
    let mut table = TextTable::new(&columns);
    let times = |x: f64| format!("{}×", number(x));
    for (name, cs) in results {
        for (k, c) in cs.iter().filter(|c| key.contains(&c.metric)).enumerate() {
            let mut row = vec![
                if k == 0 { name.clone() } else { String::new() },
                c.metric.to_string(),
                number(c.level.mean),
                interval(c.level.ci95_low, c.level.ci95_high),
            ];
            match c.variance_reduction {
                None => row.extend(["(base)".to_string()]),
                Some(r) => row.extend([
                    signed(c.diff),
                    interval(c.diff_ci.0, c.diff_ci.1),
                    times(r.estimate),
                    format!("[{}, {}]", times(r.ci.0), times(r.ci.1)),
                    c.measured_reduction.map_or(String::new(), times),
                ]),
            }
            table.row(row);
        }
    }
    table.render()
}
