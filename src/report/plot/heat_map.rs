//! Heat maps with a colour bar.

use super::*;

/// The viridis colour at `t` in 0..=1 (clamped).
pub(super) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let position = t * (VIRIDIS.len() - 1) as f64;
    let i = (position.floor() as usize).min(VIRIDIS.len() - 2);
    let f = position - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Cell edges around grid values: halfway between neighbours, and as far
/// out again at the ends. A single value gets a cell around it.
pub(super) fn cell_edges(values: &[f64]) -> Vec<f64> {
    match values {
        [] => vec![],
        [v] => {
            let range = axis_range(*v, *v, false, false);
            vec![range.start, range.end]
        }
        _ => {
            let n = values.len();
            let mut edges = Vec::with_capacity(n + 1);
            edges.push(values[0] - (values[1] - values[0]) / 2.0);
            edges.extend(values.windows(2).map(|w| (w[0] + w[1]) / 2.0));
            edges.push(values[n - 1] + (values[n - 1] - values[n - 2]) / 2.0);
            edges
        }
    }
}

/// The range spanned by `edges`.
pub(super) fn edges_range(edges: &[f64]) -> Range<f64> {
    let mut extent = Extent::default();
    edges.iter().for_each(|e| extent.add(*e));
    let (lo, hi) = extent.get().unwrap_or((0.0, 1.0));
    axis_range(lo, hi, false, false)
}

/// The colour bar: space before it, its width and its tick marks.
pub(super) const COLOUR_BAR_GAP: u32 = 24;
pub(super) const COLOUR_BAR_WIDTH: u32 = 22;
pub(super) const COLOUR_BAR_TICK: u32 = 5;
/// What the grey swatch under the colour bar says.
pub(super) const MISSING_NOTE: &str = "no value";

pub(super) fn draw_heat_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    y_label: &str,
    z_label: &str,
    xs: &[f64],
    ys: &[f64],
    z: &[Vec<f64>],
) -> Result<(), PlotError> {
    let columns: Vec<usize> = (0..xs.len()).filter(|&i| xs[i].is_finite()).collect();
    let rows: Vec<usize> = (0..ys.len()).filter(|&i| ys[i].is_finite()).collect();
    let value = |row: usize, column: usize| {
        z.get(row)
            .and_then(|r| r.get(column))
            .copied()
            .filter(|v| v.is_finite())
    };
    let mut z_extent = Extent::default();
    for &row in &rows {
        for &column in &columns {
            if let Some(v) = value(row, column) {
                z_extent.add(v);
            }
        }
    }
    let Some((z_lo, z_hi)) = z_extent.get() else {
        return draw_no_data(area, x_label, y_label);
    };
    let any_missing = rows
        .iter()
        .any(|&r| columns.iter().any(|&c| value(r, c).is_none()));

    let x_values: Vec<f64> = columns.iter().map(|&i| xs[i]).collect();
    let y_values: Vec<f64> = rows.iter().map(|&i| ys[i]).collect();
    let (x_edges, y_edges) = (cell_edges(&x_values), cell_edges(&y_values));
    let (width, height) = area.dim_in_pixel();
    let x = Axis::at_values(
        edges_range(&x_edges),
        &x_values,
        tick_count(width, 90),
        x_label,
    );
    let y = Axis::at_values(
        edges_range(&y_edges),
        &y_values,
        tick_count(height, 40),
        y_label,
    );
    let z_axis = Axis::numeric(
        axis_range(z_lo, z_hi, false, false),
        tick_count(height, 55),
        z_label,
    );

    // The map on the left, the colour bar on the right.
    let z_tick_width = widest(area, z_axis.tick_labels(), &font(TICK_PX))?;
    let bar_side = COLOUR_BAR_WIDTH + COLOUR_BAR_TICK + 4 + z_tick_width + 8;
    let note_side = 20 + text_size(area, MISSING_NOTE, &font(TICK_PX))?.0;
    let side = COLOUR_BAR_GAP
        + (bar_side + axis_title_room(z_label)).max(if any_missing { note_side } else { 0 });
    let (main, _) = area.split_horizontally(width.saturating_sub(side));
    let layout = Layout {
        right: 0,
        ..numeric_layout(&main, &x, &y)?
    };
    let mut chart = frame(&main, &x, &y, layout)?;

    let z_span = z_axis.range.end - z_axis.range.start;
    let colour_of = |v: f64| viridis((v - z_axis.range.start) / z_span);
    let mut cells = Vec::with_capacity(rows.len() * columns.len());
    for (j, &row) in rows.iter().enumerate() {
        for (i, &column) in columns.iter().enumerate() {
            let colour = value(row, column).map_or(MISSING_COLOUR, colour_of);
            cells.push(Rectangle::new(
                [(x_edges[i], y_edges[j]), (x_edges[i + 1], y_edges[j + 1])],
                colour.filled(),
            ));
        }
    }
    chart.draw_series(cells).map_err(drawing_error)?;
    // The axes again, over the cells' edges.
    let (x0, x1, y0, y1) = (x.range.start, x.range.end, y.range.start, y.range.end);
    let axes = PathElement::new(vec![(x0, y1), (x0, y0), (x1, y0)], AXIS_COLOUR);
    chart.draw_series([axes]).map_err(drawing_error)?;

    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
    let bar = ColourBar {
        left: plot_x.end + COLOUR_BAR_GAP as i32,
        top: plot_y.start,
        bottom: plot_y.end - 1,
    };
    bar.draw(area, &z_axis, z_tick_width)?;
    if any_missing {
        bar.draw_missing_note(area)?;
    }
    Ok(())
}

/// Where the colour bar of a heat map goes, in backend pixels.
pub(super) struct ColourBar {
    pub(super) left: i32,
    pub(super) top: i32,
    pub(super) bottom: i32,
}

impl ColourBar {
    /// Draws the gradient over the range of `z`, its ticks and labels, and
    /// `z`'s title turned upright on the right.
    pub(super) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        z: &Axis,
        tick_width: u32,
    ) -> Result<(), PlotError> {
        let right = self.left + COLOUR_BAR_WIDTH as i32;
        let height = f64::from(self.bottom - self.top);
        let z_span = z.range.end - z.range.start;
        let pixel_of =
            |v: f64| self.bottom - ((v - z.range.start) / z_span * height).round() as i32;
        let base = area.get_base_pixel();
        let local = |(x, y): (i32, i32)| (x - base.0, y - base.1);

        // Colours sampled between the ends, so that the colours of the
        // smallest and largest values appear only in cells.
        const STEPS: i32 = 96;
        for k in 0..STEPS {
            let t = (f64::from(k) + 0.5) / f64::from(STEPS);
            let top = self.bottom - (height * f64::from(k + 1) / f64::from(STEPS)).round() as i32;
            let bottom = self.bottom - (height * f64::from(k) / f64::from(STEPS)).round() as i32;
            let slice = Rectangle::new(
                [local((self.left, top)), local((right, bottom))],
                viridis(t).filled(),
            );
            area.draw(&slice).map_err(drawing_error)?;
        }
        let outline = Rectangle::new(
            [local((self.left, self.top)), local((right, self.bottom))],
            AXIS_COLOUR.stroke_width(1),
        );
        area.draw(&outline).map_err(drawing_error)?;

        let style = TextStyle::from(font(TICK_PX)).pos(Pos::new(HPos::Left, VPos::Center));
        let tick_end = right + COLOUR_BAR_TICK as i32;
        for &tick in &z.ticks {
            let py = pixel_of(tick);
            let mark =
                PathElement::new(vec![local((right, py)), local((tick_end, py))], AXIS_COLOUR);
            area.draw(&mark).map_err(drawing_error)?;
            text_at(area, &z.format.format(tick), &style, (tick_end + 4, py))?;
        }
        if !z.label.is_empty() {
            // Turned like the y axis title: it reads upwards.
            let style = TextStyle::from(font(AXIS_LABEL_PX).transform(FontTransform::Rotate270))
                .pos(Pos::new(HPos::Center, VPos::Top));
            let x = tick_end + 4 + tick_width as i32 + 8;
            text_at(area, &z.label, &style, (x, (self.top + self.bottom) / 2))?;
        }
        Ok(())
    }

    /// Draws a grey swatch saying "no value" under the bar.
    pub(super) fn draw_missing_note<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), PlotError> {
        let base = area.get_base_pixel();
        let (x, y) = (
            self.left - base.0,
            self.bottom + TICK_LABEL_GAP as i32 + 4 - base.1,
        );
        let swatch = Rectangle::new([(x, y), (x + 14, y + 14)], MISSING_COLOUR.filled());
        area.draw(&swatch).map_err(drawing_error)?;
        let style = TextStyle::from(font(TICK_PX)).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw_text(MISSING_NOTE, &style, (x + 20, y + 7))
            .map_err(drawing_error)
    }
}
