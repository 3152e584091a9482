//! `cocreate sweep` as a modeller drives it.

use crate::common::cocreate;
use predicates::prelude::*;
use std::fs;
use std::path::Path;

const SMALL_SOBOL: &str = r#"
name = "small"
design = "sobol"
samples = 8
replications = 2
seed = 5

[population]
citizens = 400

[run]
steps = 10

[factors]
"inhibitors.low_trust" = { min = 0.0, max = 1.0 }
"population.agencies" = { min = 5, max = 30 }
"#;

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_sobol_sweep_writes_every_file_and_the_indices() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    cocreate()
        .args(["sweep", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .assert()
        .success();
    let out = dir.path().join("out/small");
    // 8 base samples x (2 factors + 2) = 32 points, 2 replications each
    let points = lines(&out.join("points.csv"));
    assert_eq!(points[0], "point,inhibitors.low_trust,population.agencies");
    assert_eq!(points.len(), 1 + 32);
    let runs = lines(&out.join("runs.csv"));
    assert!(runs[0].starts_with(
        "point,replication,seed,inhibitors.low_trust,population.agencies,total_value_realized,"
    ));
    assert_eq!(runs.len(), 1 + 64);
    // integer factors stay integers, and are written as integers
    assert!(runs[1..].iter().all(|r| {
        r.split(',')
            .nth(4)
            .is_some_and(|a| a.parse::<u32>().is_ok())
    }));
    let summary = lines(&out.join("summary.csv"));
    assert_eq!(
        summary[0],
        "point,metric,n,mean,sd,ci95_low,ci95_high,p5,p50,p95"
    );
    assert_eq!(summary.len(), 1 + 32 * 18);
    let sensitivity = lines(&out.join("sensitivity.csv"));
    assert_eq!(
        sensitivity[0],
        "factor,metric,s1,s1_ci95_low,s1_ci95_high,st,st_ci95_low,st_ci95_high,noise_share"
    );
    assert_eq!(sensitivity.len(), 1 + 2 * 18);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["points"], 32);
    assert_eq!(manifest["sweep"]["design"], "sobol");
}

/// The rows of a CSV file as maps from column to text.
fn records(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = fs::read_to_string(path).unwrap();
    let mut rows = text.lines();
    let header: Vec<String> = rows
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    rows.map(|l| {
        header
            .iter()
            .cloned()
            .zip(l.split(',').map(str::to_string))
            .collect()
    })
    .collect()
}

#[test]
fn sensitivity_indices_and_noise_share_have_the_values_the_model_implies() {
    // value.spillover changes public value but nothing else: for realized
    // value its indices are exactly 0, whatever the noise; legal_level
    // drives realized value almost alone
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    fs::write(
        &file,
        "name = \"two\"\ndesign = \"sobol\"\nsamples = 32\nreplications = 3\nseed = 2\n[population]\ncitizens = 300\n[run]\nsteps = 12\n[factors]\n\"value.spillover\" = { min = 0.0, max = 2.0 }\n\"governance.legal_level\" = { min = 0.0, max = 1.0 }\n",
    )
    .unwrap();
    let assert = cocreate()
        .args(["sweep", "--out"])
        .arg(dir.path())
        .arg(&file)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    // the terminal ranks the factors by ST of realized value
    let ranked = stdout
        .lines()
        .skip_while(|l| !l.starts_with("factors ranked by their influence on total_value_realized"))
        .collect::<Vec<_>>();
    assert!(ranked.len() >= 4, "{stdout}");
    assert!(ranked[2].contains("1.") && ranked[2].contains("governance.legal_level"));
    assert!(ranked[3].contains("2.") && ranked[3].contains("value.spillover"));
    let out = dir.path().join("two");
    let sens = records(&out.join("sensitivity.csv"));
    let row = |factor: &str, metric: &str| {
        sens.iter()
            .find(|r| r["factor"] == factor && r["metric"] == metric)
            .unwrap_or_else(|| panic!("no row {factor} {metric}"))
    };
    let num = |r: &std::collections::HashMap<String, String>, c: &str| r[c].parse::<f64>().unwrap();
    let spill = row("value.spillover", "total_value_realized");
    for c in [
        "s1",
        "s1_ci95_low",
        "s1_ci95_high",
        "st",
        "st_ci95_low",
        "st_ci95_high",
    ] {
        assert_eq!(num(spill, c), 0.0, "{c}");
    }
    let legal = row("governance.legal_level", "total_value_realized");
    assert!(
        num(legal, "st") > 0.9 && num(legal, "s1") > 0.85,
        "{legal:?}"
    );
    assert!(num(row("value.spillover", "public_value"), "st") > 0.01);

    // noise_share recomputed from runs.csv: the mean within-point variance
    // over the replications, over the variance of the point means
    let runs = records(&out.join("runs.csv"));
    let points = 32 * 4;
    let figure = "total_value_realized";
    let mut by_point = vec![Vec::new(); points];
    for r in &runs {
        by_point[r["point"].parse::<usize>().unwrap()].push(r[figure].parse::<f64>().unwrap());
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    let means: Vec<f64> = by_point.iter().map(|v| mean(v)).collect();
    let within = by_point.iter().map(|v| var(v)).sum::<f64>() / points as f64;
    let expected = (within / 3.0 / var(&means)).min(1.0);
    let written = num(row("governance.legal_level", figure), "noise_share");
    assert!(
        (written - expected).abs() < 1e-9 * expected.max(1e-12),
        "{written} against {expected}"
    );
    assert!(written > 0.0 && written < 1.0);

    // convergence.csv: the indices on 4, 8, 16 and 32 base samples; the
    // last equal those of sensitivity.csv
    let conv = records(&out.join("convergence.csv"));
    assert_eq!(conv.len(), 2 * 18 * 4);
    let sizes: Vec<&str> = conv.iter().take(4).map(|r| r["samples"].as_str()).collect();
    assert_eq!(sizes, ["4", "8", "16", "32"]);
    for r in conv.iter().filter(|r| r["samples"] == "32") {
        let s = row(&r["factor"], &r["metric"]);
        assert_eq!(r["s1"], s["s1"]);
        assert_eq!(r["st"], s["st"]);
    }
}

#[test]
fn sweeps_are_reproducible_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    for threads in ["1", "2"] {
        cocreate()
            .args(["sweep", "--quiet", "--threads", threads, "--out"])
            .arg(dir.path().join(threads))
            .arg(&file)
            .assert()
            .success();
    }
    for f in [
        "points.csv",
        "runs.csv",
        "summary.csv",
        "sensitivity.csv",
        "convergence.csv",
    ] {
        let a = fs::read(dir.path().join("1/small").join(f)).unwrap();
        let b = fs::read(dir.path().join("2/small").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn dry_run_counts_and_estimates_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    cocreate()
        .current_dir(dir.path())
        .args(["sweep", "--dry-run", "small.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "32 points x 2 replications = 64 runs",
        ))
        .stdout(predicate::str::contains("about"));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn an_existing_folder_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    fs::create_dir_all(dir.path().join("results/small")).unwrap();
    fs::write(dir.path().join("results/small/keep.txt"), "mine").unwrap();
    cocreate()
        .current_dir(dir.path())
        .args(["sweep", "small.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already holds files"))
        .stderr(predicate::str::contains("--resume"));
    assert_eq!(
        fs::read_to_string(dir.path().join("results/small/keep.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn bad_sweep_files_exit_2_with_a_useful_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    fs::write(
        &file,
        "design = \"lhs\"\nsamples = 4\n[factors]\n\"inhibitors.low_turst\" = { min = 0, max = 1 }\n",
    )
    .unwrap();
    cocreate()
        .current_dir(dir.path())
        .args(["sweep", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:4:1: unknown inhibitor `low_turst`; did you mean `low_trust`?",
        ));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn every_shipped_sweep_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps");
    let mut count = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        cocreate()
            .args(["sweep", "--dry-run"])
            .arg(&path)
            .assert()
            .success()
            .stdout(predicate::str::contains("runs"));
        count += 1;
    }
    assert_eq!(count, 5);
}

/// Runs `cocreate sweep` and kills it (SIGKILL) once `parts` points are saved.
#[cfg(unix)]
fn kill_after(file: &Path, out: &Path, parts: usize, resume: bool) {
    use std::process::{Command as Process, Stdio};
    use std::time::{Duration, Instant};
    let mut cmd = Process::new(env!("CARGO_BIN_EXE_cocreate"));
    cmd.args(["sweep", "--quiet", "--out"]).arg(out).arg(file);
    if resume {
        cmd.arg("--resume");
    }
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let partial = out.join("long/.partial");
    let start = Instant::now();
    loop {
        let saved = fs::read_dir(&partial)
            .map(|d| {
                d.filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".summary"))
                })
                .count()
            })
            .unwrap_or(0);
        if saved >= parts || start.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[cfg(unix)]
#[test]
fn a_killed_sweep_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.toml");
    fs::write(
        &file,
        "name = \"long\"\ndesign = \"lhs\"\nsamples = 150\nreplications = 2\nseed = 9\n[population]\ncitizens = 4000\n[factors]\n\"inhibitors.low_trust\" = { min = 0.0, max = 1.0 }\n\"governance.feedback\" = { min = 0.0, max = 1.0 }\n",
    )
    .unwrap();
    let (whole, cut) = (dir.path().join("whole"), dir.path().join("cut"));
    cocreate()
        .args(["sweep", "--quiet", "--out"])
        .arg(&whole)
        .arg(&file)
        .assert()
        .success();
    // killed twice, at different places, then finished
    kill_after(&file, &cut, 5, false);
    assert!(
        cut.join("long/.partial").exists(),
        "the first run was stopped mid-way"
    );
    kill_after(&file, &cut, 60, true);
    cocreate()
        .args(["sweep", "--quiet", "--resume", "--out"])
        .arg(&cut)
        .arg(&file)
        .assert()
        .success();
    for f in ["points.csv", "runs.csv", "summary.csv"] {
        let a = fs::read(whole.join("long").join(f)).unwrap();
        let b = fs::read(cut.join("long").join(f)).unwrap();
        assert!(a == b, "{f} differs after kill and resume");
    }
    assert!(!cut.join("long/.partial").exists());
    // finished: --resume checks the files, says so and changes no byte
    let before = snapshot(&cut.join("long"));
    cocreate()
        .args(["sweep", "--resume", "--out"])
        .arg(&cut)
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("already finished"))
        .stdout(predicate::str::contains("nothing to do"));
    assert_eq!(snapshot(&cut.join("long")), before);
    // a damaged finished file is refused, naming it
    let runs = cut.join("long/runs.csv");
    let mut bytes = fs::read(&runs).unwrap();
    bytes.truncate(bytes.len() - 10);
    fs::write(&runs, &bytes).unwrap();
    cocreate()
        .args(["sweep", "--quiet", "--resume", "--out"])
        .arg(&cut)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("runs.csv"))
        .stderr(predicate::str::contains("truncated"));
}

/// Every file under `dir` (recursively) with its bytes.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path(), fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn resume_starts_a_sweep_that_never_ran() {
    // a retrying script can always pass --resume
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    cocreate()
        .args(["sweep", "--resume", "--out"])
        .arg(dir.path().join("a"))
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "holds no saved point of this sweep: starting it",
        ));
    cocreate()
        .args(["sweep", "--quiet", "--out"])
        .arg(dir.path().join("b"))
        .arg(&file)
        .assert()
        .success();
    for f in ["points.csv", "runs.csv", "summary.csv", "sensitivity.csv"] {
        assert_eq!(
            fs::read(dir.path().join("a/small").join(f)).unwrap(),
            fs::read(dir.path().join("b/small").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[cfg(unix)]
#[test]
fn damaged_saved_points_run_again_and_are_never_copied() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.toml");
    fs::write(
        &file,
        "name = \"long\"\ndesign = \"lhs\"\nsamples = 200\nreplications = 2\nseed = 9\n[population]\ncitizens = 4000\n[factors]\n\"inhibitors.low_trust\" = { min = 0.0, max = 1.0 }\n",
    )
    .unwrap();
    let (whole, cut) = (dir.path().join("whole"), dir.path().join("cut"));
    cocreate()
        .args(["sweep", "--quiet", "--out"])
        .arg(&whole)
        .arg(&file)
        .assert()
        .success();
    kill_after(&file, &cut, 6, false);
    let parts = cut.join("long/.partial");
    let part = |p: usize, kind: &str| parts.join(format!("{p:010}.{kind}"));
    // garbage in one point, a truncated file in another, a third point's
    // runs replaced by a link to a file elsewhere, and another sweep's
    // point planted in a fourth
    let secret = dir.path().join("secret.txt");
    fs::write(&secret, "0,0,1,SECRET-LINE\n0,1,2,SECRET-LINE\n").unwrap();
    fs::write(part(0, "summary"), "garbage\n").unwrap();
    let runs = fs::read(part(1, "runs")).unwrap();
    fs::write(part(1, "runs"), &runs[..runs.len() / 2]).unwrap();
    fs::remove_file(part(2, "runs")).unwrap();
    std::os::unix::fs::symlink(&secret, part(2, "runs")).unwrap();
    let done = fs::read_to_string(part(3, "done")).unwrap();
    let planted = done.replacen("\"identity\":\"", "\"identity\":\"x", 1);
    fs::write(part(3, "done"), planted).unwrap();
    let assert = cocreate()
        .args(["sweep", "--resume", "--quiet", "--out"])
        .arg(&cut)
        .arg(&file)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for p in 0..4 {
        assert!(
            stderr.contains(&format!("note: running again point {p}:")),
            "{stderr}"
        );
    }
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert!(stderr.contains("another sweep"), "{stderr}");
    for f in ["points.csv", "runs.csv", "summary.csv"] {
        let a = fs::read(whole.join("long").join(f)).unwrap();
        let b = fs::read(cut.join("long").join(f)).unwrap();
        assert!(a == b, "{f} differs after damaged points ran again");
    }
    let runs = fs::read_to_string(cut.join("long/runs.csv")).unwrap();
    assert!(!runs.contains("SECRET"));
}

#[cfg(unix)]
#[test]
fn resuming_a_different_sweep_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.toml");
    let text = "name = \"long\"\ndesign = \"lhs\"\nsamples = 400\nreplications = 2\nseed = 9\n[population]\ncitizens = 4000\n[factors]\n\"inhibitors.low_trust\" = { min = 0.0, max = 1.0 }\n";
    fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    kill_after(&file, &out, 3, false);
    fs::write(&file, text.replace("seed = 9", "seed = 10")).unwrap();
    cocreate()
        .args(["sweep", "--quiet", "--resume", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("different sweep"));
}

#[test]
fn shards_merge_into_the_bytes_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    let whole = dir.path().join("whole");
    cocreate()
        .args(["sweep", "--quiet", "--out"])
        .arg(&whole)
        .arg(&file)
        .assert()
        .success();
    let parts = dir.path().join("parts");
    for shard in ["1/3", "2/3", "3/3"] {
        cocreate()
            .args(["sweep", "--quiet", "--shard", shard, "--out"])
            .arg(&parts)
            .arg(&file)
            .assert()
            .success();
    }
    // a finished shard run again with --resume has nothing to do
    let shard_one = parts.join("small.shard-1-of-3");
    let before = snapshot(&shard_one);
    cocreate()
        .args(["sweep", "--resume", "--shard", "1/3", "--out"])
        .arg(&parts)
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing to do"));
    assert_eq!(snapshot(&shard_one), before);
    let merged = dir.path().join("merged");
    let shard_dirs: Vec<_> = (1..=3)
        .map(|i| parts.join(format!("small.shard-{i}-of-3")))
        .collect();
    // a missing shard is refused
    cocreate()
        .arg("merge")
        .args(&shard_dirs[..2])
        .arg("--out")
        .arg(&merged)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shard 3 of 3 is missing"));
    // by name, from the folder that holds them, and from a list file
    cocreate()
        .arg("merge")
        .args(&shard_dirs)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    cocreate()
        .arg("merge")
        .arg(&parts)
        .arg("--out")
        .arg(dir.path().join("from-folder"))
        .assert()
        .success();
    let list = dir.path().join("shards.txt");
    let text: String = shard_dirs
        .iter()
        .map(|d| format!("{}\n", d.display()))
        .collect();
    fs::write(&list, format!("# the shards\n{text}")).unwrap();
    cocreate()
        .args(["merge", "--list"])
        .arg(&list)
        .arg("--out")
        .arg(dir.path().join("from-list"))
        .assert()
        .success();
    for out in [
        &merged,
        &dir.path().join("from-folder"),
        &dir.path().join("from-list"),
    ] {
        for f in ["points.csv", "runs.csv", "summary.csv", "sensitivity.csv"] {
            let a = fs::read(whole.join("small").join(f)).unwrap();
            let b = fs::read(out.join("small").join(f)).unwrap();
            assert!(a == b, "{f} differs between the merged shards and one run");
        }
    }
    // merged again (a requeued job): nothing to do, nothing changed
    let before = snapshot(&merged);
    cocreate()
        .arg("merge")
        .args(&shard_dirs)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing to do"));
    assert_eq!(snapshot(&merged), before);
}

#[test]
fn damaged_or_edited_shards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    let parts = dir.path().join("parts");
    for shard in ["1/2", "2/2"] {
        cocreate()
            .args(["sweep", "--quiet", "--shard", shard, "--out"])
            .arg(&parts)
            .arg(&file)
            .assert()
            .success();
    }
    let shard = parts.join("small.shard-2-of-2");
    let merge = |out: &str| {
        let mut c = cocreate();
        c.arg("merge")
            .arg(&parts)
            .arg("--out")
            .arg(dir.path().join(out));
        c
    };
    // a saved point cut short
    let runs = shard.join(".partial/0000000001.runs");
    let bytes = fs::read(&runs).unwrap();
    fs::write(&runs, &bytes[..bytes.len() - 5]).unwrap();
    merge("a")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("0000000001.runs"))
        .stderr(predicate::str::contains("truncated"));
    assert!(!dir.path().join("a").exists(), "nothing written");
    fs::write(&runs, &bytes).unwrap();
    // shard.json whose sweep text was edited
    let json = shard.join("shard.json");
    let text = fs::read_to_string(&json).unwrap();
    fs::write(&json, text.replace("samples = 8", "samples = 9")).unwrap();
    merge("b").assert().code(2).stderr(predicate::str::contains(
        "shard.json: its identity does not match",
    ));
    fs::write(&json, &text).unwrap();
    merge("c").assert().success();
}

#[test]
fn slurm_array_variables_pick_the_shard() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    cocreate()
        .env("SLURM_ARRAY_TASK_ID", "2")
        .env("SLURM_ARRAY_TASK_COUNT", "4")
        .args(["sweep", "--quiet", "--out"])
        .arg(dir.path())
        .arg(&file)
        .assert()
        .success();
    assert!(dir.path().join("small.shard-2-of-4/shard.json").exists());
    cocreate()
        .args(["sweep", "--shard", "5/4"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected I/N"));
}

#[test]
fn the_slurm_script_refuses_unsafe_options() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    for (flag, value, message) in [
        ("--time", "01:00\ntouch x", "expected a SLURM time"),
        ("--partition", "a b", "expected a partition name"),
        ("--out", "my results", "cannot take spaces"),
    ] {
        cocreate()
            .current_dir(dir.path())
            .args(["slurm", "small.toml", "--shards", "2", flag, value])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    cocreate()
        .current_dir(dir.path())
        .args([
            "slurm",
            "small.toml",
            "--shards",
            "2",
            "--partition",
            "gpu-1",
        ])
        .assert()
        .success();
    let script = fs::read_to_string(dir.path().join("small.slurm.sh")).unwrap();
    assert!(script.contains("#SBATCH --array=1-2"));
    assert!(script.contains("#SBATCH --partition=gpu-1"));
    assert!(script.contains("--dependency=afterok"));
}

#[test]
fn slurm_cpus_per_task_is_checked_like_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(&file, SMALL_SOBOL).unwrap();
    for bad in ["999999", "0", "eight"] {
        cocreate()
            .env("SLURM_CPUS_PER_TASK", bad)
            .args(["sweep", "--quiet", "--out"])
            .arg(dir.path().join("out"))
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "SLURM_CPUS_PER_TASK = \"{bad}\": expected an integer from 1 to 1024"
            )));
    }
    assert!(!dir.path().join("out").exists());
    // --threads wins over the variable
    cocreate()
        .env("SLURM_CPUS_PER_TASK", "999999")
        .args(["sweep", "--quiet", "--threads", "2", "--out"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn the_slurm_script_merges_a_folder_not_a_list_of_every_shard() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("s.sh");
    cocreate()
        .args(["slurm", "--shards", "30000", "--out"])
        .arg(dir.path().join("res"))
        .arg("--script")
        .arg(&script)
        .arg(format!(
            "{}/scenarios/sweeps/inhibitors-sobol.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .assert()
        .success();
    let text = fs::read_to_string(&script).unwrap();
    let parts = dir.path().join("res/parts/inhibitors-sobol");
    assert!(
        text.contains(&format!(" merge {} --out ", parts.display())),
        "{text}"
    );
    assert!(
        !text.contains("shard-2-of-30000"),
        "no shard listed one by one"
    );
    assert!(text.contains("--resume --shard"));
    // the whole script stays far below the argument limit
    assert!(text.len() < 4096, "{} bytes", text.len());
}

#[test]
fn implausible_sobol_estimates_are_flagged_in_the_terminal_and_the_report() {
    // 8 base samples of a noisy figure: some estimates come out impossible
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.toml");
    fs::write(
        &file,
        "name = \"f\"\ndesign = \"sobol\"\nsamples = 8\nreplications = 2\nseed = 1\n[population]\ncitizens = 500\n[run]\nsteps = 12\n[factors]\n\"inhibitors.low_trust\" = { min = 0.0, max = 1.0 }\n\"inhibitors.no_feedback\" = { min = 0.0, max = 1.0 }\n\"inhibitors.missing_legal_framework\" = { min = 0.0, max = 1.0 }\n",
    )
    .unwrap();
    let assert = cocreate()
        .args(["sweep", "--out"])
        .arg(dir.path())
        .arg(&file)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("warning: service_rate: S1 is negative and its interval excludes 0 for inhibitors.missing_legal_framework"),
        "{stderr}"
    );
    // each flag agrees with the numbers in sensitivity.csv
    let sens = records(&dir.path().join("f/sensitivity.csv"));
    let row = sens
        .iter()
        .find(|r| {
            r["metric"] == "service_rate" && r["factor"] == "inhibitors.missing_legal_framework"
        })
        .unwrap();
    assert!(row["s1_ci95_high"].parse::<f64>().unwrap() < 0.0);
    // the report lists them too
    let page = dir.path().join("report.html");
    cocreate()
        .args(["report", "--quiet", "--out"])
        .arg(&page)
        .arg(dir.path().join("f"))
        .assert()
        .success();
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("These estimates cannot be true of the model"));
    assert!(html.contains("S1 is negative and its interval excludes 0"));
    // one item per flagged factor and figure, as the numbers imply
    let num = |r: &std::collections::HashMap<String, String>, c: &str| r[c].parse::<f64>().unwrap();
    let expected: usize = sens
        .iter()
        .map(|r| {
            usize::from(num(r, "s1_ci95_low") > num(r, "st_ci95_high"))
                + usize::from(num(r, "s1_ci95_high") < 0.0)
                + usize::from(num(r, "st_ci95_high") < 0.0)
        })
        .sum();
    let listed = html
        .matches("S1 is negative and its interval excludes 0")
        .count()
        + html
            .matches("ST is negative and its interval excludes 0")
            .count()
        + html
            .matches("S1 exceeds ST by more than their intervals allow")
            .count();
    assert!(expected >= 2);
    assert_eq!(listed, expected);
}

#[test]
fn a_template_writes_a_ready_screening_sweep() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("scenarios")).unwrap();
    fs::write(
        dir.path().join("scenarios/city.toml"),
        "[population]\ncitizens = 400\n[run]\nsteps = 6\n[inhibitors]\nlow_trust = 0.5\n",
    )
    .unwrap();
    cocreate()
        .current_dir(dir.path())
        .args(["sweep", "--template", "morris-all", "scenarios/city.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote city-morris-all.toml"));
    let text = fs::read_to_string(dir.path().join("city-morris-all.toml")).unwrap();
    assert!(
        text.contains("scenario = \"scenarios/city.toml\""),
        "{text}"
    );
    assert!(text.contains("\"inhibitors.no_feedback\""));
    assert!(text.contains("\"governance.legal_level\"                 = { min = 0.0, max = 1.0 }"));
    // it runs as written, every point valid
    cocreate()
        .current_dir(dir.path())
        .args(["sweep", "--quiet", "city-morris-all.toml"])
        .env("COCREATE_MAX_MEMORY", "1G")
        .assert()
        .success();
    let sens = records(&dir.path().join("results/city-morris-all/sensitivity.csv"));
    assert_eq!(sens.len(), 36 * 18, "36 factors");
    // never over an existing file; unknown templates are named
    cocreate()
        .current_dir(dir.path())
        .args(["sweep", "--template", "morris-all", "scenarios/city.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    cocreate()
        .current_dir(dir.path())
        .args(["sweep", "--template", "sobol-all", "scenarios/city.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the templates are `morris-all`"));
}
