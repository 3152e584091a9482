//! `cocreate sweep`, `merge` and `slurm`.

use super::*;
use cocreate::experiment::sweep::{
    FigureAnalysis, Layout, convergence, noise_share, plan, sensitivity,
};
use cocreate::output::sweep::{Opened, SweepFolderError, SweepWriter};

/// `cocreate sweep`.
pub fn sweep(args: SweepArgs) -> Result<()> {
    use cocreate::output::sweep::{RunRow, sweep_identity};

    let path = &args.sweep;
    if let Some(name) = &args.template {
        return write_template(name, path);
    }
    let (sweep, text) = load_sweep(path)?;
    let points = sweep.points();
    let runs = points * u64::from(sweep.replications);
    // on SLURM, the cores given to the task, checked like --threads
    let slurm_cpus = match (args.threads, std::env::var("SLURM_CPUS_PER_TASK")) {
        (None, Ok(c)) => Some(
            c.trim()
                .parse::<u32>()
                .ok()
                .filter(|c| (1..=crate::app::cli::MAX_THREADS).contains(c))
                .ok_or_else(|| {
                    BadInput(format!(
                        "SLURM_CPUS_PER_TASK = {c:?}: expected an integer from 1 to {} (as for --threads); fix the job's --cpus-per-task or pass --threads",
                        crate::app::cli::MAX_THREADS
                    ))
                })?,
        ),
        _ => None,
    };
    let (threads, pool) = worker_pool(args.threads.or(slurm_cpus))?;
    let factor_names: Vec<String> = sweep.factors.iter().map(|f| f.key.name()).collect();
    let shard = shard_of(args.shard.as_deref())?;
    let mine = match shard {
        Some((i, n)) => (points + (n - i) as u64) / n as u64,
        None => points,
    };
    // memory, before any point exists: the points and their summaries, and
    // the heaviest point's replications in flight
    let heaviest = heaviest_point(&sweep);
    let heavy_model = checked(&heaviest)?;
    let point_bytes =
        24 + 8 * factor_names.len() as u64 + 2 * cocreate::RunRecord::FIGURES.len() as u64 * 8 + 1;
    let plan_bytes = points.saturating_mul(point_bytes);
    let fits = || {
        limits::check(
            &[limits::Job {
                scenario: &heaviest,
                model: &heavy_model,
                replications: u64::from(sweep.replications),
            }],
            threads,
            plan_bytes,
            Some((point_bytes, "points")),
            true,
        )
    };
    if args.dry_run {
        // calibrate on the middle point (every factor halfway)
        let middle: Vec<f64> = sweep.factors.iter().map(|f| f.middle()).collect();
        let model = sweep
            .scenario_at(&middle)
            .map_err(|m| anyhow::Error::new(BadInput(format!("{}: {m}", path.display()))))
            .and_then(|s| checked(&s))?;
        // measured, unless one run would itself take long
        let guess = cocreate::experiment::resources::replication_seconds(&model);
        let (per_run, how) = if guess > 5.0 {
            (guess, "would take about (estimated, not run)")
        } else {
            let start = std::time::Instant::now();
            pool.install(|| experiment::run_one(&model, sweep.seed, 0));
            (start.elapsed().as_secs_f64(), "took")
        };
        let estimate = per_run * (mine * u64::from(sweep.replications)) as f64 / threads as f64;
        let peak = cocreate::experiment::resources::peak_bytes(
            &heavy_model,
            threads,
            u64::from(sweep.replications),
            plan_bytes,
        );
        println!(
            "{}: design \"{}\", {} factors, {points} points x {} replications = {runs} runs",
            sweep.name,
            sweep.design.name(),
            factor_names.len(),
            sweep.replications
        );
        println!(
            "one run of the middle point {how} {per_run:.3} s: {}about {} on {threads} thread{}; peak memory about {}",
            shard.map_or(String::new(), |(i, n)| format!(
                "shard {i} of {n} ({mine} points): "
            )),
            humantime::format_duration(std::time::Duration::from_secs(estimate.ceil() as u64)),
            if threads == 1 { "" } else { "s" },
            limits::bytes(peak)
        );
        // a design too large for this machine says so, after its figures
        return fits();
    }
    fits()?;
    let plan = plan(&sweep);
    // every point is checked before anything runs (its model is built
    // again when it runs: models of millions of points are not kept)
    for (p, values) in plan.points.iter().enumerate() {
        let scenario = sweep
            .scenario_at(values)
            .map_err(|m| BadInput(format!("{}: point {p}: {m}", path.display())))?;
        scenario
            .model()
            .map_err(|e| BadInput(format!("point {p} of the sweep: {e}")))?;
    }

    let identity = sweep_identity(&text, &sweep.base.to_toml());
    let folder = match shard {
        Some((i, n)) => format!("{}.shard-{i}-of-{n}", sweep.name),
        None => sweep.name.clone(),
    };
    let mine = |p: usize| shard.is_none_or(|(i, n)| p % n == i - 1);
    let part_names = cocreate::output::PartNames::of_scenario(&sweep.base);
    let opened = SweepWriter::create(
        &args.out,
        &folder,
        &factor_names,
        &identity,
        args.resume,
        plan.points.len(),
        sweep.replications,
        &part_names,
    )
    .map_err(sweep_folder_error)?;
    let mut writer = match opened {
        Opened::Finished(dir) => {
            if !args.quiet {
                println!(
                    "{}: this sweep is already finished and its files check out; nothing to do",
                    dir.display()
                );
            }
            return Ok(());
        }
        Opened::Writer(w) => *w,
    };
    for note in writer.damaged() {
        eprintln!("note: running again {note}");
    }
    if args.resume && writer.finished() == 0 && writer.damaged().is_empty() && !args.quiet {
        eprintln!(
            "note: {} holds no saved point of this sweep: starting it",
            writer.dir().display()
        );
    }
    if shard.is_some()
        && (0..plan.points.len()).all(|p| !mine(p) || writer.is_done(p))
        && shard_is_finished(writer.dir(), &identity)
    {
        if !args.quiet {
            println!(
                "{}: this shard is already finished and its points check out; nothing to do",
                writer.dir().display()
            );
        }
        return Ok(());
    }
    let started = SystemTime::now();
    let my_points = (0..plan.points.len()).filter(|&p| mine(p)).count() as u64;
    let progress = Progress::new(
        my_points * u64::from(sweep.replications),
        "runs",
        args.quiet,
    )?;
    progress.bar.set_message(folder.clone());
    progress.writing(Some(Unfinished::Sweep(writer.dir().to_path_buf())));
    let done = (0..plan.points.len())
        .filter(|&p| mine(p) && writer.is_done(p))
        .count() as u64;
    progress
        .bar
        .set_position(done * u64::from(sweep.replications));
    for (p, values) in plan.points.iter().enumerate() {
        if !mine(p) || writer.is_done(p) {
            continue;
        }
        let model = sweep
            .scenario_at(values)
            .map_err(|m| {
                anyhow::Error::new(BadInput(format!("{}: point {p}: {m}", path.display())))
            })
            .and_then(|s| checked(&s))?;
        let model = &model;
        let outcome = pool.install(|| {
            experiment::replicate_with(
                model,
                sweep.seed,
                sweep.replications,
                &progress,
                |rep| RunRow::format(p, values, &part_names, &rep),
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
    let source = path.display().to_string();
    let extra = serde_json::json!({
        "threads": threads,
        "started": humantime::format_rfc3339_seconds(started).to_string(),
    });
    let (dir, analysis) = finish(writer, &plan, &sweep, &source, extra)?;
    progress.bar.finish_and_clear();
    if !args.quiet {
        print!("{}", ranking_table(&analysis, &factor_names));
        eprint!("{}", implausible_notes(&analysis, &factor_names));
        println!(
            "{}: {} points x {} replications; wrote {}/{{points,runs,summary}}.csv{} and manifest.json",
            sweep.name,
            plan.points.len(),
            sweep.replications,
            dir.display(),
            match plan.layout {
                Layout::Plain => "",
                Layout::Sobol { .. } => ", sensitivity.csv, convergence.csv",
                Layout::Morris { .. } => ", sensitivity.csv",
            }
        );
    }
    Ok(())
}

/// `sweep --template NAME SCENARIO`: writes the template's sweep file over
/// the scenario into the current folder (never over an existing file).
fn write_template(name: &str, scenario_path: &std::path::Path) -> Result<()> {
    use cocreate::scenario::{TEMPLATES, template};
    if !TEMPLATES.iter().any(|(t, _)| *t == name) {
        bail!(BadInput(format!(
            "--template {name:?}: the templates are {}",
            TEMPLATES
                .iter()
                .map(|(t, what)| format!("`{t}` ({what})"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let scenario = load_all(std::slice::from_ref(&scenario_path.to_path_buf()))?
        .pop()
        .context("one scenario")?;
    let text = template(name, &scenario, &scenario_path.display().to_string())
        .context("a known template")?;
    let target = PathBuf::from(format!("{}-{name}.toml", scenario.name));
    if target.exists() {
        bail!(BadInput(format!(
            "{} already exists: remove it or rename it first (a template never overwrites a file)",
            target.display()
        )));
    }
    write_file(&target, text.as_bytes())?;
    println!(
        "wrote {}: {} screening of {}; check it with `cocreate sweep {} --dry-run`",
        target.display(),
        name,
        scenario.name,
        target.display()
    );
    Ok(())
}

/// A sweep folder that cannot be used: exit status 2, or 1 for a file
/// that could not be read or written.
fn sweep_folder_error(e: SweepFolderError) -> anyhow::Error {
    match e {
        SweepFolderError::Output(e) => anyhow::Error::new(e),
        e => BadInput(e.to_string()).into(),
    }
}

/// Whether `dir` holds the `shard.json` of a finished shard of the sweep
/// `identity`.
fn shard_is_finished(dir: &std::path::Path, identity: &str) -> bool {
    cocreate::output::parts::read_regular(&dir.join("shard.json"), 1 << 26)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v["identity"].as_str() == Some(identity))
}

/// The base scenario with every factor at whichever end of its range makes
/// a replication need more memory: the heaviest point, for the memory
/// estimate (memory grows monotonically with each parameter that moves it).
fn heaviest_point(sweep: &cocreate::scenario::Sweep) -> Scenario {
    use cocreate::experiment::resources::{result_bytes, world_bytes};
    let mut values: Vec<f64> = sweep.factors.iter().map(|f| f.middle()).collect();
    for (j, f) in sweep.factors.iter().enumerate() {
        let (low, high) = f.ends();
        let weight = |v: f64| {
            let mut at = values.clone();
            at[j] = v;
            (sweep.scenario_at(&at).ok())
                .and_then(|s| s.model().ok())
                .map_or(0, |m| world_bytes(&m) + result_bytes(&m))
        };
        values[j] = if weight(high) >= weight(low) {
            high
        } else {
            low
        };
    }
    sweep
        .scenario_at(&values)
        .unwrap_or_else(|_| sweep.base.clone())
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

/// The shard folders `merge` was given: each argument is a shard folder
/// (it holds `shard.json`) or a folder of shard folders; `--list FILE`
/// adds one path per line.
fn shard_folders(args: &crate::app::cli::MergeArgs) -> Result<Vec<PathBuf>> {
    let mut given = args.shards.clone();
    if let Some(list) = &args.list {
        let bytes = cocreate::output::parts::read_regular(list, 1 << 26).map_err(|e| {
            BadInput(format!(
                "cannot read the list of shards {}: {e}",
                list.display()
            ))
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| BadInput(format!("{}: not UTF-8 text", list.display())))?;
        given.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(PathBuf::from),
        );
    }
    if given.is_empty() {
        bail!(BadInput(
            "no shard given: name shard folders, a folder that holds them, or --list FILE".into()
        ));
    }
    let mut shards = Vec::new();
    for dir in given {
        if dir.join("shard.json").exists() || !dir.is_dir() {
            shards.push(dir);
            continue;
        }
        // a folder of shards: its subfolders named like shards
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                !name.starts_with('.') && name.contains(".shard-")
            })
            .map(|e| e.path())
            .collect();
        if found.is_empty() {
            bail!(BadInput(format!(
                "{}: neither a shard (no shard.json) nor a folder of shards",
                dir.display()
            )));
        }
        found.sort();
        shards.extend(found);
    }
    Ok(shards)
}

/// `cocreate merge`.
pub fn merge(args: crate::app::cli::MergeArgs) -> Result<()> {
    use cocreate::output::sweep::sweep_identity;
    use cocreate::scenario::Sweep;

    let mut shards = Vec::new();
    for dir in shard_folders(&args)? {
        let path = dir.join("shard.json");
        let bytes = cocreate::output::parts::read_regular(&path, 1 << 26).map_err(|e| {
            BadInput(format!(
                "{}: not a finished shard of a sweep ({e})",
                path.display()
            ))
        })?;
        let v: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
        // the identity must be that of the sweep text the shard carries
        let (text, base) = (v["sweep_text"].as_str(), v["base_scenario"].as_str());
        let expected = text.zip(base).map(|(t, b)| sweep_identity(t, b));
        if expected.is_none() || v["identity"].as_str() != expected.as_deref() {
            bail!(BadInput(format!(
                "{}: its identity does not match the sweep it records (edited, damaged, or written by another cocreate version than {})",
                path.display(),
                env!("CARGO_PKG_VERSION")
            )));
        }
        shards.push((dir, v));
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
    let part_names = cocreate::output::PartNames::of_scenario(&sweep.base);
    // every saved point checked before anything is written
    for (dir, _) in &shards {
        cocreate::output::sweep::check_shard(
            dir,
            identity,
            plan.points.len(),
            sweep.replications,
            &part_names,
        )
        .map_err(sweep_folder_error)?;
    }
    // a merge that was stopped before it finished (a requeued job) resumes;
    // one that finished is left as it is
    let create = |resume| {
        SweepWriter::create(
            &args.out,
            &sweep.name,
            &factor_names,
            identity,
            resume,
            plan.points.len(),
            sweep.replications,
            &part_names,
        )
    };
    let opened = match create(false) {
        Err(SweepFolderError::NotEmpty(dir)) => create(true).map_err(|e| match e {
            SweepFolderError::Different(_) => BadInput(format!(
                "{} already holds other files: remove it or choose another --out (a merge never overwrites results)",
                dir.display()
            ))
            .into(),
            e => sweep_folder_error(e),
        })?,
        other => other.map_err(sweep_folder_error)?,
    };
    let mut writer = match opened {
        Opened::Finished(dir) => {
            println!(
                "{}: already merged, and its files check out; nothing to do",
                dir.display()
            );
            return Ok(());
        }
        Opened::Writer(w) => *w,
    };
    for (dir, _) in &shards {
        writer.adopt(dir).map_err(sweep_folder_error)?;
    }
    if writer.finished() != plan.points.len() {
        bail!(BadInput(format!(
            "the shards hold {} of the sweep's {} points",
            writer.finished(),
            plan.points.len()
        )));
    }
    let extra = serde_json::json!({
        "merged_from": shards.iter().map(|(d, _)| d.display().to_string()).collect::<Vec<_>>(),
    });
    let (dir, analysis) = finish(writer, &plan, &sweep, source, extra)?;
    eprint!("{}", implausible_notes(&analysis, &factor_names));
    println!("merged {n} shards into {}", dir.display());
    Ok(())
}

/// Ends a sweep (run or merged) whose every point is done: the
/// sensitivity of each figure (sobol and morris designs), the manifest
/// (`extra` adds to it), and the files put together. Returns the folder
/// and the sensitivity analysis.
fn finish(
    writer: SweepWriter,
    plan: &cocreate::experiment::sweep::Plan,
    sweep: &cocreate::scenario::Sweep,
    source: &str,
    extra: serde_json::Value,
) -> Result<(PathBuf, Vec<FigureAnalysis>)> {
    let factors: Vec<String> = sweep.factors.iter().map(|f| f.key.name()).collect();
    // none for designs without sensitivity indices (grid, lhs)
    let mut analysis = Vec::new();
    for (i, metric) in cocreate::RunRecord::FIGURES.iter().enumerate() {
        let means = writer.means(i);
        if let Some(s) = sensitivity(plan, factors.len(), means, sweep.seed) {
            analysis.push(FigureAnalysis {
                metric,
                sensitivity: s,
                noise_share: noise_share(writer.variances(i), means, sweep.replications),
                convergence: convergence(plan, factors.len(), means),
            });
        }
    }
    let mut manifest = serde_json::json!({
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
            "factors": factors,
        },
        "base_scenario": sweep.base,
        "points": plan.points.len(),
        "runs": plan.points.len() as u64 * u64::from(sweep.replications),
        "command_line": std::env::args().collect::<Vec<_>>(),
        "finished": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    });
    if let (Some(m), serde_json::Value::Object(extra)) = (manifest.as_object_mut(), extra) {
        m.extend(extra);
    }
    let dir = writer.finish(&plan.points, &analysis, manifest)?;
    Ok((dir, analysis))
}

/// The figure the terminal ranks the factors by.
const RANKED_FIGURE: &str = "total_value_realized";

/// The factors ranked by their influence on realized value: by ST for
/// Sobol designs (with S1), by mu* for Morris designs; empty for designs
/// without sensitivity indices.
fn ranking_table(analysis: &[FigureAnalysis], factors: &[String]) -> String {
    use cocreate::experiment::sweep::Sensitivity;
    use cocreate::output::{Align, TextTable, interval, number};
    let Some(a) = analysis.iter().find(|a| a.metric == RANKED_FIGURE) else {
        return String::new();
    };
    let mut order: Vec<usize> = (0..factors.len()).collect();
    let (title, table) = match &a.sensitivity {
        Sensitivity::Sobol(v) => {
            order.sort_by(|&i, &j| v[j].st.total_cmp(&v[i].st));
            let mut t = TextTable::new(&[
                ("rank", Align::Right),
                ("factor", Align::Left),
                ("ST", Align::Right),
                ("95% CI", Align::Left),
                ("S1", Align::Right),
                ("95% CI", Align::Left),
            ]);
            for (rank, &j) in order.iter().enumerate() {
                let x = &v[j];
                t.row(vec![
                    format!("{}.", rank + 1),
                    factors[j].clone(),
                    number(x.st),
                    interval(x.st_ci.0, x.st_ci.1),
                    number(x.s1),
                    interval(x.s1_ci.0, x.s1_ci.1),
                ]);
            }
            ("total Sobol index ST, with S1", t)
        }
        Sensitivity::Morris(v) => {
            order.sort_by(|&i, &j| v[j].mu_star.total_cmp(&v[i].mu_star));
            let mut t = TextTable::new(&[
                ("rank", Align::Right),
                ("factor", Align::Left),
                ("mu*", Align::Right),
                ("mu", Align::Right),
                ("sigma", Align::Right),
            ]);
            for (rank, &j) in order.iter().enumerate() {
                let x = &v[j];
                t.row(vec![
                    format!("{}.", rank + 1),
                    factors[j].clone(),
                    number(x.mu_star),
                    number(x.mu),
                    number(x.sigma),
                ]);
            }
            (
                "Morris mu* (per unit of each factor's range), with mu and sigma",
                t,
            )
        }
    };
    let mut out = format!("factors ranked by their influence on {RANKED_FIGURE}: {title}\n");
    out.push_str(&table.render());
    out.push_str(&format!(
        "(share of the point means' variance from replication noise alone: {})\n",
        number(a.noise_share)
    ));
    out
}

/// A warning line per figure whose Sobol estimates cannot be true of the
/// model (S1 above ST beyond the intervals, a negative index whose
/// interval excludes 0): the design needs more samples, or the points more
/// replications.
fn implausible_notes(analysis: &[FigureAnalysis], factors: &[String]) -> String {
    use cocreate::experiment::sensitivity::{Implausible, implausible};
    use cocreate::experiment::sweep::Sensitivity;
    let mut out = String::new();
    for a in analysis {
        let Sensitivity::Sobol(v) = &a.sensitivity else {
            continue;
        };
        for kind in [
            Implausible::FirstAboveTotal,
            Implausible::NegativeFirst,
            Implausible::NegativeTotal,
        ] {
            let names: Vec<&str> = (0..factors.len())
                .filter(|&j| implausible(&v[j]).contains(&kind))
                .map(|j| factors[j].as_str())
                .collect();
            if !names.is_empty() {
                out.push_str(&format!(
                    "warning: {}: {} for {}; more samples (or replications) are needed to trust these indices (convergence.csv shows how they moved)\n",
                    a.metric,
                    kind.describe(),
                    names.join(", ")
                ));
            }
        }
    }
    out
}

/// `cocreate slurm`.
pub fn slurm(args: crate::app::cli::SlurmArgs) -> Result<()> {
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
    // the shards of this sweep in a folder of their own, which merge takes
    // whole (a command line naming every shard would exceed the system's
    // limit for tens of thousands of them)
    let parts = out.join("parts").join(&sweep.name);
    let n = args.shards;
    let q = |p: &std::path::Path| shell_quote(&p.display().to_string());
    let partition = args
        .partition
        .as_ref()
        .map(|p| format!("#SBATCH --partition={p}\n"))
        .unwrap_or_default();
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
# a requeued or restarted task finishes what it started (--resume starts a
# shard that never ran, and leaves a finished one as it is)
{exe} sweep {sweep_file} --quiet --resume --shard "${{SLURM_ARRAY_TASK_ID}}/{n}" --out {parts}
JOB
)

merge=$(sbatch --parsable --dependency=afterok:"${{array%%;*}}" <<'JOB'
#!/bin/bash
#SBATCH --job-name=cocreate-{name}-merge
#SBATCH --cpus-per-task=1
#SBATCH --time={time}
{partition}#SBATCH --output={out_raw}/slurm-merge-%j.out
set -euo pipefail
{exe} merge {parts} --out {out}
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
