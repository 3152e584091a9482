//! The subcommands: load and check input, run the library, show progress
//! and results. Every input problem is found before anything is written.

use crate::cli::{RunArgs, SweepArgs};
use anyhow::{Context, Result, bail};
use cocreate::experiment::{self, Observer, ReplicateError};
use cocreate::output::{self, Manifest, Rows, ScenarioSummary, ScenarioWriter};
use cocreate::scenario::{Inhibitor, LoadError, ScenarioError};
use cocreate::{Model, Scenario};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The run was stopped by Ctrl-C.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: {0}")]
pub struct Interrupted(String);

/// Input that cannot be used (the exit status is 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(String);

/// Loads every file, reporting all their problems at once.
fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>> {
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match Scenario::load(path) {
            Ok(s) => scenarios.push(s),
            Err(LoadError::Invalid(e)) => problems.push(e.to_string()),
            Err(e @ LoadError::Io { .. }) => problems.push(e.to_string()),
        }
    }
    if problems.is_empty() {
        Ok(scenarios)
    } else {
        Err(BadInput(problems.join("\n")).into())
    }
}

fn checked(scenario: &Scenario) -> Result<Model> {
    scenario
        .model()
        .map_err(|e: ScenarioError| BadInput(e.to_string()).into())
}

/// `cocreate run`.
pub fn run(args: RunArgs) -> Result<()> {
    let mut scenarios = if args.scenarios.is_empty() {
        vec![Scenario::baseline()]
    } else {
        load_all(&args.scenarios)?
    };
    let seed = prepare(
        &mut scenarios,
        &args.set,
        args.replications,
        args.seed,
        args.quiet,
    )?;
    let models = scenarios.iter().map(checked).collect::<Result<Vec<_>>>()?;

    let (threads, pool) = worker_pool(args.threads)?;
    let total: u64 = scenarios
        .iter()
        .map(|s| u64::from(s.params.run.replications))
        .sum();
    let progress = Progress::new(total, "replications", args.quiet)?;
    let command_line: Vec<String> = std::env::args().collect();

    let mut summaries = Vec::new();
    for (scenario, model) in scenarios.iter().zip(&models) {
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
        let summary =
            pool.install(|| run_scenario(scenario, model, &args, &progress, &mut manifest))?;
        summaries.push(summary);
    }
    progress.bar.finish_and_clear();
    if !args.quiet {
        print!("{}", output::key_figures_table(&summaries));
        for s in &summaries {
            println!(
                "wrote {}/{{runs,steps,summary}}.csv and manifest.json",
                s.dir.display()
            );
        }
    }
    Ok(())
}

fn run_scenario(
    scenario: &Scenario,
    model: &Model,
    args: &RunArgs,
    progress: &Progress,
    manifest: &mut Manifest,
) -> Result<ScenarioSummary> {
    let dir = args.out.join(&scenario.name);
    let fresh = !dir.exists();
    *progress
        .current_dir
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(dir.clone());
    let mut writer = ScenarioWriter::create(&args.out, &scenario.name)?;
    let seed = scenario.params.run.seed;
    let replications = scenario.params.run.replications;
    let name = writer.scenario().to_string();
    // with --precision, batches of the first size follow until the target
    // figure's 95% interval is narrow enough (or the maximum is reached);
    // replication r is the same in any batch, so the files equal those of a
    // fixed run of the final size
    let mut done = 0;
    let mut end = replications;
    let outcome = loop {
        let batch = experiment::replicate_range(
            model,
            seed,
            done..end,
            progress,
            |rep| Rows::format(&name, &rep),
            |rows| writer.append(rows),
        );
        if batch.is_err() {
            break batch;
        }
        done = end;
        let Some(rel) = args.precision else {
            break Ok(());
        };
        let s = writer.summary_of(&args.target);
        if s.half_width() <= rel * s.mean.abs() || done >= args.max_replications {
            break Ok(());
        }
        end = done.saturating_add(replications).min(args.max_replications);
        progress.bar.inc_length(u64::from(end - done));
    };
    manifest.set_replications(done);
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
        // dropping the writer removes its temporary files; then the folder
        // itself, if this run made it
        drop(writer);
        if fresh {
            let _ = std::fs::remove_dir(&dir);
        }
        return Err(err);
    }
    manifest.stamp_finished(SystemTime::now());
    Ok(writer.finish(manifest)?)
}

/// Applies the command line to loaded scenarios: `--set` overrides, the
/// replication count, and one master seed for all (returned); refuses two
/// scenarios that would write into the same folder.
fn prepare(
    scenarios: &mut [Scenario],
    set: &[String],
    replications: Option<u32>,
    cli_seed: Option<u64>,
    quiet: bool,
) -> Result<u64> {
    for scenario in scenarios.iter_mut() {
        for assignment in set {
            scenario
                .set(assignment)
                .map_err(|e| BadInput(e.to_string()))?;
        }
        if let Some(r) = replications {
            scenario.params.run.replications = r;
        }
    }
    let seed = shared_seed(scenarios, cli_seed, quiet);
    for scenario in scenarios.iter_mut() {
        scenario.params.run.seed = seed;
    }
    // folder names must differ, also on case-insensitive file systems
    let mut names = BTreeSet::new();
    for s in scenarios.iter() {
        if !names.insert(s.name.to_lowercase()) {
            bail!(BadInput(format!(
                "two scenarios are named `{}` (ignoring case): they would write into the same folder; give one a different `name`",
                s.name
            )));
        }
    }
    Ok(seed)
}

/// The master seed shared by every scenario of the call (common random
/// numbers): `--seed`, else the first scenario's `run.seed`.
fn shared_seed(scenarios: &[Scenario], cli_seed: Option<u64>, quiet: bool) -> u64 {
    if let Some(seed) = cli_seed {
        return seed;
    }
    let seed = scenarios[0].params.run.seed;
    for s in &scenarios[1..] {
        if s.params.run.seed != seed && !quiet {
            eprintln!(
                "note: `{}` sets run.seed = {} but runs with seed {seed}, shared with `{}` for common random numbers; pass --seed to choose",
                s.name, s.params.run.seed, scenarios[0].name
            );
        }
    }
    seed
}

/// The progress bar on stderr, and the Ctrl-C flag.
struct Progress {
    bar: ProgressBar,
    cancel: Arc<AtomicBool>,
    /// The folder of the scenario being written, for a second Ctrl-C.
    current_dir: Arc<Mutex<Option<PathBuf>>>,
}

impl Progress {
    /// A bar over `total` units (`unit` names them: replications, runs).
    fn new(total: u64, unit: &str, quiet: bool) -> Result<Progress> {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        };
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{msg:>12}} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{rate}}, ETA {{eta}}"
            ))
            .context("progress bar template")?
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1}/s", state.per_sec());
                },
            )
            .progress_chars("=> "),
        );
        let cancel = Arc::new(AtomicBool::new(false));
        let current_dir: Arc<Mutex<Option<PathBuf>>> = Arc::new(Mutex::new(None));
        let flag = Arc::clone(&cancel);
        let dir = Arc::clone(&current_dir);
        ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                // a second Ctrl-C: stop at once, removing the unfinished files
                if let Some(dir) = dir.lock().ok().and_then(|d| d.clone()) {
                    remove_partial_files(&dir);
                }
                std::process::exit(130);
            }
            eprintln!("\nstopping after the replications under way (Ctrl-C again to stop at once)");
        })
        .context("cannot install the Ctrl-C handler")?;
        Ok(Progress {
            bar,
            cancel,
            current_dir,
        })
    }
}

/// Removes the temporary files of unfinished outputs in `dir`, then `dir`
/// itself if that leaves it empty.
fn remove_partial_files(dir: &std::path::Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".partial") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let _ = std::fs::remove_dir(dir);
}

impl Observer for Progress {
    fn replication_done(&self) {
        self.bar.inc(1);
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// `cocreate validate`.
pub fn validate(paths: &[PathBuf]) -> Result<()> {
    let mut failed = Vec::new();
    for path in paths {
        let result = Scenario::load(path)
            .map_err(|e| e.to_string())
            .and_then(|s| s.model().map(|m| (s, m)).map_err(|e| e.to_string()));
        match result {
            Ok((scenario, model)) => {
                println!("# {}: valid", path.display());
                print!("{}", scenario.to_toml());
                print!("{}", effective_note(&scenario, &model));
                println!();
            }
            Err(message) => failed.push(message),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(BadInput(failed.join("\n")).into())
    }
}

/// Comment lines listing what the inhibitors changed.
fn effective_note(scenario: &Scenario, model: &Model) -> String {
    use cocreate::scenario::ParamKey;
    let mut out = String::new();
    let changed: Vec<String> = ParamKey::all()
        .filter(|k| k.get(&scenario.params) != k.get(model.params()))
        .map(|k| format!("#   {} = {}", k.name(), k.get(model.params())))
        .collect();
    if !changed.is_empty() || model.excluded_share() > 0.0 {
        out.push_str("\n# after inhibitors, the model runs with:\n");
        for line in changed {
            out.push_str(&line);
            out.push('\n');
        }
        if model.excluded_share() > 0.0 {
            out.push_str(&format!(
                "#   excluded share = {:?}\n",
                model.excluded_share()
            ));
        }
    }
    out
}

/// `cocreate inhibitors`.
pub fn inhibitors() {
    println!("Inhibitors of public value co-creation (MODEL.md section 5).");
    println!("Each takes an intensity x in [0, 1]; 0 is the same as absent. They act on the");
    println!("parameters before the run, in this order:\n");
    for i in Inhibitor::ALL {
        println!("{}\n    {}\n    {}\n", i.name(), i.meaning(), i.effect());
    }
    println!(
        "In a scenario file:\n  [inhibitors]\n  low_trust = 0.4\nor on the command line: --set inhibitors.low_trust=0.4"
    );
}

/// `cocreate sweep`.
pub fn sweep(args: SweepArgs) -> Result<()> {
    use cocreate::experiment::sweep::{Layout, noise_share, plan, sensitivity};
    use cocreate::output::sweep::{RunRow, SweepFolderError, SweepWriter, sweep_identity};

    let path = &args.sweep;
    let (sweep, text) = load_sweep(path)?;
    let plan = plan(&sweep);
    // every point is checked before anything runs
    let mut models = Vec::with_capacity(plan.points.len());
    for (p, values) in plan.points.iter().enumerate() {
        let scenario = sweep
            .scenario_at(values)
            .map_err(|m| BadInput(format!("{}: point {p}: {m}", path.display())))?;
        let model = scenario
            .model()
            .map_err(|e| BadInput(format!("point {p} of the sweep: {e}")))?;
        models.push(model);
    }
    let runs = plan.points.len() as u64 * u64::from(sweep.replications);
    // on SLURM, the cores given to the task
    let slurm_cpus = std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|c| c.parse::<u32>().ok())
        .filter(|&c| c > 0);
    let (threads, pool) = worker_pool(args.threads.or(slurm_cpus))?;
    let factor_names: Vec<String> = sweep.factors.iter().map(|f| f.key.name()).collect();

    let shard = shard_of(args.shard.as_deref())?;
    if args.dry_run {
        // calibrate on the first point's first replication
        let start = std::time::Instant::now();
        pool.install(|| experiment::run_one(&models[0], sweep.seed, 0));
        let per_run = start.elapsed().as_secs_f64();
        let mine = match shard {
            Some((i, n)) => (0..plan.points.len()).filter(|p| p % n == i - 1).count() as u64,
            None => plan.points.len() as u64,
        };
        let estimate = per_run * (mine * u64::from(sweep.replications)) as f64 / threads as f64;
        println!(
            "{}: design \"{}\", {} factors, {} points x {} replications = {runs} runs",
            sweep.name,
            sweep.design.name(),
            factor_names.len(),
            plan.points.len(),
            sweep.replications
        );
        println!(
            "one run of the first point took {per_run:.3} s: {}about {} on {threads} thread{}",
            shard.map_or(String::new(), |(i, n)| format!(
                "shard {i} of {n} ({mine} points): "
            )),
            humantime::format_duration(std::time::Duration::from_secs(estimate.ceil() as u64)),
            if threads == 1 { "" } else { "s" }
        );
        return Ok(());
    }

    let identity = sweep_identity(&text, &sweep.base.to_toml());
    let folder = match shard {
        Some((i, n)) => format!("{}.shard-{i}-of-{n}", sweep.name),
        None => sweep.name.clone(),
    };
    let mine = |p: usize| shard.is_none_or(|(i, n)| p % n == i - 1);
    let mut writer = SweepWriter::create(
        &args.out,
        &folder,
        &factor_names,
        &identity,
        args.resume,
        plan.points.len(),
    )
    .map_err(|e| match e {
        SweepFolderError::Output(e) => anyhow::Error::new(e),
        e => BadInput(e.to_string()).into(),
    })?;
    let started = SystemTime::now();
    let my_points = (0..plan.points.len()).filter(|&p| mine(p)).count() as u64;
    let progress = Progress::new(
        my_points * u64::from(sweep.replications),
        "runs",
        args.quiet,
    )?;
    progress.bar.set_message(folder.clone());
    let done = (0..plan.points.len())
        .filter(|&p| mine(p) && writer.is_done(p))
        .count() as u64;
    progress
        .bar
        .set_position(done * u64::from(sweep.replications));
    for (p, (values, model)) in plan.points.iter().zip(&models).enumerate() {
        if !mine(p) || writer.is_done(p) {
            continue;
        }
        let outcome = pool.install(|| {
            experiment::replicate_with(
                model,
                sweep.seed,
                sweep.replications,
                &progress,
                |rep| RunRow::format(p, values, &rep),
                |row| writer.append(row),
            )
        });
        match outcome {
            Ok(()) => writer.finish_point(p)?,
            Err(ReplicateError::Interrupted { .. }) => {
                bail!(Interrupted(format!(
                    "sweep `{folder}` stopped with {} of {my_points} points saved; to finish it, run the same command with --resume",
                    (0..plan.points.len())
                        .filter(|&q| mine(q) && writer.is_done(q))
                        .count()
                )));
            }
            Err(ReplicateError::Sink(e)) => return Err(e.into()),
        }
    }
    if let Some((i, n)) = shard {
        let record = serde_json::json!({
            "cocreate_version": env!("CARGO_PKG_VERSION"),
            "sweep_file": path.display().to_string(),
            "sweep_text": text,
            "base_scenario": sweep.base.to_toml(),
            "identity": identity,
            "shard": i,
            "shards": n,
            "points": my_points,
            "threads": threads,
            "started": humantime::format_rfc3339_seconds(started).to_string(),
            "finished": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        });
        let dir = writer.finish_shard(&record)?;
        progress.bar.finish_and_clear();
        if !args.quiet {
            println!(
                "{folder}: {my_points} of {} points; merge the {n} shards with `cocreate merge` (this one is in {})",
                plan.points.len(),
                dir.display()
            );
        }
        return Ok(());
    }
    let mut analysis = Vec::new();
    if plan.layout != Layout::Plain {
        for (i, metric) in cocreate::RunRecord::FIGURES.iter().enumerate() {
            let means = writer.means(i);
            if let Some(s) = sensitivity(&plan, factor_names.len(), means, sweep.seed) {
                let noise = noise_share(writer.variances(i), means, sweep.replications);
                analysis.push((*metric, s, noise));
            }
        }
    }
    let manifest = serde_json::json!({
        "cocreate_version": env!("CARGO_PKG_VERSION"),
        "model": "PVC-1",
        "sweep": {
            "name": sweep.name,
            "description": sweep.description,
            "source": path.display().to_string(),
            "design": sweep.design.name(),
            "samples": sweep.samples,
            "levels": sweep.levels,
            "replications": sweep.replications,
            "seed": sweep.seed,
            "factors": factor_names,
        },
        "base_scenario": sweep.base,
        "points": plan.points.len(),
        "runs": runs,
        "command_line": std::env::args().collect::<Vec<_>>(),
        "threads": threads,
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "finished": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    });
    let dir = writer.finish(&plan.points, &analysis, &manifest)?;
    progress.bar.finish_and_clear();
    if !args.quiet {
        println!(
            "{}: {} points x {} replications; wrote {}/{{points,runs,summary}}.csv{} and manifest.json",
            sweep.name,
            plan.points.len(),
            sweep.replications,
            dir.display(),
            if analysis.is_empty() {
                ""
            } else {
                ", sensitivity.csv"
            }
        );
    }
    Ok(())
}

/// The shard to run: `--shard I/N`, else SLURM's array variables, else none.
fn shard_of(flag: Option<&str>) -> Result<Option<(usize, usize)>> {
    let parse = |i: &str, n: &str, what: &str| -> Result<(usize, usize)> {
        match (i.trim().parse::<usize>(), n.trim().parse::<usize>()) {
            (Ok(i), Ok(n)) if n >= 1 && (1..=n).contains(&i) => Ok((i, n)),
            _ => Err(BadInput(format!(
                "{what}: expected I/N with 1 <= I <= N, e.g. --shard 2/8"
            ))
            .into()),
        }
    };
    if let Some(flag) = flag {
        let (i, n) = flag
            .split_once('/')
            .ok_or_else(|| BadInput(format!("--shard {flag}: expected I/N, e.g. 2/8")))?;
        return parse(i, n, &format!("--shard {flag}")).map(Some);
    }
    match (
        std::env::var("SLURM_ARRAY_TASK_ID"),
        std::env::var("SLURM_ARRAY_TASK_COUNT"),
    ) {
        // SLURM numbers array tasks from the script's --array start (1 in `cocreate slurm`)
        (Ok(i), Ok(n)) => parse(&i, &n, "SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT").map(Some),
        _ => Ok(None),
    }
}

/// `cocreate merge`.
pub fn merge(args: crate::cli::MergeArgs) -> Result<()> {
    use cocreate::experiment::sweep::{Layout, noise_share, plan, sensitivity};
    use cocreate::output::sweep::{SweepFolderError, SweepWriter};
    use cocreate::scenario::Sweep;

    let mut shards = Vec::new();
    for dir in &args.shards {
        let path = dir.join("shard.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            BadInput(format!(
                "{}: not a finished shard of a sweep ({e})",
                path.display()
            ))
        })?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
        shards.push((dir.clone(), v));
    }
    let first = &shards[0].1;
    let n = first["shards"].as_u64().unwrap_or(0) as usize;
    let mut seen = vec![false; n];
    for (dir, v) in &shards {
        if v["identity"] != first["identity"] {
            bail!(BadInput(format!(
                "{} is a shard of a different sweep than {}",
                dir.display(),
                shards[0].0.display()
            )));
        }
        if v["shards"] != first["shards"] {
            bail!(BadInput(format!(
                "{} is one of {} shards, {} one of {n}: merge the shards of one split",
                dir.display(),
                v["shards"],
                shards[0].0.display()
            )));
        }
        let i = v["shard"].as_u64().unwrap_or(0) as usize;
        if i == 0 || i > n || std::mem::replace(&mut seen[i - 1], true) {
            bail!(BadInput(format!(
                "{}: shard {i} of {n} is given twice or is out of range",
                dir.display()
            )));
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        bail!(BadInput(format!("shard {} of {n} is missing", missing + 1)));
    }
    let text = first["sweep_text"].as_str().unwrap_or_default();
    let base = first["base_scenario"].as_str().unwrap_or_default();
    let source = first["sweep_file"].as_str().unwrap_or("sweep");
    let stem = std::path::Path::new(source)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    let sweep = Sweep::from_toml(text, source, &stem, |_| {
        Scenario::from_toml(base, "base scenario", "base")
    })
    .map_err(|e| BadInput(e.to_string()))?;
    let plan = plan(&sweep);
    let factor_names: Vec<String> = sweep.factors.iter().map(|f| f.key.name()).collect();
    let identity = first["identity"].as_str().unwrap_or_default();
    // a merge that was stopped before it finished (a requeued job) resumes
    let create = |resume| {
        SweepWriter::create(
            &args.out,
            &sweep.name,
            &factor_names,
            identity,
            resume,
            plan.points.len(),
        )
    };
    let mut writer = match create(false) {
        Err(SweepFolderError::NotEmpty(dir)) => create(true).map_err(|_| {
            BadInput(format!(
                "{} already holds files: remove it or choose another --out (a merge never overwrites results)",
                dir.display()
            ))
        })?,
        other => other.map_err(|e| BadInput(e.to_string()))?,
    };
    for (dir, _) in &shards {
        writer.adopt(dir)?;
    }
    if writer.finished() != plan.points.len() {
        bail!(BadInput(format!(
            "the shards hold {} of the sweep's {} points",
            writer.finished(),
            plan.points.len()
        )));
    }
    let mut analysis = Vec::new();
    if plan.layout != Layout::Plain {
        for (i, metric) in cocreate::RunRecord::FIGURES.iter().enumerate() {
            let means = writer.means(i);
            if let Some(s) = sensitivity(&plan, factor_names.len(), means, sweep.seed) {
                analysis.push((
                    *metric,
                    s,
                    noise_share(writer.variances(i), means, sweep.replications),
                ));
            }
        }
    }
    let manifest = serde_json::json!({
        "cocreate_version": env!("CARGO_PKG_VERSION"),
        "model": "PVC-1",
        "sweep": {
            "name": sweep.name,
            "description": sweep.description,
            "source": source,
            "design": sweep.design.name(),
            "samples": sweep.samples,
            "levels": sweep.levels,
            "replications": sweep.replications,
            "seed": sweep.seed,
            "factors": factor_names,
        },
        "base_scenario": sweep.base,
        "points": plan.points.len(),
        "runs": plan.points.len() as u64 * u64::from(sweep.replications),
        "merged_from": args.shards.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
        "command_line": std::env::args().collect::<Vec<_>>(),
        "finished": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    });
    let dir = writer.finish(&plan.points, &analysis, &manifest)?;
    println!("merged {n} shards into {}", dir.display());
    Ok(())
}

/// `cocreate slurm`.
pub fn slurm(args: crate::cli::SlurmArgs) -> Result<()> {
    let path = &args.sweep;
    // the sweep is checked now, not on the cluster
    let (sweep, _) = load_sweep(path)?;
    let absolute = |p: &std::path::Path| -> Result<PathBuf> {
        Ok(if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir()?.join(p)
        })
    };
    let exe = std::env::current_exe().context("cannot find the cocreate binary")?;
    let sweep_file = absolute(path)?;
    let out = absolute(&args.out)?;
    // what goes into #SBATCH lines is checked: a stray character there would
    // end SLURM's directives or run as a command
    let plain = |v: &str| {
        !v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || ":-_.,".contains(c))
    };
    if !plain(&args.time) {
        bail!(BadInput(format!(
            "--time {:?}: expected a SLURM time such as 01:00:00 or 2-00:00:00",
            args.time
        )));
    }
    if let Some(p) = args.partition.as_deref().filter(|p| !plain(p)) {
        bail!(BadInput(format!(
            "--partition {p:?}: expected a partition name (letters, digits, - _ .)"
        )));
    }
    if out
        .to_string_lossy()
        .chars()
        .any(|c| c.is_whitespace() || "%\"'$`\\".contains(c))
    {
        bail!(BadInput(format!(
            "--out {}: SLURM's --output cannot take spaces, quotes, $, ` or % in a path; choose a plain one",
            out.display()
        )));
    }
    let parts = out.join("parts");
    let n = args.shards;
    let q = |p: &std::path::Path| shell_quote(&p.display().to_string());
    let partition = args
        .partition
        .as_ref()
        .map(|p| format!("#SBATCH --partition={p}\n"))
        .unwrap_or_default();
    let shard_dirs = (1..=n)
        .map(|i| q(&parts.join(format!("{}.shard-{i}-of-{n}", sweep.name))))
        .collect::<Vec<_>>()
        .join(" ");
    let target = args
        .script
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.slurm.sh", sweep.name)));
    let script = format!(
        r#"#!/bin/bash
# Runs the sweep `{name}` as a SLURM job array of {n} shards, then merges
# them. Written by `cocreate slurm`; submit it with: bash {script_name}
set -euo pipefail
mkdir -p {parts} {out}

array=$(sbatch --parsable <<'JOB'
#!/bin/bash
#SBATCH --job-name=cocreate-{name}
#SBATCH --array=1-{n}
#SBATCH --cpus-per-task={cpus}
#SBATCH --time={time}
{partition}#SBATCH --output={parts_raw}/slurm-%A_%a.out
set -euo pipefail
# a requeued or restarted task finishes what it started
shard_dir={parts}/{name}.shard-${{SLURM_ARRAY_TASK_ID}}-of-{n}
resume=""
if [ -d "$shard_dir/.partial" ]; then resume="--resume"; fi
{exe} sweep {sweep_file} --quiet --shard "${{SLURM_ARRAY_TASK_ID}}/{n}" --out {parts} $resume
JOB
)

merge=$(sbatch --parsable --dependency=afterok:"${{array%%;*}}" <<'JOB'
#!/bin/bash
#SBATCH --job-name=cocreate-{name}-merge
#SBATCH --cpus-per-task=1
#SBATCH --time={time}
{partition}#SBATCH --output={out_raw}/slurm-merge-%j.out
set -euo pipefail
{exe} merge {shard_dirs} --out {out}
JOB
)
echo "submitted array job ${{array%%;*}} ({n} shards) and merge job ${{merge%%;*}}; results in {out_raw}/{name}/"
"#,
        name = sweep.name,
        n = n,
        cpus = args.cpus,
        time = args.time,
        partition = partition,
        parts = q(&parts),
        parts_raw = parts.display(),
        out = q(&out),
        out_raw = out.display(),
        exe = q(&exe),
        sweep_file = q(&sweep_file),
        shard_dirs = shard_dirs,
        script_name = target.display(),
    );
    write_file(&target, script.as_bytes())?;
    println!(
        "wrote {}: {n} shards of {}; submit it with `bash {}`",
        target.display(),
        sweep.name,
        target.display()
    );
    Ok(())
}

/// A string as one shell word.
fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `cocreate compare`.
pub fn compare(args: crate::cli::CompareArgs) -> Result<()> {
    use cocreate::experiment::compare::{Compared, compare};
    let mut scenarios = load_all(&args.scenarios)?;
    let seed = prepare(
        &mut scenarios,
        &args.set,
        args.replications,
        args.seed,
        args.quiet,
    )?;
    // paired replication by replication: every scenario runs as many as the base
    let replications = scenarios[0].params.run.replications;
    for scenario in &mut scenarios {
        scenario.params.run.replications = replications;
    }
    let models = scenarios.iter().map(checked).collect::<Result<Vec<_>>>()?;
    let (threads, pool) = worker_pool(args.threads)?;
    // the base once, every other scenario twice: paired, and under another
    // master seed to measure what the pairing gains
    let independent_seed = seed.wrapping_add(1) & (i64::MAX as u64);
    let total = u64::from(replications) * (2 * models.len() as u64 - 1);
    let progress = Progress::new(total, "replications", args.quiet)?;
    let started = SystemTime::now();
    let run = |model: &Model,
               seed: u64,
               range: std::ops::Range<u32>,
               name: &str,
               records: &mut Vec<cocreate::RunRecord>|
     -> Result<()> {
        progress.bar.set_message(name.to_string());
        let outcome = pool.install(|| {
            experiment::replicate_range(
                model,
                seed,
                range,
                &progress,
                |rep| rep,
                |rep| {
                    records.push(rep.record);
                    Ok::<(), std::convert::Infallible>(())
                },
            )
        });
        match outcome {
            Ok(()) => Ok(()),
            Err(ReplicateError::Interrupted { .. }) => bail!(Interrupted(
                "the comparison was stopped; nothing was written".into()
            )),
            Err(ReplicateError::Sink(never)) => match never {},
        }
    };
    // [base, then (paired, independent) per other scenario]; with
    // --precision, batches follow until every scenario's target figure has
    // a 95% interval within REL of its mean
    let mut paired: Vec<Vec<cocreate::RunRecord>> = vec![Vec::new(); models.len()];
    let mut independent: Vec<Vec<cocreate::RunRecord>> = vec![Vec::new(); models.len()];
    let (mut done, mut end) = (0, replications);
    loop {
        for (k, (scenario, model)) in scenarios.iter().zip(&models).enumerate() {
            run(model, seed, done..end, &scenario.name, &mut paired[k])?;
            if k > 0 {
                let label = format!("{} (indep.)", scenario.name);
                run(
                    model,
                    independent_seed,
                    done..end,
                    &label,
                    &mut independent[k],
                )?;
            }
        }
        done = end;
        let Some(rel) = args.precision else { break };
        let precise = paired.iter().all(|records| {
            let values: Vec<f64> = records
                .iter()
                .filter_map(|r| r.figure(&args.target))
                .collect();
            let s = cocreate::stats::Summary::of(&values);
            s.half_width() <= rel * s.mean.abs()
        });
        if precise || done >= args.max_replications {
            break;
        }
        end = done.saturating_add(replications).min(args.max_replications);
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
    let mut num = |x: f64| {
        if x.is_nan() {
            "NaN".to_string()
        } else {
            buf.format(x).to_string()
        }
    };
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
    let manifest = serde_json::json!({
        "cocreate_version": env!("CARGO_PKG_VERSION"),
        "model": "PVC-1",
        "base": scenarios[0].name,
        "scenarios": scenarios,
        "master_seed": seed,
        "independent_seed": independent_seed,
        "replications": replications,
        "variance_reduction": results.iter().skip(1).map(|(name, rows)| {
            (name.clone(), rows.iter().map(|c| (c.metric, c.variance_reduction)).collect::<std::collections::BTreeMap<_, _>>())
        }).collect::<std::collections::BTreeMap<_, _>>(),
        "command_line": std::env::args().collect::<Vec<_>>(),
        "threads": threads,
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "finished": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    });
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
    manifest_bytes.push(b'\n');
    write_file(
        &dir.join("comparison.csv"),
        &csv_text.into_inner().unwrap_or_default(),
    )?;
    write_file(&dir.join("manifest.json"), &manifest_bytes)?;
    if !args.quiet {
        print!("{}", comparison_table(&results));
        println!("wrote {}/comparison.csv and manifest.json", dir.display());
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

/// `cocreate attribute`.
pub fn attribute(args: crate::cli::AttributeArgs) -> Result<()> {
    use cocreate::experiment::attribution::shapley;
    let mut scenario = load_all(std::slice::from_ref(&args.scenario))?
        .pop()
        .context("no scenario")?;
    if let Some(r) = args.replications {
        scenario.params.run.replications = r;
    }
    if let Some(s) = args.seed {
        scenario.params.run.seed = s;
    }
    let active: Vec<(Inhibitor, f64)> = scenario.inhibitors.active().collect();
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
            s.inhibitors
                .set(*inhibitor, if mask & (1 << j) != 0 { *x } else { 0.0 });
        }
        models.push(checked(&s)?);
    }
    let (threads, pool) = worker_pool(args.threads)?;
    let progress = Progress::new(
        models.len() as u64 * u64::from(replications),
        "replications",
        args.quiet,
    )?;
    progress.bar.set_message(scenario.name.clone());
    let started = SystemTime::now();
    let mut records: Vec<Vec<cocreate::RunRecord>> = Vec::with_capacity(models.len());
    for model in &models {
        let mut out = Vec::with_capacity(replications as usize);
        let outcome = pool.install(|| {
            experiment::replicate(model, seed, replications, &progress, |rep| {
                out.push(rep.record);
                Ok::<(), std::convert::Infallible>(())
            })
        });
        match outcome {
            Ok(()) => records.push(out),
            Err(ReplicateError::Interrupted { .. }) => {
                bail!(Interrupted(
                    "the attribution was stopped; nothing was written".into()
                ))
            }
            Err(ReplicateError::Sink(never)) => match never {},
        }
    }
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
    let mut num = |x: f64| {
        if x.is_nan() {
            "NaN".to_string()
        } else {
            buf.format(x).to_string()
        }
    };
    for (i, metric) in cocreate::RunRecord::FIGURES.iter().enumerate() {
        let values: Vec<Vec<f64>> = records
            .iter()
            .map(|rs| rs.iter().map(|r| r.values()[i].as_f64()).collect())
            .collect();
        let shares = shapley(k, &values);
        for ((inhibitor, _), s) in active.iter().zip(&shares) {
            let _ = csv_text.write_record([
                inhibitor.name().to_string(),
                metric.to_string(),
                num(s.shapley),
                num(s.ci.0),
                num(s.ci.1),
                num(s.removal_gain),
            ]);
            if *metric == "total_value_realized" {
                table.push((*inhibitor, *s));
            }
        }
    }
    let dir = args.out.join(format!("{}-attribution", scenario.name));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let manifest = serde_json::json!({
        "cocreate_version": env!("CARGO_PKG_VERSION"),
        "model": "PVC-1",
        "scenario": scenario,
        "inhibitors": active.iter().map(|(i, x)| (i.name(), *x)).collect::<std::collections::BTreeMap<_, _>>(),
        "coalitions": models.len(),
        "master_seed": seed,
        "replications": replications,
        "command_line": std::env::args().collect::<Vec<_>>(),
        "threads": threads,
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "finished": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    });
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
    manifest_bytes.push(b'\n');
    write_file(
        &dir.join("attribution.csv"),
        &csv_text.into_inner().unwrap_or_default(),
    )?;
    write_file(&dir.join("manifest.json"), &manifest_bytes)?;
    if !args.quiet {
        // ranked: the inhibitor that costs the most realized value first
        table.sort_by(|a, b| a.1.shapley.total_cmp(&b.1.shapley));
        println!(
            "{}: realized value lost to each inhibitor (Shapley values, 95% CI), {} coalitions x {replications} replications",
            scenario.name,
            models.len()
        );
        for (rank, (inhibitor, s)) in table.iter().enumerate() {
            println!(
                "  {}. {:<24} {:>10.1} [{:.1}, {:.1}]   removing it alone: {:+.1}",
                rank + 1,
                inhibitor.name(),
                s.shapley,
                s.ci.0,
                s.ci.1,
                s.removal_gain
            );
        }
        println!("wrote {}/attribution.csv and manifest.json", dir.display());
    }
    Ok(())
}

/// Reads a sweep file, its base scenario resolved relative to it; returns
/// the sweep and the file's text.
fn load_sweep(path: &std::path::Path) -> Result<(cocreate::scenario::Sweep, String)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| BadInput(format!("cannot read sweep file {}: {e}", path.display())))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    let shown = path.display().to_string();
    let sweep = cocreate::scenario::Sweep::from_toml(&text, &shown, &stem, |base| {
        Scenario::load(&dir.join(base)).map_err(|e| match e {
            LoadError::Invalid(e) => e,
            e @ LoadError::Io { .. } => {
                ScenarioError::one(cocreate::scenario::Origin::whole(&shown), e.to_string())
            }
        })
    })
    .map_err(|e| BadInput(e.to_string()))?;
    Ok((sweep, text))
}

/// The worker pool: `threads`, or all cores.
fn worker_pool(threads: Option<u32>) -> Result<(usize, rayon::ThreadPool)> {
    let threads = threads
        .map(|t| t as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    Ok((threads, pool))
}

/// Writes a whole file atomically (temporary file, then rename).
fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let mut f = cocreate::output::AtomicFile::create(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    std::io::Write::write_all(&mut f, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.commit()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
