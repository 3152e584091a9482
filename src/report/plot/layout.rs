//! Where things go: the room around a plot, the occupancy that keeps
//! legends off the data, category labels, and drawing helpers shared by
//! the chart kinds.

use super::*;

/// Space around a plot, in pixels: the label areas left and below, the
/// margins above and to the right, and the margin under the label area
/// below (room for a legend there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Layout {
    pub(super) left: u32,
    pub(super) bottom: u32,
    pub(super) top: u32,
    pub(super) right: u32,
    pub(super) below: u32,
}

impl Layout {
    /// Margins around the plot area: 8 pixels on top, nothing yet below
    /// the x-axis title (a legend may claim room there later).
    pub(super) fn new(left: u32, bottom: u32, right: u32) -> Layout {
        Layout {
            left,
            bottom,
            top: 8,
            right,
            below: 0,
        }
    }

    /// The margins of a chart with one row per label: labels on the left,
    /// the numeric axis `x` below.
    pub(super) fn rows<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        labels: &[&str],
        x: &Axis,
    ) -> Result<Layout, PlotError> {
        Ok(Layout::new(
            row_label_room(area, labels)?,
            bottom_room(x),
            right_room(area, x)?,
        ))
    }
}

/// Width and height of `text` in `font`, in pixels.
pub(super) fn text_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc,
) -> Result<(u32, u32), PlotError> {
    area.estimate_text_size(text, &TextStyle::from(font.clone()))
        .map_err(drawing_error)
}

/// The widest of `texts` in `font`, in pixels.
pub(super) fn widest<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    texts: impl IntoIterator<Item = impl AsRef<str>>,
    font: &FontDesc,
) -> Result<u32, PlotError> {
    let mut widest = 0;
    for text in texts {
        widest = widest.max(text_size(area, text.as_ref(), font)?.0);
    }
    Ok(widest)
}

/// Height of a line of axis-title text plus the space before it.
pub(super) fn axis_title_room(label: &str) -> u32 {
    if label.is_empty() { 0 } else { 30 }
}

/// The tick labels of a numeric y axis take at least this width (that of
/// "00000" in the tick font), so that plots line up across charts.
pub(super) const TICK_LABELS_PX: u32 = 45;
/// The margin right of a plot takes at least this width, for the same.
pub(super) const RIGHT_MARGIN_PX: u32 = 24;

/// Width of the label area left of a numeric y axis.
pub(super) fn left_room<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    y: &Axis,
) -> Result<u32, PlotError> {
    let ticks = widest(area, y.tick_labels(), &font(TICK_PX))?.max(TICK_LABELS_PX);
    Ok(ticks + TICK_LABEL_GAP + 6 + axis_title_room(&y.label))
}

/// Height of the label area below a numeric x axis.
pub(super) fn bottom_room(x: &Axis) -> u32 {
    TICK_LABEL_GAP + TICK_LINE_PX + 6 + axis_title_room(&x.label)
}

/// Room right of the plot, so that the last x tick label is not cut.
pub(super) fn right_room<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: &Axis,
) -> Result<u32, PlotError> {
    let last = x.tick_labels().last().unwrap_or_default();
    Ok((text_size(area, &last, &font(TICK_PX))?.0 / 2 + 6).max(RIGHT_MARGIN_PX))
}

/// The usual layout of a plot with numeric axes.
pub(super) fn numeric_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: &Axis,
    y: &Axis,
) -> Result<Layout, PlotError> {
    Ok(Layout::new(
        left_room(area, y)?,
        bottom_room(x),
        right_room(area, x)?,
    ))
}

/// How many ticks fit along `pixels` with `spacing` pixels between them.
pub(super) fn tick_count(pixels: u32, spacing: u32) -> usize {
    (pixels / spacing).clamp(2, 12) as usize
}

/// Draws the axes frame of a plot in `area` (axes, ticks, tick labels,
/// axis titles and grid) and returns the chart to draw the data on.
pub(super) fn frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: &Axis,
    y: &Axis,
    layout: Layout,
) -> Result<ChartContext<'a, DB, Coords>, PlotError> {
    let mut chart = ChartBuilder::on(area)
        .margin_top(layout.top)
        .margin_right(layout.right)
        .margin_bottom(layout.below)
        .x_label_area_size(layout.bottom)
        .y_label_area_size(layout.left)
        .build_cartesian_2d(x.coord(), y.coord())
        .map_err(drawing_error)?;
    let x_format = |v: &f64| x.format.format(*v);
    let y_format = |v: &f64| y.format.format(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_LABEL_PX))
        .axis_style(AXIS_COLOUR)
        .bold_line_style(GRID_COLOUR)
        .light_line_style(TRANSPARENT);
    if !x.label.is_empty() {
        mesh.x_desc(x.label.as_str());
    }
    if !y.label.is_empty() {
        mesh.y_desc(y.label.as_str());
    }
    if !x.grid {
        mesh.disable_x_mesh();
    }
    if !y.grid {
        mesh.disable_y_mesh();
    }
    mesh.draw().map_err(drawing_error)?;
    Ok(chart)
}

/// Draws `text` at the backend pixel `at` (as given by
/// [`ChartContext::backend_coord`]), whichever part of the image `area`
/// covers.
pub(super) fn text_at<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    at: (i32, i32),
) -> Result<(), PlotError> {
    let base = area.get_base_pixel();
    area.draw_text(text, style, (at.0 - base.0, at.1 - base.1))
        .map_err(drawing_error)
}

/// An empty frame with the note "no data", for a chart with nothing to show.
pub(super) fn draw_no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    y_label: &str,
) -> Result<(), PlotError> {
    // No ticks: numbers would suggest data.
    let blank = |label: &str| Axis {
        ticks: vec![],
        grid: false,
        ..Axis::numeric(0.0..1.0, 2, label)
    };
    let (x, y) = (blank(x_label), blank(y_label));
    let chart = frame(area, &x, &y, numeric_layout(area, &x, &y)?)?;
    let centre = chart.backend_coord(&(0.5, 0.5));
    let style = TextStyle::from(font(NOTE_PX))
        .color(&NOTE_COLOUR)
        .pos(Pos::new(HPos::Center, VPos::Center));
    text_at(area, "no data", &style, centre)
}

/// Cells of the [`Occupancy`] grid along each side of a plot.
pub(super) const OCCUPANCY_CELLS: usize = 96;

/// Which parts of a plot hold data (lines, bands, bars, error bars), on a
/// grid over the plot, to tell whether a legend placed in it would cover
/// any. Marks err on the side of too many cells, never too few.
#[derive(Debug, Clone)]
pub(super) struct Occupancy {
    pub(super) x: Range<f64>,
    pub(super) y: Range<f64>,
    /// `filled[column][row]`, row 0 at the bottom.
    pub(super) filled: Vec<[bool; OCCUPANCY_CELLS]>,
}

impl Occupancy {
    pub(super) fn new(x: &Axis, y: &Axis) -> Occupancy {
        Occupancy {
            x: x.range.clone(),
            y: y.range.clone(),
            filled: vec![[false; OCCUPANCY_CELLS]; OCCUPANCY_CELLS],
        }
    }

    /// Where `value` lies along `range`, in cells (not clamped).
    pub(super) fn position(range: &Range<f64>, value: f64) -> f64 {
        (value - range.start) / (range.end - range.start) * OCCUPANCY_CELLS as f64
    }

    /// The grid cell of `value` along `range`, clamped to the grid.
    pub(super) fn cell(range: &Range<f64>, value: f64) -> usize {
        let last = OCCUPANCY_CELLS - 1;
        (Self::position(range, value).floor().max(0.0) as usize).min(last)
    }

    /// Marks the rectangle with corners `a` and `b` (data coordinates).
    pub(super) fn rect(&mut self, a: (f64, f64), b: (f64, f64)) {
        if !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite()) {
            return;
        }
        let (x0, x1) = (Self::cell(&self.x, a.0), Self::cell(&self.x, b.0));
        let (y0, y1) = (Self::cell(&self.y, a.1), Self::cell(&self.y, b.1));
        for column in &mut self.filled[x0.min(x1)..=x0.max(x1)] {
            column[y0.min(y1)..=y0.max(y1)].fill(true);
        }
    }

    /// How many pieces a segment spanning these data distances is cut
    /// into, so that each piece spans at most one cell each way.
    pub(super) fn pieces(&self, dx: f64, dys: &[f64]) -> usize {
        let cells = |range: &Range<f64>, d: f64| (d / (range.end - range.start)).abs();
        let most = dys
            .iter()
            .fold(cells(&self.x, dx), |m, &dy| m.max(cells(&self.y, dy)));
        let pieces = (most * OCCUPANCY_CELLS as f64).ceil();
        if pieces.is_finite() {
            (pieces as usize).clamp(1, 4 * OCCUPANCY_CELLS)
        } else {
            1
        }
    }

    /// Marks the line through `points`: every cell it passes through.
    pub(super) fn path(&mut self, points: &[(f64, f64)]) {
        for pair in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            let pieces = self.pieces(x1 - x0, &[y1 - y0]);
            let at = |k: usize| {
                let t = k as f64 / pieces as f64;
                (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            };
            for k in 0..pieces {
                self.rect(at(k), at(k + 1));
            }
        }
        if let [point] = points {
            self.rect(*point, *point);
        }
    }

    /// Marks the shaded interval over a run of `[x, low, high]`.
    pub(super) fn band(&mut self, run: &[[f64; 3]]) {
        for pair in run.windows(2) {
            let ([x0, lo0, hi0], [x1, lo1, hi1]) = (pair[0], pair[1]);
            let pieces = self.pieces(x1 - x0, &[lo1 - lo0, hi1 - hi0]);
            let at = |k: usize| {
                let t = k as f64 / pieces as f64;
                (
                    x0 + (x1 - x0) * t,
                    lo0 + (lo1 - lo0) * t,
                    hi0 + (hi1 - hi0) * t,
                )
            };
            for k in 0..pieces {
                let ((xa, loa, hia), (xb, lob, hib)) = (at(k), at(k + 1));
                self.rect((xa, loa.min(lob)), (xb, hia.max(hib)));
            }
        }
        if let [[x, lo, hi]] = run {
            self.rect((*x, *lo), (*x, *hi));
        }
    }

    /// How many marked cells `rect` (pixels) touches, on a plot drawn at
    /// `plot` (pixels).
    pub(super) fn count(&self, rect: Rect, plot: Rect) -> usize {
        let (width, height) = (f64::from(plot.width()), f64::from(plot.height()));
        if width <= 0.0 || height <= 0.0 {
            return 0;
        }
        let n = OCCUPANCY_CELLS as f64;
        // Columns from the left, rows from the bottom.
        let cells = |from: i32, to: i32, size: f64| {
            let first = (f64::from(from) / size * n).floor().clamp(0.0, n) as usize;
            let end = (f64::from(to) / size * n).ceil().clamp(0.0, n) as usize;
            first..end.max(first)
        };
        let columns = cells(rect.x0 - plot.x0, rect.x1 - plot.x0, width);
        let rows = cells(plot.y1 - rect.y1, plot.y1 - rect.y0, height);
        self.filled[columns]
            .iter()
            .map(|column| column[rows.clone()].iter().filter(|&&f| f).count())
            .sum()
    }
}

/// A rectangle in pixels, from (`x0`, `y0`) to (`x1`, `y1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rect {
    pub(super) x0: i32,
    pub(super) y0: i32,
    pub(super) x1: i32,
    pub(super) y1: i32,
}

impl Rect {
    /// The rectangle `width` × `height` with its upper left corner at
    /// (`x`, `y`).
    pub(super) fn at(x: i32, y: i32, width: u32, height: u32) -> Rect {
        Rect {
            x0: x,
            y0: y,
            x1: x + width as i32,
            y1: y + height as i32,
        }
    }

    pub(super) fn width(&self) -> i32 {
        self.x1 - self.x0
    }

    pub(super) fn height(&self) -> i32 {
        self.y1 - self.y0
    }

    /// Whether the two share any area.
    #[cfg(test)]
    pub(super) fn intersects(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether `other` lies within this one.
    pub(super) fn contains(&self, other: &Rect) -> bool {
        self.x0 <= other.x0 && other.x1 <= self.x1 && self.y0 <= other.y0 && other.y1 <= self.y1
    }

    /// This rectangle grown by `by` on every side.
    pub(super) fn grown(&self, by: i32) -> Rect {
        Rect {
            x0: self.x0 - by,
            y0: self.y0 - by,
            x1: self.x1 + by,
            y1: self.y1 + by,
        }
    }
}

/// The plotting area of a plot drawn by [`frame`] with `layout` in an area
/// `size` pixels, in the area's pixels.
pub(super) fn plot_rect(size: (u32, u32), layout: &Layout) -> Rect {
    Rect {
        x0: layout.left as i32,
        y0: layout.top as i32,
        x1: size.0 as i32 - layout.right as i32,
        y1: size.1 as i32 - (layout.bottom + layout.below) as i32,
    }
}

/// An error bar from `from` to `to` (data coordinates), with caps
/// `cap` long (in data units across it).
pub(super) fn error_bar(
    from: (f64, f64),
    to: (f64, f64),
    cap: f64,
    vertical: bool,
) -> [PathElement<(f64, f64)>; 3] {
    let style = ShapeStyle::from(&BLACK).stroke_width(1);
    let caps = |(x, y): (f64, f64)| {
        if vertical {
            vec![(x - cap, y), (x + cap, y)]
        } else {
            vec![(x, y - cap), (x, y + cap)]
        }
    };
    [
        PathElement::new(vec![from, to], style),
        PathElement::new(caps(from), style),
        PathElement::new(caps(to), style),
    ]
}

/// Splits a sequence into its runs of `Some`.
pub(super) fn runs<T>(items: impl IntoIterator<Item = Option<T>>) -> Vec<Vec<T>> {
    let mut runs = vec![];
    let mut current = vec![];
    for item in items {
        match item {
            Some(value) => current.push(value),
            None if current.is_empty() => {}
            None => runs.push(std::mem::take(&mut current)),
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// `Some(values)` when every one is finite.
pub(super) fn finite<const N: usize>(values: [f64; N]) -> Option<[f64; N]> {
    values.iter().all(|v| v.is_finite()).then_some(values)
}

/// Width of the label area left of rows labelled `labels`.
pub(super) fn row_label_room<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[&str],
) -> Result<u32, PlotError> {
    Ok(widest(area, labels, &font(TICK_PX))? + TICK_LABEL_GAP + 8)
}

/// Draws `labels` left of the rows of `chart`, the first row on top (at
/// y = rows − 1), right-aligned against the y axis at `x_start`.
pub(super) fn draw_row_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Coords>,
    labels: &[&str],
    x_start: f64,
) -> Result<(), PlotError> {
    let style = TextStyle::from(font(TICK_PX)).pos(Pos::new(HPos::Right, VPos::Center));
    for (row, label) in labels.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(x_start, (labels.len() - 1 - row) as f64));
        text_at(area, label, &style, (px - TICK_LABEL_GAP as i32, py))?;
    }
    Ok(())
}

/// Splits `text` into lines at spaces, each at most `max_width` pixels
/// wide where possible (a single word wider than that is a line of its own).
pub(super) fn wrap_words(
    text: &str,
    max_width: u32,
    width_of: impl Fn(&str) -> Result<u32, PlotError>,
) -> Result<Vec<String>, PlotError> {
    let mut lines = vec![];
    let mut line = String::new();
    for word in text.split_whitespace() {
        if line.is_empty() {
            line = word.to_owned();
            continue;
        }
        let longer = format!("{line} {word}");
        if width_of(&longer)? <= max_width {
            line = longer;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// `labels` wrapped at spaces to fit columns `column_width` pixels wide, or
/// `None` when a word of one of them is wider than that.
pub(super) fn wrap_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[&str],
    column_width: u32,
) -> Result<Option<Vec<Vec<String>>>, PlotError> {
    let tick_font = font(TICK_PX);
    let width_of = |text: &str| Ok(text_size(area, text, &tick_font)?.0);
    let room = column_width.saturating_sub(8);
    let mut wrapped = Vec::with_capacity(labels.len());
    for label in labels {
        let lines = wrap_words(label, room, width_of)?;
        for line in &lines {
            if width_of(line)? > room {
                return Ok(None);
            }
        }
        wrapped.push(lines);
    }
    Ok(Some(wrapped))
}

/// Height of the label area under columns labelled with `wrapped` lines.
pub(super) fn column_label_room(wrapped: &[Vec<String>]) -> u32 {
    let most = wrapped.iter().map(Vec::len).max().unwrap_or(0) as u32;
    TICK_LABEL_GAP + most * TICK_LINE_PX + 8
}

/// Draws the `wrapped` labels centred under the columns of `chart` (at
/// x = 0, 1, …), below the x axis at `y_start`.
pub(super) fn draw_column_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Coords>,
    wrapped: &[Vec<String>],
    y_start: f64,
) -> Result<(), PlotError> {
    let style = TextStyle::from(font(TICK_PX)).pos(Pos::new(HPos::Center, VPos::Top));
    for (column, lines) in wrapped.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(column as f64, y_start));
        let top = py + TICK_LABEL_GAP as i32;
        for (k, line) in lines.iter().enumerate() {
            text_at(
                area,
                line,
                &style,
                (px, top + k as i32 * TICK_LINE_PX as i32),
            )?;
        }
    }
    Ok(())
}

/// A thin black line through 0, from `from` to `to`.
pub(super) fn draw_zero_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Coords>,
    from: (f64, f64),
    to: (f64, f64),
) -> Result<(), PlotError> {
    let line = PathElement::new(vec![from, to], ShapeStyle::from(&BLACK).stroke_width(1));
    chart.draw_series([line]).map_err(drawing_error)?;
    Ok(())
}
