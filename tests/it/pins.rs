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
