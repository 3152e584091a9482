//! REGRESSION PINS. The key figures of `baseline` and `combined` at their
//! shipped settings (seed 42, 100 replications of 10,000 citizens over 60
//! months), pinned: each mean must stay within three of its 95% interval
//! half-widths of the value below.
//!
//! These are not checks of the model's correctness (the oracle and the
//! stylized facts are): they catch a change of the results that nobody
//! meant. A deliberate change of the model moves them; update them in the
//! same commit, with the reason in its message. Measured with:
//!
//! ```sh
//! cocreate run scenarios/baseline.toml scenarios/combined.toml
//! grep -E ',(total_value_realized|participation_rate|trust_change|gini),' results/*/summary.csv
//! ```

use std::collections::HashMap;

/// (scenario, figure, pinned mean, its 95% half-width when pinned).
const PINS: [(&str, &str, f64, f64); 8] = [
    ("baseline", "total_value_realized", 18051.351, 230.83),
    ("baseline", "participation_rate", 0.076849267, 0.00025295),
    ("baseline", "trust_change", -0.019621224, 0.0019354),
    ("baseline", "gini", 0.41947804, 0.0015572),
    ("combined", "total_value_realized", 5368.5384, 63.251),
    ("combined", "participation_rate", 0.043503583, 0.000080242),
    ("combined", "trust_change", -0.040131198, 0.00077209),
    ("combined", "gini", 0.60904279, 0.0019054),
];

#[test]
fn pinned_key_figures_of_baseline_and_combined() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = |name: &str| format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    assert_cmd::Command::cargo_bin("cocreate")
        .unwrap()
        .args([
            "run",
            "--quiet",
            &scenario("baseline"),
            &scenario("combined"),
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let mut means: HashMap<(String, String), f64> = HashMap::new();
    for name in ["baseline", "combined"] {
        let text = std::fs::read_to_string(dir.path().join(name).join("summary.csv")).unwrap();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            means.insert((f[0].to_string(), f[1].to_string()), f[3].parse().unwrap());
        }
    }
    let mut moved = Vec::new();
    for (scenario, figure, pinned, half_width) in PINS {
        let now = means[&(scenario.to_string(), figure.to_string())];
        if (now - pinned).abs() > 3.0 * half_width {
            moved.push(format!(
                "{scenario} {figure}: {now} (pinned {pinned} +- {})",
                3.0 * half_width
            ));
        }
    }
    assert!(
        moved.is_empty(),
        "pinned figures moved (if the model was meant to change, update the pins with the reason):\n{}",
        moved.join("\n")
    );
}

/// BYTE PINS. Every shipped scenario, at 500 citizens and 3 replications
/// (seed 42), gives exactly these runs.csv, steps.csv and summary.csv
/// (checksums as `cocreate::output::parts::checksum` computes them). They
/// guard PVC-1's results bit for bit while the model grows (MODEL.md
/// section 11: a scenario that uses nothing of PVC-2 gives PVC-1's files).
/// The files were checked identical to those of the engine before
/// inhibitors became definitions (commit 87301f4); like every byte-for-byte
/// claim, they hold where the maths library's
/// exp, ln and pow agree with this machine's (glibc on x86-64).
const BYTES: [(&str, [&str; 3]); 11] = [
    (
        "baseline",
        ["f294bb1339e8b9bb", "183fd43d00a5831b", "39fec1db0d9cbc11"],
    ),
    (
        "combined",
        ["b6980edf0ce10c8c", "6e1054999c6fb320", "06f4871fabe56c3a"],
    ),
    (
        "digital_divide",
        ["074a8a9987eb4034", "2e7763f3613171bc", "e753ce9a5485f9ba"],
    ),
    (
        "legal-reform",
        ["85c92c3b9b76ffd6", "569454e492c8e773", "364008ccbd84cebb"],
    ),
    (
        "limited_capacity",
        ["ac0992f905b57110", "326264499946eb0e", "459c3e65ba033ce3"],
    ),
    (
        "low_motivation",
        ["f72d21c7fb607620", "aeb687d8d6d83216", "ed88cd6f686e865a"],
    ),
    (
        "low_trust",
        ["ce0e6666d5466eb9", "bb57cbe9bfb29f4f", "ccec239f8f3384ba"],
    ),
    (
        "misaligned_goals",
        ["e8873469909feb79", "91cc9ee7b9737605", "160f6ed35bb59dfb"],
    ),
    (
        "missing_legal_framework",
        ["1f2c3bf403859e28", "d88aa29699625554", "917dad38b52b3e86"],
    ),
    (
        "no_feedback",
        ["f7aa22b7fd2c6f21", "e467238a79358485", "efe148cbec913135"],
    ),
    (
        "risk_averse_culture",
        ["73c19347d486b5ad", "594ec28230011a6d", "1a0c735df4665be8"],
    ),
];

#[test]
fn pinned_bytes_of_every_shipped_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut cmd = assert_cmd::Command::cargo_bin("cocreate").unwrap();
    cmd.args(["run", "--quiet", "-r", "3", "--seed", "42"])
        .args(["--set", "population.citizens=500", "--out"])
        .arg(dir.path());
    for (name, _) in BYTES {
        cmd.arg(format!("{scenarios}/{name}.toml"));
    }
    cmd.assert().success();
    let mut moved = Vec::new();
    for (name, pinned) in BYTES {
        let folder = dir.path().join(format!("{name}+citizens=500"));
        let now = ["runs", "steps", "summary"].map(|file| {
            let bytes = std::fs::read(folder.join(format!("{file}.csv"))).unwrap();
            cocreate::output::parts::checksum(&bytes)
        });
        if now != pinned {
            moved.push(format!("    (\"{name}\", {now:?}),"));
        }
    }
    assert!(
        moved.is_empty(),
        "the bytes of these scenarios changed (if the model was meant to change, update the pins with the reason):\n{}",
        moved.join("\n")
    );
}
