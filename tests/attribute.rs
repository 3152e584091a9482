//! `cocreate attribute`: Shapley values of a scenario's inhibitors add up to
//! the difference between the scenario and its inhibitor-free twin, as two
//! plain `cocreate run`s measure it.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn mean_of(summary: &Path, metric: &str) -> f64 {
    fs::read_to_string(summary)
        .unwrap()
        .lines()
        .find(|l| l.split(',').nth(1) == Some(metric))
        .and_then(|l| l.split(',').nth(3).map(|m| m.parse().unwrap()))
        .unwrap()
}

#[test]
fn shapley_values_add_up_to_the_scenario_minus_its_twin() {
    let dir = tempfile::tempdir().unwrap();
    let combined = format!("{}/scenarios/combined.toml", env!("CARGO_MANIFEST_DIR"));
    let common = ["-r", "6", "--seed", "3"];
    // the attribution runs at the scenario's own size; keep it small
    let small = dir.path().join("small.toml");
    let text = fs::read_to_string(&combined).unwrap();
    fs::write(&small, format!("{text}\n[population]\ncitizens = 1200\n")).unwrap();
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["attribute", "--quiet"])
        .arg(&small)
        .args(common)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let rows = fs::read_to_string(dir.path().join("combined-attribution/attribution.csv")).unwrap();
    let shapley: Vec<f64> = rows
        .lines()
        .filter(|l| l.split(',').nth(1) == Some("total_value_realized"))
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert_eq!(shapley.len(), 5, "five inhibitors are active");
    // the scenario and its twin, by plain runs
    let run = |out: &str, extra: &[&str]| {
        Command::cargo_bin("cocreate")
            .unwrap()
            .args(["run", "--quiet"])
            .arg(&small)
            .args(common)
            .args(extra)
            .arg("--out")
            .arg(dir.path().join(out))
            .assert()
            .success();
    };
    run("scenario", &[]);
    let twin: Vec<String> = cocreate::Inhibitor::ALL
        .iter()
        .map(|i| format!("inhibitors.{}=0", i.name()))
        .collect();
    let mut extra = Vec::new();
    for t in &twin {
        extra.push("--set");
        extra.push(t.as_str());
    }
    run("twin", &extra);
    let scenario = mean_of(
        &dir.path().join("scenario/combined/summary.csv"),
        "total_value_realized",
    );
    let base = mean_of(
        &dir.path().join("twin/combined/summary.csv"),
        "total_value_realized",
    );
    let total: f64 = shapley.iter().sum();
    assert!(
        (total - (scenario - base)).abs() < 1e-9 * scenario.abs().max(1.0),
        "Shapley values sum to {total}, runs give {}",
        scenario - base
    );
    assert!(
        shapley.iter().all(|s| *s < 0.0),
        "every inhibitor costs value here: {shapley:?}"
    );
}
