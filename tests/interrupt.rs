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
