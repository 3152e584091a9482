//! Time series with shaded 95% bands.

use super::*;

pub(super) fn draw_time_series<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    y_label: &str,
    bands: &[Band],
) -> Result<(), PlotError> {
    // Lines and bands of each band, as runs of finite points.
    let mut lines = Vec::with_capacity(bands.len());
    let mut shades = Vec::with_capacity(bands.len());
    let (mut x_extent, mut y_extent) = (Extent::default(), Extent::default());
    for band in bands {
        let line = runs(
            band.x
                .iter()
                .zip(&band.mean)
                .map(|(&x, &m)| finite([x, m]).map(|[x, m]| (x, m))),
        );
        let shade = runs(
            band.x
                .iter()
                .zip(&band.low)
                .zip(&band.high)
                .map(|((&x, &lo), &hi)| finite([x, lo, hi])),
        );
        for &(x, y) in line.iter().flatten() {
            x_extent.add(x);
            y_extent.add(y);
        }
        for &[x, lo, hi] in shade.iter().flatten() {
            x_extent.add(x);
            y_extent.add(lo);
            y_extent.add(hi);
        }
        lines.push(line);
        shades.push(shade);
    }
    let (Some((x_lo, x_hi)), Some((y_lo, y_hi))) = (x_extent.get(), y_extent.get()) else {
        return draw_no_data(area, x_label, y_label);
    };

    let (width, height) = area.dim_in_pixel();
    let x = Axis::numeric(
        axis_range(x_lo, x_hi, false, false),
        tick_count(width, 100),
        x_label,
    );
    let y = Axis::numeric(
        axis_range(y_lo, y_hi, true, true),
        tick_count(height, 55),
        y_label,
    );
    let mut layout = numeric_layout(area, &x, &y)?;
    let entries: Vec<LegendEntry> = bands
        .iter()
        .enumerate()
        .filter(|(_, band)| !band.label.is_empty())
        .map(|(i, band)| LegendEntry {
            label: band.label.clone(),
            marker: Marker::Line(series_colour(i)),
        })
        .collect();
    let mut legend = None;
    if !entries.is_empty() {
        let mut occupancy = Occupancy::new(&x, &y);
        lines.iter().flatten().for_each(|run| occupancy.path(run));
        shades.iter().flatten().for_each(|run| occupancy.band(run));
        let (with_legend, placed) = legend_layout(area, layout, &entries, &occupancy)?;
        layout = with_legend;
        legend = Some(placed);
    }
    let mut chart = frame(area, &x, &y, layout)?;

    // All shading first, so that no line is hidden under another band.
    for (i, shade) in shades.iter().enumerate() {
        let colour = series_colour(i);
        let shapes = shade.iter().map(|run| {
            let upper = run.iter().map(|&[x, _, hi]| (x, hi));
            let lower = run.iter().rev().map(|&[x, lo, _]| (x, lo));
            Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                colour.mix(BAND_OPACITY).filled(),
            )
        });
        chart.draw_series(shapes).map_err(drawing_error)?;
    }
    for (i, line) in lines.iter().enumerate() {
        let colour = series_colour(i);
        let style = colour.stroke_width(2);
        chart
            .draw_series(line.iter().map(|run| PathElement::new(run.clone(), style)))
            .map_err(drawing_error)?;
        // A run of one point makes no line: mark it.
        let dots = line.iter().filter(|run| run.len() == 1);
        chart
            .draw_series(dots.map(|run| Circle::new(run[0], 3, colour.filled())))
            .map_err(drawing_error)?;
    }
    if let Some(legend) = legend {
        draw_legend(area, &entries, &legend)?;
    }
    Ok(())
}
