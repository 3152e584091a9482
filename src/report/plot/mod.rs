//! Charts, drawn to SVG or PNG entirely in Rust.
//!
//! Each chart function ([`time_series`], [`waterfall`], [`bars`],
//! [`heat_map`]) takes plain data and returns a [`Chart`]: a description of
//! what to draw, which [`Chart::svg`] and [`Chart::png`] render on demand,
//! 800 × 500 pixels unless [`Chart::with_size`] says otherwise.
//!
//! Text is set in DejaVu Sans, shipped in `assets/fonts` and embedded in the
//! binary, so rendering needs no system font or library. Each standalone
//! SVG embeds the subset of the font its text uses (an `@font-face` data
//! URL), so that it looks the same on every machine; a page showing several
//! charts declares the font once ([`Chart::svg_without_font`],
//! [`UsedChars::font_face_css`]). PNG text is set by the same metrics as a
//! browser sets the SVG's, so the two match.
//!
//! PNGs are drawn at a scale ([`Chart::png`]): an 800 × 500 chart at scale
//! 2 is 1600 × 1000 pixels, everything drawn twice as large.
//!
//! Rules shared by every chart:
//! - a value that is not finite (NaN, ±∞) is skipped: a line breaks there,
//!   a bar or a heat-map cell is not drawn (a cell is drawn grey);
//! - a chart with nothing finite to draw still renders: its title, an empty
//!   axis frame and the note "no data", so a report never fails for an
//!   empty figure;
//! - an axis whose values are all equal is given a range around that value;
//! - series take the colours of the Okabe–Ito colour-blind-safe palette in
//!   order (blue, orange, bluish green, vermillion, …), heat maps the
//!   viridis scale;
//! - a legend goes inside the plot, in a corner where it covers no data
//!   (lines, intervals, bars); when every corner holds data it goes under
//!   the x axis title, its entries side by side (labels too long for the
//!   chart's width are shortened with "…"), never beside the plot, so that
//!   plots keep their width. Only a chart too small to keep a plot above
//!   such a legend has it in the corner covering the least data;
//! - one tick style: every numeric axis (the heat map's and its colour bar
//!   included) has tick marks 5 pixels long outside the plot, and labels
//!   with the same number of decimals along the axis, thousands as k and
//!   millions as M; categorical axes have labels and no marks;
//! - plots line up: the label area left of a numeric y axis and the margin
//!   right of the plot have the same width on every chart whose tick labels
//!   fit them, so charts of one size have plots of one width.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::OnceLock;

mod axes;
mod bars;
mod canvas;
mod heat_map;
mod layout;
mod legend;
mod scatter;
mod style;
mod subset;
mod text;
mod time_series;
mod waterfall;

use axes::*;
use bars::*;
use heat_map::*;
use layout::*;
use legend::*;
use scatter::*;
use style::*;
use time_series::*;
use waterfall::*;
// plotters has its own `Rect`: the charts mean theirs
use layout::Rect;

pub use text::UsedChars;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Why a chart could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot render chart: {0}")]
pub struct PlotError(String);

impl PlotError {
    fn new(message: impl Into<String>) -> PlotError {
        PlotError(message.into())
    }
}

/// Turns any plotters drawing error into a [`PlotError`].
fn drawing_error(error: impl std::fmt::Display) -> PlotError {
    PlotError::new(error.to_string())
}

/// One line of a time series with its interval: `mean[i]`, `low[i]` and
/// `high[i]` are at `x[i]`. Points past the end of a shorter vector are
/// ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Legend entry.
    pub label: String,
    /// Positions along the x axis.
    pub x: Vec<f64>,
    /// The line.
    pub mean: Vec<f64>,
    /// Lower end of the interval (shaded).
    pub low: Vec<f64>,
    /// Upper end of the interval (shaded).
    pub high: Vec<f64>,
}

/// How a waterfall bar is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarKind {
    /// A total: the bar starts at 0, and the running total becomes its value.
    Level,
    /// A change: the bar floats from the running total to the running total
    /// plus its value, which it then becomes.
    Change,
}

/// One bar of a [`waterfall`].
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallBar {
    /// Category label.
    pub label: String,
    /// Whether the bar is a total or a change.
    pub kind: BarKind,
    /// The total, or the change (negative for a loss).
    pub value: f64,
    /// Lower end of the interval of `value`.
    pub low: f64,
    /// Upper end of the interval of `value`.
    pub high: f64,
}

/// One bar of a [`bars`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Row label.
    pub label: String,
    /// Length of the bar (negative values extend left).
    pub value: f64,
    /// Lower end of the interval of `value`.
    pub low: f64,
    /// Upper end of the interval of `value`.
    pub high: f64,
}

/// One series of a [`bars`] chart, one bar per row.
#[derive(Debug, Clone, PartialEq)]
pub struct BarGroup {
    /// Legend entry.
    pub name: String,
    /// The bars, one per row, in row order.
    pub bars: Vec<Bar>,
}

/// One set of points of a [`scatter`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    /// Legend entry (none when empty).
    pub label: String,
    /// Positions along the x axis.
    pub x: Vec<f64>,
    /// Positions along the y axis.
    pub y: Vec<f64>,
    /// Whether a line joins the points, in order.
    pub joined: bool,
    /// Radius of each dot in pixels; 0 draws no dots.
    pub radius: u32,
    /// Each point's value on the viridis colour scale, shown by a colour
    /// bar, instead of the set's own colour.
    pub shade: Option<Vec<f64>>,
}

/// An outlined, lightly shaded rectangle on a [`scatter`] chart; an
/// infinite side runs to the edge of the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Legend entry (none when empty).
    pub label: String,
    /// From and to along the x axis.
    pub x: (f64, f64),
    /// From and to along the y axis.
    pub y: (f64, f64),
}

/// A chart, rendered on demand to SVG or PNG.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    title: String,
    width: u32,
    height: u32,
    kind: Kind,
}

/// What a chart shows.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    TimeSeries {
        x_label: String,
        y_label: String,
        bands: Vec<Band>,
    },
    Waterfall {
        y_label: String,
        bars: Vec<WaterfallBar>,
    },
    Bars {
        value_label: String,
        groups: Vec<BarGroup>,
    },
    HeatMap {
        x_label: String,
        y_label: String,
        z_label: String,
        xs: Vec<f64>,
        ys: Vec<f64>,
        z: Vec<Vec<f64>>,
    },
    Scatter {
        labels: [String; 3],
        sets: Vec<Points>,
        regions: Vec<Region>,
    },
}

impl Chart {
    fn new(title: &str, kind: Kind) -> Chart {
        Chart {
            title: title.to_owned(),
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            kind,
        }
    }

    /// The same chart at `width` × `height` pixels, each kept between
    /// 320 × 240 and 8000 × 8000.
    pub fn with_size(mut self, width: u32, height: u32) -> Chart {
        self.width = width.clamp(MIN_SIZE.0, MAX_SIZE);
        self.height = height.clamp(MIN_SIZE.1, MAX_SIZE);
        self
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The chart as a standalone SVG document, with the subset of the font
    /// its text uses embedded (an `@font-face` rule in its `<style>`).
    pub fn svg(&self) -> Result<String, PlotError> {
        let (svg, used) = self.svg_without_font()?;
        Ok(with_style(&svg, &used.font_face_css()?))
    }

    /// The chart as SVG whose text names the embedded font without
    /// declaring it, and the characters that text uses: for a page that
    /// shows several charts and declares the font once, for all of them.
    pub fn svg_without_font(&self) -> Result<(String, UsedChars), PlotError> {
        register_fonts()?;
        let used = RefCell::new(UsedChars::default());
        let mut text = String::new();
        {
            let canvas = canvas::SvgCanvas::new(&mut text, (self.width, self.height), &used);
            let root = canvas.into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(drawing_error)?;
        }
        Ok((text, used.into_inner()))
    }

    /// The chart as an encoded PNG image, drawn in memory `scale` times
    /// its size (an 800 × 500 chart at scale 2 is 1600 × 1000 pixels; the
    /// scale is kept between 1 and 6, and so that neither side passes 8000
    /// pixels). The file says it is 96 × `scale` pixels per inch, so that
    /// it prints at the same size at every scale.
    pub fn png(&self, scale: f64) -> Result<Vec<u8>, PlotError> {
        let scale = self.png_scale(scale);
        let rgb = self.rgb(scale)?;
        let (width, height) = canvas::scaled_size((self.width, self.height), scale);
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // per-row filters: files half the size of unfiltered ones
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let per_metre = (96.0 * scale / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: per_metre,
            yppu: per_metre,
            unit: png::Unit::Meter,
        }));
        encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(&rgb))
            .map_err(|e| PlotError::new(format!("cannot encode the PNG image: {e}")))?;
        Ok(out)
    }

    /// `scale` kept between 1 and 6, and so that neither side of the
    /// image passes `MAX_SIZE` pixels.
    fn png_scale(&self, scale: f64) -> f64 {
        let most = f64::from(MAX_SIZE) / f64::from(self.width.max(self.height));
        let scale = if scale.is_finite() { scale } else { 1.0 };
        scale.clamp(1.0, 6.0).min(most.max(1.0))
    }

    /// The chart as RGB pixels at `scale`, row by row, three bytes a pixel.
    fn rgb(&self, scale: f64) -> Result<Vec<u8>, PlotError> {
        register_fonts()?;
        let (width, height) = canvas::scaled_size((self.width, self.height), scale);
        // Sides are at most MAX_SIZE, so this cannot overflow.
        let mut pixels = vec![0; width as usize * height as usize * 3];
        {
            let canvas = canvas::PngCanvas::new(&mut pixels, (self.width, self.height), scale);
            let root = canvas.into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(drawing_error)?;
        }
        Ok(pixels)
    }

    /// Draws the chart on any plotters backend.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let top = root.margin(6, 0, 0, 0);
        let body = if self.title.is_empty() {
            top
        } else {
            let (title, px) = fitted_title(&top, &self.title)?;
            top.titled(&title, bold_font(px)).map_err(drawing_error)?
        };
        let body = body.margin(6, 8, 10, 0);
        match &self.kind {
            Kind::TimeSeries {
                x_label,
                y_label,
                bands,
            } => draw_time_series(&body, x_label, y_label, bands),
            Kind::Waterfall { y_label, bars } => draw_waterfall(&body, y_label, bars),
            Kind::Bars {
                value_label,
                groups,
            } => draw_bars(&body, value_label, groups),
            Kind::HeatMap {
                x_label,
                y_label,
                z_label,
                xs,
                ys,
                z,
            } => draw_heat_map(&body, x_label, y_label, z_label, xs, ys, z),
            Kind::Scatter {
                labels,
                sets,
                regions,
            } => draw_scatter(&body, [&labels[0], &labels[1], &labels[2]], sets, regions),
        }
    }
}

/// Smallest size a title is shrunk to before it is shortened.
const MIN_TITLE_PX: f64 = 15.0;

/// The title and its size, so that it fits the chart's width: shrunk step
/// by step down to [`MIN_TITLE_PX`], then cut short with "…".
fn fitted_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<(String, f64), PlotError> {
    let room = area.dim_in_pixel().0.saturating_sub(2 * TITLE_MARGIN_PX);
    let mut px = TITLE_PX;
    while px > MIN_TITLE_PX && text_size(area, title, &bold_font(px))?.0 > room {
        px -= 1.0;
    }
    let font = bold_font(px);
    let short = shorten(title, room, |t| Ok(text_size(area, t, &font)?.0))?;
    Ok((short, px))
}

/// Room kept free on each side of a title.
const TITLE_MARGIN_PX: u32 = 8;

/// `svg` with `css` in a `<style>` element first inside it (nothing added
/// for no CSS).
fn with_style(svg: &str, css: &str) -> String {
    match svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
    {
        Some(end) if !css.is_empty() => {
            format!(
                "{}\n<defs><style>{css}</style></defs>{}",
                &svg[..end],
                &svg[end..]
            )
        }
        _ => svg.to_owned(),
    }
}

/// Time series, one line per band with its 95% interval shaded (same
/// colour, 20% opaque), and a legend with the labels (of the bands that
/// have one), placed as the module documentation says.
///
/// Lines and bands break where a value is not finite.
pub fn time_series(title: &str, x_label: &str, y_label: &str, bands: &[Band]) -> Chart {
    Chart::new(
        title,
        Kind::TimeSeries {
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            bands: bands.to_vec(),
        },
    )
}

/// Waterfall: [`BarKind::Level`] bars start at 0 and set the running total
/// to their value; each [`BarKind::Change`] bar floats from the running
/// total to the running total plus its value, which becomes the new
/// running total. Decreases and increases have their own colours (with a
/// legend), grey connectors join consecutive bars, and a thin line marks 0.
///
/// Each bar has its interval as an error bar on its far end: `low..high`
/// for a level, running total + `low` .. running total + `high` for a
/// change.
///
/// The bars stand upright with their labels underneath, wrapped at spaces,
/// when every word fits the width of a bar; otherwise (long labels, many
/// bars) the chart is turned a quarter: bars lie in rows, the first on top,
/// labelled on the left, and values run along the x axis.
///
/// A bar whose value is not finite is left out (its label stays) and
/// leaves the running total as it is; an interval with an end that is not
/// finite is not drawn.
pub fn waterfall(title: &str, y_label: &str, bars: &[WaterfallBar]) -> Chart {
    Chart::new(
        title,
        Kind::Waterfall {
            y_label: y_label.to_owned(),
            bars: bars.to_vec(),
        },
    )
}

/// Horizontal bar chart: one row per label, the labels taken from the first
/// group (all groups are expected to have the same labels in the same
/// order; a group's bars past the number of rows are ignored). In each row
/// every group has a bar, side by side, with its interval as an error bar;
/// a vertical line marks 0 and negative values extend left. A legend names
/// the groups when there is more than one.
pub fn bars(title: &str, value_label: &str, groups: &[BarGroup]) -> Chart {
    Chart::new(
        title,
        Kind::Bars {
            value_label: value_label.to_owned(),
            groups: groups.to_vec(),
        },
    )
}

/// Heat map of `z` over a 2-D grid: column `ix` is at `xs[ix]`, row `iy` at
/// `ys[iy]`, and `z[iy][ix]` is its value. Cells are coloured on the
/// viridis scale, with a colour bar showing the range of `z` and `z_label`;
/// a cell whose value is not finite, or missing (a short row), is grey.
/// Each cell extends halfway to its neighbours, so the grid need not be
/// evenly spaced. Ticks are at the grid values (every few when there are
/// many). Columns or rows whose position is not finite are left out.
pub fn heat_map(
    title: &str,
    x_label: &str,
    y_label: &str,
    z_label: &str,
    xs: &[f64],
    ys: &[f64],
    z: &[Vec<f64>],
) -> Chart {
    Chart::new(
        title,
        Kind::HeatMap {
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            z_label: z_label.to_owned(),
            xs: xs.to_vec(),
            ys: ys.to_vec(),
            z: z.to_vec(),
        },
    )
}

/// Scatter plot: each set's dots in its palette colour (or, where it has
/// `shade` values, on the viridis scale, with a colour bar titled
/// `z_label`), joined in order where it says so, and each region outlined
/// over them. A point with a coordinate that is not finite is left out.
pub fn scatter(
    title: &str,
    x_label: &str,
    y_label: &str,
    z_label: &str,
    sets: &[Points],
    regions: &[Region],
) -> Chart {
    Chart::new(
        title,
        Kind::Scatter {
            labels: [x_label.to_owned(), y_label.to_owned(), z_label.to_owned()],
            sets: sets.to_vec(),
            regions: regions.to_vec(),
        },
    )
}

#[cfg(test)]
mod tests;
