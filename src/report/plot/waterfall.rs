//! Waterfall charts: totals and the changes between them.

use super::*;

/// A waterfall bar placed on the chart: its slot, its two ends, its
/// interval and colour.
pub(super) struct PlacedBar {
    pub(super) slot: usize,
    pub(super) from: f64,
    pub(super) to: f64,
    pub(super) interval: Option<(f64, f64)>,
    pub(super) colour: RGBColor,
}

/// Where each waterfall bar goes, following the running total.
pub(super) fn place_waterfall(bars: &[WaterfallBar]) -> Vec<PlacedBar> {
    let mut running = 0.0;
    let mut placed = vec![];
    for (slot, bar) in bars.iter().enumerate() {
        if !bar.value.is_finite() {
            continue;
        }
        let (base, colour) = match bar.kind {
            BarKind::Level => (0.0, LEVEL_COLOUR),
            BarKind::Change if bar.value < 0.0 => (running, DECREASE_COLOUR),
            BarKind::Change => (running, INCREASE_COLOUR),
        };
        let to = base + bar.value;
        let interval = finite([bar.low, bar.high]).map(|[lo, hi]| (base + lo, base + hi));
        placed.push(PlacedBar {
            slot,
            from: base,
            to,
            interval,
            colour,
        });
        running = to;
    }
    placed
}

/// Half the width of a waterfall bar, in slots.
pub(super) const WATERFALL_HALF_WIDTH: f64 = 0.32;

pub(super) fn draw_waterfall<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    value_label: &str,
    bars: &[WaterfallBar],
) -> Result<(), PlotError> {
    let placed = place_waterfall(bars);
    if placed.is_empty() {
        return draw_no_data(area, "", value_label);
    }
    let mut extent = Extent::default();
    for bar in &placed {
        extent.add(bar.from);
        extent.add(bar.to);
        if let Some((lo, hi)) = bar.interval {
            extent.add(lo);
            extent.add(hi);
        }
    }
    let values = value_range(extent);
    let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    let n = bars.len();

    // Upright bars, labelled underneath, when every label wrapped at
    // spaces fits under its bar; otherwise bars lying in rows, labelled on
    // the left, the first on top.
    let (width, height) = area.dim_in_pixel();
    let upright_values = Axis::numeric(values.clone(), tick_count(height, 55), value_label);
    let left = left_room(area, &upright_values)?;
    let right = 16;
    let column_width = width.saturating_sub(left + right) / n as u32;
    let wrapped = wrap_labels(area, &labels, column_width)?;
    let upright = wrapped.is_some();
    let (x, y, mut layout) = match &wrapped {
        Some(wrapped) => {
            let layout = Layout::new(left, column_label_room(wrapped), right);
            (Axis::categories(n), upright_values, layout)
        }
        None => {
            let x = Axis::numeric(values, tick_count(width, 100), value_label);
            let layout = Layout::rows(area, &labels, &x)?;
            (x, Axis::categories(n), layout)
        }
    };
    // The point at `value` on the value axis and `c` on the category axis
    // (slot k at c = k).
    let point = |c: f64, value: f64| {
        if upright {
            (c, value)
        } else {
            (value, (n - 1) as f64 - c)
        }
    };
    let half = WATERFALL_HALF_WIDTH;
    // Connectors from the end of each bar to the next change.
    let connector_ends: Vec<[(f64, f64); 2]> = placed
        .windows(2)
        .filter(|pair| bars[pair[1].slot].kind == BarKind::Change)
        .map(|pair| {
            let (this, next) = (&pair[0], &pair[1]);
            [
                point(this.slot as f64 + half, this.to),
                point(next.slot as f64 - half, this.to),
            ]
        })
        .collect();

    let kinds = [
        (LEVEL_COLOUR, "total"),
        (DECREASE_COLOUR, "decrease"),
        (INCREASE_COLOUR, "increase"),
    ];
    let entries: Vec<LegendEntry> = kinds
        .iter()
        .filter(|(colour, _)| placed.iter().any(|b| b.colour == *colour))
        .map(|&(colour, name)| LegendEntry {
            label: name.to_owned(),
            marker: Marker::Square(colour),
        })
        .collect();
    let mut occupancy = Occupancy::new(&x, &y);
    for bar in &placed {
        let slot = bar.slot as f64;
        occupancy.rect(point(slot - half, bar.from), point(slot + half, bar.to));
        if let Some((lo, hi)) = bar.interval {
            occupancy.rect(point(slot, lo), point(slot, hi));
        }
    }
    connector_ends.iter().for_each(|ends| occupancy.path(ends));
    let (with_legend, legend) = legend_layout(area, layout, &entries, &occupancy)?;
    layout = with_legend;
    let mut chart = frame(area, &x, &y, layout)?;

    for (colour, _) in kinds {
        let rects = placed.iter().filter(|b| b.colour == colour).map(|b| {
            let slot = b.slot as f64;
            Rectangle::new(
                [point(slot - half, b.from), point(slot + half, b.to)],
                colour.filled(),
            )
        });
        chart.draw_series(rects).map_err(drawing_error)?;
    }
    let connector = ShapeStyle::from(&CONNECTOR_COLOUR).stroke_width(1);
    let connectors = connector_ends
        .iter()
        .map(|ends| PathElement::new(ends.to_vec(), connector));
    chart.draw_series(connectors).map_err(drawing_error)?;
    draw_zero_line(&mut chart, point(-0.5, 0.0), point(n as f64 - 0.5, 0.0))?;
    let errors = placed.iter().filter_map(|b| {
        let slot = b.slot as f64;
        b.interval
            .map(|(lo, hi)| error_bar(point(slot, lo), point(slot, hi), half / 3.0, upright))
    });
    chart.draw_series(errors.flatten()).map_err(drawing_error)?;

    match &wrapped {
        Some(wrapped) => draw_column_labels(area, &chart, wrapped, y.range.start)?,
        None => draw_row_labels(area, &chart, &labels, x.range.start)?,
    }
    draw_legend(area, &entries, &legend)
}
