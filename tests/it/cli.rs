//! The `cocreate` binary as a user drives it.

use crate::common::cocreate;
use predicates::prelude::*;
use std::fs;
use std::path::Path;

fn scenario_path(name: &str) -> String {
    format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"))
}

fn header(path: &Path) -> String {
    fs::read_to_string(path)
        .expect("file exists")
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn run_without_a_file_runs_the_baseline_into_results() {
    let dir = tempfile::tempdir().unwrap();
    cocreate()
        .current_dir(dir.path())
        .args([
            "run",
            "-r",
            "4",
            "--set",
            "population.citizens=500",
            "--name",
            "baseline",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("baseline"))
        .stdout(predicate::str::contains("total_value_realized"))
        .stdout(predicate::str::contains("95% CI"));
    let out = dir.path().join("results/baseline");
    assert_eq!(
        files_in(&out),
        [
            "breakdown.csv",
            "groups.csv",
            "kinds.csv",
            "manifest.json",
            "runs.csv",
            "steps.csv",
            "summary.csv"
        ]
    );
    assert_eq!(
        header(&out.join("runs.csv")),
        "scenario,replication,seed,total_value_realized,total_value_potential,realization_ratio,\
public_value,participation_rate,service_rate,final_mean_trust,trust_change,gini,\
value_per_capita_included,value_per_capita_excluded,participants,served,unserved,realized,\
blocked_legal,not_implemented,co_destroyed"
    );
    assert_eq!(
        header(&out.join("steps.csv")),
        "scenario,replication,step,participants,served,unserved,realized,blocked_legal,\
not_implemented,co_destroyed,value_potential,value_realized,value_destroyed,mean_trust,\
mean_openness,public_value"
    );
    assert_eq!(
        header(&out.join("summary.csv")),
        "scenario,metric,n,mean,sd,ci95_low,ci95_high,p5,p50,p95"
    );
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 4);
    let steps = fs::read_to_string(out.join("steps.csv")).unwrap();
    assert_eq!(steps.lines().count(), 1 + 4 * 60);
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 18);
    assert!(summary.contains("\nbaseline,total_value_realized,4,"));

    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["master_seed"], 42);
    assert_eq!(manifest["replications"], 4);
    assert_eq!(manifest["seeds"].as_array().map(Vec::len), Some(4));
    assert_eq!(manifest["scenario"]["population"]["citizens"], 500);
    assert_eq!(manifest["scenario"]["governance"]["legal_level"], 0.9);
    assert!(
        manifest["command_line"]
            .as_array()
            .is_some_and(|a| a.len() == 8)
    );
    assert!(
        manifest["started"]
            .as_str()
            .is_some_and(|s| s.ends_with('Z'))
    );
    assert!(manifest["threads"].as_u64().is_some_and(|t| t >= 1));
    // the seed of each run is in its row
    let first_seed = manifest["seeds"][0].as_u64().unwrap();
    assert!(
        runs.lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("baseline,0,{first_seed},"))
    );
}

#[test]
fn several_scenarios_share_seeds_and_write_one_folder_each() {
    let dir = tempfile::tempdir().unwrap();
    cocreate()
        .args([
            "run",
            &scenario_path("baseline"),
            &scenario_path("low_trust"),
        ])
        .args([
            "-r",
            "3",
            "--seed",
            "5",
            "--set",
            "population.citizens=400",
            "--quiet",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let seeds = |name: &str| -> Vec<String> {
        fs::read_to_string(dir.path().join(name).join("runs.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(2).unwrap().to_string())
            .collect()
    };
    assert_eq!(
        seeds("baseline+citizens=400"),
        seeds("low_trust+citizens=400")
    );
    assert_eq!(seeds("baseline+citizens=400").len(), 3);
}

#[test]
fn overrides_reach_the_model() {
    let dir = tempfile::tempdir().unwrap();
    cocreate()
        .args([
            "run",
            "-r",
            "2",
            "--quiet",
            "--set",
            "population.citizens=300",
        ])
        .args(["--set", "inhibitors.missing_legal_framework=1"])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    // a modified scenario does not pass for the original: its name and
    // folder say what changed, and so does its description
    assert!(!dir.path().join("baseline").exists());
    let folder = dir
        .path()
        .join("baseline+citizens=300+missing_legal_framework=1");
    let runs = fs::read_to_string(folder.join("runs.csv")).unwrap();
    for line in runs.lines().skip(1) {
        assert!(line.starts_with("baseline+citizens=300+missing_legal_framework=1,"));
        // realized count is column 18 (0-based 17): nothing realized without legal basis
        assert_eq!(line.split(',').nth(17), Some("0"), "{line}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("manifest.json")).unwrap()).unwrap();
    assert!(
        manifest["scenario"]["description"]
            .as_str()
            .unwrap()
            .ends_with("Overridden on the command line: population.citizens=300, inhibitors.missing_legal_framework=1."),
        "{}",
        manifest["scenario"]["description"]
    );
    // --name names it; an unusable name, or one for several scenarios, is refused
    cocreate()
        .args([
            "run",
            "-r",
            "2",
            "--quiet",
            "--set",
            "population.citizens=300",
        ])
        .args(["--name", "small", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    assert!(dir.path().join("small/runs.csv").exists());
    cocreate()
        .args(["run", "--name", "a/b", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--name \"a/b\""));
    cocreate()
        .args([
            "run",
            &scenario_path("baseline"),
            &scenario_path("low_trust"),
        ])
        .args(["--name", "x", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--name names one scenario"));
}

#[test]
fn set_can_choose_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    cocreate()
        .args([
            "run",
            "-r",
            "2",
            "--quiet",
            "--set",
            "population.citizens=300",
        ])
        .args(["--set", "run.seed=777"])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let manifest = fs::read_to_string(
        dir.path()
            .join("baseline+citizens=300+seed=777/manifest.json"),
    )
    .unwrap();
    assert!(manifest.contains("\"master_seed\": 777"), "{manifest}");
}

#[test]
fn a_mistyped_inhibitor_gets_a_suggestion_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typo.toml");
    fs::write(&file, "[inhibitors]\nlow_turst = 0.4\n").unwrap();
    cocreate()
        .current_dir(dir.path())
        .args(["run", "typo.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "typo.toml:2:1: unknown inhibitor `low_turst`; did you mean `low_trust`?",
        ));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn syntax_errors_show_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    fs::write(&file, "[run]\nsteps = 60\nseed = \n").unwrap();
    cocreate()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("broken.toml:3:")
                .and(predicate::str::contains("TOML syntax error")),
        );
}

#[test]
fn out_of_range_values_name_the_key_value_and_range() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("range.toml");
    fs::write(&file, "[governance]\nlegal_level = 1.2\n").unwrap();
    cocreate()
        .current_dir(dir.path())
        .args(["run", "range.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "range.toml:2:15: `governance.legal_level` = 1.2 is out of range: allowed is a number in [0, 1]",
        ));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn bad_overrides_and_cross_key_errors_exit_2_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    cocreate()
        .current_dir(dir.path())
        .args(["run", "--set", "citizens.trust_maen=0.3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `trust_mean`?"));
    cocreate()
        .current_dir(dir.path())
        .args(["run", "--set", "population.citizens=4"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`network.k` = 6 must be below `population.citizens` = 4",
        ));
    cocreate()
        .current_dir(dir.path())
        .args(["run", "does-not-exist.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read scenario file does-not-exist.toml",
        ));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn two_scenarios_with_one_name_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base = scenario_path("baseline");
    cocreate()
        .current_dir(dir.path())
        .args(["run", &base, &base])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "two scenarios are named `baseline`",
        ));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn validate_prints_the_resolved_scenario() {
    let out = cocreate()
        .args([
            "validate",
            &scenario_path("legal-reform"),
            &scenario_path("baseline"),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("legal-reform.toml: valid"));
    assert!(text.contains("[participation]\nintercept = -6.0\n"));
    assert!(text.contains("missing_legal_framework = 1.0"));
    assert!(
        text.contains("governance.legal_level = 0.0"),
        "effective values are noted"
    );
    assert!(text.contains("kind = \"trust_campaign\""));
}

#[test]
fn inhibitors_lists_all_eight() {
    let assert = cocreate().arg("inhibitors").assert().success();
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for name in [
        "low_trust",
        "low_motivation",
        "digital_divide",
        "risk_averse_culture",
        "limited_capacity",
        "missing_legal_framework",
        "no_feedback",
        "misaligned_goals",
    ] {
        assert!(text.contains(name), "{name}");
    }
    assert!(text.contains("legal_level * (1 - x)"));
    // and in the definition language of MODEL.md 11.3
    assert!(
        text.contains(r#"effects = [{ key = "governance.legal_level", op = "scale", by = -1.0 }]"#)
    );
    assert!(text.contains(
        r#"effects = [{ key = "citizens.excluded_share", op = "toward", by = 0.4, to = 1.0 }]"#
    ));
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in [
        "run",
        "compare",
        "attribute",
        "waterfall",
        "report",
        "sweep",
        "merge",
        "slurm",
        "validate",
        "inhibitors",
    ] {
        cocreate()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
    cocreate()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("cocreate run"));
}

/// The example lines of `cocreate CMD --help`, without `cocreate` and
/// comments.
fn help_examples(cmd: &str) -> Vec<Vec<String>> {
    let out = cocreate().args([cmd, "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .skip_while(|l| !l.starts_with("Example"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let l = l.split('#').next().unwrap();
            l.split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_help_examples_of_attribute_waterfall_and_report_run_as_written() {
    // in a folder of their own, with the shipped scenarios they name
    // beside them (at 2,000 citizens, to keep the test quick)
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    fs::create_dir(&scenarios).unwrap();
    for name in ["baseline", "combined", "legal-reform"] {
        let text = fs::read_to_string(scenario_path(name)).unwrap();
        fs::write(
            scenarios.join(format!("{name}.toml")),
            format!("{text}\n[population]\ncitizens = 2000\n"),
        )
        .unwrap();
    }
    for cmd in ["attribute", "waterfall", "report"] {
        let examples = help_examples(cmd);
        assert!(!examples.is_empty(), "{cmd} --help shows no example");
        for args in examples {
            cocreate()
                .current_dir(dir.path())
                .args(&args)
                .args(if args[0] == "report" {
                    vec![]
                } else {
                    vec!["--quiet"]
                })
                .assert()
                .success();
        }
    }
    assert!(dir.path().join("paper/report.html").exists());
    assert!(dir.path().join("results/report.html").exists());
    assert!(
        dir.path()
            .join("results/combined-waterfall/waterfall.csv")
            .exists()
    );
}

#[test]
fn a_run_that_overrides_a_scenarios_seed_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.toml");
    fs::write(&other, "[run]\nseed = 9\n[population]\ncitizens = 300\n").unwrap();
    let first = dir.path().join("first.toml");
    fs::write(&first, "[run]\nseed = 5\n[population]\ncitizens = 300\n").unwrap();
    cocreate()
        .args(["run", "-r", "2"])
        .arg(&first)
        .arg(&other)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: `other` sets run.seed = 9 but runs with seed 5, shared with `first` for common random numbers; pass --seed to choose",
        ));
    // --seed chooses, and then nothing needs saying
    cocreate()
        .args(["run", "-r", "2", "--seed", "4"])
        .arg(&first)
        .arg(&other)
        .arg("--out")
        .arg(dir.path().join("out2"))
        .assert()
        .success()
        .stderr(predicate::str::contains("note:").not());
}

/// The relative half-width of the 95% interval of `figure` over the rows
/// of a runs.csv.
fn relative_half_width(runs: &Path, figure: &str) -> f64 {
    let text = fs::read_to_string(runs).unwrap();
    let mut lines = text.lines();
    let column = lines
        .next()
        .unwrap()
        .split(',')
        .position(|c| c == figure)
        .unwrap();
    let values: Vec<f64> = lines
        .map(|l| l.split(',').nth(column).unwrap().parse().unwrap())
        .collect();
    let s = cocreate::stats::Summary::of(&values);
    s.half_width() / s.mean.abs()
}

#[test]
fn precision_stops_at_the_first_batch_that_reaches_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let common = ["--set", "population.citizens=600", "--set", "run.steps=12"];
    let assert = cocreate()
        .args([
            "run",
            "-r",
            "10",
            "--precision",
            "0.015",
            "--max-replications",
            "400",
        ])
        .args(common)
        .arg("--out")
        .arg(dir.path().join("p"))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let runs = dir.path().join("p/baseline+citizens=600+steps=12/runs.csv");
    let n = fs::read_to_string(&runs).unwrap().lines().count() - 1;
    // never below the minimum of 30, in batches of 10, before the cap
    assert!(
        (30..400).contains(&n) && n.is_multiple_of(10),
        "{n} replications"
    );
    let achieved = relative_half_width(&runs, "total_value_realized");
    assert!(achieved <= 0.015, "{achieved}");
    assert!(
        stdout.contains(&format!(
            "baseline+citizens=600+steps=12: total_value_realized: 95% interval ±{} of the mean after {n} replications (target 1.500%)",
            cocreate::output::percent(achieved)
        )),
        "{stdout}"
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(
            dir.path()
                .join("p/baseline+citizens=600+steps=12/manifest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["replications"], n);
    assert_eq!(manifest["precision"]["precision_reached"], true);
    assert_eq!(manifest["precision"]["target"], 0.015);
    assert!((manifest["precision"]["achieved"].as_f64().unwrap() - achieved).abs() < 1e-12);
    // the files are those of a fixed run of that size; one batch fewer was
    // not yet precise enough (unless the minimum held it back)
    cocreate()
        .args(["run", "--quiet", "-r", &n.to_string()])
        .args(common)
        .arg("--out")
        .arg(dir.path().join("f"))
        .assert()
        .success();
    for f in ["runs.csv", "steps.csv", "summary.csv"] {
        let a = fs::read(dir.path().join("p/baseline+citizens=600+steps=12").join(f)).unwrap();
        let b = fs::read(dir.path().join("f/baseline+citizens=600+steps=12").join(f)).unwrap();
        assert!(a == b, "{f} differs from a fixed run of {n} replications");
    }
    if n > 30 {
        cocreate()
            .args(["run", "--quiet", "-r", &(n - 10).to_string()])
            .args(common)
            .arg("--out")
            .arg(dir.path().join("g"))
            .assert()
            .success();
        let before = relative_half_width(
            &dir.path().join("g/baseline+citizens=600+steps=12/runs.csv"),
            "total_value_realized",
        );
        assert!(before > 0.015, "{before} at {} replications", n - 10);
    }
}

#[test]
fn precision_out_of_reach_stops_at_the_maximum_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // even with --quiet, the warning is on stderr
    cocreate()
        .args(["run", "--quiet", "-r", "30", "--precision", "1e-9"])
        .args(["--min-replications", "5", "--max-replications", "10"])
        .args(["--set", "population.citizens=400", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: baseline+citizens=400: --max-replications 10 stopped the run before --precision 0.000000001 was reached",
        ));
    // --max-replications caps the first batch too
    let rows = fs::read_to_string(dir.path().join("baseline+citizens=400/runs.csv")).unwrap();
    assert_eq!(rows.lines().count(), 1 + 10);
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("baseline+citizens=400/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["precision"]["precision_reached"], false);
    assert_eq!(manifest["precision"]["replications"], 10);
    assert!(manifest["precision"]["achieved"].as_f64().unwrap() > 1e-9);
    // a minimum above the maximum, and an unknown target, are refused
    cocreate()
        .args(["run", "--precision", "0.01", "--max-replications", "20"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--min-replications 30 is above --max-replications 20",
        ));
    cocreate()
        .args(["run", "--precision", "0.01", "--target", "value_realised"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown figure"));
}

#[test]
fn parameters_that_would_break_the_model_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // misaligned_goals would push codestruction to 1.15
    let file = dir.path().join("d.toml");
    fs::write(
        &file,
        "[governance]\ncodestruction = 0.9\n[inhibitors]\nmisaligned_goals = 1.0\n",
    )
    .unwrap();
    cocreate()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "d.toml:2:17: `governance.codestruction` = 0.9 becomes 1.15 after the inhibitor `misaligned_goals` at 1 acted, outside what is allowed (a number in [0, 1])",
        ));
    // trust must stay in [0, 1]; values that would overflow are bounded
    for (set, allowed) in [
        ("trust.gain=3", "a number in [0, 1]"),
        ("trust.loss=1.5", "a number in [0, 1]"),
        ("value.productivity=1e308", "a number from 0 to 1000000"),
        ("value.spillover=1e300", "a number from 0 to 1000000"),
        ("value.noise=1e200", "a number from 0 to 10"),
        (
            "participation.intercept=1e300",
            "a number from -1000 to 1000",
        ),
        ("citizens.concentration=1e300", "a number from 0 to 1000000"),
    ] {
        cocreate()
            .args(["run", "--set", set, "--out"])
            .arg(dir.path().join("out"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "is out of range: allowed is {allowed}"
            )));
    }
    assert!(!dir.path().join("out").exists());
}

#[test]
fn inputs_that_cannot_be_read_as_scenarios_are_refused_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let refused = |file: &Path, expected: &str| {
        cocreate()
            .arg("run")
            .arg(file)
            .arg("--out")
            .arg(&out)
            .timeout(std::time::Duration::from_secs(20))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected.to_string()));
    };
    // a FIFO would block forever; a folder is no file either
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo.toml");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        refused(&fifo, "not a regular file");
    }
    refused(dir.path(), "not a regular file");
    // over 64 MB (a sparse file: no disk space needed)
    let big = dir.path().join("big.toml");
    fs::File::create(&big)
        .unwrap()
        .set_len(64 * 1024 * 1024 + 1)
        .unwrap();
    refused(&big, "scenario and sweep files are at most 64 MB");
    // invalid UTF-8, with its line and column
    let latin1 = dir.path().join("latin1.toml");
    fs::write(&latin1, b"[run]\nsteps = 5\n# caf\xe9\n").unwrap();
    refused(&latin1, "latin1.toml:3:6: invalid UTF-8");
    // a name longer than file systems allow, refused before any folder exists
    let long = dir.path().join("long.toml");
    fs::write(&long, format!("name = \"{}\"\n", "x".repeat(300))).unwrap();
    refused(&long, "`name` is 300 bytes long: at most 200 are allowed");
    assert!(!out.exists());
    // a sweep's bad name is reported once
    let sweep = dir.path().join("s.toml");
    fs::write(
        &sweep,
        "name = \"a/b\"\ndesign = \"grid\"\n[factors]\n\"governance.feedback\" = { values = [0.1, 0.2] }\n",
    )
    .unwrap();
    let assert = cocreate()
        .arg("sweep")
        .arg(&sweep)
        .arg("--dry-run")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(
        stderr.matches("cannot name an output folder").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn one_replication_reruns_alone_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let small = [
        "--set",
        "population.citizens=500",
        "--seed",
        "11",
        "--quiet",
    ];
    cocreate()
        .args(["run", "-r", "10"])
        .args(small)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    cocreate()
        .args(["run", "--replication", "7"])
        .args(small)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let full = dir.path().join("baseline+citizens=500");
    let one = dir.path().join("baseline+citizens=500+replication=7");
    let lines = |p: &Path| -> Vec<String> {
        fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    // its row is row 7 of the full run, byte for byte; so are its steps
    let (runs_full, runs_one) = (lines(&full.join("runs.csv")), lines(&one.join("runs.csv")));
    assert_eq!(runs_one.len(), 2);
    assert_eq!(runs_one[1], runs_full[8]);
    let steps_full: Vec<String> = lines(&full.join("steps.csv"))
        .into_iter()
        .filter(|l| l.split(',').nth(1) == Some("7"))
        .collect();
    assert_eq!(lines(&one.join("steps.csv"))[1..], steps_full[..]);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(one.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["replication"], 7);
    assert_eq!(manifest["master_seed"], 11);
    let seed = runs_full[8].split(',').nth(2).unwrap().to_string();
    assert_eq!(manifest["seeds"][0].to_string(), seed);
    // a replication's own seed (half are above 2^63), given as the master
    // seed, is explained
    let big = runs_full[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap().parse::<u64>().unwrap())
        .find(|&s| s > i64::MAX as u64)
        .expect("one of ten seeds is above 2^63");
    cocreate()
        .args(["run", "--seed", &big.to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "looks like a replication's own seed",
        ))
        .stderr(predicate::str::contains("--replication R"));
}
