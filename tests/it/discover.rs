//! `cocreate discover`: PRIM over a finished sweep finds where realized
//! value collapses, and refuses what it cannot use.

use crate::common::{cocreate, entries};
use predicates::prelude::*;
use std::fs;
use std::path::Path;

const SWEEP: &str = r#"name = "three"
design = "lhs"
samples = 240
replications = 2
seed = 8
[population]
citizens = 600
[run]
steps = 12
[factors]
"inhibitors.missing_legal_framework" = { min = 0.0, max = 1.0 }
"inhibitors.low_motivation" = { min = 0.0, max = 1.0 }
"population.agencies" = { min = 5, max = 40 }
"#;

/// A finished sweep in `dir`; returns its folder and the median of its
/// points' mean realized value.
fn sweep(dir: &Path) -> (std::path::PathBuf, f64) {
    let file = dir.join("three.toml");
    fs::write(&file, SWEEP).unwrap();
    cocreate()
        .args(["sweep", "--quiet", "--out"])
        .arg(dir)
        .arg(&file)
        .assert()
        .success();
    let folder = dir.join("three");
    let summary = fs::read_to_string(folder.join("summary.csv")).unwrap();
    let mut means: Vec<f64> = summary
        .lines()
        .filter(|l| l.contains(",total_value_realized,"))
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    means.sort_by(f64::total_cmp);
    (folder, means[means.len() / 2])
}

#[test]
fn prim_finds_that_a_missing_legal_framework_makes_value_collapse() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, median) = sweep(dir.path());
    let out = dir.path().join("out");
    cocreate()
        .args(["discover", "--metric", "total_value_realized", "--below"])
        .arg(format!("{}", median / 2.0))
        .arg(&folder)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("box 1: "))
        .stdout(predicate::str::contains(
            "inhibitors.missing_legal_framework >= ",
        ));
    let found = out.join("three-discovery");
    assert_eq!(
        entries(&found),
        ["boxes.csv", "cases.csv", "manifest.json", "trajectory.csv"]
    );
    let boxes = fs::read_to_string(found.join("boxes.csv")).unwrap();
    assert!(boxes.starts_with("box,factor,low,high,qp_low,qp_high\n"));
    // the legal framework's lower limit is high and matters
    let legal = boxes
        .lines()
        .find(|l| l.contains(",inhibitors.missing_legal_framework,"))
        .unwrap();
    let fields: Vec<&str> = legal.split(',').collect();
    let low: f64 = fields[2].parse().unwrap();
    let qp_low: f64 = fields[4].parse().unwrap();
    assert!(low > 0.4, "{legal}");
    assert!(qp_low < 1e-6, "{legal}");
    let trajectory = fs::read_to_string(found.join("trajectory.csv")).unwrap();
    assert!(trajectory.starts_with("box,step,coverage,density,mass,restricted,chosen\n"));
    let chosen: Vec<&str> = trajectory
        .lines()
        .filter(|l| l.ends_with(",true"))
        .collect();
    assert_eq!(chosen.len(), 1);
    let density: f64 = chosen[0].split(',').nth(3).unwrap().parse().unwrap();
    assert!(density >= 0.8);
    // the same again gives the same bytes
    let again = dir.path().join("again");
    cocreate()
        .args([
            "discover",
            "--quiet",
            "--metric",
            "total_value_realized",
            "--below",
        ])
        .arg(format!("{}", median / 2.0))
        .arg(&folder)
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    for f in ["boxes.csv", "cases.csv", "trajectory.csv"] {
        assert_eq!(
            fs::read(found.join(f)).unwrap(),
            fs::read(again.join("three-discovery").join(f)).unwrap()
        );
    }
}

#[test]
fn discover_refuses_what_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, _) = sweep(dir.path());
    let out = dir.path().join("out");
    let run = |args: &[&str], dir_arg: &Path, message: &str| {
        cocreate()
            .arg("discover")
            .args(args)
            .arg(dir_arg)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
        assert!(entries(&out).is_empty(), "{message}");
    };
    run(
        &["--metric", "total_value_realised", "--below", "1"],
        &folder,
        "unknown metric `total_value_realised`; did you mean `total_value_realized`?",
    );
    run(
        &["--metric", "total_value_realized", "--below", "-1e9"],
        &folder,
        "none of the sweep's 240 points have a mean total_value_realized below -1000000000",
    );
    run(
        &[
            "--metric",
            "total_value_realized",
            "--below",
            "1",
            "--peel-alpha",
            "0.7",
        ],
        &folder,
        "--peel-alpha 0.7 is out of range",
    );
    run(
        &[
            "--metric",
            "total_value_realized",
            "--below",
            "1",
            "--above",
            "2",
        ],
        &folder,
        "cannot be used with",
    );
    run(
        &["--metric", "total_value_realized", "--below", "1"],
        dir.path(),
        "points.csv",
    );
}
