//! Colours, fonts and sizes shared by every chart.

use super::*;

/// The Okabe–Ito colour-blind-safe palette: blue, orange, bluish green,
/// vermillion, reddish purple, sky blue, yellow, black. Series take these
/// colours in order, starting again after the eighth.
pub(super) const PALETTE: [RGBColor; 8] = [
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
pub(super) const LEVEL_COLOUR: RGBColor = PALETTE[0];
pub(super) const DECREASE_COLOUR: RGBColor = PALETTE[3];
pub(super) const INCREASE_COLOUR: RGBColor = PALETTE[2];

/// The colour of series `i`: the palette, over again past its end.
pub(super) fn series_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}
/// Heat-map cells without a finite value.
pub(super) const MISSING_COLOUR: RGBColor = RGBColor(0xB4, 0xB4, 0xB4);
pub(super) const GRID_COLOUR: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub(super) const AXIS_COLOUR: RGBColor = RGBColor(0x40, 0x40, 0x40);
pub(super) const CONNECTOR_COLOUR: RGBColor = RGBColor(0x80, 0x80, 0x80);
pub(super) const NOTE_COLOUR: RGBColor = RGBColor(0x60, 0x60, 0x60);
/// Opacity of the shaded interval around a time series.
pub(super) const BAND_OPACITY: f64 = 0.2;

/// Viridis, sampled at nine evenly spaced points; colours in between are
/// interpolated linearly.
pub(super) const VIRIDIS: [(u8, u8, u8); 9] = [
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

pub(super) const DEFAULT_WIDTH: u32 = 800;
pub(super) const DEFAULT_HEIGHT: u32 = 500;
/// [`Chart::with_size`] keeps sizes within these bounds.
pub(super) const MIN_SIZE: (u32, u32) = (320, 240);
pub(super) const MAX_SIZE: u32 = 8000;

/// The family plotters looks the embedded fonts up by (the SVG names
/// [`text::SVG_FAMILY`]).
pub(super) const FONT_FAMILY: &str = "sans-serif";

/// Text sizes, in CSS pixels (what the SVG output declares).
pub(super) const TITLE_PX: f64 = 20.0;
pub(super) const AXIS_LABEL_PX: f64 = 16.0;
pub(super) const TICK_PX: f64 = 14.0;
pub(super) const LEGEND_PX: f64 = 14.0;
pub(super) const NOTE_PX: f64 = 16.0;
/// plotters' font sizes are this many times the CSS pixel size its SVG
/// output writes (it divides by 1.24 there).
pub(super) const PLOTTERS_FONT_SCALE: f64 = 1.24;
/// Height of a line of tick-sized text, in pixels.
pub(super) const TICK_LINE_PX: u32 = 18;
/// Space between an axis and its tick labels: plotters puts the labels two
/// tick-mark lengths (5 px) away.
pub(super) const TICK_LABEL_GAP: u32 = 10;

/// Registers the embedded fonts with plotters, once per process.
pub(super) fn register_fonts() -> Result<(), PlotError> {
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
pub(super) fn font(px: f64) -> FontDesc<'static> {
    (FONT_FAMILY, px * PLOTTERS_FONT_SCALE).into_font()
}

/// The bold font at `px` CSS pixels.
pub(super) fn bold_font(px: f64) -> FontDesc<'static> {
    (FONT_FAMILY, px * PLOTTERS_FONT_SCALE, FontStyle::Bold).into_font()
}
