//! `cocreate run`.

use super::posterior;
use super::*;
use cocreate::experiment::precision::{Precision, PrecisionOutcome, relative_half_width};
use cocreate::experiment::resources::{kept_bytes, part_bytes};

/// `cocreate run`.
pub fn run(args: RunArgs) -> Result<()> {
    let mut scenarios = if args.scenarios.is_empty() {
        vec![Scenario::baseline()]
    } else {
        load_all(&args.scenarios)?
    };
    let seed = prepare(&mut scenarios, &args.common, args.replications, 1)?;
    let posterior = posterior::read_and_rename(
        args.posterior.as_deref(),
        &mut scenarios,
        args.common.name.is_some(),
    )?;
    // one replication does not pass for the whole run: its folder says
    // which it is (its rows, those of the scenario, equal a full run's)
    let folder_name = |s: &Scenario| match args.replication {
        Some(r) if args.common.name.is_none() => format!("{}+replication={r}", s.name),
        _ => s.name.clone(),
    };
    let rule = args.precision.rule().map_err(BadInput)?;
    let models = scenarios.iter().map(checked).collect::<Result<Vec<_>>>()?;

    // with --precision, at its most replications
    let most = |s: &Scenario| {
        let r = u64::from(s.params.run.replications);
        rule.map_or(r, |p| r.max(u64::from(p.max)))
    };
    // with --posterior, each replication's model at its drawn particle
    let drawn = match &posterior {
        None => Vec::new(),
        Some(file) => {
            let most = scenarios.iter().map(most).max().unwrap_or(0) as u32;
            file.models_for(&scenarios, seed, most)?
        }
    };
    let (threads, pool) = worker_pool(args.common.threads)?;
    // every scenario's memory checked before anything runs (with
    // --precision, at its most replications)
    let jobs = limits::jobs(scenarios.iter().zip(&models), most);
    // each replication's record, and its groups' and kinds' figures
    let per_replication = |m: &Model| kept_bytes(1, part_bytes(m));
    let kept = scenarios
        .iter()
        .zip(&models)
        .map(|(s, m)| most(s) * per_replication(m))
        .max()
        .unwrap_or(0);
    let largest = models.iter().map(per_replication).max().unwrap_or(0);
    limits::check(
        &jobs,
        threads,
        kept,
        Some((largest, "replications")),
        args.common.quiet,
    )?;
    let total: u64 = scenarios
        .iter()
        .map(|s| u64::from(s.params.run.replications))
        .sum();
    let progress = Progress::new(total, "replications", args.common.quiet)?;
    let command_line: Vec<String> = std::env::args().collect();

    // every folder is locked before anything runs
    let folders = scenarios
        .iter()
        .map(|s| stage(&args.out, &folder_name(s)))
        .collect::<Result<Vec<_>>>()?;
    let mut summaries = Vec::new();
    let mut outcomes = Vec::new();
    for (i, ((scenario, model), folder)) in scenarios.iter().zip(&models).zip(folders).enumerate() {
        progress.bar.set_message(scenario.name.clone());
        let mut manifest = Manifest::new(
            scenario,
            model,
            seed,
            scenario.params.run.replications,
            command_line.clone(),
            threads,
            SystemTime::now(),
        );
        let runs: &dyn experiment::Models = match drawn.get(i) {
            Some((models, draws)) => {
                manifest.posterior = posterior.as_ref().map(|f| f.record(draws));
                models
            }
            None => model,
        };
        let (summary, outcome) = pool.install(|| {
            run_scenario(
                scenario,
                model,
                runs,
                folder,
                &args,
                rule,
                &progress,
                &mut manifest,
            )
        })?;
        summaries.push(summary);
        outcomes.extend(outcome.map(|o| (scenario.name.clone(), o)));
    }
    progress.bar.finish_and_clear();
    warn_unreached(&outcomes);
    if !args.common.quiet {
        print!("{}", output::key_figures_table(&summaries));
        for (name, o) in &outcomes {
            println!("{name}: {}", o.describe("the mean"));
        }
        for s in &summaries {
            println!(
                "wrote {}/{{runs,steps,summary,groups,kinds,breakdown}}.csv and manifest.json",
                s.dir.display()
            );
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn run_scenario(
    scenario: &Scenario,
    model: &Model,
    runs: &dyn experiment::Models,
    folder: cocreate::output::folder::Staged,
    args: &RunArgs,
    rule: Option<Precision>,
    progress: &Progress,
    manifest: &mut Manifest,
) -> Result<(ScenarioSummary, Option<PrecisionOutcome>)> {
    progress.writing(Some(Unfinished::Staging(folder.target().to_path_buf())));
    let parts = cocreate::output::PartNames::of(model);
    let mut writer = ScenarioWriter::create(folder, &scenario.name, parts.clone())?;
    let seed = scenario.params.run.seed;
    let replications = scenario.params.run.replications;
    let name = writer.scenario().to_string();
    // with --precision, batches of the first size follow until the target
    // figure's 95% interval is narrow enough (or the maximum is reached);
    // replication r is the same in any batch, so the files equal those of a
    // fixed run of the final size
    // --replication R runs R alone: the same replication as in a full run
    let mut done = args.replication.unwrap_or(0);
    let mut end = match args.replication {
        Some(r) => r + 1,
        None => rule.map_or(replications, |p| p.first_batch(replications)),
    };
    let mut achieved = f64::NAN;
    let outcome = loop {
        let batch = experiment::replicate_range(
            runs,
            seed,
            done..end,
            progress,
            |rep| Rows::format(&name, &parts, &rep),
            |rows| writer.append(rows),
        );
        if batch.is_err() {
            break batch;
        }
        done = end;
        let Some(p) = rule else { break Ok(()) };
        let target = writer.summary_of(&args.precision.target);
        achieved = relative_half_width(&target, target.mean);
        let Some(next) = p.next_batch(done, replications, achieved) else {
            break Ok(());
        };
        end = next;
        progress.bar.inc_length(u64::from(end - done));
    };
    let ran = match args.replication {
        Some(r) => {
            manifest.only_replication(r);
            r..r + 1
        }
        None => {
            manifest.set_replications(done);
            0..done
        }
    };
    if let Some(record) = &mut manifest.posterior {
        posterior::keep_replications(record, ran);
    }
    let precision = rule.map(|p| p.outcome(&args.precision.target, done, achieved));
    manifest.precision = precision.clone();
    let failure = match outcome {
        Ok(()) => None,
        Err(ReplicateError::Interrupted { completed }) => {
            Some(anyhow::Error::new(Interrupted(format!(
                "scenario `{}` stopped after {completed} of {replications} replications; its files were not written (rerun it to get them)",
                scenario.name
            ))))
        }
        Err(ReplicateError::Sink(e)) => Some(e.into()),
    };
    if let Some(err) = failure {
        // dropping the writer removes its staging folder: the scenario's
        // folder stays as it was
        drop(writer);
        progress.writing(None);
        return Err(err);
    }
    manifest.stamp_finished(SystemTime::now());
    let summary = writer.finish(manifest)?;
    progress.writing(None);
    Ok((summary, precision))
}
