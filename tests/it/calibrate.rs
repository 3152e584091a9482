//! `cocreate calibrate`: parameters are recovered from synthetic
//! observations made at known values, a ridge stays a ridge, results do
//! not depend on threads, and bad files are refused.
//!
//! Sizes: 1,000 citizens over 30 steps, 300 particles, 1 replication per
//! particle; the seeds are fixed, so every assertion is deterministic. The
//! margins (stated at each assertion) were chosen from runs with seeds 1, 2
//! and 3, which all pass with room to spare: every interval covers its
//! truth, the smallest sd ratio is 7.3 (the legal level) where 4 is asked,
//! and the ridge's sds stay above half the priors'.

use crate::common::{cocreate, entries};
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const BASE: &str =
    "name = \"small\"\n[population]\ncitizens = 1000\nagencies = 10\n[run]\nsteps = 30\n";

/// Observations at the truth: each figure's mean over 30 replications and
/// its sd between replications (the spread of one observation), from
/// `cocreate run` with `sets`.
fn observe(dir: &Path, sets: &[&str]) -> BTreeMap<String, (f64, f64)> {
    fs::write(dir.join("base.toml"), BASE).unwrap();
    let mut cmd = cocreate();
    cmd.args(["run", "-q", "-r", "30", "--name", "truth", "--out"])
        .arg(dir)
        .arg(dir.join("base.toml"));
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.assert().success();
    let mut out = BTreeMap::new();
    let summary = fs::read_to_string(dir.join("truth/summary.csv")).unwrap();
    for line in summary.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        out.insert(
            f[1].to_string(),
            (f[3].parse().unwrap(), f[4].parse().unwrap()),
        );
    }
    // mean trust at step 10, from steps.csv
    let steps = fs::read_to_string(dir.join("truth/steps.csv")).unwrap();
    let header: Vec<&str> = steps.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (step, trust) = (col("step"), col("mean_trust"));
    let values: Vec<f64> = steps
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[step] == "10")
        .map(|f| f[trust].parse().unwrap())
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let sd =
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt();
    out.insert("mean_trust@10".into(), (mean, sd));
    out
}

/// A calibration file over `base.toml` in `dir`.
fn calibration_file(
    dir: &Path,
    name: &str,
    generations: u32,
    parameters: &[(&str, f64, f64)],
    targets: &[&str],
    observed: &BTreeMap<String, (f64, f64)>,
) -> std::path::PathBuf {
    let mut text = format!(
        "name = \"{name}\"\nscenario = \"base.toml\"\nparticles = 300\ngenerations = {generations}\nseed = 1\n[parameters]\n"
    );
    for (key, min, max) in parameters {
        text += &format!("\"{key}\" = {{ min = {min:?}, max = {max:?} }}\n");
    }
    text += "[targets]\n";
    for t in targets {
        let (value, sd) = observed[*t];
        text += &format!("\"{t}\" = {{ value = {value:?}, sd = {sd:?} }}\n");
    }
    let path = dir.join(format!("{name}.toml"));
    fs::write(&path, text).unwrap();
    path
}

fn calibrate(file: &Path, out: &Path, threads: &str) -> String {
    let done = cocreate()
        .args(["calibrate", "--threads", threads, "--out"])
        .arg(out)
        .arg(file)
        .assert()
        .success();
    String::from_utf8_lossy(&done.get_output().stdout).into_owned()
}

/// summary.csv: parameter -> (mean, sd, q025, q975, prior sd).
fn posterior_summary(dir: &Path) -> BTreeMap<String, [f64; 5]> {
    let text = fs::read_to_string(dir.join("summary.csv")).unwrap();
    assert!(text.starts_with("parameter,mean,sd,q025,q50,q975,prior_min,prior_max\n"));
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let n = |i: usize| f[i].parse::<f64>().unwrap();
            let prior_sd = (n(7) - n(6)) / 12f64.sqrt();
            (f[0].to_string(), [n(1), n(2), n(3), n(5), prior_sd])
        })
        .collect()
}

/// Every parameter's 95% interval covers its truth, and its posterior sd is
/// at least 4 times smaller than the prior's.
fn assert_recovered(dir: &Path, truth: &[(&str, f64)]) {
    let summary = posterior_summary(dir);
    for (key, value) in truth {
        let [mean, sd, low, high, prior_sd] = summary[*key];
        eprintln!(
            "{key}: mean {mean}, sd {sd} (1/{} of the prior sd), 95% [{low}, {high}]",
            prior_sd / sd
        );
        assert!(
            low <= *value && *value <= high,
            "{key}: the 95% interval [{low}, {high}] misses the truth {value} (mean {mean})"
        );
        assert!(
            sd * 4.0 <= prior_sd,
            "{key}: posterior sd {sd} is not 4 times below the prior's {prior_sd}"
        );
    }
    let predictive = fs::read_to_string(dir.join("predictive.csv")).unwrap();
    assert!(predictive.starts_with("target,observed,sd,mean,q025,q975,inside\n"));
    assert!(
        predictive.lines().skip(1).all(|l| l.ends_with(",true")),
        "{predictive}"
    );
}

#[test]
fn two_parameters_are_recovered() {
    let tmp = tempfile::tempdir().unwrap();
    let observed = observe(
        tmp.path(),
        &["citizens.trust_mean=0.45", "participation.intercept=-5.5"],
    );
    let file = calibration_file(
        tmp.path(),
        "two",
        10,
        &[
            ("citizens.trust_mean", 0.2, 0.9),
            ("participation.intercept", -8.0, -4.0),
        ],
        &["participation_rate", "mean_trust@10", "final_mean_trust"],
        &observed,
    );
    let stdout = calibrate(&file, tmp.path(), "2");
    // observed: means 0.447 and -5.503, sds 21 and 24 times below the priors'
    assert_recovered(
        &tmp.path().join("two"),
        &[
            ("citizens.trust_mean", 0.45),
            ("participation.intercept", -5.5),
        ],
    );
    assert!(stdout.contains("95% credible interval"), "{stdout}");
    assert!(stdout.contains("inside"), "{stdout}");
    assert_eq!(
        entries(&tmp.path().join("two")),
        [
            "generations.csv",
            "manifest.json",
            "posterior.csv",
            "predictive.csv",
            "scenario.toml",
            "summary.csv"
        ]
    );
    // 300 particles, weights summing to 1; 10 generations, tolerances falling
    let posterior = fs::read_to_string(tmp.path().join("two/posterior.csv")).unwrap();
    assert!(
        posterior
            .starts_with("particle,weight,distance,citizens.trust_mean,participation.intercept\n")
    );
    let weights: f64 = posterior
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(posterior.lines().count(), 301);
    assert!((weights - 1.0).abs() < 1e-9);
    let generations = fs::read_to_string(tmp.path().join("two/generations.csv")).unwrap();
    let tolerances: Vec<f64> = generations
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(tolerances.len(), 10);
    assert!(tolerances[0].is_infinite());
    assert!(tolerances[1..].windows(2).all(|w| w[1] < w[0]));
    // scenario.toml runs, at the posterior means
    let scenario = tmp.path().join("two/scenario.toml");
    let text = fs::read_to_string(&scenario).unwrap();
    let summary = posterior_summary(&tmp.path().join("two"));
    let mean = summary["citizens.trust_mean"][0];
    assert!(text.contains(&format!("trust_mean = {mean}")), "{text}");
    cocreate()
        .args(["run", "-q", "-r", "2", "--out"])
        .arg(tmp.path())
        .arg(&scenario)
        .assert()
        .success();
}

#[test]
fn three_parameters_are_recovered() {
    let tmp = tempfile::tempdir().unwrap();
    let truth = [
        ("citizens.trust_mean", 0.45),
        ("participation.intercept", -5.5),
        ("governance.legal_level", 0.6),
    ];
    let sets: Vec<String> = truth.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let observed = observe(tmp.path(), &sets);
    let file = calibration_file(
        tmp.path(),
        "three",
        12,
        &[
            ("citizens.trust_mean", 0.2, 0.9),
            ("participation.intercept", -8.0, -4.0),
            ("governance.legal_level", 0.2, 1.0),
        ],
        &[
            "participation_rate",
            "mean_trust@10",
            "final_mean_trust",
            "blocked_legal",
        ],
        &observed,
    );
    calibrate(&file, tmp.path(), "2");
    // observed: means 0.449, -5.500 and 0.595, sds 24, 20 and 7.8 times
    // below the priors'
    assert_recovered(&tmp.path().join("three"), &truth);
}

#[test]
fn parameters_that_trade_off_stay_wide_along_their_ridge() {
    // participation depends on intercept + motivation coefficient x
    // motivation (mean 0.5): one participation rate cannot tell them apart
    let tmp = tempfile::tempdir().unwrap();
    let observed = observe(tmp.path(), &["participation.intercept=-5.5"]);
    let file = calibration_file(
        tmp.path(),
        "ridge",
        8,
        &[
            ("participation.intercept", -8.0, -4.0),
            ("participation.motivation", 0.0, 4.0),
        ],
        &["participation_rate"],
        &observed,
    );
    calibrate(&file, tmp.path(), "2");
    let summary = posterior_summary(&tmp.path().join("ridge"));
    for key in ["participation.intercept", "participation.motivation"] {
        let [_, sd, _, _, prior_sd] = summary[key];
        eprintln!("{key}: sd {sd}, {} of the prior's", sd / prior_sd);
        // observed: 0.51 and 0.96 of the prior's sd
        assert!(
            sd > 0.4 * prior_sd,
            "{key}: sd {sd} is a false point estimate"
        );
    }
    // the particles lie along the ridge: strongly anti-correlated, and the
    // combination the data identify is tight
    let text = fs::read_to_string(tmp.path().join("ridge/posterior.csv")).unwrap();
    let rows: Vec<[f64; 3]> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            [f[1], f[3], f[4]]
        })
        .collect();
    let mean = |g: &dyn Fn(&[f64; 3]) -> f64| rows.iter().map(|r| r[0] * g(r)).sum::<f64>();
    let (ma, mb) = (mean(&|r| r[1]), mean(&|r| r[2]));
    let cov = |g: &dyn Fn(&[f64; 3]) -> f64, h: &dyn Fn(&[f64; 3]) -> f64| {
        rows.iter().map(|r| r[0] * g(r) * h(r)).sum::<f64>()
    };
    let (a, b) = (|r: &[f64; 3]| r[1] - ma, |r: &[f64; 3]| r[2] - mb);
    let corr = cov(&a, &b) / (cov(&a, &a) * cov(&b, &b)).sqrt();
    eprintln!("correlation {corr}");
    // observed: -0.998
    assert!(corr < -0.9, "correlation {corr}");
    let combined = |r: &[f64; 3]| a(r) + 0.5 * b(r);
    assert!(cov(&combined, &combined).sqrt() < 0.25 * cov(&a, &a).sqrt());
}

#[test]
fn the_same_file_gives_the_same_bytes_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("base.toml"), BASE.replace("1000", "300")).unwrap();
    let file = tmp.path().join("small.toml");
    fs::write(
        &file,
        "scenario = \"base.toml\"\nparticles = 40\ngenerations = 3\nreplications = 2\n[parameters]\n\"citizens.trust_mean\" = { min = 0.2, max = 0.9 }\n\"population.agencies\" = { min = 5, max = 15 }\n[targets]\nparticipation_rate = { value = 0.08, sd = 0.005 }\n\"kinds.all.served\" = { value = 600, sd = 50 }\n",
    )
    .unwrap();
    let one = tmp.path().join("one");
    let three = tmp.path().join("three");
    calibrate(&file, &one, "1");
    calibrate(&file, &three, "3");
    for name in [
        "posterior.csv",
        "generations.csv",
        "summary.csv",
        "predictive.csv",
        "scenario.toml",
    ] {
        assert_eq!(
            fs::read(one.join("small").join(name)).unwrap(),
            fs::read(three.join("small").join(name)).unwrap(),
            "{name}"
        );
    }
    // the integer parameter is written as an integer
    let posterior = fs::read_to_string(one.join("small/posterior.csv")).unwrap();
    assert!(
        posterior
            .lines()
            .skip(1)
            .all(|l| l.rsplit(',').next().unwrap().ends_with(".0"))
    );
}

#[test]
fn bad_calibration_files_exit_2_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("base.toml"), BASE).unwrap();
    let cases = [
        (
            "[parameters]\n\"citizens.trust_men\" = { min = 0.2, max = 0.9 }\n[targets]\nparticipation_rate = { value = 0.08, sd = 0.01 }\n",
            "bad.toml:2:1: unknown parameter `citizens.trust_men`; did you mean `citizens.trust_mean`?",
        ),
        (
            "[parameters]\n\"citizens.trust_mean\" = { min = 0.9, max = 0.2 }\n[targets]\nparticipation_rate = { value = 0.08, sd = 0.01 }\n",
            "`min` = 0.9 must be below `max` = 0.2",
        ),
        (
            "[parameters]\n\"citizens.trust_mean\" = { min = 0.2, max = 0.9 }\n[targets]\nparticipation_rate = { value = 0.08, sd = 0 }\n",
            "bad.toml:4:43: target `participation_rate`: `sd` = 0 must be above 0",
        ),
        (
            "[parameters]\n\"citizens.trust_mean\" = { min = 0.2, max = 0.9 }\n[targets]\nparticipation = { value = 0.08, sd = 0.01 }\n",
            "bad.toml:4:1: unknown target `participation`",
        ),
        (
            "[parameters]\n\"citizens.trust_mean\" = { min = 0.2, max = 0.9 }\n[targets]\n\"mean_trust@30\" = { value = 0.5, sd = 0.01 }\n",
            "the step must be an integer from 0 to 29",
        ),
        (
            "[parameters]\n\"citizens.trust_mean\" = { min = 0.2, max = 0.9 }\n[targets]\n\"groups.rural.participation_rate\" = { value = 0.5, sd = 0.01 }\n",
            "unknown group `rural`; allowed are all",
        ),
    ];
    for (body, expected) in cases {
        let file = tmp.path().join("bad.toml");
        fs::write(&file, format!("scenario = \"base.toml\"\n{body}")).unwrap();
        // positions count the scenario line too
        let expected = expected
            .replace("bad.toml:2:", "bad.toml:3:")
            .replace("bad.toml:4:", "bad.toml:5:");
        cocreate()
            .args(["calibrate", "--out"])
            .arg(tmp.path().join("out"))
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
        assert!(!tmp.path().join("out").exists());
    }
    cocreate()
        .args(["calibrate", "--out"])
        .arg(tmp.path().join("out"))
        .arg(tmp.path().join("missing.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read calibration file"));
}

#[test]
fn the_shipped_calibration_loads() {
    for entry in fs::read_dir("scenarios/calibration").unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let dir = path.parent().unwrap().to_path_buf();
        let c = cocreate::scenario::Calibration::from_toml(&text, "x", "x", |base| {
            cocreate::Scenario::load(&dir.join(base)).map_err(|e| match e {
                cocreate::scenario::LoadError::Invalid(e) => e,
                e => panic!("{e}"),
            })
        })
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!c.parameters.is_empty() && !c.targets.is_empty());
    }
}

#[test]
fn posterior_runs_draw_a_particle_per_replication_and_pair_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("base.toml"), BASE.replace("1000", "300")).unwrap();
    fs::write(
        dir.join("legal.toml"),
        BASE.replace("1000", "300").replace("small", "legal") + "[governance]\nlegal_level = 1.0\n",
    )
    .unwrap();
    let file = dir.join("cal.toml");
    fs::write(
        &file,
        "scenario = \"base.toml\"\nparticles = 30\ngenerations = 2\n[parameters]\n\"citizens.trust_mean\" = { min = 0.2, max = 0.9 }\n\"participation.intercept\" = { min = -8.0, max = -4.0 }\n[targets]\nparticipation_rate = { value = 0.08, sd = 0.005 }\n",
    )
    .unwrap();
    calibrate(&file, dir, "2");
    let posterior = dir.join("cal/posterior.csv");
    cocreate()
        .args(["run", "-q", "-r", "6", "--out"])
        .arg(dir)
        .arg(dir.join("base.toml"))
        .arg("--posterior")
        .arg(&posterior)
        .assert()
        .success();
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("small+posterior/manifest.json")).unwrap())
            .unwrap();
    let drawn: Vec<usize> = manifest["posterior"]["particle_of_replication"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(drawn.len(), 6);
    // replication 3 equals a plain run at its particle's values
    let particles = fs::read_to_string(&posterior).unwrap();
    let row: Vec<&str> = particles
        .lines()
        .nth(1 + drawn[3])
        .unwrap()
        .split(',')
        .collect();
    cocreate()
        .args([
            "run",
            "-q",
            "--replication",
            "3",
            "--name",
            "plain",
            "--out",
        ])
        .arg(dir)
        .arg(dir.join("base.toml"))
        .args(["--set", &format!("citizens.trust_mean={}", row[3])])
        .args(["--set", &format!("participation.intercept={}", row[4])])
        .assert()
        .success();
    let runs = |name: &str| fs::read_to_string(dir.join(name).join("runs.csv")).unwrap();
    let posterior_row = runs("small+posterior").lines().nth(4).unwrap().to_string();
    let plain_row = runs("plain").lines().nth(1).unwrap().to_string();
    assert_eq!(
        posterior_row.split_once(',').unwrap().1,
        plain_row.split_once(',').unwrap().1
    );
    // compare: both scenarios run replication r at the same particle
    cocreate()
        .args(["compare", "-q", "-r", "6", "--out"])
        .arg(dir)
        .arg(dir.join("base.toml"))
        .arg(dir.join("legal.toml"))
        .arg("--posterior")
        .arg(&posterior)
        .assert()
        .success();
    let manifest: serde_json::Value = serde_json::from_slice(
        &fs::read(dir.join("small+posterior-compare/manifest.json")).unwrap(),
    )
    .unwrap();
    let compared: Vec<usize> = manifest["posterior"]["particle_of_replication"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(compared, drawn);
    // a file that is not a posterior is refused
    cocreate()
        .args(["run", "-q", "--out"])
        .arg(dir)
        .arg(dir.join("base.toml"))
        .arg("--posterior")
        .arg(dir.join("cal/summary.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "summary.csv:1: expected the columns particle, weight, distance",
        ));
}
