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
    let out = dir.path().join("baseline-compare");
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
    assert_eq!(get("baseline", "total_value_realized", 5), 0.0);
    // without a legal basis realized value falls, and the interval says so
    assert!(get("missing_legal_framework", "total_value_realized", 7) < 0.0);
    let diff = get("missing_legal_framework", "realized", 5);
    assert_eq!(
        diff,
        -get("baseline", "realized", 2),
        "nothing is realized at all"
    );
    // common random numbers narrow the difference of participation (measured)
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let gain = manifest["variance_reduction"]["missing_legal_framework"]["participation_rate"]
        .as_f64()
        .unwrap();
    assert!(gain > 1.2, "variance reduction {gain}");
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
fn compare_with_precision_equals_a_fixed_comparison_of_the_final_size() {
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
        .args(["-r", "4", "--precision", "0.02", "--max-replications", "40"])
        .args(common)
        .arg("--out")
        .arg(dir.path().join("p"))
        .assert()
        .success();
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("p/baseline-compare/manifest.json")).unwrap(),
    )
    .unwrap();
    let n = manifest["replications"].as_u64().unwrap();
    assert!(n > 4 && n <= 40 && n.is_multiple_of(4), "{n}");
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["compare", &scenario("baseline"), &scenario("low_trust")])
        .args(["-r", &n.to_string()])
        .args(common)
        .arg("--out")
        .arg(dir.path().join("f"))
        .assert()
        .success();
    let a = fs::read(dir.path().join("p/baseline-compare/comparison.csv")).unwrap();
    let b = fs::read(dir.path().join("f/baseline-compare/comparison.csv")).unwrap();
    assert!(
        a == b,
        "comparison.csv differs from a fixed comparison of {n} replications"
    );
}
