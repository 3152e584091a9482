//! Result folders: one writer at a time, and each folder replaced whole or
//! not at all, whatever happens to the writer (an I/O error, `kill -9`).
#![cfg(unix)]

use crate::common::{cocreate, entries, wait_for};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The CSV files of a result folder, with their bytes.
fn csv_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, std::fs::read(e.path()).unwrap_or_default())
                })
                .filter(|(n, _)| n.ends_with(".csv"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn a_second_writer_of_a_folder_is_refused_and_the_first_finishes_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let args = [
        "run",
        "--quiet",
        "-r",
        "400",
        "-j",
        "1",
        "--set",
        "population.citizens=3000",
        "--name",
        "baseline",
    ];
    let first = Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .args(args)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&out.join(".baseline.lock"));
    // a run and a sweep into the same folder, while the first writes
    let pid = first.id();
    cocreate()
        .args(["run", "--quiet", "-r", "3", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "baseline is being written by another cocreate process (pid {pid})"
        )));
    let sweep = dir.path().join("baseline.toml");
    std::fs::write(
        &sweep,
        "design = \"grid\"\nreplications = 1\n[population]\ncitizens = 100\n[factors]\n\"governance.feedback\" = { values = [0.2, 0.4] }\n",
    )
    .unwrap();
    cocreate()
        .args(["sweep", "--quiet", "--out"])
        .arg(&out)
        .arg(&sweep)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "being written by another cocreate process",
        ));
    let output = first.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(entries(&out), ["baseline"]);
    // its files are those of the same run made alone
    let alone = dir.path().join("alone");
    cocreate()
        .args(args)
        .arg("--out")
        .arg(&alone)
        .assert()
        .success();
    assert_eq!(
        csv_files(&out.join("baseline")),
        csv_files(&alone.join("baseline"))
    );
}

#[test]
fn a_killed_writer_leaves_no_stale_lock() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "name = \"s\"\ndesign = \"lhs\"\nsamples = 500\nreplications = 2\n[population]\ncitizens = 3000\n[factors]\n\"governance.feedback\" = { min = 0.0, max = 1.0 }\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .args(["sweep", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&out.join(".s.lock"));
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    // the lock file is still there, but nobody holds it
    assert!(out.join(".s.lock").exists());
    cocreate()
        .args(["sweep", "--quiet", "--resume", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    assert_eq!(entries(&out), ["s"]);
}

#[test]
fn an_io_failure_leaves_the_previous_results_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = [
        "run",
        "--quiet",
        "-r",
        "20",
        "--set",
        "population.citizens=500",
        "--name",
        "baseline",
    ];
    cocreate()
        .args(run)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let before = csv_files(&out.join("baseline"));
    let manifest = std::fs::read(out.join("baseline/manifest.json")).unwrap();
    // the next run may write files of at most 32 KiB (`ulimit -f`, with
    // SIGXFSZ ignored: writes fail with "file too large"), like a full disk
    let script = format!(
        "trap '' XFSZ; ulimit -f 64; exec {} {} --seed 7 --out {}",
        env!("CARGO_BIN_EXE_cocreate"),
        run.join(" "),
        out.display()
    );
    let output = Command::new("sh").args(["-c", &script]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "an I/O failure exits 1: {stderr}"
    );
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert_eq!(
        csv_files(&out.join("baseline")),
        before,
        "the previous run's files"
    );
    assert_eq!(
        std::fs::read(out.join("baseline/manifest.json")).unwrap(),
        manifest
    );
    assert_eq!(entries(&out), ["baseline"]);
}

#[test]
fn a_writer_killed_at_any_moment_leaves_one_runs_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |seed: &str, out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_cocreate"))
            .args([
                "run",
                "--quiet",
                "-r",
                "6",
                "--set",
                "population.citizens=400",
                "--name",
                "baseline",
                "--seed",
                seed,
                "--out",
            ])
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // the two possible results
    assert!(run("1", &dir.path().join("a")).wait().unwrap().success());
    assert!(run("2", &dir.path().join("b")).wait().unwrap().success());
    let (a, b) = (
        csv_files(&dir.path().join("a/baseline")),
        csv_files(&dir.path().join("b/baseline")),
    );
    assert!(run("1", &out).wait().unwrap().success());
    // each run takes a few milliseconds: kills spread over it land in
    // every phase, the swap included
    for i in 0..40u64 {
        let mut child = run(if i % 2 == 0 { "2" } else { "1" }, &out);
        std::thread::sleep(Duration::from_micros(300 * (i % 20)));
        let _ = child.kill();
        let _ = child.wait();
        // one whole run in the folder; or, where the system has no atomic
        // exchange of folders and the writer died between its two
        // renames, the previous run set aside whole (the next writer puts
        // it back)
        let found = csv_files(&out.join("baseline"));
        let found = if out.join("baseline").exists() {
            found
        } else {
            csv_files(&out.join(".baseline.old"))
        };
        assert!(
            found == a || found == b,
            "kill {i}: a mix of runs, or nothing"
        );
    }
    assert!(run("2", &out).wait().unwrap().success());
    assert_eq!(csv_files(&out.join("baseline")), b);
    assert_eq!(entries(&out), ["baseline"]);
}
