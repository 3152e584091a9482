//! `cocreate compare`: paired differences under common random numbers.

use assert_cmd::Command;
use std::fs;

#[test]
fn compare_writes_levels_and_paired_differences() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = |name: &str| format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    Command::cargo_bin("cocreate")
        .unwrap()
        .args([
            "compare",
            &scenario("baseline"),
            &scenario("missing_legal_framework"),
        ])
        .args([
            "-r",
            "30",
            "--set",
            "population.citizens=1500",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let out = dir.path().join("baseline+citizens=1500-compare");
    let text = fs::read_to_string(out.join("comparison.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,metric,mean,ci95_low,ci95_high,diff,diff_ci95_low,diff_ci95_high")
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 2 * 18);
    let get = |scenario: &str, metric: &str, col: usize| -> f64 {
        rows.iter()
            .find(|r| r[0] == scenario && r[1] == metric)
            .map(|r| r[col].parse().unwrap())
            .unwrap()
    };
    // the base's difference is 0
    assert_eq!(
        get("baseline+citizens=1500", "total_value_realized", 5),
        0.0
    );
    // without a legal basis realized value falls, and the interval says so
    assert!(
        get(
            "missing_legal_framework+citizens=1500",
            "total_value_realized",
            7
        ) < 0.0
    );
    let diff = get("missing_legal_framework+citizens=1500", "realized", 5);
    assert_eq!(
        diff,
        -get("baseline+citizens=1500", "realized", 2),
        "nothing is realized at all"
    );
    // common random numbers narrow the difference of participation
    // (estimated from the paired runs, with an interval); no extra runs
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let gain = manifest["variance_reduction"]["missing_legal_framework+citizens=1500"]["participation_rate"]
        .as_f64()
        .unwrap();
    assert!(gain > 1.2, "variance reduction {gain}");
    let ci = &manifest["variance_reduction_ci95"]["missing_legal_framework+citizens=1500"]["participation_rate"];
    let (low, high) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    assert!(low < gain && gain < high, "{low} {gain} {high}");
    assert!(manifest.get("independent_seed").is_none());
    assert!(manifest.get("variance_reduction_measured").is_none());
}

/// The rows of a CSV file, split at commas.
fn csv_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn the_estimated_variance_reduction_agrees_with_the_measured_one() {
    // --check-pairing also runs the other scenario under another master
    // seed; the direct measurement var(X' - B) / var(X - B) and the
    // estimate (var X + var B) / var(X - B) estimate the same ratio. With
    // 300 pairs a variance is known to about +-8% (one standard error), so
    // the two agree within a factor 1.35 (about four standard errors of
    // their ratio)
    let dir = tempfile::tempdir().unwrap();
    let scenario = |name: &str| format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["compare", &scenario("baseline"), &scenario("combined")])
        .args(["-r", "300", "--check-pairing", "--quiet", "--out"])
        .arg(dir.path())
        .args(["--set", "population.citizens=1000", "--set", "run.steps=24"])
        .assert()
        .success();
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(
            dir.path()
                .join("baseline+citizens=1000+steps=24-compare/manifest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut compared = 0;
    for metric in [
        "participation_rate",
        "total_value_realized",
        "realization_ratio",
        "final_mean_trust",
        "gini",
    ] {
        let estimate = manifest["variance_reduction"]["combined+citizens=1000+steps=24"][metric]
            .as_f64()
            .unwrap();
        let measured = manifest["variance_reduction_measured"]["combined+citizens=1000+steps=24"]
            [metric]
            .as_f64()
            .unwrap();
        let ratio = measured / estimate;
        assert!(
            (1.0 / 1.35..1.35).contains(&ratio),
            "{metric}: measured {measured}, estimated {estimate}"
        );
        compared += 1;
    }
    assert_eq!(compared, 5);
    assert!(manifest["independent_seed"].as_u64().is_some());
}

#[test]
fn a_window_compares_the_step_figures_over_chosen_steps() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = |name: &str| format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let steps = ["--set", "population.citizens=800"];
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["compare", &scenario("baseline"), &scenario("legal-reform")])
        .args(["-r", "20", "--window", "30..59", "--quiet", "--out"])
        .arg(dir.path())
        .args(steps)
        .assert()
        .success();
    let rows = csv_rows(&dir.path().join("baseline+citizens=800-compare/window.csv"));
    assert_eq!(
        rows[0].join(","),
        "scenario,metric,aggregate,mean,ci95_low,ci95_high,diff,diff_ci95_low,diff_ci95_high"
    );
    assert_eq!(rows.len(), 1 + 2 * 13);
    // the window's figures recomputed from a plain run's steps.csv
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["run", &scenario("baseline"), &scenario("legal-reform")])
        .args(["-r", "20", "--quiet", "--out"])
        .arg(dir.path().join("runs"))
        .args(steps)
        .assert()
        .success();
    let per_replication = |name: &str, figure: &str, how: &str| -> Vec<f64> {
        let steps = csv_rows(&dir.path().join("runs").join(name).join("steps.csv"));
        let col = steps[0].iter().position(|c| c == figure).unwrap();
        let mut out = vec![Vec::new(); 20];
        for r in &steps[1..] {
            let (rep, step): (usize, u32) = (r[1].parse().unwrap(), r[2].parse().unwrap());
            let v: f64 = r[col].parse().unwrap();
            if how == "gain" && (step == 29 || step == 59) || how != "gain" && step >= 30 {
                out[rep].push(v);
            }
        }
        out.iter()
            .map(|v| match how {
                "sum" => v.iter().sum(),
                "mean" => v.iter().sum::<f64>() / v.len() as f64,
                _ => v[1] - v[0],
            })
            .collect()
    };
    let row = |scenario: &str, metric: &str| {
        rows.iter()
            .find(|r| r[0] == scenario && r[1] == metric)
            .unwrap()
            .clone()
    };
    for (metric, how) in [
        ("value_realized", "sum"),
        ("participants", "sum"),
        ("mean_trust", "mean"),
        ("public_value", "gain"),
    ] {
        let base = per_replication("baseline+citizens=800", metric, how);
        let reform = per_replication("legal-reform+citizens=800", metric, how);
        let r = row("legal-reform+citizens=800", metric);
        assert_eq!(r[2], how, "{metric}");
        let mean = reform.iter().sum::<f64>() / 20.0;
        let diff = reform.iter().zip(&base).map(|(a, b)| a - b).sum::<f64>() / 20.0;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
        assert!(
            close(r[3].parse().unwrap(), mean),
            "{metric}: {} against {mean}",
            r[3]
        );
        assert!(
            close(r[6].parse().unwrap(), diff),
            "{metric}: {} against {diff}",
            r[6]
        );
    }
    // a window beyond the run is refused before anything runs
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["compare", &scenario("baseline"), &scenario("legal-reform")])
        .args(["--window", "30..60", "--out"])
        .arg(dir.path().join("none"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--window ends at step 60"));
    assert!(!dir.path().join("none").exists());
}

#[test]
fn compare_needs_two_scenarios() {
    let base = format!("{}/scenarios/baseline.toml", env!("CARGO_MANIFEST_DIR"));
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["compare", &base])
        .assert()
        .code(2);
}

#[test]
fn analysis_commands_need_two_replications_however_they_are_set() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = |n: &str| format!("{}/scenarios/{n}", env!("CARGO_MANIFEST_DIR"));
    let (base, combined) = (scenario("baseline.toml"), scenario("combined.toml"));
    for args in [
        vec!["compare", base.as_str(), combined.as_str()],
        vec!["attribute", combined.as_str()],
        vec!["waterfall", combined.as_str()],
    ] {
        Command::cargo_bin("cocreate")
            .unwrap()
            .args(&args)
            .args(["--set", "run.replications=1", "--out"])
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(predicates::str::contains("needs at least 2"));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn compare_with_precision_stops_on_the_paired_differences() {
    // the target is the half-width of each scenario's paired difference
    // from the base, relative to the base's mean: what compare reports
    let dir = tempfile::tempdir().unwrap();
    let scenario = |name: &str| format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let common = [
        "--quiet",
        "--set",
        "population.citizens=600",
        "--set",
        "run.steps=12",
    ];
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["compare", &scenario("baseline"), &scenario("low_trust")])
        .args([
            "-r",
            "10",
            "--precision",
            "0.02",
            "--max-replications",
            "2000",
        ])
        .args(common)
        .arg("--out")
        .arg(dir.path().join("p"))
        .assert()
        .success();
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(
            dir.path()
                .join("p/baseline+citizens=600+steps=12-compare/manifest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let n = manifest["replications"].as_u64().unwrap();
    assert!((31..2000).contains(&n) && n.is_multiple_of(10), "{n}");
    assert_eq!(manifest["precision"]["precision_reached"], true);
    // the achieved precision, from what comparison.csv reports
    let achieved = |folder: &str| {
        let rows = csv_rows(
            &dir.path()
                .join(folder)
                .join("baseline+citizens=600+steps=12-compare/comparison.csv"),
        );
        let get = |s: &str, col: usize| -> f64 {
            rows.iter()
                .find(|r| r[0] == s && r[1] == "total_value_realized")
                .map(|r| r[col].parse().unwrap())
                .unwrap()
        };
        (get("low_trust+citizens=600+steps=12", 7) - get("low_trust+citizens=600+steps=12", 6))
            / 2.0
            / get("baseline+citizens=600+steps=12", 2).abs()
    };
    let a = achieved("p");
    assert!(a <= 0.02, "{a}");
    assert!((manifest["precision"]["achieved"].as_f64().unwrap() - a).abs() < 1e-12);
    // a fixed comparison of that size writes the same file; one batch
    // fewer had not reached the target
    for (folder, r) in [("f", n), ("g", n - 10)] {
        Command::cargo_bin("cocreate")
            .unwrap()
            .args(["compare", &scenario("baseline"), &scenario("low_trust")])
            .args(["-r", &r.to_string()])
            .args(common)
            .arg("--out")
            .arg(dir.path().join(folder))
            .assert()
            .success();
    }
    let a_file = fs::read(
        dir.path()
            .join("p/baseline+citizens=600+steps=12-compare/comparison.csv"),
    )
    .unwrap();
    let b_file = fs::read(
        dir.path()
            .join("f/baseline+citizens=600+steps=12-compare/comparison.csv"),
    )
    .unwrap();
    assert!(
        a_file == b_file,
        "comparison.csv differs from a fixed comparison of {n} replications"
    );
    assert!(
        achieved("g") > 0.02,
        "{} at {} replications",
        achieved("g"),
        n - 10
    );
}
