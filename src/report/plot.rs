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

mod canvas;
mod subset;
mod text;

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

/// The Okabe–Ito colour-blind-safe palette: blue, orange, bluish green,
/// vermillion, reddish purple, sky blue, yellow, black. Series take these
/// colours in order, starting again after the eighth.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x00, 0x00),
];

/// Waterfall bars: levels (totals), decreases and increases.
const LEVEL_COLOUR: RGBColor = PALETTE[0];
const DECREASE_COLOUR: RGBColor = PALETTE[3];
const INCREASE_COLOUR: RGBColor = PALETTE[2];

/// The colour of series `i`: the palette, over again past its end.
fn series_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}
/// Heat-map cells without a finite value.
const MISSING_COLOUR: RGBColor = RGBColor(0xB4, 0xB4, 0xB4);
const GRID_COLOUR: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
const AXIS_COLOUR: RGBColor = RGBColor(0x40, 0x40, 0x40);
const CONNECTOR_COLOUR: RGBColor = RGBColor(0x80, 0x80, 0x80);
const NOTE_COLOUR: RGBColor = RGBColor(0x60, 0x60, 0x60);
/// Opacity of the shaded interval around a time series.
const BAND_OPACITY: f64 = 0.2;

/// Viridis, sampled at nine evenly spaced points; colours in between are
/// interpolated linearly.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2D, 0x7B),
    (0x3B, 0x52, 0x8B),
    (0x2C, 0x72, 0x8E),
    (0x21, 0x91, 0x8C),
    (0x28, 0xAE, 0x80),
    (0x5E, 0xC9, 0x62),
    (0xAD, 0xDC, 0x30),
    (0xFD, 0xE7, 0x25),
];

const DEFAULT_WIDTH: u32 = 800;
const DEFAULT_HEIGHT: u32 = 500;
/// [`Chart::with_size`] keeps sizes within these bounds.
const MIN_SIZE: (u32, u32) = (320, 240);
const MAX_SIZE: u32 = 8000;

/// The family plotters looks the embedded fonts up by (the SVG names
/// [`text::SVG_FAMILY`]).
const FONT_FAMILY: &str = "sans-serif";

/// Text sizes, in CSS pixels (what the SVG output declares).
const TITLE_PX: f64 = 20.0;
const AXIS_LABEL_PX: f64 = 16.0;
const TICK_PX: f64 = 14.0;
const LEGEND_PX: f64 = 14.0;
const NOTE_PX: f64 = 16.0;
/// plotters' font sizes are this many times the CSS pixel size its SVG
/// output writes (it divides by 1.24 there).
const PLOTTERS_FONT_SCALE: f64 = 1.24;
/// Height of a line of tick-sized text, in pixels.
const TICK_LINE_PX: u32 = 18;
/// Space between an axis and its tick labels: plotters puts the labels two
/// tick-mark lengths (5 px) away.
const TICK_LABEL_GAP: u32 = 10;

/// Registers the embedded fonts with plotters, once per process.
fn register_fonts() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<Result<(), PlotError>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for (style, bytes, file) in [
                (FontStyle::Normal, text::FONT_REGULAR, "DejaVuSans.ttf"),
                (FontStyle::Bold, text::FONT_BOLD, "DejaVuSans-Bold.ttf"),
            ] {
                plotters::style::register_font(FONT_FAMILY, style, bytes).map_err(|_| {
                    PlotError::new(format!("the embedded font {file} cannot be read"))
                })?;
            }
            Ok(())
        })
        .clone()
}

/// The regular font at `px` CSS pixels.
fn font(px: f64) -> FontDesc<'static> {
    (FONT_FAMILY, px * PLOTTERS_FONT_SCALE).into_font()
}

/// The bold font at `px` CSS pixels.
fn bold_font(px: f64) -> FontDesc<'static> {
    (FONT_FAMILY, px * PLOTTERS_FONT_SCALE, FontStyle::Bold).into_font()
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

// ---------------------------------------------------------------------------
// Axes and frames

/// The smallest and largest finite values seen.
#[derive(Debug, Clone, Copy, Default)]
struct Extent(Option<(f64, f64)>);

impl Extent {
    fn add(&mut self, value: f64) {
        if value.is_finite() {
            self.0 = Some(match self.0 {
                None => (value, value),
                Some((lo, hi)) => (lo.min(value), hi.max(value)),
            });
        }
    }

    fn get(self) -> Option<(f64, f64)> {
        self.0
    }
}

/// A range for an axis showing `lo..=hi`: a range with no width is given
/// one around its value; otherwise each padded side gets 5% more room.
fn axis_range(lo: f64, hi: f64, pad_low: bool, pad_high: bool) -> Range<f64> {
    if hi - lo <= 0.0 || !(hi - lo).is_finite() {
        let half = if lo == 0.0 || !lo.is_finite() {
            1.0
        } else {
            lo.abs() * 0.1
        };
        let mid = if lo.is_finite() { lo } else { 0.0 };
        return (mid - half)..(mid + half);
    }
    let pad = (hi - lo) * 0.05;
    let lo = if pad_low { lo - pad } else { lo };
    let hi = if pad_high { hi + pad } else { hi };
    lo..hi
}

/// A range for a value axis whose bars start at 0: it includes 0 and is
/// padded only on the sides where values lie.
fn value_range(extent: Extent) -> Range<f64> {
    let (lo, hi) = extent.get().unwrap_or((0.0, 0.0));
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    axis_range(lo, hi, lo < 0.0, hi > 0.0)
}

/// How tick labels read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TickFormat {
    /// `decimals` decimals after dividing by `scale`, then `suffix`
    /// (12,000 with a step of 2,000 reads "12k").
    Fixed {
        decimals: usize,
        scale: f64,
        suffix: &'static str,
    },
    /// Scientific notation, for very large or very small numbers.
    Scientific,
    /// No text: categorical axes, whose labels are drawn separately.
    Blank,
}

impl TickFormat {
    /// The format for ticks `step` apart, the largest `max_abs` in size.
    fn for_step(step: f64, max_abs: f64) -> TickFormat {
        if !(step.is_finite() && max_abs.is_finite()) || step < 1e-6 || max_abs >= 1e15 {
            return TickFormat::Scientific;
        }
        let (scale, suffix) = match max_abs {
            m if m >= 1e12 => (1e12, "T"),
            m if m >= 1e9 => (1e9, "G"),
            m if m >= 1e6 => (1e6, "M"),
            m if m >= 1e4 => (1e3, "k"),
            _ => (1.0, ""),
        };
        TickFormat::Fixed {
            decimals: decimals_for(step / scale),
            scale,
            suffix,
        }
    }

    fn format(self, value: f64) -> String {
        match self {
            TickFormat::Fixed {
                decimals,
                scale,
                suffix,
            } => {
                let scaled = value / scale;
                if scaled.abs() < 0.5 * 10f64.powi(-(decimals as i32)) {
                    // Not "-0", "0k" or "0.00": a tick at 0 reads "0".
                    "0".to_owned()
                } else {
                    format!("{scaled:.decimals$}{suffix}")
                }
            }
            TickFormat::Scientific => format!("{value:.2e}"),
            TickFormat::Blank => String::new(),
        }
    }
}

/// Decimals needed to write multiples of `step` (1, 2 or 5 times a power
/// of ten) exactly.
fn decimals_for(step: f64) -> usize {
    let digits = -(step.log10() + 1e-9).floor();
    if digits > 0.0 { digits as usize } else { 0 }
}

impl TickFormat {
    /// The format for ticks at `values` (heat-map grid values): as for
    /// round ticks, with the fewest decimals (at most six), the same for
    /// all, that put every value within a tenth of the smallest gap
    /// between two of them (0.05, 0.1667, 0.2833, 0.4 read "0.05", "0.17",
    /// "0.28", "0.40"; a single value keeps six significant digits).
    fn for_values(values: &[f64]) -> TickFormat {
        let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        finite.sort_by(f64::total_cmp);
        let max_abs = finite.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let TickFormat::Fixed { scale, suffix, .. } = TickFormat::for_step(1.0, max_abs) else {
            return TickFormat::Scientific;
        };
        let gap = finite
            .windows(2)
            .map(|w| (w[1] - w[0]) / scale)
            .filter(|d| *d > 0.0)
            .fold(f64::INFINITY, f64::min);
        let tolerance = if gap.is_finite() {
            gap / 10.0
        } else {
            max_abs / scale * 1e-6
        };
        let decimals = (0..=6)
            .find(|&d| {
                let unit = 10f64.powi(d);
                finite.iter().all(|v| {
                    let scaled = v / scale;
                    ((scaled * unit).round() / unit - scaled).abs() <= tolerance
                })
            })
            .unwrap_or(6) as usize;
        TickFormat::Fixed {
            decimals,
            scale,
            suffix,
        }
    }
}

/// Ticks at multiples of a round step (1, 2 or 5 times a power of ten),
/// at most about `max_ticks` of them, within `range`.
fn nice_ticks(range: &Range<f64>, max_ticks: usize) -> (Vec<f64>, TickFormat) {
    let span = range.end - range.start;
    let raw = span / max_ticks.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return (vec![], TickFormat::Scientific);
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    let first = (range.start / step - 1e-9).ceil() as i64;
    let last = (range.end / step + 1e-9).floor() as i64;
    let ticks: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
    let max_abs = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    (ticks, TickFormat::for_step(step, max_abs))
}

/// One axis of a plot: its range, its ticks, how they read and its title.
#[derive(Debug, Clone)]
struct Axis {
    range: Range<f64>,
    ticks: Vec<f64>,
    format: TickFormat,
    label: String,
    /// Whether grid lines are drawn at the ticks.
    grid: bool,
}

impl Axis {
    /// A numeric axis over `range` with round ticks.
    fn numeric(range: Range<f64>, max_ticks: usize, label: &str) -> Axis {
        let (ticks, format) = nice_ticks(&range, max_ticks);
        Axis {
            range,
            ticks,
            format,
            label: label.to_owned(),
            grid: true,
        }
    }

    /// A numeric axis with ticks at the given values, every few of them
    /// when there are more than `max_ticks`.
    fn at_values(range: Range<f64>, values: &[f64], max_ticks: usize, label: &str) -> Axis {
        let every = values.len().div_ceil(max_ticks.max(1)).max(1);
        let ticks: Vec<f64> = values.iter().copied().step_by(every).collect();
        Axis {
            range,
            format: TickFormat::for_values(&ticks),
            ticks,
            label: label.to_owned(),
            grid: false,
        }
    }

    /// An axis of `n` categories at 0, 1, … n − 1, without ticks: the
    /// caller draws the category labels.
    fn categories(n: usize) -> Axis {
        Axis {
            range: -0.5..(n as f64 - 0.5),
            ticks: vec![],
            format: TickFormat::Blank,
            label: String::new(),
            grid: false,
        }
    }

    fn tick_labels(&self) -> impl Iterator<Item = String> + '_ {
        self.ticks.iter().map(|t| self.format.format(*t))
    }

    fn coord(&self) -> Ticked {
        Ticked {
            range: self.range.clone(),
            ticks: self.ticks.clone(),
        }
    }
}

/// A plotters coordinate: linear over `range`, with ticks and grid lines
/// at `ticks` (plotters' own f64 axes choose their ticks themselves).
#[derive(Debug, Clone)]
struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    // Tick labels are always formatted by a `TickFormat`.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (value - self.range.start) / (self.range.end - self.range.start);
        // `as` saturates far outside the plot.
        (limit.0 as f64 + (limit.1 - limit.0) as f64 * fraction).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // No light grid lines: only the ticks'.
        if hint.weight().allow_light_points() {
            vec![]
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// The coordinates of every plot: both axes numeric, with chosen ticks.
type Coords = Cartesian2d<Ticked, Ticked>;

/// Space around a plot, in pixels: the label areas left and below, the
/// margins above and to the right, and the margin under the label area
/// below (room for a legend there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    left: u32,
    bottom: u32,
    top: u32,
    right: u32,
    below: u32,
}

impl Layout {
    /// Margins around the plot area: 8 pixels on top, nothing yet below
    /// the x-axis title (a legend may claim room there later).
    fn new(left: u32, bottom: u32, right: u32) -> Layout {
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
    fn rows<DB: DrawingBackend>(
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
fn text_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc,
) -> Result<(u32, u32), PlotError> {
    area.estimate_text_size(text, &TextStyle::from(font.clone()))
        .map_err(drawing_error)
}

/// The widest of `texts` in `font`, in pixels.
fn widest<DB: DrawingBackend>(
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
fn axis_title_room(label: &str) -> u32 {
    if label.is_empty() { 0 } else { 30 }
}

/// The tick labels of a numeric y axis take at least this width (that of
/// "00000" in the tick font), so that plots line up across charts.
const TICK_LABELS_PX: u32 = 45;
/// The margin right of a plot takes at least this width, for the same.
const RIGHT_MARGIN_PX: u32 = 24;

/// Width of the label area left of a numeric y axis.
fn left_room<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    y: &Axis,
) -> Result<u32, PlotError> {
    let ticks = widest(area, y.tick_labels(), &font(TICK_PX))?.max(TICK_LABELS_PX);
    Ok(ticks + TICK_LABEL_GAP + 6 + axis_title_room(&y.label))
}

/// Height of the label area below a numeric x axis.
fn bottom_room(x: &Axis) -> u32 {
    TICK_LABEL_GAP + TICK_LINE_PX + 6 + axis_title_room(&x.label)
}

/// Room right of the plot, so that the last x tick label is not cut.
fn right_room<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: &Axis,
) -> Result<u32, PlotError> {
    let last = x.tick_labels().last().unwrap_or_default();
    Ok((text_size(area, &last, &font(TICK_PX))?.0 / 2 + 6).max(RIGHT_MARGIN_PX))
}

/// The usual layout of a plot with numeric axes.
fn numeric_layout<DB: DrawingBackend>(
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
fn tick_count(pixels: u32, spacing: u32) -> usize {
    (pixels / spacing).clamp(2, 12) as usize
}

/// Draws the axes frame of a plot in `area` (axes, ticks, tick labels,
/// axis titles and grid) and returns the chart to draw the data on.
fn frame<'a, DB: DrawingBackend>(
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
fn text_at<DB: DrawingBackend>(
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
fn draw_no_data<DB: DrawingBackend>(
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

// ---------------------------------------------------------------------------
// Legends

/// Cells of the [`Occupancy`] grid along each side of a plot.
const OCCUPANCY_CELLS: usize = 96;

/// Which parts of a plot hold data (lines, bands, bars, error bars), on a
/// grid over the plot, to tell whether a legend placed in it would cover
/// any. Marks err on the side of too many cells, never too few.
#[derive(Debug, Clone)]
struct Occupancy {
    x: Range<f64>,
    y: Range<f64>,
    /// `filled[column][row]`, row 0 at the bottom.
    filled: Vec<[bool; OCCUPANCY_CELLS]>,
}

impl Occupancy {
    fn new(x: &Axis, y: &Axis) -> Occupancy {
        Occupancy {
            x: x.range.clone(),
            y: y.range.clone(),
            filled: vec![[false; OCCUPANCY_CELLS]; OCCUPANCY_CELLS],
        }
    }

    /// Where `value` lies along `range`, in cells (not clamped).
    fn position(range: &Range<f64>, value: f64) -> f64 {
        (value - range.start) / (range.end - range.start) * OCCUPANCY_CELLS as f64
    }

    /// The grid cell of `value` along `range`, clamped to the grid.
    fn cell(range: &Range<f64>, value: f64) -> usize {
        let last = OCCUPANCY_CELLS - 1;
        (Self::position(range, value).floor().max(0.0) as usize).min(last)
    }

    /// Marks the rectangle with corners `a` and `b` (data coordinates).
    fn rect(&mut self, a: (f64, f64), b: (f64, f64)) {
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
    fn pieces(&self, dx: f64, dys: &[f64]) -> usize {
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
    fn path(&mut self, points: &[(f64, f64)]) {
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
    fn band(&mut self, run: &[[f64; 3]]) {
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
    fn count(&self, rect: Rect, plot: Rect) -> usize {
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
struct Rect {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
}

impl Rect {
    /// The rectangle `width` × `height` with its upper left corner at
    /// (`x`, `y`).
    fn at(x: i32, y: i32, width: u32, height: u32) -> Rect {
        Rect {
            x0: x,
            y0: y,
            x1: x + width as i32,
            y1: y + height as i32,
        }
    }

    fn width(&self) -> i32 {
        self.x1 - self.x0
    }

    fn height(&self) -> i32 {
        self.y1 - self.y0
    }

    /// Whether the two share any area.
    #[cfg(test)]
    fn intersects(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether `other` lies within this one.
    fn contains(&self, other: &Rect) -> bool {
        self.x0 <= other.x0 && other.x1 <= self.x1 && self.y0 <= other.y0 && other.y1 <= self.y1
    }

    /// This rectangle grown by `by` on every side.
    fn grown(&self, by: i32) -> Rect {
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
fn plot_rect(size: (u32, u32), layout: &Layout) -> Rect {
    Rect {
        x0: layout.left as i32,
        y0: layout.top as i32,
        x1: size.0 as i32 - layout.right as i32,
        y1: size.1 as i32 - (layout.bottom + layout.below) as i32,
    }
}

/// Height of a legend entry, in pixels.
const LEGEND_LINE_PX: u32 = 22;
/// Space inside a legend's box around its entries.
const LEGEND_PADDING: u32 = 10;
/// Width of a legend marker, and the space between it and its label.
const LEGEND_MARKER_PX: u32 = 22;
const LEGEND_MARKER_GAP: u32 = 8;
/// Space between columns of legend entries.
const LEGEND_COLUMN_GAP: u32 = 20;
/// Distance between a legend inside the plot and the plot's edges.
const LEGEND_INSET: i32 = 6;
/// Room a legend inside the plot keeps from data: half a line's width, a
/// dot's radius, and a pixel of rounding.
const LEGEND_CLEARANCE: i32 = 4;
/// Space between a legend outside the plot and the edge of the chart, and
/// between a legend under the plot and the x axis title.
const LEGEND_OUTSIDE_GAP: u32 = 10;
/// A legend outside the plot leaves it at least this many pixels high.
const MIN_PLOT_PX: i32 = 60;

/// How a legend marks a series.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Marker {
    /// A line over its shaded interval, as a time series draws them.
    Line(RGBColor),
    /// A filled square, for bars.
    Square(RGBColor),
}

/// One entry of a legend.
#[derive(Debug, Clone, PartialEq)]
struct LegendEntry {
    label: String,
    marker: Marker,
}

/// Where a legend goes, and how its entries are arranged, in pixels of the
/// area the chart is drawn in.
#[derive(Debug, Clone, PartialEq)]
struct LegendBox {
    rect: Rect,
    /// Entries are laid out row by row, this many a row.
    columns: usize,
    /// Width of an entry: marker, gap and the widest label.
    entry_width: u32,
    /// The labels, shortened with "…" where the chart is too narrow for
    /// them.
    labels: Vec<String>,
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
fn place_legend(
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
fn shorten(
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
fn legend_layout<DB: DrawingBackend>(
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
fn draw_legend<DB: DrawingBackend>(
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

/// An error bar from `from` to `to` (data coordinates), with caps
/// `cap` long (in data units across it).
fn error_bar(
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
fn runs<T>(items: impl IntoIterator<Item = Option<T>>) -> Vec<Vec<T>> {
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
fn finite<const N: usize>(values: [f64; N]) -> Option<[f64; N]> {
    values.iter().all(|v| v.is_finite()).then_some(values)
}

// ---------------------------------------------------------------------------
// Time series

fn draw_time_series<DB: DrawingBackend>(
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

// ---------------------------------------------------------------------------
// Categorical axes

/// Width of the label area left of rows labelled `labels`.
fn row_label_room<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[&str],
) -> Result<u32, PlotError> {
    Ok(widest(area, labels, &font(TICK_PX))? + TICK_LABEL_GAP + 8)
}

/// Draws `labels` left of the rows of `chart`, the first row on top (at
/// y = rows − 1), right-aligned against the y axis at `x_start`.
fn draw_row_labels<DB: DrawingBackend>(
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
fn wrap_words(
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
fn wrap_labels<DB: DrawingBackend>(
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
fn column_label_room(wrapped: &[Vec<String>]) -> u32 {
    let most = wrapped.iter().map(Vec::len).max().unwrap_or(0) as u32;
    TICK_LABEL_GAP + most * TICK_LINE_PX + 8
}

/// Draws the `wrapped` labels centred under the columns of `chart` (at
/// x = 0, 1, …), below the x axis at `y_start`.
fn draw_column_labels<DB: DrawingBackend>(
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
fn draw_zero_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Coords>,
    from: (f64, f64),
    to: (f64, f64),
) -> Result<(), PlotError> {
    let line = PathElement::new(vec![from, to], ShapeStyle::from(&BLACK).stroke_width(1));
    chart.draw_series([line]).map_err(drawing_error)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Waterfall

/// A waterfall bar placed on the chart: its slot, its two ends, its
/// interval and colour.
struct PlacedBar {
    slot: usize,
    from: f64,
    to: f64,
    interval: Option<(f64, f64)>,
    colour: RGBColor,
}

/// Where each waterfall bar goes, following the running total.
fn place_waterfall(bars: &[WaterfallBar]) -> Vec<PlacedBar> {
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
const WATERFALL_HALF_WIDTH: f64 = 0.32;

fn draw_waterfall<DB: DrawingBackend>(
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

// ---------------------------------------------------------------------------
// Horizontal bars

fn draw_bars<DB: DrawingBackend>(
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

// ---------------------------------------------------------------------------
// Heat map

/// The viridis colour at `t` in 0..=1 (clamped).
fn viridis(t: f64) -> RGBColor {
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
fn cell_edges(values: &[f64]) -> Vec<f64> {
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
fn edges_range(edges: &[f64]) -> Range<f64> {
    let mut extent = Extent::default();
    edges.iter().for_each(|e| extent.add(*e));
    let (lo, hi) = extent.get().unwrap_or((0.0, 1.0));
    axis_range(lo, hi, false, false)
}

/// The colour bar: space before it, its width and its tick marks.
const COLOUR_BAR_GAP: u32 = 24;
const COLOUR_BAR_WIDTH: u32 = 22;
const COLOUR_BAR_TICK: u32 = 5;
/// What the grey swatch under the colour bar says.
const MISSING_NOTE: &str = "no value";

fn draw_heat_map<DB: DrawingBackend>(
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
struct ColourBar {
    left: i32,
    top: i32,
    bottom: i32,
}

impl ColourBar {
    /// Draws the gradient over the range of `z`, its ticks and labels, and
    /// `z`'s title turned upright on the right.
    fn draw<DB: DrawingBackend>(
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
    fn draw_missing_note<DB: DrawingBackend>(
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

#[cfg(test)]
mod tests {
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
        let with =
            |values: [f64; 4]| -> Vec<(&str, f64)> { factors.into_iter().zip(values).collect() };
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
        let (layout, legend) =
            place_legend(size, layout, labels, occupancy, width_of).expect("placed");
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
}
