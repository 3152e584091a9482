//! Same scenario and seed give byte-identical CSV files whatever the thread count.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn run(threads: &str, out: &Path) {
    Command::cargo_bin("cocreate")
        .expect("binary built")
        .args([
            "run",
            "--quiet",
            "-r",
            "12",
            "--seed",
            "99",
            "--threads",
            threads,
        ])
        .arg(format!(
            "{}/scenarios/combined.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(format!(
            "{}/scenarios/legal-reform.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .args(["--set", "population.citizens=2000"])
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

#[test]
fn one_and_two_threads_write_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run("1", &one);
    run("2", &two);
    for scenario in ["combined+citizens=2000", "legal-reform+citizens=2000"] {
        for file in ["runs.csv", "steps.csv", "summary.csv"] {
            let a = fs::read(one.join(scenario).join(file)).unwrap();
            let b = fs::read(two.join(scenario).join(file)).unwrap();
            assert!(a.len() > 100, "{scenario}/{file} has rows");
            assert!(a == b, "{scenario}/{file} differs between 1 and 2 threads");
        }
        let manifest = fs::read_to_string(two.join(scenario).join("manifest.json")).unwrap();
        assert!(manifest.contains("\"threads\": 2"));
    }
}

#[test]
fn a_large_population_split_across_threads_writes_the_same_bytes() {
    // above the size where one replication's citizens are processed in parallel
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str, out: &Path| {
        Command::cargo_bin("cocreate")
            .expect("binary built")
            .args(["run", "--quiet", "-r", "2", "--threads", threads])
            .args([
                "--set",
                "population.citizens=300000",
                "--set",
                "run.steps=8",
            ])
            .args(["--set", "inhibitors.limited_capacity=0.9"])
            .arg("--out")
            .arg(out)
            .assert()
            .success();
    };
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run("1", &one);
    run("2", &two);
    for file in ["runs.csv", "steps.csv", "summary.csv"] {
        let folder = "baseline+citizens=300000+steps=8+limited_capacity=0.9";
        let a = fs::read(one.join(folder).join(file)).unwrap();
        let b = fs::read(two.join(folder).join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
}

#[test]
fn comparisons_and_waterfalls_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = |name: &str| format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    let analyse = |threads: &str, out: &Path| {
        for command in ["compare", "waterfall"] {
            let mut c = Command::cargo_bin("cocreate").expect("binary built");
            c.args([command, "--quiet", "-r", "6", "--seed", "7", "-j", threads]);
            if command == "compare" {
                c.arg(scenario("baseline.toml"));
            }
            c.arg(scenario("combined.toml"))
                .arg(scenario("legal-reform.toml"))
                .args(["--set", "population.citizens=1500", "--out"])
                .arg(out)
                .assert()
                .success();
        }
    };
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    analyse("1", &one);
    analyse("2", &two);
    for file in [
        "baseline+citizens=1500-compare/comparison.csv",
        "baseline+citizens=1500-compare/series.csv",
        "combined+citizens=1500-waterfall/waterfall.csv",
        "legal-reform+citizens=1500-waterfall/waterfall.csv",
    ] {
        let a = fs::read(one.join(file)).unwrap();
        assert!(!a.is_empty());
        assert_eq!(a, fs::read(two.join(file)).unwrap(), "{file} differs");
    }
}
