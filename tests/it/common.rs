//! Helpers the test modules share.

use std::path::Path;
use std::time::{Duration, Instant};

/// The `cocreate` binary of this build, to drive as a user would.
pub fn cocreate() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("cocreate").expect("binary built")
}

/// The names in `dir`, sorted (none when it does not exist).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Waits until `path` exists (at most 30 s).
pub fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(path.exists(), "{} never appeared", path.display());
}
