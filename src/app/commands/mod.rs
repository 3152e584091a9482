//! The subcommands: load and check input, run the library, show progress
//! and results. Every input problem is found before anything is written.

use crate::app::cli::{RunArgs, SweepArgs};
use anyhow::{Context, Result, bail};
use cocreate::experiment::{self, ReplicateError};
use cocreate::output::{self, Manifest, Rows, ScenarioSummary, ScenarioWriter};
use cocreate::scenario::{Inhibitor, LoadError, ScenarioError};
use cocreate::{Model, Scenario};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::SystemTime;

mod attribute;
mod calibrate;
mod compare;
mod discover;
mod limits;
mod posterior;
mod progress;
mod report;
mod run;
mod serve;
mod sweep;
mod waterfall;

pub use attribute::attribute;
pub use calibrate::calibrate;
pub use compare::compare;
pub use discover::discover;
pub use progress::stop_signal;
use progress::{Progress, Unfinished};
pub use report::report;
pub use run::run;
pub use serve::serve;
pub use sweep::{merge, slurm, sweep};
pub use waterfall::waterfall;
use waterfall::waterfall_table;

/// The run was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP).
#[derive(Debug, thiserror::Error)]
#[error("interrupted: {0}")]
pub struct Interrupted(String);

/// Input that cannot be used (the exit status is 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

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

/// Applies the command line to loaded scenarios: `--set` overrides, the
/// replication count, and one master seed for all (returned); refuses two
/// scenarios that would write into the same folder, and fewer than `least`
/// replications (intervals need two).
fn prepare(
    scenarios: &mut [Scenario],
    common: &crate::app::cli::CommonArgs,
    replications: Option<u32>,
    least: u32,
) -> Result<u64> {
    if common.name.is_some() && scenarios.len() != 1 {
        bail!(BadInput(format!(
            "--name names one scenario, but {} are given: set `name` in each file instead",
            scenarios.len()
        )));
    }
    for scenario in scenarios.iter_mut() {
        for assignment in &common.set {
            scenario
                .set(assignment)
                .map_err(|e| BadInput(e.to_string()))?;
        }
        // a modified scenario does not pass for the original
        scenario.name_overrides(&common.set);
        if let Some(name) = &common.name {
            cocreate::scenario::check_name(name)
                .map_err(|why| BadInput(format!("--name {name:?}: {why}")))?;
            scenario.name = name.clone();
        }
        if let Some(r) = replications {
            scenario.params.run.replications = r;
        }
        if scenario.params.run.replications < least {
            bail!(BadInput(format!(
                "{}: `run.replications` = {} but this command needs at least {least} (its intervals and paired differences need two); give -r {least} or more",
                scenario.source, scenario.params.run.replications
            )));
        }
    }
    let seed = shared_seed(scenarios, common.seed, common.quiet);
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
    out.push_str(&parts_note(model));
    out
}

/// The decimals that show `x` to `digits` significant digits.
fn significant(x: f64, digits: i32) -> usize {
    if x == 0.0 || !x.is_finite() {
        return 1;
    }
    (digits - 1 - x.abs().log10().floor() as i32).clamp(0, 17) as usize
}

/// Comment lines with the groups and kinds fully resolved (before -> after
/// the inhibitors) and every inhibitor's definition.
fn parts_note(model: &Model) -> String {
    use cocreate::model::structure::{GroupKey, KindKey};
    // to 12 significant digits, so that 0.6 x 0.775 reads 0.465 (the
    // manifest records every value exactly)
    let short = |x: f64| {
        let text = format!("{:.*}", significant(x, 12), x);
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        };
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    };
    let value = |before: f64, after: f64| {
        if before == after {
            short(after)
        } else {
            format!("{} -> {}", short(before), short(after))
        }
    };
    let mut out = String::from(
        "\n# citizen groups (MODEL.md 11.1), values before -> after the inhibitors:\n",
    );
    for g in model.groups() {
        let values: Vec<String> = GroupKey::ALL
            .iter()
            .map(|&k| format!("{} {}", k.name(), value(g.before[k as usize], g.get(k))))
            .collect();
        out.push_str(&format!(
            "#   {}: share {:?}, {} citizens; {}\n",
            g.name,
            g.share,
            g.size,
            values.join(", ")
        ));
    }
    out.push_str("# agency kinds (MODEL.md 11.2), values before -> after the inhibitors:\n");
    let n = model.params().population.citizens;
    for q in model.kinds() {
        let values: Vec<String> = KindKey::ALL
            .iter()
            .map(|&k| format!("{} {}", k.name(), value(q.before[k as usize], q.get(k))))
            .collect();
        out.push_str(&format!(
            "#   {}: agencies {}-{}, demand {:?}, capacity {} per agency and step; {}\n",
            q.name,
            q.first,
            q.first + q.count - 1,
            q.demand,
            q.capacity(q.get(KindKey::CapacityShare), n),
            values.join(", ")
        ));
    }
    out.push_str("# inhibitors (MODEL.md 11.3), in acting order:\n");
    for e in model.inhibitors().all() {
        for line in definition_text(e).lines().filter(|l| !l.is_empty()) {
            out.push_str(&format!("#   {line}\n"));
        }
    }
    out
}

/// `cocreate inhibitors [SCENARIO.toml]`.
pub fn inhibitors(scenario: Option<&std::path::Path>) -> Result<()> {
    println!("Inhibitors of public value co-creation (MODEL.md sections 5 and 11.3).");
    println!("Each takes an intensity x in [0, 1]; 0 is the same as absent. They act on the");
    println!("parameters before the run, in this order; each is a list of effects, shown");
    println!("as the formula and as its definition:\n");
    for i in Inhibitor::ALL {
        let effects: Vec<String> = i.definition().iter().map(|e| e.toml()).collect();
        println!(
            "{}\n    {}\n    {}\n    effects = [{}]\n",
            i.name(),
            i.meaning(),
            i.effect(),
            effects.join(", ")
        );
    }
    if let Some(path) = scenario {
        let s = load_all(&[path.to_path_buf()])?.remove(0);
        let own: Vec<&cocreate::model::Entry> = s
            .inhibitors
            .all()
            .iter()
            .filter(|e| e.builtin.is_none() || e.redefined)
            .collect();
        if own.is_empty() {
            println!(
                "{} defines no inhibitor of its own and redefines none.\n",
                path.display()
            );
        } else {
            println!(
                "Defined by {} (after the built-ins, in file order; a redefined built-in keeps its place):\n",
                path.display()
            );
            for e in own {
                println!("{}", definition_text(e));
            }
        }
    }
    println!(
        "In a scenario file:\n  [inhibitors]\n  low_trust = 0.4\n  low_motivation = {{ intensity = 0.5, groups = [\"rural\"] }}\nor on the command line: --set inhibitors.low_trust=0.4\n\nDefine your own (or redefine a built-in under its name):\n  [[custom_inhibitors]]\n  name = \"red_tape\"\n  description = \"procedures too heavy for citizens to take part\"\n  effects = [{{ key = \"participation.intercept\", op = \"add\", by = -1.0 }}]\nand set an effect's strength with --set effects.red_tape.participation.intercept=-0.5"
    );
    Ok(())
}

/// One inhibitor as `cocreate inhibitors` and `validate` show it.
fn definition_text(e: &cocreate::model::Entry) -> String {
    let origin = match (e.builtin, e.redefined) {
        (None, _) => "custom",
        (Some(_), true) => "redefined built-in",
        (Some(_), false) => "built-in",
    };
    let effects: Vec<String> = e.effects.iter().map(|f| f.toml()).collect();
    let mut targets = String::new();
    if !e.groups.is_empty() {
        targets.push_str(&format!(", on groups {}", e.groups.join(", ")));
    }
    if !e.kinds.is_empty() {
        targets.push_str(&format!(", on kinds {}", e.kinds.join(", ")));
    }
    format!(
        "{} ({origin}; intensity {}{targets})\n    {}\n    {}\n    effects = [{}]\n",
        e.name,
        e.intensity,
        e.description,
        e.formulas(),
        effects.join(", ")
    )
}

/// Reads a sweep file, its base scenario resolved relative to it; returns
/// the sweep and the file's text.
fn load_sweep(path: &std::path::Path) -> Result<(cocreate::scenario::Sweep, String)> {
    load_with_base(path, "sweep", |text, shown, stem, base| {
        cocreate::scenario::Sweep::from_toml(text, shown, stem, base)
    })
}

/// Reads a file with a base scenario (a sweep or a calibration): its text,
/// parsed by `parse(text, shown path, file stem, base loader)`, the base
/// scenario's path resolved relative to the file.
fn load_with_base<T>(
    path: &std::path::Path,
    what: &str,
    parse: impl FnOnce(
        &str,
        &str,
        &str,
        &dyn Fn(&str) -> std::result::Result<Scenario, ScenarioError>,
    ) -> std::result::Result<T, ScenarioError>,
) -> Result<(T, String)> {
    let text = cocreate::scenario::read_input(path).map_err(|e| match e {
        LoadError::Io { path, source } => {
            BadInput(format!("cannot read {what} file {path}: {source}"))
        }
        LoadError::Invalid(e) => BadInput(e.to_string()),
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| what.into());
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    let shown = path.display().to_string();
    let load_base = |base: &str| {
        Scenario::load(&dir.join(base)).map_err(|e| match e {
            LoadError::Invalid(e) => e,
            e @ LoadError::Io { .. } => {
                ScenarioError::one(cocreate::scenario::Origin::whole(&shown), e.to_string())
            }
        })
    };
    let parsed = parse(&text, &shown, &stem, &load_base).map_err(|e| BadInput(e.to_string()))?;
    Ok((parsed, text))
}

/// A warning on stderr for every `--precision` run that stopped at
/// `--max-replications` before reaching its target (printed even with
/// `--quiet`: the numbers are less precise than asked for).
fn warn_unreached(outcomes: &[(String, cocreate::experiment::precision::PrecisionOutcome)]) {
    for (name, o) in outcomes.iter().filter(|(_, o)| !o.precision_reached) {
        eprintln!(
            "warning: {name}: --max-replications {} stopped the run before --precision {} was reached ({} is within {} of its target scale); raise --max-replications or accept the wider interval",
            o.max_replications,
            o.target,
            o.figure,
            output::percent(o.achieved)
        );
    }
}

/// Locks the result folder `out/name` and starts its staging folder (see
/// [`cocreate::output::folder`]): refused with exit status 2 while another
/// process writes it, or when it is a symbolic link.
fn stage(out: &std::path::Path, name: &str) -> Result<cocreate::output::folder::Staged> {
    use cocreate::output::folder::{FolderError, Staged};
    Staged::begin(out, name).map_err(|e| match e {
        FolderError::Output(e) => anyhow::Error::new(e),
        e => BadInput(e.to_string()).into(),
    })
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

/// Writes `files` (name and bytes) into a staged result folder and swaps it
/// in whole; returns the folder.
fn write_folder(
    folder: cocreate::output::folder::Staged,
    progress: &Progress,
    files: &[(&str, &[u8])],
) -> Result<PathBuf> {
    progress.writing(Some(Unfinished::Staging(folder.target().to_path_buf())));
    for (name, bytes) in files {
        let path = folder.path().join(name);
        std::fs::write(&path, bytes)
            .with_context(|| format!("cannot write {}", folder.target().join(name).display()))?;
    }
    let dir = folder.commit()?;
    progress.writing(None);
    Ok(dir)
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

/// Runs replications `range` of `model` under master seed `seed` on `pool`,
/// in replication order, handing each to `each`. Ctrl-C stops it with
/// [`Interrupted`] saying that `what` was stopped and nothing written.
fn replications_of(
    pool: &rayon::ThreadPool,
    model: &(impl experiment::Models + ?Sized),
    seed: u64,
    range: std::ops::Range<u32>,
    progress: &Progress,
    what: &str,
    mut each: impl FnMut(experiment::Replication) + Send,
) -> Result<()> {
    let outcome = pool.install(|| {
        experiment::replicate_range(
            model,
            seed,
            range,
            progress,
            |rep| rep,
            |rep| {
                each(rep);
                Ok::<(), std::convert::Infallible>(())
            },
        )
    });
    match outcome {
        Ok(()) => Ok(()),
        Err(ReplicateError::Interrupted { .. }) => {
            bail!(Interrupted(format!(
                "{what} was stopped; nothing was written"
            )))
        }
        Err(ReplicateError::Sink(never)) => match never {},
    }
}

/// The records of replications `0..replications` of `model` (see
/// [`replications_of`]).
fn records_of(
    pool: &rayon::ThreadPool,
    model: &Model,
    seed: u64,
    replications: u32,
    progress: &Progress,
    what: &str,
) -> Result<Vec<cocreate::model::Finished>> {
    let mut records = Vec::with_capacity(replications as usize);
    replications_of(pool, model, seed, 0..replications, progress, what, |rep| {
        records.push(cocreate::model::Finished {
            record: rep.record,
            groups: rep.groups,
            kinds: rep.kinds,
        })
    })?;
    Ok(records)
}

/// The waterfall of each citizen group: its own funnel in the scenario's
/// runs against that in the twin's (the same groups, paired by index).
fn group_waterfalls(
    model: &Model,
    twin: &[cocreate::model::Finished],
    runs: &[cocreate::model::Finished],
    lambda: f64,
) -> Vec<(String, cocreate::experiment::waterfall::Waterfall)> {
    use cocreate::experiment::waterfall::waterfall;
    let funnels = |f: &[cocreate::model::Finished], g: usize| -> Vec<cocreate::model::Funnel> {
        f.iter().map(|r| r.groups[g].funnel).collect()
    };
    model
        .groups()
        .iter()
        .enumerate()
        .map(|(g, group)| {
            (
                group.name.clone(),
                waterfall(&funnels(twin, g), &funnels(runs, g), lambda),
            )
        })
        .collect()
}

/// The funnels of whole runs.
fn run_funnels(f: &[cocreate::model::Finished]) -> Vec<cocreate::model::Funnel> {
    f.iter().map(|r| r.record.funnel()).collect()
}

/// The text of an analysis command's `manifest.json`: `fields` plus the
/// version, model, command line, threads and start and end times.
fn analysis_manifest(
    fields: serde_json::Value,
    threads: usize,
    started: SystemTime,
) -> Result<Vec<u8>> {
    let mut manifest = serde_json::json!({
        "cocreate_version": env!("CARGO_PKG_VERSION"),
        "model": "PVC-1",
    });
    if let (Some(m), serde_json::Value::Object(extra)) = (manifest.as_object_mut(), fields) {
        m.extend(extra);
        m.insert(
            "command_line".into(),
            std::env::args().collect::<Vec<_>>().into(),
        );
        m.insert("threads".into(), threads.into());
        let time = |t| serde_json::Value::from(humantime::format_rfc3339_seconds(t).to_string());
        m.insert("started".into(), time(started));
        m.insert("finished".into(), time(SystemTime::now()));
    }
    let mut bytes = serde_json::to_vec_pretty(&manifest)?;
    bytes.push(b'\n');
    Ok(bytes)
}
