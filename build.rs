//! Build script: turns the environment variables that enable the tests
//! needing outside services into cfg flags, so that a plain `cargo test`
//! lists those tests as ignored, with the reason, instead of passing them
//! silently.
//!
//! - `COCREATE_SLURM_TESTS=1` (a running SLURM cluster): `cocreate_slurm_tests`
//! - `COCREATE_BROWSER_TESTS=1` (headless Chromium): `cocreate_browser_tests`

fn main() {
    for (var, cfg) in [
        ("COCREATE_SLURM_TESTS", "cocreate_slurm_tests"),
        ("COCREATE_BROWSER_TESTS", "cocreate_browser_tests"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var(var).is_ok_and(|v| v == "1") {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
