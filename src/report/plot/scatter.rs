//! Scatter plots: sets of dots (or of dots joined in order), optionally
//! coloured on the viridis scale with a colour bar, and outlined regions.

use super::*;

pub(super) fn draw_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: [&str; 3],
    sets: &[Points],
    regions: &[Region],
) -> Result<(), PlotError> {
    let [x_label, y_label, z_label] = labels;
    let finite_points = |set: &Points| -> Vec<(f64, f64)> {
        set.x
            .iter()
            .zip(&set.y)
            .filter_map(|(&x, &y)| finite([x, y]).map(|[x, y]| (x, y)))
            .collect()
    };
    let (mut x_extent, mut y_extent, mut z_extent) =
        (Extent::default(), Extent::default(), Extent::default());
    for set in sets {
        for (x, y) in finite_points(set) {
            x_extent.add(x);
            y_extent.add(y);
        }
        for &z in set.shade.iter().flatten() {
            if z.is_finite() {
                z_extent.add(z);
            }
        }
    }
    let Some(((x_lo, x_hi), (y_lo, y_hi))) = x_extent.get().zip(y_extent.get()) else {
        return draw_no_data(area, x_label, y_label);
    };
    // regions are drawn within the data's extent
    let (x_lo, x_hi, y_lo, y_hi) = regions.iter().fold((x_lo, x_hi, y_lo, y_hi), |e, r| {
        let clip = |v: f64, lo: f64, hi: f64| if v.is_finite() { v } else { v.clamp(lo, hi) };
        (
            e.0.min(clip(r.x.0, e.0, e.1)),
            e.1.max(clip(r.x.1, e.0, e.1)),
            e.2.min(clip(r.y.0, e.2, e.3)),
            e.3.max(clip(r.y.1, e.2, e.3)),
        )
    });
    let (width, height) = area.dim_in_pixel();
    let x = Axis::numeric(
        axis_range(x_lo, x_hi, true, true),
        tick_count(width, 100),
        x_label,
    );
    let y = Axis::numeric(
        axis_range(y_lo, y_hi, true, true),
        tick_count(height, 55),
        y_label,
    );
    // a colour bar on the right when dots are shaded
    let z_axis = z_extent.get().map(|(lo, hi)| {
        Axis::numeric(
            axis_range(lo, hi, false, false),
            tick_count(height, 55),
            z_label,
        )
    });
    let (main, z_tick_width) = match &z_axis {
        Some(z) => {
            let tick_width = widest(area, z.tick_labels(), &font(TICK_PX))?;
            let side = COLOUR_BAR_GAP
                + COLOUR_BAR_WIDTH
                + COLOUR_BAR_TICK
                + 12
                + tick_width
                + axis_title_room(z_label);
            (
                area.split_horizontally(width.saturating_sub(side)).0,
                tick_width,
            )
        }
        None => (area.clone(), 0),
    };
    let mut layout = numeric_layout(&main, &x, &y)?;
    if z_axis.is_some() {
        layout.right = 0;
    }
    let colour_of = |i: usize| series_colour(i);
    let mut entries: Vec<LegendEntry> = sets
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.label.is_empty())
        .map(|(i, s)| LegendEntry {
            label: s.label.clone(),
            marker: if s.joined {
                Marker::Line(colour_of(i))
            } else {
                Marker::Square(colour_of(i))
            },
        })
        .collect();
    entries.extend(
        regions
            .iter()
            .filter(|r| !r.label.is_empty())
            .map(|r| LegendEntry {
                label: r.label.clone(),
                marker: Marker::Line(AXIS_COLOUR),
            }),
    );
    let mut legend = None;
    if !entries.is_empty() {
        let mut occupancy = Occupancy::new(&x, &y);
        for set in sets {
            let points = finite_points(set);
            if set.joined {
                occupancy.path(&points);
            }
            points.iter().for_each(|&p| occupancy.rect(p, p));
        }
        let (with_legend, placed) = legend_layout(&main, layout, &entries, &occupancy)?;
        layout = with_legend;
        legend = Some(placed);
    }
    let mut chart = frame(&main, &x, &y, layout)?;
    let clip = |v: f64, r: &Range<f64>| v.clamp(r.start, r.end);
    for r in regions {
        let corners = [
            (clip(r.x.0, &x.range), clip(r.y.0, &y.range)),
            (clip(r.x.1, &x.range), clip(r.y.1, &y.range)),
        ];
        chart
            .draw_series([Rectangle::new(corners, AXIS_COLOUR.mix(0.06).filled())])
            .map_err(drawing_error)?;
        chart
            .draw_series([Rectangle::new(corners, AXIS_COLOUR.stroke_width(2))])
            .map_err(drawing_error)?;
    }
    let z_span = z_axis.as_ref().map_or(1.0, |z| z.range.end - z.range.start);
    let z_start = z_axis.as_ref().map_or(0.0, |z| z.range.start);
    for (i, set) in sets.iter().enumerate() {
        let colour = colour_of(i);
        let points = finite_points(set);
        if set.joined {
            chart
                .draw_series([PathElement::new(points.clone(), colour.stroke_width(2))])
                .map_err(drawing_error)?;
        }
        if set.radius == 0 {
            continue;
        }
        let radius = set.radius as i32;
        let dots = set
            .x
            .iter()
            .zip(&set.y)
            .enumerate()
            .filter_map(|(k, (&px, &py))| {
                let [px, py] = finite([px, py])?;
                let fill = match &set.shade {
                    Some(z) => viridis((z.get(k).copied().unwrap_or(f64::NAN) - z_start) / z_span),
                    None => colour,
                };
                Some(Circle::new((px, py), radius, fill.mix(0.8).filled()))
            });
        chart.draw_series(dots).map_err(drawing_error)?;
    }
    if let Some(legend) = legend {
        draw_legend(&main, &entries, &legend)?;
    }
    if let Some(z) = &z_axis {
        let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
        let bar = ColourBar {
            left: plot_x.end + COLOUR_BAR_GAP as i32,
            top: plot_y.start,
            bottom: plot_y.end - 1,
        };
        bar.draw(area, z, z_tick_width)?;
    }
    Ok(())
}
