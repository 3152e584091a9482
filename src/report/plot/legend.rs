//! Legends: placed inside the plot in a free corner, or under it.

use super::*;

/// Height of a legend entry, in pixels.
pub(super) const LEGEND_LINE_PX: u32 = 22;
/// Space inside a legend's box around its entries.
pub(super) const LEGEND_PADDING: u32 = 10;
/// Width of a legend marker, and the space between it and its label.
pub(super) const LEGEND_MARKER_PX: u32 = 22;
pub(super) const LEGEND_MARKER_GAP: u32 = 8;
/// Space between columns of legend entries.
pub(super) const LEGEND_COLUMN_GAP: u32 = 20;
/// Distance between a legend inside the plot and the plot's edges.
pub(super) const LEGEND_INSET: i32 = 6;
/// Room a legend inside the plot keeps from data: half a line's width, a
/// dot's radius, and a pixel of rounding.
pub(super) const LEGEND_CLEARANCE: i32 = 4;
/// Space between a legend outside the plot and the edge of the chart, and
/// between a legend under the plot and the x axis title.
pub(super) const LEGEND_OUTSIDE_GAP: u32 = 10;
/// A legend outside the plot leaves it at least this many pixels high.
pub(super) const MIN_PLOT_PX: i32 = 60;

/// How a legend marks a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Marker {
    /// A line over its shaded interval, as a time series draws them.
    Line(RGBColor),
    /// A filled square, for bars.
    Square(RGBColor),
}

/// One entry of a legend.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LegendEntry {
    pub(super) label: String,
    pub(super) marker: Marker,
}

/// Where a legend goes, and how its entries are arranged, in pixels of the
/// area the chart is drawn in.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LegendBox {
    pub(super) rect: Rect,
    /// Entries are laid out row by row, this many a row.
    pub(super) columns: usize,
    /// Width of an entry: marker, gap and the widest label.
    pub(super) entry_width: u32,
    /// The labels, shortened with "…" where the chart is too narrow for
    /// them.
    pub(super) labels: Vec<String>,
}

/// Where the legend of `labels` goes on a plot drawn with `layout` in an
/// area `size` pixels, whose data mark `occupancy`, and the layout that
/// makes room for it. `width_of` measures a label in pixels.
///
/// The legend goes inside the plot, in the first corner (upper right,
/// upper left, lower right, lower left) where it covers no data; else
/// under the x axis title, its entries side by side in as many columns as
/// fit, the plot shrinking upwards (never narrower: plots keep one width
/// across charts). Only when the chart is too small for that does it go in
/// the corner covering the least.
pub(super) fn place_legend(
    size: (u32, u32),
    layout: Layout,
    labels: &[&str],
    occupancy: &Occupancy,
    width_of: impl Fn(&str) -> Result<u32, PlotError>,
) -> Result<(Layout, LegendBox), PlotError> {
    let n = labels.len().max(1);
    let mut label_width = 0;
    for label in labels {
        label_width = label_width.max(width_of(label)?);
    }
    let entry_width = |label_width: u32| LEGEND_MARKER_PX + LEGEND_MARKER_GAP + label_width;
    let box_size = |columns: usize, entry_width: u32| {
        let columns = columns as u32;
        let rows = n.div_ceil(columns as usize) as u32;
        (
            2 * LEGEND_PADDING + columns * entry_width + (columns - 1) * LEGEND_COLUMN_GAP,
            2 * LEGEND_PADDING + rows * LEGEND_LINE_PX,
        )
    };
    let whole = |rect: Rect, columns: usize, entry_width: u32| LegendBox {
        rect,
        columns,
        entry_width,
        labels: labels.iter().map(|&l| l.to_owned()).collect(),
    };
    let (width, height) = box_size(1, entry_width(label_width));
    let plot = plot_rect(size, &layout);

    // Inside, in a corner free of data.
    let (left, top) = (plot.x0 + LEGEND_INSET, plot.y0 + LEGEND_INSET);
    let right = plot.x1 - LEGEND_INSET - width as i32;
    let bottom = plot.y1 - LEGEND_INSET - height as i32;
    let corners = [(right, top), (left, top), (right, bottom), (left, bottom)]
        .map(|(x, y)| Rect::at(x, y, width, height));
    let inner = plot.grown(-LEGEND_INSET);
    let fits = |rect: &&Rect| inner.contains(rect);
    let covered = |rect: &Rect| occupancy.count(rect.grown(LEGEND_CLEARANCE), plot);
    if let Some(&rect) = corners.iter().filter(fits).find(|r| covered(r) == 0) {
        return Ok((layout, whole(rect, 1, entry_width(label_width))));
    }

    // Under the x axis title, in as many columns as fit the width, with
    // labels shortened when even one column does not fit.
    let room = size.0.saturating_sub(LEGEND_OUTSIDE_GAP);
    let fixed = 2 * LEGEND_PADDING + LEGEND_MARKER_PX + LEGEND_MARKER_GAP;
    let mut shortened = labels.iter().map(|&l| l.to_owned()).collect::<Vec<_>>();
    let mut under_label_width = label_width;
    if fixed + label_width > room {
        under_label_width = room.saturating_sub(fixed);
        for label in &mut shortened {
            *label = shorten(label, under_label_width, &width_of)?;
        }
    }
    let entry = entry_width(under_label_width);
    let fit = ((room + LEGEND_COLUMN_GAP - 2 * LEGEND_PADDING) / (entry + LEGEND_COLUMN_GAP)).max(1)
        as usize;
    // As few rows as that allows, filled evenly.
    let columns = n.div_ceil(n.div_ceil(fit.min(n)));
    let (under_width, under_height) = box_size(columns, entry);
    let under = Layout {
        below: layout.below + under_height + LEGEND_OUTSIDE_GAP,
        ..layout
    };
    let lowered = plot_rect(size, &under);
    if lowered.height() >= MIN_PLOT_PX {
        let centre = (lowered.x0 + lowered.x1) / 2;
        // within the chart, its frame included
        let x = (centre - under_width as i32 / 2)
            .min(size.0 as i32 - under_width as i32 - LEGEND_OUTSIDE_GAP as i32 / 2)
            .max(LEGEND_OUTSIDE_GAP as i32 / 2);
        let y = size.1 as i32 - under_height as i32;
        let legend = LegendBox {
            rect: Rect::at(x, y, under_width, under_height),
            columns,
            entry_width: entry,
            labels: shortened,
        };
        return Ok((under, legend));
    }

    // A chart too small for the legend outside: the corner covering least.
    let least = corners
        .iter()
        .min_by_key(|r| covered(r))
        .copied()
        .unwrap_or(corners[0]);
    Ok((layout, whole(least, 1, entry_width(label_width))))
}

/// `text`, cut short with "…" to be at most `max_width` pixels wide.
pub(super) fn shorten(
    text: &str,
    max_width: u32,
    width_of: impl Fn(&str) -> Result<u32, PlotError>,
) -> Result<String, PlotError> {
    if width_of(text)? <= max_width {
        return Ok(text.to_owned());
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (1..chars.len()).rev() {
        let short = format!("{}…", chars[..keep].iter().collect::<String>().trim_end());
        if width_of(&short)? <= max_width {
            return Ok(short);
        }
    }
    Ok("…".to_owned())
}

/// Places the legend of `entries` on a plot as [`place_legend`] does,
/// measuring labels in `area`'s legend font.
pub(super) fn legend_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    layout: Layout,
    entries: &[LegendEntry],
    occupancy: &Occupancy,
) -> Result<(Layout, LegendBox), PlotError> {
    let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
    let legend_font = font(LEGEND_PX);
    let width_of = |text: &str| Ok(text_size(area, text, &legend_font)?.0);
    place_legend(area.dim_in_pixel(), layout, &labels, occupancy, width_of)
}

/// Draws the legend of `entries` in `area`, as `legend` says.
pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    legend: &LegendBox,
) -> Result<(), PlotError> {
    let r = legend.rect;
    let corners = [(r.x0, r.y0), (r.x1, r.y1)];
    area.draw(&Rectangle::new(corners, WHITE.mix(0.85).filled()))
        .map_err(drawing_error)?;
    area.draw(&Rectangle::new(corners, CONNECTOR_COLOUR.stroke_width(1)))
        .map_err(drawing_error)?;
    let style = TextStyle::from(font(LEGEND_PX)).pos(Pos::new(HPos::Left, VPos::Center));
    let columns = legend.columns.max(1);
    for (k, (entry, label)) in entries.iter().zip(&legend.labels).enumerate() {
        let (row, column) = ((k / columns) as i32, (k % columns) as i32);
        let step = (legend.entry_width + LEGEND_COLUMN_GAP) as i32;
        let x = r.x0 + LEGEND_PADDING as i32 + column * step;
        let y =
            r.y0 + LEGEND_PADDING as i32 + row * LEGEND_LINE_PX as i32 + LEGEND_LINE_PX as i32 / 2;
        let end = x + LEGEND_MARKER_PX as i32;
        match entry.marker {
            Marker::Line(colour) => {
                let shade = Rectangle::new(
                    [(x, y - 7), (end, y + 7)],
                    colour.mix(BAND_OPACITY).filled(),
                );
                area.draw(&shade).map_err(drawing_error)?;
                let line = PathElement::new(vec![(x, y), (end, y)], colour.stroke_width(2));
                area.draw(&line).map_err(drawing_error)?;
            }
            Marker::Square(colour) => {
                let square = Rectangle::new([(x + 4, y - 7), (x + 18, y + 7)], colour.filled());
                area.draw(&square).map_err(drawing_error)?;
            }
        }
        let text_x = end + LEGEND_MARKER_GAP as i32;
        area.draw_text(label, &style, (text_x, y))
            .map_err(drawing_error)?;
    }
    Ok(())
}
