//! `cocreate report`: one self-contained HTML page from the result folders
//! of run, compare, attribute, waterfall and sweep, with every plot, that a
//! real browser renders. The browser test needs headless Chromium (Debian's
//! `chromium`); it runs when COCREATE_BROWSER_TESTS=1 was set at build time
//! (`.ci/run` installs Chromium and sets it), and a plain `cargo test` lists
//! it as ignored, with that reason.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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

/// Every kind of result folder, small, in `dir`. The comparison runs more
/// replications (6) than the runs (4), as when users follow the README.
fn results(dir: &Path) {
    // small copies of the shipped scenarios, under their own names (with
    // --set they would be renamed after it)
    let small_dir = dir.join("small");
    fs::create_dir_all(&small_dir).unwrap();
    let small_copy = |name: &str| {
        let file = small_dir.join(name);
        let text = fs::read_to_string(scenario(name)).unwrap();
        fs::write(&file, format!("{text}\n[population]\ncitizens = 1500\n")).unwrap();
        file.to_str().unwrap().to_string()
    };
    let (base, combined, reform) = (
        small_copy("baseline.toml"),
        small_copy("combined.toml"),
        small_copy("legal-reform.toml"),
    );
    let small = ["-r", "4"];
    let args = vec!["compare", &base, &combined, &reform, "-r", "6"];
    cocreate(&args, dir);
    let mut args = vec!["run", &base, &reform];
    args.extend(small);
    cocreate(&args, &dir.join("runs"));
    // the shipped cases (MODEL.md 11): groups, kinds, a custom inhibitor
    let cases: Vec<String> = ["municipal-open-data", "municipal-open-data-inclusion"]
        .iter()
        .map(|c| {
            let file = small_dir.join(format!("{c}.toml"));
            let text = fs::read_to_string(scenario(&format!("cases/{c}.toml"))).unwrap();
            fs::write(&file, text.replace("citizens = 10000", "citizens = 1500")).unwrap();
            file.to_str().unwrap().to_string()
        })
        .collect();
    cocreate(
        &["run", &cases[0], &cases[1], "-r", "4"],
        &dir.join("cases"),
    );
    let mut args = vec!["waterfall", &combined];
    args.extend(small);
    cocreate(&args, dir);
    cocreate(&["attribute", &reform, "-r", "4"], dir);
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
    // scenario discovery over a Latin hypercube, and a calibration
    let lhs = dir.join("lhs.toml");
    fs::write(
        &lhs,
        "name = \"lhs\"\ndesign = \"lhs\"\nsamples = 120\nreplications = 2\n[population]\ncitizens = 400\n[run]\nsteps = 10\n[factors]\n\"inhibitors.missing_legal_framework\" = { min = 0.0, max = 1.0 }\n\"inhibitors.low_trust\" = { min = 0.0, max = 1.0 }\n\"population.agencies\" = { min = 5, max = 30 }\n",
    )
    .unwrap();
    cocreate(&["sweep", lhs.to_str().unwrap()], dir);
    let swept = dir.join("lhs");
    let sweep_dir = swept.to_str().unwrap();
    let summary = fs::read_to_string(swept.join("summary.csv")).unwrap();
    let mut means: Vec<f64> = summary
        .lines()
        .filter(|l| l.contains(",total_value_realized,"))
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    means.sort_by(f64::total_cmp);
    let median = means[means.len() / 2].to_string();
    cocreate(
        &[
            "discover",
            sweep_dir,
            "--metric",
            "total_value_realized",
            "--below",
            &median,
        ],
        dir,
    );
    fs::write(
        dir.join("small/base.toml"),
        "name = \"tiny\"\n[population]\ncitizens = 300\n[run]\nsteps = 10\n",
    )
    .unwrap();
    let calibration = dir.join("small/fit.toml");
    fs::write(
        &calibration,
        "name = \"fit\"\nscenario = \"base.toml\"\nparticles = 40\ngenerations = 3\n[parameters]\n\"citizens.trust_mean\" = { min = 0.2, max = 0.9 }\n\"participation.intercept\" = { min = -8.0, max = -4.0 }\n[targets]\nparticipation_rate = { value = 0.08, sd = 0.005 }\n\"mean_trust@5\" = { value = 0.55, sd = 0.02 }\n",
    )
    .unwrap();
    cocreate(&["calibrate", calibration.to_str().unwrap()], dir);
}

/// The folders of [`results`], made once and shared by the tests, which
/// only read them (each writes its report elsewhere).
fn shared_results() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-results");
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        results(&dir);
        dir
    })
}

/// The plots the page shows, by file stem.
fn plots(html: &str) -> Vec<String> {
    html.split("data-file=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// The report of the shared results, written to `out` with `extra`
/// options; returns the page.
fn report_of_results(out: &Path, extra: &[&str]) -> String {
    Command::cargo_bin("cocreate")
        .unwrap()
        .arg("report")
        .arg(shared_results())
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success()
        .stdout(predicates::str::contains("report.html"));
    fs::read_to_string(out).unwrap()
}

/// The inline SVG of plot `stem` in the page.
fn inline_svg<'a>(html: &'a str, stem: &str) -> &'a str {
    let at = html
        .find(&format!("data-file=\"{stem}\""))
        .unwrap_or_else(|| panic!("no plot {stem}"));
    let svg = &html[at..];
    &svg[svg.find("<svg").unwrap()..svg.find("</svg>").unwrap()]
}

/// The texts of an SVG, in drawing order.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| {
            let t = &t[t.find('>').unwrap() + 1..];
            t[..t.find("</text>").unwrap()].trim().to_string()
        })
        .collect()
}

/// The page without its `<code>` elements and attributes: what readers see
/// as text (the files' names stay in code elements and tooltips).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<code") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        rest = &rest[rest.find("</code>").unwrap() + 7..];
    }
    out.push_str(rest);
    // tags and their attributes
    let mut text = String::new();
    let mut inside = false;
    for c in out.chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                text.push(' ');
            }
            c if !inside => text.push(c),
            _ => {}
        }
    }
    text
}

#[test]
fn the_report_holds_every_plot() {
    let dir = tempfile::tempdir().unwrap();
    let results = shared_results();
    let html = report_of_results(&dir.path().join("report.html"), &[]);

    // every section, and every kind of plot
    for heading in [
        "Scenarios",
        "Key figures",
        "Over time",
        "Comparison with baseline",
        "Where the value is lost: combined",
        "Where the value is lost: legal-reform",
        "Which inhibitor costs the most: legal-reform",
        "Sweep: grid",
        "Sweep: sobol",
        "Sweep: morris",
        "Morris elementary effects",
        "Scenario discovery: lhs-discovery",
        "Calibration: fit",
        "Method notes",
    ] {
        assert!(html.contains(heading), "no section {heading}");
    }
    let stems = plots(&html);
    for kind in [
        "over-time-value_realized",
        "over-time-mean_trust",
        "over-time-participation",
        "compare-baseline-difference",
        "waterfall-combined",
        "waterfall-legal-reform",
        "attribution-legal-reform",
        "sensitivity-sobol",
        "convergence-st-sobol",
        "convergence-s1-sobol",
        "heatmap-grid",
        "heatmap-sobol",
        "sensitivity-morris",
        "trajectory-lhs-discovery",
        "box-lhs-discovery-1",
        "posterior-fit-citizens.trust_mean",
        "posterior-fit-participation.intercept",
        "particles-fit-citizens.trust_mean-participation.intercept",
        "tolerance-fit",
        "predictive-fit",
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
    // the numbers are those of the files: the comparison, its estimated
    // variance reduction with its interval, the waterfall
    let comparison = fs::read_to_string(results.join("baseline-compare/comparison.csv")).unwrap();
    let row = comparison
        .lines()
        .find(|l| l.starts_with("combined,total_value_realized,"))
        .unwrap();
    let field = |i: usize| row.split(',').nth(i).unwrap().parse::<f64>().unwrap();
    let (mean, diff) = (field(2), field(5));
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(results.join("baseline-compare/manifest.json")).unwrap(),
    )
    .unwrap();
    let reduction = manifest["variance_reduction"]["combined"]["total_value_realized"]
        .as_f64()
        .unwrap();
    let expected = format!(
        "<tr><td>combined</td><td><span title=\"total_value_realized\">Realized value</span> <code class=\"raw\">total_value_realized</code></td><td>{} <span class=\"ci\">",
        shown(mean)
    );
    assert!(html.contains(&expected), "no {expected}");
    let cell = format!("<td>{} <span class=\"ci\">", shown(diff));
    assert!(html.contains(&cell), "no {cell}");
    let ci = &manifest["variance_reduction_ci95"]["combined"]["total_value_realized"];
    let cell = format!(
        "<td>{reduction:.1}× <span class=\"ci\">[{:.1}×, {:.1}×]</span></td>",
        ci[0].as_f64().unwrap(),
        ci[1].as_f64().unwrap()
    );
    assert!(html.contains(&cell), "CRN {cell}");
    let waterfall = fs::read_to_string(results.join("combined-waterfall/waterfall.csv")).unwrap();
    for line in waterfall.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let value: f64 = f[4].parse().unwrap();
        let mut label = f[3].to_string();
        label[..1].make_ascii_uppercase();
        let cell = format!(
            "<tr><td><span title=\"{}\">{label}</span> <code class=\"raw\">{}</code></td><td>{}",
            f[1],
            f[1],
            shown(value)
        );
        assert!(html.contains(&cell), "waterfall row {cell}");
    }
}

#[test]
fn the_report_shows_groups_kinds_and_the_scenarios_own_inhibitors() {
    let dir = tempfile::tempdir().unwrap();
    let html = report_of_results(&dir.path().join("report.html"), &[]);
    let drawn = plots(&html);
    for stem in [
        "equity-value_per_capita",
        "equity-participation_rate",
        "equity-trust_change",
        "kinds-value",
        "kinds-outcomes-municipal-open-data",
        "kinds-outcomes-municipal-open-data-inclusion",
    ] {
        assert!(drawn.iter().any(|s| s == stem), "{stem} not in {drawn:?}");
        assert!(
            dir.path()
                .join(format!("report-figures/{stem}.png"))
                .is_file()
        );
    }
    let text = visible_text(&html);
    assert!(text.contains("Who gains and who is left behind: citizen groups"));
    assert!(text.contains("Which agencies hold things back: agency kinds"));
    // every group of the cases has its row, with the value per capita of
    // breakdown.csv
    let breakdown =
        fs::read_to_string(shared_results().join("cases/municipal-open-data/breakdown.csv"))
            .unwrap();
    let elderly = breakdown
        .lines()
        .find(|l| l.contains(",group,elderly,value_per_capita,"))
        .unwrap();
    let mean: f64 = elderly.split(',').nth(5).unwrap().parse().unwrap();
    assert!(
        text.contains(&shown(mean)),
        "elderly value per capita {mean}"
    );
    // the case's own inhibitor is defined in the method notes, and its
    // targeted inhibitors say whom they act on
    assert!(text.contains("Inhibitors the scenarios define"));
    assert!(html.contains(
        "<code>{ key = &quot;participation.intercept&quot;, op = &quot;add&quot;, by = -0.8 }</code>"
    ));
    assert!(text.contains("= 0.3 (on groups rural)"));
    assert!(text.contains("= 0.6 (on kinds municipal)"));
    // a PVC-2 result says so in the header
    assert!(text.contains("(model PVC-2)"));
}

#[test]
fn the_report_shows_calibrations_and_discoveries_with_their_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let html = report_of_results(&dir.path().join("report.html"), &[]);
    let text = visible_text(&html);
    // the posterior table: each parameter's mean and interval from summary.csv
    let summary = fs::read_to_string(shared_results().join("fit/summary.csv")).unwrap();
    for line in summary.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .skip(1)
            .map(|x| x.parse().unwrap())
            .collect();
        let row = format!(
            "<td>{}</td><td>{}</td><td>[{}, {}]</td>",
            shown(f[0]),
            shown(f[1]),
            shown(f[2]),
            shown(f[4])
        );
        assert!(html.contains(&row), "no {row} in the posterior table");
    }
    // the predictive check names each target in words
    assert!(text.contains("Mean trust at step 5"));
    assert!(text.contains("95% predictive interval"));
    // the chosen box's limits from boxes.csv, and its coverage
    let boxes = fs::read_to_string(shared_results().join("lhs-discovery/boxes.csv")).unwrap();
    let first: Vec<&str> = boxes.lines().nth(1).unwrap().split(',').collect();
    let low: f64 = first[2].parse().unwrap();
    assert!(text.contains(&shown(low)), "box limit {low}");
    let trajectory =
        fs::read_to_string(shared_results().join("lhs-discovery/trajectory.csv")).unwrap();
    let chosen: Vec<&str> = trajectory
        .lines()
        .find(|l| l.ends_with(",true"))
        .unwrap()
        .split(',')
        .collect();
    let coverage: f64 = chosen[2].parse().unwrap();
    assert!(text.contains(&format!("{}%", shown(100.0 * coverage))));
    // the box plot shows every point of the sweep (120), cases and others
    let svg = inline_svg(&html, "box-lhs-discovery-1");
    assert_eq!(svg.matches("<circle").count(), 120);
}

#[test]
fn the_report_says_each_thing_once_and_where_its_numbers_come_from() {
    let dir = tempfile::tempdir().unwrap();
    let html = report_of_results(&dir.path().join("report.html"), &[]);
    let stems = plots(&html);
    // one set of time series, though runs and the comparison both hold them
    assert_eq!(
        stems.iter().filter(|s| s.contains("mean_trust")).count(),
        1,
        "{stems:?}"
    );
    // each scenario's block once, with the folders that hold it (three
    // PVC-1 scenarios and two cases)
    assert_eq!(html.matches("<div class=\"scenario\"").count(), 5);
    for name in ["baseline", "combined", "legal-reform"] {
        assert_eq!(
            html.matches(&format!("<h3>{name}</h3>")).count(),
            1,
            "{name}"
        );
    }
    // each waterfall once: legal-reform's comes from attribute, combined's
    // from waterfall; no two figures are the same picture
    assert_eq!(
        stems.iter().filter(|s| s.starts_with("waterfall-")).count(),
        2
    );
    let figures = dir.path().join("report-figures");
    let mut pngs: Vec<Vec<u8>> = stems
        .iter()
        .map(|s| fs::read(figures.join(format!("{s}.png"))).unwrap())
        .collect();
    let n = pngs.len();
    pngs.sort();
    pngs.dedup();
    assert_eq!(pngs.len(), n, "two figures are byte-identical");
    // which numbers come from which folder, with its replications
    assert!(
        html.contains("from run, 4 replications"),
        "key figures say their source"
    );
    assert!(
        html.contains("6 paired replications"),
        "the comparison says"
    );
    assert!(
        html.contains("ran baseline and legal-reform again with 6 paired replications each"),
        "the key figures say why the comparison's numbers differ"
    );
    // the time series of each scenario from the folder with most replications
    assert!(
        html.contains(
            "baseline, legal-reform and combined from compare, 6 paired replications each"
        ),
        "time series say their source"
    );
}

#[test]
fn sensitivity_bars_and_tables_put_the_most_important_factor_first() {
    let dir = tempfile::tempdir().unwrap();
    let html = report_of_results(&dir.path().join("report.html"), &[]);
    let results = shared_results();
    for (sweep, key) in [("sobol", "st"), ("morris", "mu_star")] {
        // the file's indices of realized value, by importance
        let text = fs::read_to_string(results.join(format!("{sweep}/sensitivity.csv"))).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let mut rows: Vec<(String, f64)> = lines
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f[col("metric")] == "total_value_realized")
            .map(|f| (f[col("factor")].to_string(), f[col(key)].parse().unwrap()))
            .collect();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        let order: Vec<String> = rows
            .iter()
            .map(|(f, _)| cocreate::report::labels::parameter(f))
            .collect();
        // the bars, top to bottom
        let svg = inline_svg(&html, &format!("sensitivity-{sweep}"));
        let labels: Vec<String> = svg_texts(svg)
            .into_iter()
            .filter(|t| order.contains(t))
            .collect();
        assert_eq!(labels, order, "{sweep} bars");
        // the table beside them, in the same order, with intervals for Sobol
        let at = html
            .find(&format!("data-file=\"sensitivity-{sweep}\""))
            .unwrap();
        let table = &html[at..];
        let table = &table[table.find("<table class=\"indices\">").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        let mut last = 0;
        for (i, (factor, _)) in rows.iter().enumerate() {
            let row = format!("<tr><td>{}</td><td><span title=\"{factor}\">", i + 1);
            let here = table
                .find(&row)
                .unwrap_or_else(|| panic!("{sweep}: no {row}"));
            assert!(here >= last, "{sweep}: {factor} out of order");
            last = here;
        }
        if sweep == "sobol" {
            assert!(table.contains("ST, total [95% CI]"));
            assert_eq!(table.matches("<span class=\"ci\">").count(), 2 * rows.len());
        }
    }
}

#[test]
fn plots_and_tables_name_things_in_words_and_keep_the_files_names() {
    let dir = tempfile::tempdir().unwrap();
    let html = report_of_results(&dir.path().join("report.html"), &[]);
    let text = visible_text(&html);
    for raw in [
        "total_value_realized",
        "missing_legal_framework",
        "inhibitors.low_trust",
        "governance.legal_level",
        "participation_rate",
        "trust.gain",
    ] {
        assert!(!text.contains(raw), "`{raw}` shown as text");
        // still there for looking columns up
        assert!(
            html.contains(&format!("<code class=\"raw\">{raw}</code>")),
            "{raw}"
        );
    }
    for readable in [
        "Realized value",
        "Missing legal framework",
        "Low trust",
        "Legal level",
        "Participation rate",
        "Trust gain",
    ] {
        assert!(text.contains(readable), "no {readable}");
    }
    // and in the plots
    for stem in plots(&html) {
        for t in svg_texts(inline_svg(&html, &stem)) {
            assert!(
                !t.contains('_') && !t.starts_with("inhibitors."),
                "{stem}: `{t}`"
            );
        }
    }
}

#[test]
fn the_font_is_embedded_once_in_the_page_and_in_each_svg_file() {
    let dir = tempfile::tempdir().unwrap();
    let html = report_of_results(&dir.path().join("report.html"), &[]);
    // the page declares the font once (regular and bold) for all its plots
    assert_eq!(html.matches("@font-face").count(), 2);
    let head = &html[..html.find("</head>").unwrap()];
    assert_eq!(head.matches("@font-face").count(), 2);
    assert!(head.contains("src:url(data:font/woff;base64,"));
    for stem in plots(&html) {
        let svg = inline_svg(&html, &stem);
        assert!(!svg.contains("@font-face"), "{stem} inline");
        assert!(
            svg.contains("font-family=\"cocreate DejaVu Sans, "),
            "{stem}"
        );
        // each file for papers holds the font itself, and only its glyphs
        let file =
            fs::read_to_string(dir.path().join(format!("report-figures/{stem}.svg"))).unwrap();
        assert_eq!(file.matches("@font-face").count(), 2, "{stem}.svg");
        assert!(file.len() < 60_000, "{stem}.svg: {} bytes", file.len());
    }
    let fonts: usize = head
        .split("base64,")
        .skip(1)
        .map(|f| f.find(')').unwrap())
        .sum();
    assert!(fonts < 40_000, "the fonts take {fonts} bytes of the page");
}

#[test]
fn png_scale_sets_the_size_of_the_png_files() {
    let size = |png: &[u8]| {
        let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
        (be(16), be(20))
    };
    let dir = tempfile::tempdir().unwrap();
    let figures = dir.path().join("report-figures");
    let png = |stem: &str| fs::read(figures.join(format!("{stem}.png"))).unwrap();
    // by default twice the chart's 800 x 500
    report_of_results(&dir.path().join("report.html"), &[]);
    assert_eq!(size(&png("over-time-mean_trust")), (1600, 1000));
    report_of_results(&dir.path().join("report.html"), &["--png-scale", "3"]);
    assert_eq!(size(&png("over-time-mean_trust")), (2400, 1500));
    report_of_results(&dir.path().join("report.html"), &["--png-scale", "1.5"]);
    assert_eq!(size(&png("heatmap-grid")), (1200, 750));
    for bad in ["0.5", "7", "x"] {
        Command::cargo_bin("cocreate")
            .unwrap()
            .args(["report", "--png-scale", bad])
            .arg(shared_results())
            .assert()
            .code(2)
            .stderr(predicates::str::contains("from 1 to 6"));
    }
    Command::cargo_bin("cocreate")
        .unwrap()
        .args(["report", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("--png-scale"));
}

#[test]
#[cfg_attr(
    not(cocreate_browser_tests),
    ignore = "needs headless Chromium: install Debian's `chromium` and set COCREATE_BROWSER_TESTS=1 (.ci/run does both)"
)]
fn the_report_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let html = report_of_results(&page, &[]);
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
    // the embedded fonts load (a browser refuses a damaged font): a page
    // with the report's styles asks for both weights and notes the answer
    let html = fs::read_to_string(page).unwrap();
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap() + 8];
    let probe = page.with_file_name("fonts.html");
    fs::write(
        &probe,
        format!(
            "<html><head>{style}</head><body><script>Promise.all([document.fonts.load('16px \"cocreate DejaVu Sans\"', 'Mean'), document.fonts.load('bold 16px \"cocreate DejaVu Sans\"', 'Mean')]).then(function () {{ document.body.setAttribute('data-fonts', Array.from(document.fonts).map(function (f) {{ return f.weight + ':' + f.status; }}).join(',')); }}, function (e) {{ document.body.setAttribute('data-fonts', 'error ' + e); }});</script></body></html>"
        ),
    )
    .unwrap();
    let probed = std::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", probe.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&probed.stdout);
    assert!(
        dom.contains("data-fonts=\"400:loaded,700:loaded\""),
        "the embedded fonts do not load: {dom}"
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
    let small = ["-r", "2"];
    let base = small_copy("baseline.toml", dir.path());
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
    let small = ["-r", "2"];
    let (base, combined) = (
        small_copy("baseline.toml", dir.path()),
        small_copy("combined.toml", dir.path()),
    );
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
    assert_eq!(
        html.matches("data-file=\"over-time-mean_trust\"").count(),
        1
    );
    assert!(figures.join("over-time-mean_trust.png").exists());
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

/// A small `cocreate run` of `scenario` (a file of scenarios/ or a path)
/// into `dir`.
/// A copy of a scenario file (a shipped one by its name, or any path) with
/// 600 citizens, under its own name (with --set it would be renamed after
/// it), in a folder beside `dir`.
fn small_copy(scenario_file: &str, dir: &Path) -> String {
    let source = if scenario_file.contains('/') {
        PathBuf::from(scenario_file)
    } else {
        PathBuf::from(scenario(scenario_file))
    };
    let folder = dir.with_extension("small-scenarios");
    fs::create_dir_all(&folder).unwrap();
    let file = folder.join(source.file_name().unwrap());
    let text = fs::read_to_string(&source).unwrap();
    fs::write(&file, format!("{text}\n[population]\ncitizens = 600\n")).unwrap();
    file.to_str().unwrap().to_string()
}

fn small_run(scenario_file: &str, dir: &Path) {
    cocreate(&["run", &small_copy(scenario_file, dir), "-r", "2"], dir);
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                pending.push(p);
            } else {
                files.push((p.clone(), fs::read(&p).unwrap_or_default()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_report_never_writes_into_or_over_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    small_run("baseline.toml", &results);
    // a scenario named like the report's figures folder
    let named = dir.path().join("report-figures.toml");
    fs::write(&named, "name = \"report-figures\"\n").unwrap();
    small_run(named.to_str().unwrap(), &results);
    let before = snapshot(&results);
    let report = |args: &[&Path]| {
        let mut c = Command::cargo_bin("cocreate").unwrap();
        c.arg("report");
        for a in args {
            c.arg(a);
        }
        c.assert()
    };
    let out = |p: PathBuf| p;
    // report.html in results/: its figures would replace results/report-figures
    report(&[&results])
        .code(2)
        .stderr(predicates::str::contains("report-figures"))
        .stderr(predicates::str::contains("result folder"));
    // --out over a file it reads
    let summary = results.join("baseline/summary.csv");
    report(&[&results, Path::new("--out"), &summary])
        .code(2)
        .stderr(predicates::str::contains("summary.csv"))
        .stderr(predicates::str::contains("reads"));
    // ... also through a link to it
    let link = dir.path().join("link.html");
    std::os::unix::fs::symlink(&summary, &link).unwrap();
    report(&[&results, Path::new("--out"), &link])
        .code(2)
        .stderr(predicates::str::contains("summary.csv"));
    // --out inside a result folder: its figures would be inside it
    let inside = results.join("baseline/paper.html");
    report(&[&results, Path::new("--out"), &inside])
        .code(2)
        .stderr(predicates::str::contains("paper-figures"))
        .stderr(predicates::str::contains("baseline"));
    // a figures folder that holds result folders
    let holder = dir.path().join("paper-figures");
    small_run("combined.toml", &holder);
    let holder_before = snapshot(&holder);
    report(&[
        &holder,
        Path::new("--out"),
        &out(dir.path().join("paper.html")),
    ])
    .code(2)
    .stderr(predicates::str::contains("paper-figures"));
    assert_eq!(snapshot(&holder), holder_before, "results untouched");
    // nothing was written, nothing changed
    assert_eq!(snapshot(&results), before, "results untouched");
    assert!(!dir.path().join("paper.html").exists());

    // a single result folder: the report goes beside it by default
    report(&[&results.join("baseline")]).success();
    assert!(results.join("baseline-report.html").is_file());
    assert!(results.join("baseline-report-figures").is_dir());
    assert_eq!(
        snapshot(&results.join("baseline")),
        before
            .iter()
            .filter(|(p, _)| p.starts_with(results.join("baseline")))
            .cloned()
            .collect::<Vec<_>>()
    );
}

#[test]
fn links_in_result_folders_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    // a file the report must not quote, linked from a result folder
    let secret = dir.path().join("shadow");
    fs::write(&secret, "root:$6$SECRET-HASH:19000:0:99999:7:::\n").unwrap();
    let results = dir.path().join("results");
    let w = results.join("x-waterfall");
    fs::create_dir_all(&w).unwrap();
    fs::write(w.join("manifest.json"), "{}").unwrap();
    std::os::unix::fs::symlink(&secret, w.join("waterfall.csv")).unwrap();
    let report = |dir: &Path| {
        Command::cargo_bin("cocreate")
            .unwrap()
            .arg("report")
            .arg(dir)
            .arg("--out")
            .arg(dir.with_extension("html"))
            .assert()
    };
    let refused = report(&results)
        .code(2)
        .stderr(predicates::str::contains("waterfall.csv"))
        .stderr(predicates::str::contains("symbolic link"));
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        !stderr.contains("SECRET"),
        "quoted the linked file: {stderr}"
    );
    // a linked manifest too
    fs::remove_file(w.join("waterfall.csv")).unwrap();
    fs::write(w.join("waterfall.csv"), "scenario,step\n").unwrap();
    fs::remove_file(w.join("manifest.json")).unwrap();
    std::os::unix::fs::symlink(&secret, w.join("manifest.json")).unwrap();
    let refused = report(&results)
        .code(2)
        .stderr(predicates::str::contains("manifest.json"))
        .stderr(predicates::str::contains("symbolic link"));
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        !stderr.contains("SECRET"),
        "quoted the linked file: {stderr}"
    );
    fs::remove_dir_all(&w).unwrap();
    assert!(!results.with_extension("html").exists(), "nothing written");

    // a linked folder found while searching is skipped, with a note
    let elsewhere = dir.path().join("elsewhere");
    small_run("baseline.toml", &elsewhere);
    small_run("combined.toml", &results);
    std::os::unix::fs::symlink(elsewhere.join("baseline"), results.join("linked")).unwrap();
    let done = report(&results).success();
    let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    assert!(
        stderr.contains("skipped") && stderr.contains("linked"),
        "{stderr}"
    );
    let html = fs::read_to_string(results.with_extension("html")).unwrap();
    assert!(html.contains("<h3>combined</h3>"));
    assert!(!html.contains("<h3>baseline</h3>"), "the link was followed");
    assert!(
        html.contains("Note: skipped"),
        "the page says what it left out"
    );
    // a folder given by name is read, link or not
    report(&results.join("linked")).success();
}
