//! Ctrl-C stops a run cleanly: exit status 130, no file under a final name,
//! no temporary file left behind.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn ctrl_c_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // far more replications than can finish before the signal
    let child = Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .args([
            "run",
            "--quiet",
            "-r",
            "100000",
            "--set",
            "population.citizens=2000",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // wait until the temporary files exist, so the run is under way
    let folder = out.join("baseline");
    let start = Instant::now();
    while entries(&folder).is_empty() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        entries(&folder).iter().all(|f| f.ends_with(".partial")),
        "{:?}",
        entries(&folder)
    );
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(
        !folder.exists(),
        "nothing left behind: {:?}",
        entries(&folder)
    );
    assert!(stderr.contains("Ctrl-C again to stop at once"), "{stderr}");
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
        // these commands write only at the end: once the Ctrl-C handler is
        // in place, they are under way
        wait_for_sigint_handler(child.id());
        std::thread::sleep(Duration::from_millis(200));
        let status = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
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

/// Waits until process `pid` catches SIGINT (Linux: bit 2 of `SigCgt` in
/// /proc/PID/status), at most 10 s; without /proc, one second.
fn wait_for_sigint_handler(pid: u32) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            std::thread::sleep(Duration::from_secs(1));
            return;
        };
        let caught = status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .is_some_and(|mask| mask & (1 << (2 - 1)) != 0);
        if caught {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
