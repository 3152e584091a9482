//! Tests of the charts.

use super::*;

const BLUE: (u8, u8, u8) = (0x00, 0x72, 0xB2);
const ORANGE: (u8, u8, u8) = (0xE6, 0x9F, 0x00);

/// Realized value over 60 steps for a scenario and its inhibitor-free
/// twin, with 95% intervals.
fn value_bands() -> Vec<Band> {
    let band = |label: &str, rate: f64, width: f64| {
        let x: Vec<f64> = (0..60).map(f64::from).collect();
        let mean: Vec<f64> = x
            .iter()
            .map(|t| 12_000.0 * (1.0 - (-t / rate).exp()))
            .collect();
        Band {
            label: label.to_owned(),
            low: mean.iter().map(|m| m - width * m.sqrt()).collect(),
            high: mean.iter().map(|m| m + width * m.sqrt()).collect(),
            x,
            mean,
        }
    };
    vec![
        band("scenario", 30.0, 8.0),
        band("inhibitor-free twin", 15.0, 5.0),
    ]
}

fn waterfall_bar(label: &str, kind: BarKind, value: f64, half: f64) -> WaterfallBar {
    WaterfallBar {
        label: label.to_owned(),
        kind,
        value,
        low: value - half,
        high: value + half,
    }
}

/// The value-loss waterfall of a scenario: two totals, five losses and
/// a gain.
fn loss_waterfall() -> Vec<WaterfallBar> {
    use BarKind::{Change, Level};
    vec![
        waterfall_bar("inhibitor-free twin", Level, 12_400.0, 300.0),
        waterfall_bar("lower participation", Change, -1_500.0, 200.0),
        waterfall_bar("unserved citizens", Change, -800.0, 150.0),
        waterfall_bar("less value per interaction", Change, -2_000.0, 250.0),
        waterfall_bar("legal blocks", Change, -1_200.0, 100.0),
        waterfall_bar("not implemented", Change, -2_500.0, 300.0),
        waterfall_bar("co-destruction", Change, 350.0, 120.0),
        waterfall_bar("scenario", Level, 4_750.0, 280.0),
    ]
}

fn group(name: &str, half: f64, values: &[(&str, f64)]) -> BarGroup {
    BarGroup {
        name: name.to_owned(),
        bars: values
            .iter()
            .map(|&(label, value)| Bar {
                label: label.to_owned(),
                value,
                low: value - half,
                high: value + half,
            })
            .collect(),
    }
}

/// First-order and total Sobol indices of four sweep factors.
fn sobol_groups() -> Vec<BarGroup> {
    let factors = [
        "trust.initial",
        "population.citizens",
        "value.destruction_loss",
        "agencies.capacity",
    ];
    let with = |values: [f64; 4]| -> Vec<(&str, f64)> { factors.into_iter().zip(values).collect() };
    vec![
        group("S1", 0.05, &with([0.42, 0.18, 0.05, -0.02])),
        group("ST", 0.05, &with([0.55, 0.27, 0.09, 0.04])),
    ]
}

/// Shapley attribution of the loss to three inhibitors.
fn shapley_group() -> Vec<BarGroup> {
    vec![group(
        "Shapley value",
        300.0,
        &[
            ("low trust", -1_200.0),
            ("missing legal framework", -3_400.0),
            ("digital divide", 250.0),
        ],
    )]
}

/// A 5 × 4 grid, z = x · y, one cell NaN.
fn grid() -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) {
    let xs = vec![0.1, 0.2, 0.1 + 0.2, 0.4, 0.5];
    let ys = vec![100.0, 200.0, 300.0, 400.0];
    let mut z: Vec<Vec<f64>> = ys
        .iter()
        .map(|y| xs.iter().map(|x| x * y).collect())
        .collect();
    z[2][3] = f64::NAN;
    (xs, ys, z)
}

fn grid_chart() -> Chart {
    let (xs, ys, z) = grid();
    heat_map(
        "Realized value over two factors",
        "trust.initial",
        "population.citizens",
        "realized value",
        &xs,
        &ys,
        &z,
    )
}

/// The SVG elements of `tag` filled with `colour` ("#RRGGBB").
fn filled(svg: &str, tag: &str, colour: &str) -> usize {
    let fill = format!("fill=\"{colour}\"");
    svg.lines()
        .filter(|line| line.starts_with(&format!("<{tag} ")) && line.contains(&fill))
        .count()
}

/// The texts of an SVG document.
fn texts(svg: &str) -> Vec<&str> {
    let lines: Vec<&str> = svg.lines().collect();
    lines
        .windows(2)
        .filter(|pair| pair[0].starts_with("<text "))
        .map(|pair| pair[1])
        .collect()
}

/// Pixels of `colour` in a chart drawn as RGB.
fn pixels_of(rgb: &[u8], (r, g, b): (u8, u8, u8)) -> usize {
    rgb.chunks_exact(3).filter(|p| p == &[r, g, b]).count()
}

/// Checks the PNG signature and reads width and height from the IHDR
/// chunk, which must come first.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR", "first chunk");
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    assert!(png.ends_with(b"IEND\xaeB`\x82"), "PNG is complete");
    (be(16), be(20))
}

/// Renders both ways, checks the PNG's size, and returns the SVG and
/// the RGB pixels.
fn render(chart: &Chart) -> (String, Vec<u8>) {
    let svg = chart.svg().expect("SVG");
    assert!(svg.starts_with("<svg "), "{}", &svg[..40.min(svg.len())]);
    assert!(svg.contains(&format!(
        "width=\"{}\" height=\"{}\"",
        chart.width(),
        chart.height()
    )));
    assert!(svg.trim_end().ends_with("</svg>"));
    let png = chart.png(1.0).expect("PNG");
    assert_eq!(png_size(&png), (chart.width(), chart.height()));
    let rgb = chart.rgb(1.0).expect("RGB");
    assert_eq!(rgb.len(), (chart.width() * chart.height() * 3) as usize);
    (svg, rgb)
}

#[test]
fn time_series_shades_each_interval_and_draws_each_line() {
    let chart = time_series(
        "Realized public value",
        "step",
        "realized value",
        &value_bands(),
    );
    let (svg, rgb) = render(&chart);
    let texts = texts(&svg);
    for text in [
        "Realized public value",
        "step",
        "realized value",
        "scenario",
        "inhibitor-free twin",
    ] {
        assert!(texts.contains(&text), "{text} missing in {texts:?}");
    }
    // Text names the embedded font first, and the font is embedded:
    // the same on every machine.
    assert!(svg.contains(&format!("font-family=\"{}\"", text::SVG_FAMILY)));
    assert!(!svg.contains("font-family=\"sans-serif\""));
    assert_eq!(svg.matches("@font-face").count(), 2, "regular and bold");
    assert!(svg.contains("src:url(data:font/woff;base64,"));
    // One shaded interval per band, 20% opaque.
    assert_eq!(filled(&svg, "polygon", "#0072B2"), 1);
    assert_eq!(filled(&svg, "polygon", "#E69F00"), 1);
    assert_eq!(svg.matches("<polygon opacity=\"0.2\"").count(), 2);
    // Each line and its legend entry.
    assert_eq!(
        svg.matches("stroke=\"#0072B2\" stroke-width=\"2\"").count(),
        2
    );
    assert_eq!(
        svg.matches("stroke=\"#E69F00\" stroke-width=\"2\"").count(),
        2
    );
    // Compact ticks: 12,000 reads 12k, 0 reads 0.
    assert!(texts.contains(&"12k") && texts.contains(&"0"), "{texts:?}");
    // The lines were drawn in their colours, not just the text.
    assert!(pixels_of(&rgb, BLUE) > 200, "{}", pixels_of(&rgb, BLUE));
    assert!(pixels_of(&rgb, ORANGE) > 200, "{}", pixels_of(&rgb, ORANGE));
}

#[test]
fn time_series_breaks_at_values_that_are_not_finite() {
    let mut bands = value_bands();
    bands[0].mean[20] = f64::NAN;
    bands[0].high[40] = f64::INFINITY;
    bands[1].x.truncate(30); // shorter x: the rest is ignored
    let (svg, _) = render(&time_series("Gaps", "step", "value", &bands));
    // The first band's interval in two pieces, its line in two pieces
    // (plus the legend's).
    assert_eq!(filled(&svg, "polygon", "#0072B2"), 2);
    assert_eq!(
        svg.matches("stroke=\"#0072B2\" stroke-width=\"2\"").count(),
        3
    );
    assert_eq!(filled(&svg, "polygon", "#E69F00"), 1);
}

#[test]
fn waterfall_stacks_changes_on_the_running_total() {
    let placed = place_waterfall(&loss_waterfall());
    let ends: Vec<(f64, f64)> = placed.iter().map(|b| (b.from, b.to)).collect();
    assert_eq!(
        ends,
        [
            (0.0, 12_400.0),
            (12_400.0, 10_900.0),
            (10_900.0, 10_100.0),
            (10_100.0, 8_100.0),
            (8_100.0, 6_900.0),
            (6_900.0, 4_400.0),
            (4_400.0, 4_750.0),
            (0.0, 4_750.0),
        ]
    );
    // Intervals on the far end: around the running total for a change.
    assert_eq!(
        placed[1].interval,
        Some((12_400.0 - 1_700.0, 12_400.0 - 1_300.0))
    );
    assert_eq!(placed[7].interval, Some((4_470.0, 5_030.0)));
    let colours: Vec<RGBColor> = placed.iter().map(|b| b.colour).collect();
    assert_eq!(colours[0], LEVEL_COLOUR);
    assert_eq!(colours[1], DECREASE_COLOUR);
    assert_eq!(colours[6], INCREASE_COLOUR);
}

#[test]
fn waterfall_draws_one_bar_per_step_in_its_colour() {
    let bars = loss_waterfall();
    let chart = waterfall("Where the value is lost", "realized value", &bars);
    let (svg, rgb) = render(&chart);
    // Bars plus one legend marker per colour.
    assert_eq!(filled(&svg, "rect", "#0072B2"), 2 + 1);
    assert_eq!(filled(&svg, "rect", "#D55E00"), 5 + 1);
    assert_eq!(filled(&svg, "rect", "#009E73"), 1 + 1);
    // One error bar (three strokes) per bar.
    assert_eq!(svg.matches("stroke=\"#000000\"").count(), 8 * 3 + 1);
    let texts = texts(&svg);
    for text in ["Where the value is lost", "realized value", "decrease"] {
        assert!(texts.contains(&text), "{text} missing in {texts:?}");
    }
    // These labels do not fit under 8 upright bars at 800 pixels: the
    // bars lie in rows, each label whole on one line.
    for bar in &bars {
        assert!(texts.contains(&bar.label.as_str()), "{}", bar.label);
    }
    assert!(pixels_of(&rgb, (0xD5, 0x5E, 0x00)) > 1000);
    assert!(pixels_of(&rgb, (0x00, 0x9E, 0x73)) > 100);
}

#[test]
fn waterfall_stands_upright_when_labels_fit_under_the_bars() {
    use BarKind::{Change, Level};
    let bars = [
        waterfall_bar("potential", Level, 100.0, 5.0),
        waterfall_bar("legal blocks", Change, -30.0, 4.0),
        waterfall_bar("realized", Level, 70.0, 5.0),
    ];
    let (svg, _) = render(&waterfall("Three steps", "value", &bars));
    let texts = texts(&svg);
    for text in ["potential", "legal blocks", "realized"] {
        assert!(texts.contains(&text), "{text} missing in {texts:?}");
    }
    // Upright: the label is centred under its bar.
    let number = |line: &str, name: &str| -> i32 {
        let start = line.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        let end = start + line[start..].find('"').expect("quote");
        line[start..end].parse().expect("number")
    };
    let rect = svg
        .lines()
        .find(|l| l.starts_with("<rect ") && l.contains("fill=\"#D55E00\""))
        .expect("decrease bar");
    let lines: Vec<&str> = svg.lines().collect();
    let label = lines
        .windows(2)
        .find(|pair| pair[1] == "legal blocks")
        .map(|pair| pair[0])
        .expect("label");
    assert!(label.contains("text-anchor=\"middle\""), "{label}");
    let middle = number(rect, "x") + number(rect, "width") / 2;
    assert!((number(label, "x") - middle).abs() <= 1, "{rect}\n{label}");
    // A thin line at 0 across the plot.
    assert!(svg.contains("stroke=\"#000000\" stroke-width=\"1\""));
}

#[test]
fn bars_draw_one_rect_per_bar_with_a_legend_for_several_groups() {
    let groups = sobol_groups();
    let chart = bars("Sobol indices of realized value", "index", &groups);
    let (svg, rgb) = render(&chart);
    // Four bars per group, and one legend marker each.
    assert_eq!(filled(&svg, "rect", "#0072B2"), 4 + 1);
    assert_eq!(filled(&svg, "rect", "#E69F00"), 4 + 1);
    let texts = texts(&svg);
    for text in [
        "Sobol indices of realized value",
        "index",
        "S1",
        "ST",
        "trust.initial",
        "value.destruction_loss",
        "0.2",
    ] {
        assert!(texts.contains(&text), "{text} missing in {texts:?}");
    }
    assert!(pixels_of(&rgb, BLUE) > 1000);
    assert!(pixels_of(&rgb, ORANGE) > 1000);
}

#[test]
fn bars_of_one_group_have_no_legend_and_extend_left_when_negative() {
    let chart = bars(
        "Shapley attribution of inhibitors",
        "change in realized value",
        &shapley_group(),
    );
    let (svg, _) = render(&chart);
    assert_eq!(filled(&svg, "rect", "#0072B2"), 3);
    let texts = texts(&svg);
    assert!(!texts.contains(&"Shapley value"), "no legend: {texts:?}");
    assert!(texts.contains(&"missing legal framework"));
    assert!(texts.contains(&"-3000"), "{texts:?}");
    // Each bar starts at the line through 0: the negative ones end there.
    let zero_x = svg
        .lines()
        .find(|l| l.contains("stroke=\"#000000\" stroke-width=\"1\" points="))
        .and_then(|l| l.split("points=\"").nth(1))
        .and_then(|p| p.split(',').next())
        .and_then(|x| x.parse::<i32>().ok())
        .expect("line through 0");
    let rects: Vec<(i32, i32)> = svg
        .lines()
        .filter(|l| l.starts_with("<rect ") && l.contains("fill=\"#0072B2\""))
        .map(|l| {
            let number = |name: &str| -> i32 {
                let start = l.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
                l[start..start + l[start..].find('"').expect("quote")]
                    .parse()
                    .expect("number")
            };
            (number("x"), number("x") + number("width"))
        })
        .collect();
    assert_eq!(rects[0].1, zero_x, "{rects:?}");
    assert_eq!(rects[1].1, zero_x, "{rects:?}");
    assert_eq!(rects[2].0, zero_x, "{rects:?}");
}

#[test]
fn heat_map_colours_cells_on_viridis_and_greys_missing_ones() {
    let chart = grid_chart();
    let (svg, rgb) = render(&chart);
    // The smallest value is the darkest viridis colour, the largest the
    // brightest: one cell each (the colour bar avoids both ends).
    assert_eq!(filled(&svg, "rect", "#440154"), 1);
    assert_eq!(filled(&svg, "rect", "#FDE725"), 1);
    // The NaN cell, and the swatch under the colour bar.
    assert_eq!(filled(&svg, "rect", "#B4B4B4"), 2);
    let texts = texts(&svg);
    for text in [
        "Realized value over two factors",
        "trust.initial",
        "population.citizens",
        "realized value",
        "no value",
        "0.3",
        "400",
        "200",
    ] {
        assert!(texts.contains(&text), "{text} missing in {texts:?}");
    }
    assert!(!svg.contains("0.30000000000000004"));
    assert!(pixels_of(&rgb, (0x44, 0x01, 0x54)) > 1000);
    assert!(pixels_of(&rgb, (0xFD, 0xE7, 0x25)) > 1000);
}

#[test]
fn heat_map_without_missing_cells_has_no_note() {
    let (xs, ys, mut z) = grid();
    z[2][3] = 120.0;
    let chart = heat_map("Complete", "x", "y", "z", &xs, &ys, &z);
    let (svg, _) = render(&chart);
    assert_eq!(filled(&svg, "rect", "#B4B4B4"), 0);
    assert!(!texts(&svg).contains(&MISSING_NOTE));
}

#[test]
fn empty_charts_render_a_frame_that_says_no_data() {
    let (xs, ys, _) = grid();
    let nan = f64::NAN;
    let charts = [
        time_series("No bands", "step", "value", &[]),
        time_series(
            "Only NaN",
            "step",
            "value",
            &[Band {
                label: "a".into(),
                x: vec![0.0, 1.0],
                mean: vec![nan, nan],
                low: vec![nan, nan],
                high: vec![nan, nan],
            }],
        ),
        waterfall("No bars", "value", &[]),
        waterfall(
            "Only NaN",
            "value",
            &[waterfall_bar("a", BarKind::Level, nan, 1.0)],
        ),
        bars("No groups", "value", &[]),
        bars("Empty group", "value", &[group("g", 1.0, &[])]),
        heat_map("No grid", "x", "y", "z", &[], &[], &[]),
        heat_map("No values", "x", "y", "z", &xs, &ys, &[]),
    ];
    for chart in &charts {
        let (svg, _) = render(chart);
        let texts = texts(&svg);
        assert!(texts.contains(&"no data"), "{}: {texts:?}", chart.title);
        assert!(texts.contains(&chart.title.as_str()));
    }
}

#[test]
fn degenerate_data_renders_without_panicking() {
    let inf = f64::INFINITY;
    let nan = f64::NAN;
    let flat = Band {
        label: "flat".into(),
        x: vec![5.0; 3],
        mean: vec![7.0; 3],
        low: vec![7.0; 3],
        high: vec![7.0; 3],
    };
    let one = Band {
        label: "one point".into(),
        x: vec![1.0],
        mean: vec![-2.0],
        low: vec![-3.0],
        high: vec![-1.0],
    };
    let wild = Band {
        label: String::new(),
        x: vec![0.0, 1.0, 2.0, inf, 4.0],
        mean: vec![-1e9, nan, -3e9, 1.0, -inf],
        low: vec![-2e9, -1e9, -4e9, 0.0, 0.0],
        high: vec![0.0, 1e9, -2e9, 2.0, inf],
    };
    use BarKind::{Change, Level};
    let charts = [
        time_series("Flat", "x", "y", std::slice::from_ref(&flat)),
        time_series("One point", "x", "y", &[one]),
        time_series("Wild", "x", "y", &[wild, flat]),
        time_series("", "", "", &value_bands()),
        waterfall("All zero", "v", &[waterfall_bar("a", Level, 0.0, 0.0)]),
        waterfall(
            "Losses below 0",
            "v",
            &[
                waterfall_bar("a", Change, -5.0, 1.0),
                waterfall_bar("b", Change, nan, 1.0),
                waterfall_bar("c", Change, -5.0, inf),
                waterfall_bar("d", Level, -10.0, 0.5),
            ],
        ),
        bars(
            "Tiny",
            "v",
            &[group("g", 1e-9, &[("a", 3e-8), ("b", -1e-8)])],
        ),
        bars("Zero", "v", &[group("g", 0.0, &[("a", 0.0)])]),
        bars(
            "Uneven groups",
            "v",
            &[
                group("a", 1.0, &[("x", 1.0), ("y", 2.0)]),
                group("b", 1.0, &[("x", 3.0)]),
                group("c", 1.0, &[("x", nan), ("y", 2.0), ("z", 9.0)]),
            ],
        ),
        heat_map("One cell", "x", "y", "z", &[3.0], &[0.0], &[vec![2.0]]),
        heat_map(
            "Odd grid",
            "x",
            "y",
            "z",
            &[1.0, nan, 10.0, 1000.0],
            &[-1.0, -0.5],
            &[vec![1.0, 2.0, 3.0, 3.0], vec![3.0]],
        ),
        heat_map(
            "Big numbers",
            "x",
            "y",
            "z",
            &[10_000.0, 20_000.0],
            &[1e6, 2e6],
            &[vec![1e12, 2e12], vec![3e12, 4e12]],
        ),
    ];
    for chart in &charts {
        render(chart);
        render(&chart.clone().with_size(400, 300));
    }
}

#[test]
fn png_has_the_requested_size() {
    let chart = grid_chart().with_size(640, 360);
    assert_eq!(png_size(&chart.png(1.0).unwrap()), (640, 360));
    let tiny = grid_chart().with_size(1, 1);
    assert_eq!((tiny.width(), tiny.height()), MIN_SIZE);
    assert_eq!(png_size(&tiny.png(1.0).unwrap()), MIN_SIZE);
}

#[test]
fn charts_render_on_several_threads_at_once() {
    let charts = [
        time_series("a", "x", "y", &value_bands()),
        waterfall("b", "y", &loss_waterfall()),
        bars("c", "x", &sobol_groups()),
        grid_chart(),
    ];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let chart = &charts[i % charts.len()];
                scope.spawn(move || {
                    let png = chart.png(1.0).expect("PNG");
                    let rgb = chart.rgb(1.0).expect("RGB");
                    (chart.svg().expect("SVG"), png_size(&png), rgb)
                })
            })
            .collect();
        for (i, handle) in handles.into_iter().enumerate() {
            let (svg, size, rgb) = handle.join().expect("no panic");
            let chart = &charts[i % charts.len()];
            assert!(svg.contains(&format!(">\n{}\n</text>", chart.title)));
            assert_eq!(size, (800, 500));
            // The same picture as drawn alone.
            assert!(rgb == chart.rgb(1.0).expect("RGB"), "chart {i} differs");
        }
    });
}

#[test]
fn ticks_are_round_and_compact() {
    let format = |lo: f64, hi: f64, n: usize| -> Vec<String> {
        let (ticks, format) = nice_ticks(&(lo..hi), n);
        ticks.into_iter().map(|t| format.format(t)).collect()
    };
    assert_eq!(
        format(0.0, 12_500.0, 7),
        ["0", "2k", "4k", "6k", "8k", "10k", "12k"]
    );
    assert_eq!(
        format(0.0, 1.0, 5),
        ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    );
    assert_eq!(
        format(0.25, 0.45, 4),
        ["0.25", "0.30", "0.35", "0.40", "0.45"]
    );
    assert_eq!(format(-3.5, -0.5, 3), ["-3", "-2", "-1"]);
    assert_eq!(
        format(10_050.0, 10_450.0, 4),
        ["10.1k", "10.2k", "10.3k", "10.4k"]
    );
    assert_eq!(format(0.0, 3e6, 3), ["0", "1M", "2M", "3M"]);
    assert_eq!(format(0.0, 2e-7, 2), ["0.00e0", "1.00e-7", "2.00e-7"]);
}

#[test]
fn ticks_at_given_values_read_like_round_ticks() {
    let format = |values: &[f64]| -> Vec<String> {
        let f = TickFormat::for_values(values);
        values.iter().map(|&v| f.format(v)).collect()
    };
    // one number of decimals along the axis, as on every other axis
    // (not "0.25", "0.5", "0.75", "1")
    assert_eq!(
        format(&[0.25, 0.5, 0.75, 1.0]),
        ["0.25", "0.50", "0.75", "1.00"]
    );
    assert_eq!(format(&[0.1, 0.2, 0.1 + 0.2]), ["0.1", "0.2", "0.3"]);
    assert_eq!(format(&[10.0, 20.0, 40.0]), ["10", "20", "40"]);
    assert_eq!(format(&[12_000.0, 12_500.0]), ["12.0k", "12.5k"]);
    assert_eq!(format(&[-0.0, 2.5e-3]), ["0", "0.0025"]);
    assert_eq!(format(&[1234.5]), ["1234.5"]);
    // levels of a Morris design: thirds, told apart in two decimals
    let thirds = [0.05, 0.05 + 0.35 / 3.0, 0.05 + 0.7 / 3.0, 0.4];
    assert_eq!(format(&thirds), ["0.05", "0.17", "0.28", "0.40"]);
}

#[test]
fn degenerate_ranges_are_widened() {
    assert_eq!(axis_range(0.0, 0.0, true, true), -1.0..1.0);
    assert_eq!(axis_range(50.0, 50.0, true, true), 45.0..55.0);
    assert_eq!(axis_range(-50.0, -50.0, false, false), -55.0..-45.0);
    assert_eq!(axis_range(0.0, 10.0, false, true), 0.0..10.5);
    let mut extent = Extent::default();
    [-2.0, f64::NAN, -4.0]
        .into_iter()
        .for_each(|v| extent.add(v));
    assert_eq!(value_range(extent), -4.2..0.0);
}

#[test]
fn viridis_runs_from_purple_to_yellow() {
    assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
    assert_eq!(viridis(0.5), RGBColor(0x21, 0x91, 0x8C));
    assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
    assert_eq!(viridis(f64::NAN), viridis(0.0));
    assert_eq!(viridis(7.0), viridis(1.0));
}

/// Places a legend of `labels` on a 700 × 400 plot with an 8-pixel
/// character width, returning the plot's and the legend's rectangles.
fn place(labels: &[&str], occupancy: &Occupancy) -> (Rect, Rect, LegendBox) {
    let size = (790, 460);
    let layout = Layout::new(70, 60, 20);
    let width_of = |text: &str| Ok(8 * text.chars().count() as u32);
    let (layout, legend) = place_legend(size, layout, labels, occupancy, width_of).expect("placed");
    (plot_rect(size, &layout), legend.rect, legend)
}

#[test]
fn legend_goes_to_a_corner_free_of_data() {
    let axis = Axis::numeric(0.0..1.0, 5, "");
    let labels = ["scenario", "twin"];
    let corner = |occupancy: &Occupancy| {
        let (plot, legend, _) = place(&labels, occupancy);
        assert!(plot.contains(&legend), "{legend:?} inside {plot:?}");
        let right = legend.x1 > (plot.x0 + plot.x1) / 2;
        let upper = legend.y1 < (plot.y0 + plot.y1) / 2;
        (upper, right)
    };
    // A rising line: the upper left is free.
    let rising: Vec<(f64, f64)> = (0..=10)
        .map(|i| (i as f64 / 10.0, i as f64 / 10.0))
        .collect();
    let mut occupancy = Occupancy::new(&axis, &axis);
    occupancy.path(&rising);
    assert_eq!(corner(&occupancy), (true, false));
    // Bars on the left: the upper right is free.
    let mut occupancy = Occupancy::new(&axis, &axis);
    occupancy.rect((0.0, 0.0), (0.2, 0.9));
    assert_eq!(corner(&occupancy), (true, true));
    // Bars on the right and in the upper left: the lower left is free.
    let mut occupancy = Occupancy::new(&axis, &axis);
    occupancy.rect((0.6, 0.0), (1.0, 1.0));
    occupancy.rect((0.0, 0.5), (0.2, 1.0));
    assert_eq!(corner(&occupancy), (false, false));
}

#[test]
fn legend_goes_outside_the_plot_when_every_corner_holds_data() {
    let axis = Axis::numeric(0.0..1.0, 5, "");
    // Bands along the top and the bottom, and a line across: no corner
    // is free.
    let mut occupancy = Occupancy::new(&axis, &axis);
    let along = |level: f64| -> Vec<[f64; 3]> {
        (0..=10)
            .map(|i| [i as f64 / 10.0, level - 0.1, level + 0.1])
            .collect()
    };
    occupancy.band(&along(0.9));
    occupancy.band(&along(0.1));
    occupancy.path(&[(0.0, 0.2), (1.0, 0.8)]);
    let image = Rect::at(0, 0, 790, 460);

    // Under the plot, entries side by side; the plot keeps its width
    // (it only gets shorter), so plots line up across charts.
    let full = plot_rect((790, 460), &Layout::new(70, 60, 20));
    let long = [
        "a scenario with a very long name indeed",
        "its inhibitor-free twin",
    ];
    for labels in [&long[..], &["scenario", "inhibitor-free twin"][..]] {
        let (plot, legend, placed) = place(labels, &occupancy);
        assert!(!legend.intersects(&plot), "{legend:?} in {plot:?}");
        assert!(image.contains(&legend), "{legend:?} cut");
        assert!(legend.y0 > plot.y1 + 60, "under the axis title: {legend:?}");
        assert_eq!((plot.x0, plot.x1), (full.x0, full.x1), "as wide");
        assert_eq!(placed.columns, 2);
        assert_eq!(placed.labels, labels);
    }

    // Labels too long for the width are shortened, not cut.
    let longest = "x".repeat(200);
    let (plot, legend, placed) = place(&[&longest, "twin"], &occupancy);
    assert!(
        !legend.intersects(&plot) && image.contains(&legend),
        "{legend:?}"
    );
    assert!(placed.labels[0].ends_with('…'), "{:?}", placed.labels);
    assert_eq!(placed.labels[1], "twin");
}

/// Participation in three scenarios whose intervals reach into every
/// corner of the plot.
fn crowded_bands() -> Vec<Band> {
    let band = |label: &str, level: fn(f64) -> f64, half: f64| {
        let x: Vec<f64> = (0..60).map(f64::from).collect();
        let mean: Vec<f64> = x.iter().map(|&t| level(t)).collect();
        Band {
            label: label.to_owned(),
            low: mean.iter().map(|m| m - half).collect(),
            high: mean.iter().map(|m| m + half).collect(),
            x,
            mean,
        }
    };
    vec![
        band("baseline", |t| 0.85 - 0.1 * (-t / 6.0).exp(), 0.08),
        band("legal reform", |t| 0.12 + 0.04 * t / 60.0, 0.08),
        band("combined interventions", |t| 0.1 + 0.75 * t / 59.0, 0.1),
    ]
}

/// The rectangle of the SVG element `line` (a `rect`).
fn svg_rect(line: &str) -> Rect {
    let number = |name: &str| -> i32 {
        let start = line.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        line[start..start + line[start..].find('"').expect("quote")]
            .parse()
            .expect("number")
    };
    let (x, y) = (number("x"), number("y"));
    Rect {
        x0: x,
        y0: y,
        x1: x + number("width"),
        y1: y + number("height"),
    }
}

/// The plotting area of an SVG chart, within its axes: the y axis is
/// its first vertical axis-coloured line longer than a tick mark, the x
/// axis the first such horizontal one.
fn svg_plot_area(svg: &str) -> Rect {
    let lines = svg.lines().filter(|l| l.contains("stroke=\"#404040\""));
    let segments = lines.filter_map(|l| {
        let points = l.split("points=\"").nth(1)?.split('"').next()?;
        let numbers: Vec<i32> = points
            .split([',', ' '])
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().expect("number"))
            .collect();
        (numbers.len() == 4).then(|| [numbers[0], numbers[1], numbers[2], numbers[3]])
    });
    let (mut y_axis, mut x_axis) = (None, None);
    for [x0, y0, x1, y1] in segments {
        if x0 == x1 && (y1 - y0).abs() > 20 {
            y_axis = y_axis.or(Some((x0, y0.min(y1))));
        }
        if y0 == y1 && (x1 - x0).abs() > 20 {
            x_axis = x_axis.or(Some((y0, x0.max(x1))));
        }
    }
    let ((x0, y0), (y1, x1)) = (y_axis.expect("y axis"), x_axis.expect("x axis"));
    Rect { x0, y0, x1, y1 }
}

/// The legend's box in an SVG chart: the rectangle outlined in grey.
fn svg_legend(svg: &str) -> Rect {
    let line = svg
        .lines()
        .find(|l| l.starts_with("<rect ") && l.contains("stroke=\"#808080\""))
        .expect("legend box");
    svg_rect(line)
}

/// Whether the outline of `rect` is drawn in `colour` in a chart drawn
/// as RGB, `width` pixels wide.
fn outlined(rgb: &[u8], width: u32, rect: Rect, (r, g, b): (u8, u8, u8)) -> bool {
    let at = |x: i32, y: i32| {
        let k = (y as usize * width as usize + x as usize) * 3;
        rgb[k..k + 3] == [r, g, b]
    };
    (rect.x0..=rect.x1).all(|x| at(x, rect.y0) && at(x, rect.y1))
        && (rect.y0..=rect.y1).all(|y| at(rect.x0, y) && at(rect.x1, y))
}

/// Checks that the legend of `chart` lies outside its plot, whole, in
/// the same place in SVG and PNG, and names `labels`.
fn assert_legend_outside(chart: &Chart, labels: &[&str]) {
    let (svg, rgb) = render(chart);
    let (plot, legend) = (svg_plot_area(&svg), svg_legend(&svg));
    assert!(
        !legend.intersects(&plot),
        "legend {legend:?} in plot {plot:?}"
    );
    let image = Rect::at(0, 0, chart.width(), chart.height());
    assert!(image.contains(&legend), "legend {legend:?} cut");
    // The legend's grey outline is where the SVG has it.
    let grey = (0x80, 0x80, 0x80);
    assert!(outlined(&rgb, chart.width(), legend, grey), "PNG and SVG");
    let texts = texts(&svg);
    for label in labels {
        assert!(texts.contains(label), "{label} missing in {texts:?}");
    }
}

#[test]
fn legend_leaves_the_plot_when_data_fill_every_corner() {
    let bands = crowded_bands();
    let labels: Vec<&str> = bands.iter().map(|b| b.label.as_str()).collect();
    let chart = time_series("Participation", "step (month)", "participants", &bands);
    assert_legend_outside(&chart, &labels);
    // Bars reaching every corner, in three groups.
    let values = |long: f64| {
        let values = [long, 0.2, 0.3, long];
        ["a", "b", "c", "d"]
            .into_iter()
            .zip(values)
            .collect::<Vec<_>>()
    };
    let groups = [
        group("first order", 0.02, &values(0.9)),
        group("total", 0.02, &values(0.95)),
        group("second order", 0.02, &values(0.85)),
    ];
    let chart = bars("Sobol indices", "index", &groups);
    assert_legend_outside(&chart, &["first order", "total", "second order"]);
}

#[test]
fn plots_of_one_size_have_one_width() {
    // ticks "0" to "12k" with the legend inside; ticks "0.0" to "1.0"
    // with the legend under the plot; a flat line around 300
    let flat = Band {
        label: "baseline".into(),
        x: (0..60).map(f64::from).collect(),
        mean: vec![300.0; 60],
        low: vec![295.0; 60],
        high: vec![305.0; 60],
    };
    let charts = [
        time_series("Value", "step", "value", &value_bands()),
        time_series("Participation", "step (month)", "share", &crowded_bands()),
        time_series("Value per step", "step", "value", &[flat]),
    ];
    let areas: Vec<Rect> = charts
        .iter()
        .map(|c| svg_plot_area(&c.svg().expect("SVG")))
        .collect();
    for area in &areas {
        assert_eq!((area.x0, area.x1), (areas[0].x0, areas[0].x1), "{areas:?}");
    }
}

#[test]
fn png_text_is_as_wide_as_the_svg_says() {
    // the title, bold 20 px, centred: its ink spans its advance less the
    // side bearings of its first and last letters (M: 188 units, t: 47)
    let title = "Mean trust in government";
    let chart = time_series(title, "step", "value", &value_bands());
    let rgb = chart.rgb(1.0).expect("RGB");
    let width = chart.width() as usize;
    let inked = |x: usize| (0..40).any(|y| rgb[(y * width + x) * 3] < 128);
    let first = (0..width).find(|&x| inked(x)).expect("ink");
    let last = (0..width).rev().find(|&x| inked(x)).expect("ink");
    let advance = text::face(true).width(title, TITLE_PX);
    let expected = advance - (188.0 + 47.0) * TITLE_PX / 2048.0;
    let measured = (last - first + 1) as f64;
    assert!(
        (measured - expected).abs() <= 2.0,
        "ink {measured} px, the SVG's text {expected:.1} px"
    );
    // at scale 2, twice as wide
    let rgb = chart.rgb(2.0).expect("RGB");
    let width = 2 * chart.width() as usize;
    let inked = |x: usize| (0..80).any(|y| rgb[(y * width + x) * 3] < 128);
    let first = (0..width).find(|&x| inked(x)).expect("ink");
    let last = (0..width).rev().find(|&x| inked(x)).expect("ink");
    let measured = (last - first + 1) as f64;
    assert!((measured - 2.0 * expected).abs() <= 3.0, "{measured}");
}

#[test]
fn png_scale_draws_a_larger_picture_of_the_same_chart() {
    let chart = grid_chart();
    assert_eq!(png_size(&chart.png(2.0).unwrap()), (1600, 1000));
    assert_eq!(png_size(&chart.png(1.5).unwrap()), (1200, 750));
    // kept from 1 to 6, and within 8000 pixels
    assert_eq!(png_size(&chart.png(0.1).unwrap()), (800, 500));
    let wide = chart.clone().with_size(4000, 500);
    assert_eq!(png_size(&wide.png(6.0).unwrap()), (8000, 1000));
    // the same picture: each pixel of the plain one is a 2 x 2 block,
    // give or take the edges of shapes and the text
    let (one, two) = (chart.rgb(1.0).unwrap(), chart.rgb(2.0).unwrap());
    let (w, h) = (800usize, 500usize);
    let mut same = 0;
    for y in 0..h {
        for x in 0..w {
            let a = &one[(y * w + x) * 3..][..3];
            let b = &two[((2 * y) * 2 * w + 2 * x) * 3..][..3];
            same += usize::from(a == b);
        }
    }
    assert!(same > w * h * 95 / 100, "{same} of {}", w * h);
}

/// Writes every chart of these tests to the folder `$PLOT_DUMP`, to
/// look at: `PLOT_DUMP=/tmp/plots cargo test --lib report -- --ignored`.
#[test]
#[ignore = "writes files to look at"]
fn dump() {
    let dir = std::env::var("PLOT_DUMP").expect("PLOT_DUMP names a folder");
    use BarKind::{Change, Level};
    let short = [
        waterfall_bar("potential", Level, 100.0, 5.0),
        waterfall_bar("legal blocks", Change, -30.0, 4.0),
        waterfall_bar("gain", Change, 10.0, 4.0),
        waterfall_bar("realized", Level, 80.0, 5.0),
    ];
    let charts = [
        (
            "time_series",
            time_series(
                "Realized public value",
                "step",
                "realized value",
                &value_bands(),
            ),
        ),
        (
            "waterfall",
            waterfall(
                "Where the value is lost",
                "realized value",
                &loss_waterfall(),
            ),
        ),
        (
            "waterfall_upright",
            waterfall("Three steps", "value", &short),
        ),
        (
            "sobol",
            bars("Sobol indices of realized value", "index", &sobol_groups()),
        ),
        (
            "shapley",
            bars(
                "Shapley attribution of inhibitors",
                "change in realized value",
                &shapley_group(),
            ),
        ),
        (
            "crowded",
            time_series(
                "Participation",
                "step (month)",
                "participants",
                &crowded_bands(),
            ),
        ),
        (
            "crowded_small",
            time_series("Participation", "step", "participants", &crowded_bands())
                .with_size(320, 240),
        ),
        ("crowded_long", {
            let mut bands = crowded_bands();
            bands[0].label = "baseline with every inhibitor switched on".to_owned();
            bands[2].label = "combined interventions and legal reform".to_owned();
            time_series("Participation", "step (month)", "participants", &bands)
        }),
        ("heat_map", grid_chart()),
        ("empty", time_series("Nothing yet", "step", "value", &[])),
    ];
    for (name, chart) in charts {
        std::fs::write(format!("{dir}/{name}.svg"), chart.svg().unwrap()).unwrap();
        std::fs::write(format!("{dir}/{name}.png"), chart.png(2.0).unwrap()).unwrap();
    }
}

#[test]
fn scatter_draws_every_finite_point_its_regions_and_a_colour_bar() {
    let set = |label: &str, n: usize, shade: bool| Points {
        label: label.into(),
        x: (0..n).map(|i| i as f64 / n as f64).collect(),
        y: (0..n).map(|i| ((i * 7) % n) as f64).collect(),
        joined: false,
        radius: 3,
        shade: shade.then(|| (0..n).map(|i| i as f64).collect()),
    };
    let mut cases = set("cases", 30, false);
    cases.x[4] = f64::NAN; // left out
    let chart = scatter(
        "Cases over two factors",
        "legal level",
        "trust",
        "",
        &[set("others", 20, false), cases],
        &[Region {
            label: "box 1".into(),
            x: (0.2, 0.6),
            y: (3.0, f64::INFINITY),
        }],
    );
    let (svg, _) = render(&chart);
    assert_eq!(svg.matches("<circle").count(), 20 + 29);
    for text in ["Cases over two factors", "others", "cases", "box 1"] {
        assert!(texts(&svg).contains(&text), "{text}");
    }
    // points shaded by a value: a colour bar titled with it, no palette colour
    let chart = scatter("Particles", "a", "b", "weight", &[set("", 40, true)], &[]);
    let (svg, _) = render(&chart);
    assert!(texts(&svg).contains(&"weight"));
    assert_eq!(svg.matches("<circle").count(), 40);
    assert!(!svg.contains("fill=\"#0072B2\""));
    // joined points draw a line; nothing finite draws the empty frame
    let mut line = set("trajectory", 10, false);
    line.joined = true;
    let (svg, _) = render(&scatter("Peeling", "coverage", "density", "", &[line], &[]));
    assert!(svg.contains("<polyline"));
    let empty = Points {
        x: vec![f64::NAN],
        ..set("", 1, false)
    };
    let (svg, _) = render(&scatter("Nothing", "x", "y", "", &[empty], &[]));
    assert!(texts(&svg).contains(&"no data"));
}
