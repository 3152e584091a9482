//! A sweep run on a real SLURM cluster through the script `cocreate slurm`
//! writes: an array job of shards, then the merge, ending with the bytes of
//! an unsharded run. Needs a running cluster (`.ci/slurm-up.sh` starts a
//! one-node one); it runs when COCREATE_SLURM_TESTS=1 was set at build
//! time (CI sets it), and a plain `cargo test` lists it as ignored, with
//! that reason.

use assert_cmd::Command;
use std::fs;
use std::time::{Duration, Instant};

fn cluster_up() -> bool {
    std::process::Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| ["idle", "mix", "alloc"].contains(&l.trim()))
        })
}

#[test]
#[cfg_attr(
    not(cocreate_slurm_tests),
    ignore = "needs a running SLURM cluster: start one with `sudo bash .ci/slurm-up.sh` and set COCREATE_SLURM_TESTS=1 (.ci/run does both)"
)]
fn a_sweep_runs_as_a_slurm_job_array_and_merges_to_the_same_bytes() {
    assert!(
        cluster_up(),
        "no SLURM cluster answers `sinfo`: start one with `sudo bash .ci/slurm-up.sh`"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(
        &file,
        "name = \"small\"\ndesign = \"sobol\"\nsamples = 8\nreplications = 2\nseed = 5\n[population]\ncitizens = 400\n[run]\nsteps = 10\n[factors]\n\"inhibitors.low_trust\" = { min = 0.0, max = 1.0 }\n\"population.agencies\" = { min = 5, max = 30 }\n",
    )
    .unwrap();
    let whole = dir.path().join("whole");
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["sweep", "--quiet", "--out"])
        .arg(&whole)
        .arg(&file)
        .assert()
        .success();
    let out = dir.path().join("cluster");
    let script = dir.path().join("small.slurm.sh");
    Command::cargo_bin("cocreate")
        .unwrap()
        .args([
            "slurm", "--shards", "3", "--cpus", "1", "--time", "00:10:00", "--out",
        ])
        .arg(&out)
        .arg("--script")
        .arg(&script)
        .arg(&file)
        .assert()
        .success();
    let submitted = std::process::Command::new("bash")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        submitted.status.success(),
        "{}",
        String::from_utf8_lossy(&submitted.stderr)
    );
    let manifest = out.join("small/manifest.json");
    let start = Instant::now();
    while !manifest.exists() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        manifest.exists(),
        "the merge job did not finish within 2 minutes"
    );
    for f in ["points.csv", "runs.csv", "summary.csv", "sensitivity.csv"] {
        let a = fs::read(whole.join("small").join(f)).unwrap();
        let b = fs::read(out.join("small").join(f)).unwrap();
        assert!(a == b, "{f} differs between the cluster run and one run");
    }
}
