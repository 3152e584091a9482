//! The plotters backends charts are drawn on: the SVG and bitmap backends,
//! with text measured and (in PNG) drawn by [`super::text`], and the bitmap
//! drawn at a scale.
//!
//! Charts are laid out in CSS pixels (an 800 × 500 chart is 800 × 500 in
//! SVG). [`PngCanvas`] reports that size to plotters and draws everything
//! `scale` times larger on a bitmap of the scaled size: lines, shapes and
//! text get thicker and sharper, not blurred by resampling.

use std::cell::RefCell;

use plotters::prelude::{BitMapBackend, SVGBackend};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontFamily, FontStyle, FontTransform, text_anchor::Pos,
};

use super::PLOTTERS_FONT_SCALE;
use super::text::{self, SVG_FAMILY, UsedChars};

/// plotters' font size of `style`, in CSS pixels.
fn css_px<S: BackendTextStyle>(style: &S) -> f64 {
    style.size() / PLOTTERS_FONT_SCALE
}

fn is_bold<S: BackendTextStyle>(style: &S) -> bool {
    matches!(style.style(), FontStyle::Bold)
}

/// Width and height of `text` in `style`, as a browser sets it in the SVG:
/// the width of its advances, and the em as height (as plotters reports).
fn measure<S: BackendTextStyle>(text: &str, style: &S) -> (u32, u32) {
    let px = css_px(style);
    let width = text::face(is_bold(style)).width(text, px);
    (width.round() as u32, px as u32)
}

/// A text style as given, but naming the SVG's font family.
struct SvgText<'s, S>(&'s S);

impl<S: BackendTextStyle> BackendTextStyle for SvgText<'_, S> {
    type FontError = S::FontError;

    fn color(&self) -> BackendColor {
        self.0.color()
    }

    fn size(&self) -> f64 {
        self.0.size()
    }

    fn transform(&self) -> FontTransform {
        self.0.transform()
    }

    fn style(&self) -> FontStyle {
        self.0.style()
    }

    fn anchor(&self) -> Pos {
        self.0.anchor()
    }

    fn family(&self) -> FontFamily<'_> {
        FontFamily::Name(SVG_FAMILY)
    }

    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), Self::FontError> {
        self.0.layout_box(text)
    }

    fn draw<E, F: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        text: &str,
        pos: BackendCoord,
        draw: F,
    ) -> Result<Result<(), E>, Self::FontError> {
        self.0.draw(text, pos, draw)
    }
}

/// The SVG backend, noting the characters of its text (for the subset of
/// the font to embed) and measuring text as a browser sets it.
pub(super) struct SvgCanvas<'a> {
    inner: SVGBackend<'a>,
    used: &'a RefCell<UsedChars>,
}

impl<'a> SvgCanvas<'a> {
    pub(super) fn new(
        target: &'a mut String,
        size: (u32, u32),
        used: &'a RefCell<UsedChars>,
    ) -> SvgCanvas<'a> {
        SvgCanvas {
            inner: SVGBackend::with_string(target, size),
            used,
        }
    }
}

type SvgError = DrawingErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>;

impl DrawingBackend for SvgCanvas<'_> {
    type ErrorType = <SVGBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), SvgError> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), SvgError> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), SvgError> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), SvgError> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), SvgError> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), SvgError> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), SvgError> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), SvgError> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), SvgError> {
        self.used.borrow_mut().add(text, is_bold(style));
        self.inner.draw_text(text, &SvgText(style), pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), SvgError> {
        Ok(measure(text, style))
    }
}

/// A style with another stroke width.
struct Stroke<'s, S>(&'s S, u32);

impl<S: BackendStyle> BackendStyle for Stroke<'_, S> {
    fn color(&self) -> BackendColor {
        self.0.color()
    }

    fn stroke_width(&self) -> u32 {
        self.1
    }
}

/// The bitmap backend, drawn at `scale` times the size plotters is told.
pub(super) struct PngCanvas<'a> {
    inner: BitMapBackend<'a>,
    size: (u32, u32),
    scale: f64,
}

impl<'a> PngCanvas<'a> {
    /// A canvas of `size` CSS pixels drawn on `pixels`, an RGB buffer of
    /// the size times `scale` (rounded), as [`scaled_size`] gives it.
    pub(super) fn new(pixels: &'a mut [u8], size: (u32, u32), scale: f64) -> PngCanvas<'a> {
        PngCanvas {
            inner: BitMapBackend::with_buffer(pixels, scaled_size(size, scale)),
            size,
            scale,
        }
    }

    /// A coordinate where a pixel edge lies.
    fn edge(&self, v: i32) -> i32 {
        (f64::from(v) * self.scale).round() as i32
    }

    fn edges(&self, (x, y): BackendCoord) -> BackendCoord {
        (self.edge(x), self.edge(y))
    }

    /// The middle of the pixels that pixel `v` becomes.
    fn centre(&self, v: i32) -> i32 {
        ((f64::from(v) + 0.5) * self.scale - 0.5).round() as i32
    }

    fn centres(&self, (x, y): BackendCoord) -> BackendCoord {
        (self.centre(x), self.centre(y))
    }

    fn width(&self, w: u32) -> u32 {
        ((f64::from(w) * self.scale).round() as u32).max(1)
    }

    /// Fills the pixels that pixels `a` to `b` (both included) become.
    fn block(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        color: BackendColor,
    ) -> Result<(), BitmapError> {
        let (x0, x1) = (a.0.min(b.0), a.0.max(b.0) + 1);
        let (y0, y1) = (a.1.min(b.1), a.1.max(b.1) + 1);
        let (ul, br) = (self.edges((x0, y0)), self.edges((x1, y1)));
        self.inner.draw_rect(ul, br, &color, true)
    }

    fn unscaled(&self) -> bool {
        self.scale == 1.0
    }
}

/// The size in pixels of a chart of `size` CSS pixels drawn at `scale`.
pub(super) fn scaled_size(size: (u32, u32), scale: f64) -> (u32, u32) {
    let scaled = |v: u32| ((f64::from(v) * scale).round() as u32).max(1);
    (scaled(size.0), scaled(size.1))
}

type BitmapError = DrawingErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>;

impl DrawingBackend for PngCanvas<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), BitmapError> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), BitmapError> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), BitmapError> {
        if self.unscaled() {
            return self.inner.draw_pixel(point, color);
        }
        self.block(point, point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), BitmapError> {
        if self.unscaled() {
            return self.inner.draw_line(from, to, style);
        }
        let straight = from.0 == to.0 || from.1 == to.1;
        if straight && style.stroke_width() == 1 {
            return self.block(from, to, style.color());
        }
        let (a, b) = (self.centres(from), self.centres(to));
        let width = self.width(style.stroke_width());
        self.inner.draw_line(a, b, &Stroke(style, width))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), BitmapError> {
        if self.unscaled() {
            return self.inner.draw_rect(upper_left, bottom_right, style, fill);
        }
        if fill {
            let (a, b) = (self.edges(upper_left), self.edges(bottom_right));
            return self.inner.draw_rect(a, b, style, true);
        }
        let ((x0, y0), (x1, y1)) = (upper_left, bottom_right);
        for (a, b) in [
            ((x0, y0), (x1, y0)),
            ((x1, y0), (x1, y1)),
            ((x0, y1), (x1, y1)),
            ((x0, y0), (x0, y1)),
        ] {
            self.draw_line(a, b, style)?;
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), BitmapError> {
        if self.unscaled() {
            return self.inner.draw_path(path, style);
        }
        if style.stroke_width() == 1 {
            let points: Vec<BackendCoord> = path.into_iter().collect();
            for pair in points.windows(2) {
                self.draw_line(pair[0], pair[1], style)?;
            }
            return Ok(());
        }
        let points: Vec<BackendCoord> = path.into_iter().map(|p| self.centres(p)).collect();
        let width = self.width(style.stroke_width());
        self.inner.draw_path(points, &Stroke(style, width))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), BitmapError> {
        if self.unscaled() {
            return self.inner.draw_circle(center, radius, style, fill);
        }
        let width = self.width(style.stroke_width());
        let radius = self.width(radius);
        self.inner
            .draw_circle(self.centres(center), radius, &Stroke(style, width), fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), BitmapError> {
        if self.unscaled() {
            return self.inner.fill_polygon(vert, style);
        }
        let points: Vec<BackendCoord> = vert.into_iter().map(|p| self.centres(p)).collect();
        self.inner.fill_polygon(points, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (w, h): (u32, u32),
        src: &[u8],
    ) -> Result<(), BitmapError> {
        // not used by the charts; drawn pixel by pixel, each scaled
        for (k, rgb) in src.chunks_exact(3).take((w * h) as usize).enumerate() {
            let (dx, dy) = ((k as u32 % w) as i32, (k as u32 / w) as i32);
            let color = BackendColor {
                alpha: 1.0,
                rgb: (rgb[0], rgb[1], rgb[2]),
            };
            self.draw_pixel((pos.0 + dx, pos.1 + dy), color)?;
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), BitmapError> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let face = text::face(is_bold(style));
        let px = css_px(style);
        let (dx, dy) = face.offset(text, px, style.anchor());
        // turned about the anchor point, as SVG's rotate(angle, x, y)
        let pivot = self.edges(pos);
        let turn = style.transform();
        let mut result = Ok(());
        face.raster(
            text,
            px * self.scale,
            (dx * self.scale, dy * self.scale),
            |x, y, coverage| {
                let (x, y) = match turn {
                    FontTransform::Rotate90 => (-y - 1, x),
                    FontTransform::Rotate180 => (-x - 1, -y - 1),
                    FontTransform::Rotate270 => (y, -x - 1),
                    _ => (x, y),
                };
                let ink = BackendColor {
                    alpha: color.alpha * f64::from(coverage.min(1.0)),
                    rgb: color.rgb,
                };
                if result.is_ok() {
                    result = self.inner.draw_pixel((pivot.0 + x, pivot.1 + y), ink);
                }
            },
        );
        result
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), BitmapError> {
        Ok(measure(text, style))
    }
}
