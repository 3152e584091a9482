//! `cocreate report`: one self-contained HTML page from the result folders
//! of run, compare, attribute, waterfall and sweep, with every plot, that a
//! real browser renders. The browser test needs headless Chromium (Debian's
//! `chromium`); it runs when COCREATE_BROWSER_TESTS=1 was set at build time
//! (`.ci/run` installs Chromium and sets it), and a plain `cargo test` lists
//! it as ignored, with that reason.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

fn cocreate(args: &[&str], dir: &Path) {
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(args)
        .args(["--quiet", "--out"])
        .arg(dir)
        .assert()
        .success();
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Every kind of result folder, small, in `dir`.
fn results(dir: &Path) {
    let small = ["--set", "population.citizens=1500", "-r", "4"];
    let (base, combined, reform) = (
        scenario("baseline.toml"),
        scenario("combined.toml"),
        scenario("legal-reform.toml"),
    );
    let mut args = vec!["compare", &base, &combined, &reform];
    args.extend(small);
    cocreate(&args, dir);
    let mut args = vec!["run", &base, &reform];
    args.extend(small);
    cocreate(&args, &dir.join("runs"));
    let mut args = vec!["waterfall", &combined];
    args.extend(small);
    cocreate(&args, dir);
    // attribute runs at the scenario's size: a small copy
    let file = dir.join("legal-reform.toml");
    let text = fs::read_to_string(&reform).unwrap();
    fs::write(&file, format!("{text}\n[population]\ncitizens = 1500\n")).unwrap();
    cocreate(&["attribute", file.to_str().unwrap(), "-r", "4"], dir);
    let sweep = dir.join("grid.toml");
    fs::write(
        &sweep,
        "name = \"grid\"\ndesign = \"grid\"\nreplications = 2\n[population]\ncitizens = 800\n[run]\nsteps = 12\n[factors]\n\"population.agencies\" = { values = [5, 10, 20] }\n\"governance.legal_level\" = { min = 0.3, max = 0.9, steps = 3 }\n",
    )
    .unwrap();
    cocreate(&["sweep", sweep.to_str().unwrap()], dir);
    let sobol = dir.join("sobol.toml");
    fs::write(
        &sobol,
        "name = \"sobol\"\ndesign = \"sobol\"\nsamples = 16\nreplications = 2\n[population]\ncitizens = 600\n[run]\nsteps = 10\n[factors]\n\"inhibitors.low_trust\" = { min = 0.0, max = 1.0 }\n\"inhibitors.missing_legal_framework\" = { min = 0.0, max = 1.0 }\n\"inhibitors.limited_capacity\" = { min = 0.0, max = 1.0 }\n",
    )
    .unwrap();
    cocreate(&["sweep", sobol.to_str().unwrap()], dir);
    let morris = dir.join("morris.toml");
    fs::write(
        &morris,
        "name = \"morris\"\ndesign = \"morris\"\nsamples = 4\nreplications = 2\n[population]\ncitizens = 600\n[run]\nsteps = 10\n[factors]\n\"trust.gain\" = { min = 0.0, max = 0.3 }\n\"trust.loss\" = { min = 0.0, max = 0.3 }\n",
    )
    .unwrap();
    cocreate(&["sweep", morris.to_str().unwrap()], dir);
}

/// The plots the page shows, by file stem.
fn plots(html: &str) -> Vec<String> {
    html.split("data-file=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// The results of `results`, and the report of them; returns the page.
fn report_of_results(dir: &Path) -> PathBuf {
    results(dir);
    Command::cargo_bin("cocreate")
        .unwrap()
        .arg("report")
        .arg(dir)
        .assert()
        .success()
        .stdout(predicates::str::contains("report.html"));
    dir.join("report.html")
}

#[test]
fn the_report_holds_every_plot() {
    let dir = tempfile::tempdir().unwrap();
    let page = report_of_results(dir.path());
    let html = fs::read_to_string(&page).unwrap();

    // every section, and every kind of plot
    for heading in [
        "Scenarios and key figures",
        "Comparison with baseline",
        "Where the value is lost: combined",
        "Which inhibitor costs the most: legal-reform",
        "Sweep: grid",
        "Sweep: sobol",
        "Sweep: morris",
        "Morris elementary effects",
        "Method notes",
    ] {
        assert!(html.contains(heading), "no section {heading}");
    }
    let stems = plots(&html);
    for kind in [
        "runs-value_realized",
        "runs-mean_trust",
        "runs-participation",
        "compare-baseline-value_realized",
        "waterfall-combined",
        "attribution-legal-reform",
        "attribution-legal-reform-waterfall",
        "sensitivity-sobol",
        "heatmap-grid",
        "heatmap-sobol",
        "sensitivity-morris",
    ] {
        assert!(
            stems.iter().any(|s| s == kind),
            "no plot {kind} in {stems:?}"
        );
    }
    // each plot inline and as files, for papers
    assert_eq!(html.matches("<svg").count(), stems.len());
    let figures = dir.path().join("report-figures");
    for s in &stems {
        let svg = fs::read_to_string(figures.join(format!("{s}.svg"))).unwrap();
        assert!(svg.contains("<svg"), "{s}.svg");
        let png = fs::read(figures.join(format!("{s}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{s}.png");
    }
    // self-contained: nothing to fetch
    for reference in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<script src",
        "<link",
    ] {
        assert!(
            !html.contains(reference),
            "the page refers out: {reference}"
        );
    }
    // the numbers are those of the files: the comparison, its measured
    // variance reduction, the waterfall
    let comparison =
        fs::read_to_string(dir.path().join("baseline-compare/comparison.csv")).unwrap();
    let row = comparison
        .lines()
        .find(|l| l.starts_with("combined,total_value_realized,"))
        .unwrap();
    let field = |i: usize| row.split(',').nth(i).unwrap().parse::<f64>().unwrap();
    let (mean, diff) = (field(2), field(5));
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("baseline-compare/manifest.json")).unwrap(),
    )
    .unwrap();
    let reduction = manifest["variance_reduction"]["combined"]["total_value_realized"]
        .as_f64()
        .unwrap();
    let expected = format!(
        "<tr><td>combined</td><td>total_value_realized</td><td>{} <span class=\"ci\">",
        shown(mean)
    );
    assert!(html.contains(&expected), "no {expected}");
    let cell = format!("<td>{} <span class=\"ci\">", shown(diff));
    assert!(html.contains(&cell), "no {cell}");
    assert!(
        html.contains(&format!("<td>{reduction:.1}×</td>")),
        "CRN {reduction}"
    );
    let waterfall =
        fs::read_to_string(dir.path().join("combined-waterfall/waterfall.csv")).unwrap();
    for line in waterfall.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let value: f64 = f[4].parse().unwrap();
        let cell = format!("<tr><td>{}</td><td>{}", f[3], shown(value));
        assert!(html.contains(&cell), "waterfall row {cell}");
    }
}

#[test]
#[cfg_attr(
    not(cocreate_browser_tests),
    ignore = "needs headless Chromium: install Debian's `chromium` and set COCREATE_BROWSER_TESTS=1 (.ci/run does both)"
)]
fn the_report_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = report_of_results(dir.path());
    let html = fs::read_to_string(&page).unwrap();
    browser_check(&page, plots(&html).len());
}

/// A number as the report's tables show it: four significant digits.
fn shown(x: f64) -> String {
    let decimals = cocreate::output::significant_decimals(x);
    format!("{x:.decimals$}")
}

fn browser() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// Opens the page in headless Chromium, offline: the DOM holds every plot,
/// and a screenshot shows the plots' colours.
fn browser_check(page: &Path, plots: usize) {
    let chromium = browser().expect(
        "no chromium, chromium-browser or google-chrome on PATH: install Debian's `chromium`",
    );
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.display());
    let run = |extra: &[String]| {
        let out = std::process::Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // no network at all: the page must not need it
                "--host-resolver-rules=MAP * ~NOTFOUND",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs");
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    // the DOM as the browser parsed it
    let dom = String::from_utf8(run(&["--dump-dom".into()]).stdout).unwrap();
    assert_eq!(dom.matches("<figure class=\"plot\"").count(), plots);
    assert_eq!(
        dom.matches("<svg").count(),
        plots,
        "every plot parsed as SVG"
    );
    // a screenshot of the whole page: the plots' colours are on it
    let shot = profile.path().join("page.png");
    run(&[
        format!("--screenshot={}", shot.display()),
        "--window-size=1280,20000".into(),
        "--hide-scrollbars".into(),
    ]);
    let decoder = png::Decoder::new(fs::File::open(&shot).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let count = |rgb: [u8; 3]| {
        buf[..info.buffer_size()]
            .chunks(channels)
            .filter(|p| p[..3].iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 6))
            .count()
    };
    // Okabe-Ito blue, orange, vermillion (losses) and green, and viridis' ends
    for (name, rgb, least) in [
        ("blue", [0x00, 0x72, 0xB2], 5000),
        ("orange", [0xE6, 0x9F, 0x00], 2000),
        ("vermillion", [0xD5, 0x5E, 0x00], 1000),
        ("green", [0x00, 0x9E, 0x73], 500),
    ] {
        let n = count(rgb);
        assert!(n >= least, "{name}: {n} pixels on the screenshot");
    }
}

#[test]
fn folders_without_results_are_refused_with_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let report = |args: &[&Path]| {
        let mut c = Command::cargo_bin("cocreate").unwrap();
        c.arg("report");
        for a in args {
            c.arg(a);
        }
        c.assert()
    };
    report(&[&dir.path().join("nowhere")])
        .code(2)
        .stderr(predicates::str::contains("not a folder"));
    report(&[dir.path()])
        .code(2)
        .stderr(predicates::str::contains("holds no results"))
        .stderr(predicates::str::contains("comparison.csv"));
    // a damaged file is named, with the line and the column
    let w = dir.path().join("x-waterfall");
    fs::create_dir(&w).unwrap();
    fs::write(w.join("manifest.json"), "{}").unwrap();
    fs::write(
        w.join("waterfall.csv"),
        "scenario,step,kind,label,value,ci95_low,ci95_high,share_of_twin\nx,twin_realized,level,twin,abc,1,2,1\n",
    )
    .unwrap();
    report(&[dir.path()])
        .code(2)
        .stderr(predicates::str::contains("waterfall.csv"))
        .stderr(predicates::str::contains(
            "line 2: `value` = `abc` is not a number",
        ));
    assert!(!dir.path().join("report.html").exists(), "nothing written");
    fs::write(w.join("waterfall.csv"), "scenario,step\n").unwrap();
    report(&[dir.path()])
        .code(2)
        .stderr(predicates::str::contains("has no column `kind`"));
    fs::remove_dir_all(&w).unwrap();

    // damaged files of real results: each is refused, naming what is wrong
    let results = dir.path().join("results");
    let small = ["--set", "population.citizens=600", "-r", "2"];
    let base = scenario("baseline.toml");
    let mut args = vec!["run", base.as_str()];
    args.extend(small);
    cocreate(&args, &results);
    let sweep = dir.path().join("s.toml");
    fs::write(
        &sweep,
        "name = \"s\"\ndesign = \"sobol\"\nsamples = 8\nreplications = 2\n[population]\ncitizens = 400\n[run]\nsteps = 5\n[factors]\n\"inhibitors.low_trust\" = { min = 0.0, max = 1.0 }\n\"inhibitors.no_feedback\" = { min = 0.0, max = 1.0 }\n",
    )
    .unwrap();
    cocreate(&["sweep", sweep.to_str().unwrap()], &results);
    report(&[&results]).success();
    fs::remove_file(results.join("report.html")).unwrap();
    fs::remove_dir_all(results.join("report-figures")).unwrap();
    let damage = |file: &str, edit: &dyn Fn(String) -> String, message: &str| {
        let path = results.join(file);
        let good = fs::read_to_string(&path).unwrap();
        fs::write(&path, edit(good.clone())).unwrap();
        report(&[&results])
            .code(2)
            .stderr(predicates::str::contains(file.rsplit('/').next().unwrap()))
            .stderr(predicates::str::contains(message));
        fs::write(&path, good).unwrap();
    };
    // a step far beyond the run (would otherwise ask for gigabytes)
    damage(
        "baseline/steps.csv",
        &|t| t.replacen("\nbaseline,0,0,", "\nbaseline,0,4000000000,", 1),
        "beyond the run's 60 steps",
    );
    damage(
        "baseline/steps.csv",
        &|t| t.replacen("\nbaseline,0,0,", "\nbaseline,0,-3,", 1),
        "not a whole number",
    );
    damage(
        "s/sensitivity.csv",
        &|t| t.replace(",st,", ",total,"),
        "has no column `st`",
    );
    damage(
        "s/summary.csv",
        &|t| t.replacen("\n0,", "\n999,", 1),
        "beyond the points of points.csv",
    );
    damage(
        "s/summary.csv",
        &|t| t.replacen("\n0,", "\n1.5,", 1),
        "not a whole number",
    );
    damage(
        "s/points.csv",
        &|t| t.replacen("\n1,", "\n2,", 1),
        "numbered 0, 1, 2",
    );
    assert!(!results.join("report.html").exists(), "nothing written");
}

#[test]
fn a_second_report_replaces_the_figures_of_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let small = ["--set", "population.citizens=600", "-r", "2"];
    let (base, combined) = (scenario("baseline.toml"), scenario("combined.toml"));
    let mut args = vec!["waterfall", combined.as_str()];
    args.extend(small);
    cocreate(&args, dir.path());
    let mut args = vec!["run", base.as_str()];
    args.extend(small);
    cocreate(&args, &dir.path().join("runs"));
    let out = dir.path().join("paper/report.html");
    let report = |dirs: &[PathBuf]| {
        Command::cargo_bin("cocreate")
            .unwrap()
            .arg("report")
            .args(dirs)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
    };
    let figures = dir.path().join("paper/report-figures");
    // the same folder twice is shown once
    report(&[dir.path().to_path_buf(), dir.path().join("runs")]);
    let html = fs::read_to_string(&out).unwrap();
    assert_eq!(html.matches("data-file=\"runs-mean_trust\"").count(), 1);
    assert!(figures.join("runs-mean_trust.png").exists());
    report(&[dir.path().join("combined-waterfall")]);
    let mut left: Vec<String> = fs::read_dir(&figures)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["waterfall-combined.png", "waterfall-combined.svg"]);
    // no temporary folder is left beside them
    assert_eq!(fs::read_dir(dir.path().join("paper")).unwrap().count(), 2);
}
