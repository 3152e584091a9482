//! `cocreate attribute` and `cocreate waterfall`: Shapley values of a
//! scenario's inhibitors, and the steps of its value-loss waterfall, add up
//! to the difference between the scenario and its inhibitor-free twin, as
//! two plain `cocreate run`s measure it.

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
    // named as the scenario (eight overrides would otherwise name it)
    let mut extra = vec!["--name", "combined"];
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
    // each inhibitor's row is its own: its removal gain equals a plain run
    // with that inhibitor alone set to 0, minus the scenario (a mix-up of
    // names would keep the sum above but fail here)
    for line in rows
        .lines()
        .filter(|l| l.split(',').nth(1) == Some("total_value_realized"))
    {
        let f: Vec<&str> = line.split(',').collect();
        let (inhibitor, gain): (&str, f64) = (f[0], f[5].parse().unwrap());
        let folder = format!("without-{inhibitor}");
        run(
            &folder,
            &[
                "--set",
                &format!("inhibitors.{inhibitor}=0"),
                "--name",
                "combined",
            ],
        );
        let without = mean_of(
            &dir.path().join(&folder).join("combined/summary.csv"),
            "total_value_realized",
        );
        assert!(
            (gain - (without - scenario)).abs() < 1e-9 * scenario.abs().max(1.0),
            "{inhibitor}: removal gain {gain}, runs give {}",
            without - scenario
        );
    }

    // the waterfall starts at the twin, ends at the scenario, and its steps
    // add up to the difference
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["waterfall", "--quiet"])
        .arg(&small)
        .args(common)
        .arg("--out")
        .arg(dir.path().join("w"))
        .assert()
        .success();
    let text = fs::read_to_string(dir.path().join("w/combined-waterfall/waterfall.csv")).unwrap();
    let w = waterfall(&text);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * b.abs().max(1.0);
    assert!(close(w[0].1, base), "twin {} vs run {base}", w[0].1);
    assert!(
        close(w[7].1, scenario),
        "what remains {} vs run {scenario}",
        w[7].1
    );
    let steps: f64 = w[1..7].iter().map(|s| s.1).sum();
    assert!(close(steps, scenario - base), "steps sum to {steps}");
    // attribute writes the same waterfall: its empty and full coalitions
    // are the twin and the scenario
    let from_attribute =
        fs::read_to_string(dir.path().join("combined-attribution/waterfall.csv")).unwrap();
    assert_eq!(from_attribute, text);
}

/// The waterfall's rows as (step, value, ci95_low, ci95_high).
fn waterfall(csv: &str) -> Vec<(String, f64, f64, f64)> {
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,step,kind,label,value,ci95_low,ci95_high,share_of_twin")
    );
    let rows: Vec<_> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let num = |i: usize| f[i].parse::<f64>().unwrap();
            (f[1].to_string(), num(4), num(5), num(6))
        })
        .collect();
    let steps: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        steps,
        [
            "twin_realized",
            "participation",
            "unserved",
            "interaction_value",
            "legal",
            "not_implemented",
            "co_destruction",
            "scenario_realized"
        ]
    );
    rows
}

#[test]
fn the_waterfall_puts_each_inhibitors_loss_where_it_acts() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["waterfall", "--quiet", "-r", "30", "--seed", "5"])
        .args(["--set", "population.citizens=3000"])
        .arg(format!("{scenarios}/missing_legal_framework.toml"))
        .arg(format!("{scenarios}/low_trust.toml"))
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let read = |name: &str| {
        waterfall(
            &fs::read_to_string(
                dir.path()
                    .join(format!("{name}+citizens=3000-waterfall/waterfall.csv")),
            )
            .unwrap(),
        )
    };
    // no legal basis at all: the legal step takes most of the twin's value,
    // and nothing can be lost to non-implementation after it
    let legal = read("missing_legal_framework");
    let twin = legal[0].1;
    assert!(legal[4].3 < -0.6 * twin, "legal step {:?}", legal[4]);
    assert_eq!(legal[5].1, 0.0, "not implemented {:?}", legal[5]);
    // low trust: the loss is in participation; the legal step's interval
    // covers 0 (its rate is the same in both runs)
    let trust = read("low_trust");
    let twin = trust[0].1;
    assert!(
        trust[1].3 < -0.4 * twin,
        "participation step {:?}",
        trust[1]
    );
    assert!(
        trust[4].2 < 0.0 && trust[4].3 > 0.0,
        "legal step {:?}",
        trust[4]
    );
    assert!(trust[4].1.abs() < 0.01 * twin);
}

#[test]
fn a_twin_that_realizes_nothing_has_no_shares() {
    // no legal basis even without inhibitors: the twin realizes nothing (or
    // less, through co-destruction), so no step is a share of it
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("closed.toml");
    fs::write(
        &file,
        "[population]\ncitizens = 800\n[governance]\nlegal_level = 0.0\n[inhibitors]\nlow_trust = 0.5\n",
    )
    .unwrap();
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["waterfall", "-r", "5"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let text = fs::read_to_string(dir.path().join("closed-waterfall/waterfall.csv")).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 8);
    for row in rows {
        let share = row.rsplit(',').next().unwrap();
        assert_eq!(share, "NaN", "{row}");
    }
}
