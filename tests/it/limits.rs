//! What cannot run is refused before it runs, with an estimate: memory
//! beyond what the machine (or `COCREATE_MAX_MEMORY`) allows, and the
//! estimate is honest (a run of 10^7 citizens within 25% of it).

use crate::common::cocreate;
use predicates::prelude::*;
use std::path::Path;

/// The number in "at most about N WHAT would fit" of `stderr`.
fn largest(stderr: &str, what: &str) -> u64 {
    let tail = stderr
        .split("at most about ")
        .find(|t| t.split_whitespace().nth(1) == Some(what))
        .unwrap_or_else(|| panic!("no largest {what} in {stderr}"));
    tail.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn runs_beyond_the_memory_allowed_are_refused_with_what_fits() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |limit: &str, sets: &[&str]| {
        let mut c = cocreate();
        c.env("COCREATE_MAX_MEMORY", limit)
            .args(["run", "--quiet", "-r", "2", "-j", "1", "--out"])
            .arg(&out);
        for s in sets {
            c.args(["--set", s]);
        }
        c
    };
    // a population too large for 40 MiB
    let assert = run("40M", &["population.citizens=2000000"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("more than the 40.0 MiB COCREATE_MAX_MEMORY"),
        "{stderr}"
    );
    let n = largest(&stderr, "citizens");
    assert!((100_000..2_000_000).contains(&n), "{n}");
    // the size it names does fit, under the same limit
    run("40M", &[&format!("population.citizens={n}"), "run.steps=3"])
        .assert()
        .success();
    // replications whose records would not fit, and steps
    cocreate()
        .env("COCREATE_MAX_MEMORY", "4G")
        .args([
            "run",
            "-r",
            "4000000000",
            "--set",
            "population.citizens=50",
            "--out",
        ])
        .arg(dir.path().join("none"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("replications would fit"));
    cocreate()
        .env("COCREATE_MAX_MEMORY", "4G")
        .args(["run", "-r", "2", "--set", "run.steps=100000000", "--out"])
        .arg(dir.path().join("none"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("steps would fit"));
    cocreate()
        .env("COCREATE_MAX_MEMORY", "lots")
        .args(["run", "--out"])
        .arg(dir.path().join("none"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("COCREATE_MAX_MEMORY = \"lots\""));
    assert!(!dir.path().join("none").exists(), "nothing written");
    // sweeps too, before any point is built
    let sweep = dir.path().join("s.toml");
    std::fs::write(
        &sweep,
        "design = \"lhs\"\nsamples = 1000\n[population]\ncitizens = 4000000\n[factors]\n\"governance.feedback\" = { min = 0.0, max = 1.0 }\n",
    )
    .unwrap();
    for dry in [true, false] {
        let mut c = cocreate();
        c.env("COCREATE_MAX_MEMORY", "64M").arg("sweep").arg(&sweep);
        if dry {
            c.arg("--dry-run");
        }
        c.arg("--out")
            .arg(dir.path().join("none"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("citizens would fit"));
    }
}

#[cfg(unix)]
#[test]
fn a_dry_run_of_a_huge_design_answers_without_building_it() {
    // 8 million grid points: listing them takes gigabytes (and checking
    // each, half a minute); the dry run counts them instead, here with the
    // address space limited to 600 MB
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.toml");
    std::fs::write(
        &file,
        "design = \"grid\"\n[population]\ncitizens = 2000\n[factors]\n\"citizens.trust_mean\" = { min = 0.2, max = 0.8, steps = 200 }\n\"governance.feedback\" = { min = 0.0, max = 1.0, steps = 200 }\n\"governance.legal_level\" = { min = 0.0, max = 1.0, steps = 200 }\n",
    )
    .unwrap();
    let script = format!(
        "ulimit -v 600000; exec {} sweep --dry-run -j 1 {}",
        env!("CARGO_BIN_EXE_cocreate"),
        file.display()
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    // it answers with the figures, and says the sweep would not fit
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("8000000 points"), "{stdout}{stderr}");
    assert!(stdout.contains("peak memory about 2.5 GiB"), "{stdout}");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("points would fit"), "{stderr}");
    // the sweep itself is refused under the same limit, instead of
    // aborting when memory runs out
    let script = script.replace("--dry-run", "--out /nonexistent/never");
    let output = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("address-space limit"), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_memory_estimate_is_within_a_quarter_of_the_measured_peak() {
    use cocreate::experiment::resources::{kept_bytes, peak_bytes};
    let sets = ["population.citizens=10000000", "run.steps=5"];
    let mut scenario = cocreate::Scenario::baseline();
    for s in sets {
        scenario.set(s).unwrap();
    }
    let estimate = peak_bytes(&scenario.model().unwrap(), 2, 1, kept_bytes(1, 0)) as f64;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .args(["run", "--quiet", "-r", "1", "-j", "2", "--out"])
        .arg(dir.path())
        .args(sets.iter().flat_map(|s| ["--set", s]))
        .spawn()
        .unwrap();
    // the high-water mark of the resident set, read until the process ends
    let status = Path::new("/proc")
        .join(child.id().to_string())
        .join("status");
    let mut peak_kb = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let measured = (peak_kb * 1024) as f64;
    assert!(measured > 300e6, "the run was measured: {measured}");
    let ratio = estimate / measured;
    assert!(
        (0.75..1.25).contains(&ratio),
        "estimate {estimate:.3e} against a measured peak of {measured:.3e}"
    );
}

#[test]
fn a_run_that_will_take_long_says_so_before_it_starts() {
    use std::io::BufRead;
    // a network near complete: building it alone takes many minutes
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .args(["run", "-r", "1", "--out"])
        .arg(dir.path())
        .args([
            "--set",
            "population.citizens=20000",
            "--set",
            "network.k=19998",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let first = std::io::BufReader::new(stderr).lines().next();
    child.kill().unwrap();
    child.wait().unwrap();
    let line = first.unwrap().unwrap();
    assert!(line.starts_with("note: this will take about"), "{line}");
    assert!(line.contains("citizens x network.k x steps"), "{line}");
}
