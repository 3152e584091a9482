//! `cocreate discover`: scenario discovery with PRIM over a finished sweep.

use super::*;
use cocreate::experiment::prim::{self, PrimBox, PrimData, PrimOptions};
use std::path::Path;

/// `cocreate discover`.
pub fn discover(args: crate::app::cli::DiscoverArgs) -> Result<()> {
    let options = PrimOptions {
        peel_alpha: args.peel_alpha,
        paste_alpha: args.paste_alpha,
        mass_min: args.min_mass,
    };
    for (name, value, low, high) in [
        ("--peel-alpha", args.peel_alpha, 0.0, 0.5),
        ("--paste-alpha", args.paste_alpha, 0.0, 0.5),
        ("--min-mass", args.min_mass, 0.0, 1.0),
        ("--threshold", args.threshold, 0.0, 1.0),
    ] {
        if !(value > low && value < high) {
            bail!(BadInput(format!(
                "{name} {value} is out of range: allowed is a number strictly between {low} and {high}"
            )));
        }
    }
    if args.boxes == 0 {
        bail!(BadInput("--boxes 0: give at least 1".into()));
    }
    let (factors, x) = read_points(&args.sweep)?;
    let means = read_means(&args.sweep, &args.metric, x.first().map_or(0, Vec::len))?;
    let (limit, below) = match (args.below, args.above) {
        (Some(b), _) => (b, true),
        (_, Some(a)) => (a, false),
        _ => bail!(BadInput("give --below X or --above X".into())),
    };
    if !limit.is_finite() {
        bail!(BadInput(format!(
            "the value {limit} is not a finite number"
        )));
    }
    let case: Vec<bool> = means
        .iter()
        .map(|&m| if below { m < limit } else { m > limit })
        .collect();
    let cases = case.iter().filter(|&&c| c).count();
    let relation = if below { "below" } else { "above" };
    if cases == 0 || cases == case.len() {
        bail!(BadInput(format!(
            "{} of the sweep's {} points have a mean {} {relation} {limit}: PRIM needs some points of each kind (the means range from {} to {})",
            if cases == 0 { "none" } else { "all" },
            case.len(),
            args.metric,
            means.iter().copied().fold(f64::INFINITY, f64::min),
            means.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )));
    }
    let data = PrimData { x: &x, case: &case };
    let found = prim::find_boxes(&data, args.boxes as usize, args.threshold, &options);
    let initial = prim::initial_limits(&data);

    let sweep_name = args
        .sweep
        .file_name()
        .map_or_else(|| "sweep".to_string(), |n| n.to_string_lossy().into_owned());
    let folder = stage(&args.out, &format!("{sweep_name}-discovery"))?;
    let mut buf = ryu::Buffer::new();
    let mut num = |v: f64| output::real(v, &mut buf);
    let mut trajectory = csv::Writer::from_writer(Vec::new());
    let _ = trajectory.write_record(output::TRAJECTORY_COLUMNS);
    let mut boxes = csv::Writer::from_writer(Vec::new());
    let _ = boxes.write_record(output::BOXES_COLUMNS);
    let mut remaining: Vec<usize> = (0..case.len()).collect();
    let mut rules = Vec::new();
    for (b, (steps, chosen)) in found.iter().enumerate() {
        for (k, step) in steps.iter().enumerate() {
            let restricted: Vec<&str> = step
                .restricted
                .iter()
                .map(|&j| factors[j].as_str())
                .collect();
            let _ = trajectory.write_record([
                (b + 1).to_string(),
                if k + 1 == steps.len() {
                    "pasted".to_string()
                } else {
                    k.to_string()
                },
                num(step.coverage),
                num(step.density),
                num(step.mass),
                restricted.join(" "),
                (k == *chosen).to_string(),
            ]);
        }
        let shown = &steps[*chosen];
        let qp = prim::quasi_p_values(&data, shown, &remaining, &initial);
        for &j in &shown.restricted {
            let (lo, hi) = shown.limits[j];
            let _ = boxes.write_record([
                (b + 1).to_string(),
                factors[j].clone(),
                num(lo),
                num(hi),
                num(qp[j].0),
                num(qp[j].1),
            ]);
        }
        rules.push(rule(&factors, shown, &initial, relation));
        remaining.retain(|i| shown.points.binary_search(i).is_err());
    }
    let manifest = analysis_manifest(
        serde_json::json!({
            "sweep": args.sweep.display().to_string(),
            "metric": args.metric,
            relation: limit,
            "points": case.len(),
            "cases": cases,
            "peel_alpha": args.peel_alpha,
            "paste_alpha": args.paste_alpha,
            "min_mass": args.min_mass,
            "threshold": args.threshold,
            "boxes_asked": args.boxes,
            "boxes_found": found.len(),
        }),
        1,
        SystemTime::now(),
    )?;
    // every point with its case, for plots and further analysis
    let mut cases_csv = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    header.extend(factors.iter().cloned());
    header.push("case".into());
    let _ = cases_csv.write_record(&header);
    for (i, &c) in case.iter().enumerate() {
        let mut row = vec![i.to_string()];
        row.extend(x.iter().map(|column| num(column[i])));
        row.push(c.to_string());
        let _ = cases_csv.write_record(&row);
    }
    let cases_text = cases_csv.into_inner().unwrap_or_default();
    let progress = Progress::new(0, "points", true)?;
    let trajectory = trajectory.into_inner().unwrap_or_default();
    let boxes_text = boxes.into_inner().unwrap_or_default();
    let dir = write_folder(
        folder,
        &progress,
        &[
            ("trajectory.csv", &trajectory),
            ("boxes.csv", &boxes_text),
            ("cases.csv", &cases_text),
            ("manifest.json", &manifest),
        ],
    )?;
    if found.is_empty() {
        eprintln!(
            "warning: no box reaches density {}: lower --threshold, or look at trajectory.csv",
            args.threshold
        );
    }
    if !args.quiet {
        println!(
            "{cases} of {} points have {} {relation} {limit}.",
            case.len(),
            args.metric
        );
        for (b, r) in rules.iter().enumerate() {
            println!("box {}: {r}", b + 1);
        }
        println!(
            "wrote {}/trajectory.csv, boxes.csv, cases.csv and manifest.json",
            dir.display()
        );
    }
    Ok(())
}

/// A box as a rule: `low_trust > 0.35 and missing_legal_framework > 0.62:
/// 81% of the cases, 88% of the points inside are cases`.
fn rule(factors: &[String], b: &PrimBox, initial: &[(f64, f64)], relation: &str) -> String {
    let short = |v: f64| {
        let d = output::significant_decimals(v).min(6);
        format!("{v:.d$}")
    };
    let parts: Vec<String> = b
        .restricted
        .iter()
        .map(|&j| {
            let (lo, hi) = b.limits[j];
            let (ilo, ihi) = initial[j];
            match (lo > ilo, hi < ihi) {
                (true, true) => format!("{} <= {} <= {}", short(lo), factors[j], short(hi)),
                (true, false) => format!("{} >= {}", factors[j], short(lo)),
                _ => format!("{} <= {}", factors[j], short(hi)),
            }
        })
        .collect();
    format!(
        "{}: {:.0}% of the cases ({relation}), {:.0}% of the points inside are cases ({:.0}% of all points)",
        if parts.is_empty() {
            "every point".to_string()
        } else {
            parts.join(" and ")
        },
        100.0 * b.coverage,
        100.0 * b.density,
        100.0 * b.mass
    )
}

/// A CSV file of the sweep folder, its header and rows.
fn read_table(path: &Path) -> Result<(Vec<String>, Vec<csv::StringRecord>)> {
    let file = std::fs::File::open(path).map_err(|e| {
        BadInput(format!(
            "{}: {e}: give the folder of a finished sweep (with points.csv and summary.csv)",
            path.display()
        ))
    })?;
    let mut reader = csv::Reader::from_reader(file);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| BadInput(format!("{}: {e}", path.display())))?
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| BadInput(format!("{}:{}: {e}", path.display(), i + 2))))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((header, rows))
}

/// `points.csv`: the factors' names and their values, factor by factor.
fn read_points(dir: &Path) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let path = dir.join("points.csv");
    let (header, rows) = read_table(&path)?;
    if header.first().map(String::as_str) != Some("point") || header.len() < 2 {
        bail!(BadInput(format!(
            "{}:1: expected the columns `point` and one per factor",
            path.display()
        )));
    }
    let mut x = vec![Vec::with_capacity(rows.len()); header.len() - 1];
    for (i, row) in rows.iter().enumerate() {
        if row.get(0) != Some(i.to_string().as_str()) {
            bail!(BadInput(format!(
                "{}:{}: expected point {i}, in order",
                path.display(),
                i + 2
            )));
        }
        for (j, column) in x.iter_mut().enumerate() {
            let value = row
                .get(j + 1)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite());
            let Some(value) = value else {
                bail!(BadInput(format!(
                    "{}:{}: `{}` is not a number",
                    path.display(),
                    i + 2,
                    header[j + 1]
                )));
            };
            column.push(value);
        }
    }
    if rows.is_empty() {
        bail!(BadInput(format!("{}: no points", path.display())));
    }
    Ok((header[1..].to_vec(), x))
}

/// `summary.csv`: the mean of `metric` at each of `points` points.
fn read_means(dir: &Path, metric: &str, points: usize) -> Result<Vec<f64>> {
    let path = dir.join("summary.csv");
    let (header, rows) = read_table(&path)?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| BadInput(format!("{}:1: no column `{name}`", path.display())))
    };
    let (point, name, mean) = (column("point")?, column("metric")?, column("mean")?);
    let mut means = vec![f64::NAN; points];
    let mut metrics = BTreeSet::new();
    for (i, row) in rows.iter().enumerate() {
        let m = row.get(name).unwrap_or_default();
        metrics.insert(m.to_string());
        if m != metric {
            continue;
        }
        let p = row
            .get(point)
            .and_then(|p| p.parse::<usize>().ok())
            .filter(|&p| p < points);
        let v = row.get(mean).and_then(|v| v.parse::<f64>().ok());
        match (p, v) {
            (Some(p), Some(v)) => means[p] = v,
            _ => bail!(BadInput(format!(
                "{}:{}: a point of the sweep and a mean expected",
                path.display(),
                i + 2
            ))),
        }
    }
    if !metrics.contains(metric) {
        let list: Vec<&str> = metrics.iter().map(String::as_str).collect();
        let hint = cocreate::scenario::nearest(metric, list.iter().copied())
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        bail!(BadInput(format!(
            "unknown metric `{metric}`; {hint}the sweep's figures are {}",
            list.join(", ")
        )));
    }
    if let Some(p) = means.iter().position(|m| !m.is_finite()) {
        bail!(BadInput(format!(
            "{}: point {p} has no finite mean of `{metric}` (an unfinished sweep? finish it with --resume)",
            path.display()
        )));
    }
    Ok(means)
}
