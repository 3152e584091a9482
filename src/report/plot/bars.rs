//! Grouped horizontal bars with error bars.

use super::*;

pub(super) fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    value_label: &str,
    groups: &[BarGroup],
) -> Result<(), PlotError> {
    let labels: Vec<&str> = groups
        .first()
        .map(|g| g.bars.iter().map(|b| b.label.as_str()).collect())
        .unwrap_or_default();
    let rows = labels.len();
    // Each group's bars with a finite value, with their rows.
    let drawn: Vec<Vec<(usize, &Bar)>> = groups
        .iter()
        .map(|g| {
            g.bars
                .iter()
                .take(rows)
                .enumerate()
                .filter(|(_, b)| b.value.is_finite())
                .collect()
        })
        .collect();
    let mut extent = Extent::default();
    for &(_, bar) in drawn.iter().flatten() {
        extent.add(bar.value);
        if let Some([lo, hi]) = finite([bar.low, bar.high]) {
            extent.add(lo);
            extent.add(hi);
        }
    }
    if extent.get().is_none() {
        return draw_no_data(area, value_label, "");
    }

    let (width, _) = area.dim_in_pixel();
    let x = Axis::numeric(value_range(extent), tick_count(width, 100), value_label);
    let y = Axis::categories(rows);
    let mut layout = Layout::rows(area, &labels, &x)?;

    // Row r is drawn at y = rows − 1 − r, so that the first row is on top.
    // The groups share 80% of a row's height, the first on top.
    let share = 0.8 / groups.len() as f64;
    let centre =
        |row: usize, group: usize| (rows - 1 - row) as f64 + 0.4 - share * (group as f64 + 0.5);
    let half = share * 0.45;
    // A legend names the groups when there are several.
    let entries: Vec<LegendEntry> = groups
        .iter()
        .enumerate()
        .map(|(g, group)| LegendEntry {
            label: group.name.clone(),
            marker: Marker::Square(series_colour(g)),
        })
        .collect();
    let mut legend = None;
    if groups.len() > 1 {
        let mut occupancy = Occupancy::new(&x, &y);
        for (g, drawn) in drawn.iter().enumerate() {
            for &(row, bar) in drawn {
                let yc = centre(row, g);
                occupancy.rect((0.0, yc - half), (bar.value, yc + half));
                if let Some([lo, hi]) = finite([bar.low, bar.high]) {
                    occupancy.rect((lo, yc), (hi, yc));
                }
            }
        }
        let (with_legend, placed) = legend_layout(area, layout, &entries, &occupancy)?;
        layout = with_legend;
        legend = Some(placed);
    }
    let mut chart = frame(area, &x, &y, layout)?;
    for (g, drawn) in drawn.iter().enumerate() {
        let colour = series_colour(g);
        let rects = drawn.iter().map(|&(row, bar)| {
            let yc = centre(row, g);
            Rectangle::new([(0.0, yc - half), (bar.value, yc + half)], colour.filled())
        });
        chart.draw_series(rects).map_err(drawing_error)?;
    }
    draw_zero_line(&mut chart, (0.0, y.range.start), (0.0, y.range.end))?;
    let errors = drawn.iter().enumerate().flat_map(|(g, drawn)| {
        drawn.iter().filter_map(move |&(row, bar)| {
            let yc = centre(row, g);
            finite([bar.low, bar.high])
                .map(|[lo, hi]| error_bar((lo, yc), (hi, yc), half / 2.0, false))
        })
    });
    chart.draw_series(errors.flatten()).map_err(drawing_error)?;

    draw_row_labels(area, &chart, &labels, x.range.start)?;
    if let Some(legend) = legend {
        draw_legend(area, &entries, &legend)?;
    }
    Ok(())
}
