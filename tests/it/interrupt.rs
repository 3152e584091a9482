//! A signal stops a run cleanly: Ctrl-C (SIGINT), SIGTERM (sent by
//! `timeout`, systemd and SLURM) and SIGHUP alike. Exit status 128 + the
//! signal's number, no file under a final name, no hidden file left behind;
//! scenarios already finished keep their files; a second signal stops at
//! once and still leaves nothing.
#![cfg(unix)]

use crate::common::{entries, wait_for};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// `cocreate run` of far more replications than can finish before a signal.
fn long_run(out: &Path, scenarios: &[&str]) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cocreate"));
    c.arg("run");
    for s in scenarios {
        c.arg(format!("{}/scenarios/{s}.toml", env!("CARGO_MANIFEST_DIR")));
    }
    c.args([
        "--quiet",
        "-r",
        "100000",
        "--set",
        "population.citizens=2000",
        "--name",
        "baseline",
        "--out",
    ])
    .arg(out)
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

#[test]
fn sigint_sigterm_and_sighup_leave_no_partial_output() {
    for (name, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let child = long_run(&out, &["baseline"]);
        // the staging folder exists: the run is under way
        wait_for(&out.join(".baseline.new"));
        std::thread::sleep(Duration::from_millis(200));
        signal(&child, name);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(128 + number), "{name}: {stderr}");
        assert!(stderr.contains("interrupted"), "{name}: {stderr}");
        assert!(
            stderr.contains("stopping after the replications under way"),
            "{name}: {stderr}"
        );
        assert!(entries(&out).is_empty(), "{name} left {:?}", entries(&out));
    }
}

#[test]
fn a_second_signal_stops_at_once_and_still_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // one replication of a large population takes long: the first signal
    // would wait for it
    let child = Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .args([
            "run",
            "--quiet",
            "-r",
            "2",
            "-j",
            "1",
            "--name",
            "baseline",
            "--set",
            "population.citizens=3000000",
            "--set",
            "run.steps=600",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&out.join(".baseline.new"));
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "INT");
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the second Ctrl-C did not stop at once"
    );
    assert!(entries(&out).is_empty(), "left {:?}", entries(&out));
}

#[test]
fn scenarios_finished_before_the_signal_keep_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // the first scenario is quick, the second endless
    let first = dir.path().join("quick.toml");
    std::fs::write(
        &first,
        "[run]\nreplications = 3\n[population]\ncitizens = 500\n",
    )
    .unwrap();
    let second = dir.path().join("combined.toml");
    std::fs::write(
        &second,
        "[run]\nreplications = 100000\n[population]\ncitizens = 2000\n[inhibitors]\nlow_trust = 0.5\n",
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .arg("run")
        .arg(&first)
        .arg(&second)
        .args(["--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&out.join(".combined.new"));
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "TERM");
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(143));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("scenario `combined` stopped"), "{stderr}");
    assert_eq!(entries(&out), ["quick"]);
    assert_eq!(
        entries(&out.join("quick")),
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
}

#[test]
fn ctrl_c_stops_the_analysis_commands_without_writing() {
    for command in ["compare", "waterfall", "attribute"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let scenario = format!("{}/scenarios/combined.toml", env!("CARGO_MANIFEST_DIR"));
        let mut c = Command::new(env!("CARGO_BIN_EXE_cocreate"));
        c.args([command, "--quiet", "-r", "100000"]);
        if command == "compare" {
            c.arg(format!(
                "{}/scenarios/baseline.toml",
                env!("CARGO_MANIFEST_DIR")
            ));
        }
        let child = c
            .arg(&scenario)
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // these commands lock their folder before they run
        wait_for_lock(&out);
        std::thread::sleep(Duration::from_millis(200));
        signal(&child, "INT");
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(130), "{command}: {stderr}");
        assert!(
            stderr.contains("nothing was written"),
            "{command}: {stderr}"
        );
        assert!(
            entries(&out).is_empty(),
            "{command} wrote {:?}",
            entries(&out)
        );
    }
}

/// Waits until a lock file appears in `out`.
fn wait_for_lock(out: &Path) {
    let start = Instant::now();
    while !entries(out).iter().any(|e| e.ends_with(".lock"))
        && start.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_later_run_removes_what_a_killed_one_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = long_run(&out, &["baseline"]);
    wait_for(&out.join(".baseline.new"));
    std::thread::sleep(Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    // kill -9 leaves the staging folder and the lock file: no lock is held
    assert_eq!(entries(&out), [".baseline.lock", ".baseline.new"]);
    let status = Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .args([
            "run",
            "--quiet",
            "-r",
            "2",
            "--set",
            "population.citizens=300",
            "--name",
            "baseline",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(entries(&out), ["baseline"]);
}

#[test]
fn an_interrupted_calibration_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let file = dir.path().join("long.toml");
    // far more simulations than can finish before the signal
    std::fs::write(
        &file,
        format!(
            "name = \"long\"\nscenario = \"{}/scenarios/baseline.toml\"\nparticles = 100000\ngenerations = 50\n[parameters]\n\"citizens.trust_mean\" = {{ min = 0.2, max = 0.9 }}\n[targets]\nparticipation_rate = {{ value = 0.08, sd = 0.001 }}\n",
            env!("CARGO_MANIFEST_DIR")
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .args(["calibrate", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&out.join(".long.new"));
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    signal(&child, "INT");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("the calibration was stopped in generation 0; nothing was written"),
        "{stderr}"
    );
    // the simulations under way finish (milliseconds each), no more
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(entries(&out).is_empty(), "left {:?}", entries(&out));
}
