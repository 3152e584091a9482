//! Text in the embedded DejaVu Sans, set the way a browser sets the SVG's
//! text: glyphs advance by their advance widths plus the font's kerning, at
//! an em of the CSS pixel size, and anchors follow SVG's `text-anchor` and
//! the `dy` plotters writes. The PNG's text is drawn here, glyph by glyph
//! (plotters' own bitmap text drops each glyph's side bearing and scales
//! glyphs by the font's height instead of its em, which spaces letters
//! unevenly and sets them 6.5% too large), and every chart measures its
//! text here, for SVG and PNG alike.
//!
//! The SVG names the family [`SVG_FAMILY`]: the font embedded in the file or
//! page (a subset in WOFF, see [`UsedChars::font_face_css`]) first, an installed DejaVu Sans
//! next (for programs that ignore embedded fonts), any sans-serif last.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, point};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::subset::{base64, subset, woff};

pub(super) static FONT_REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
pub(super) static FONT_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// The family the embedded font is declared under in `@font-face`.
const EMBEDDED_FAMILY: &str = "cocreate DejaVu Sans";
/// The `font-family` of the SVG's text.
pub(super) const SVG_FAMILY: &str = "cocreate DejaVu Sans, DejaVu Sans, sans-serif";

/// One weight of the font, with the metrics text setting needs.
pub(super) struct Face {
    bytes: &'static [u8],
    font: FontRef<'static>,
    /// Font units per em.
    units_per_em: f64,
    /// Ascent minus descent, in font units: what ab_glyph's scale measures.
    height: f64,
    /// The height of `x`, in ems: a browser's `ex` for a font without an
    /// OS/2 x-height, as DejaVu Sans is.
    x_height: f64,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Face {
        // Documented invariant: the fonts are compiled in, and the unit
        // tests load both.
        let font = FontRef::try_from_slice(bytes).expect("the embedded font is a valid font");
        let units_per_em = f64::from(font.units_per_em().unwrap_or(2048.0));
        let x_height = font
            .outline(font.glyph_id('x'))
            .map_or(0.55 * units_per_em, |o| f64::from(o.bounds.min.y));
        Face {
            bytes,
            height: f64::from(font.height_unscaled()),
            font,
            units_per_em,
            x_height: x_height / units_per_em,
        }
    }

    /// The glyphs of `text` and where each starts, in font units from the
    /// start; and the advance of the whole text.
    fn layout(&self, text: &str) -> (Vec<(GlyphId, f64)>, f64) {
        let mut pen = 0.0;
        let mut previous = None;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let id = self.font.glyph_id(c);
            if let Some(p) = previous {
                pen += f64::from(self.font.kern_unscaled(p, id));
            }
            glyphs.push((id, pen));
            pen += f64::from(self.font.h_advance_unscaled(id));
            previous = Some(id);
        }
        (glyphs, pen)
    }

    /// The advance of `text` at `px` pixels to the em.
    pub(super) fn width(&self, text: &str, px: f64) -> f64 {
        self.layout(text).1 * px / self.units_per_em
    }

    /// Where the start of the baseline of `text` at `px` pixels to the em
    /// lies from its anchor point, as SVG places it: `text-anchor` along
    /// the line, and plotters' `dy` (0.76em, 0.5ex or −0.5ex) across.
    pub(super) fn offset(&self, text: &str, px: f64, anchor: Pos) -> (f64, f64) {
        let width = self.width(text, px);
        let x = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let y = match anchor.v_pos {
            VPos::Top => 0.76 * px,
            VPos::Center => 0.5 * self.x_height * px,
            VPos::Bottom => -0.5 * self.x_height * px,
        };
        (x, y)
    }

    /// Rasterizes `text` at `px` pixels to the em with its baseline starting
    /// at `origin` (pixels, fractions kept): `plot(x, y, coverage)` for
    /// each pixel a glyph covers.
    pub(super) fn raster(
        &self,
        text: &str,
        px: f64,
        origin: (f64, f64),
        mut plot: impl FnMut(i32, i32, f32),
    ) {
        let scale = PxScale::from((px * self.height / self.units_per_em) as f32);
        let per_unit = px / self.units_per_em;
        for (id, at) in self.layout(text).0 {
            let position = point((origin.0 + at * per_unit) as f32, origin.1 as f32);
            if let Some(glyph) = self
                .font
                .outline_glyph(id.with_scale_and_position(scale, position))
            {
                let bounds = glyph.px_bounds();
                let (x0, y0) = (bounds.min.x as i32, bounds.min.y as i32);
                glyph.draw(|x, y, c| plot(x0 + x as i32, y0 + y as i32, c));
            }
        }
    }
}

static REGULAR: LazyLock<Face> = LazyLock::new(|| Face::load(FONT_REGULAR));
static BOLD: LazyLock<Face> = LazyLock::new(|| Face::load(FONT_BOLD));

/// The regular or the bold face.
pub(super) fn face(bold: bool) -> &'static Face {
    if bold { &BOLD } else { &REGULAR }
}

/// The characters charts set, per weight: what a subset of the font for
/// them must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsedChars {
    regular: BTreeSet<char>,
    bold: BTreeSet<char>,
}

impl UsedChars {
    /// Notes the characters of `text`, set in bold or not.
    pub(super) fn add(&mut self, text: &str, bold: bool) {
        let set = if bold {
            &mut self.bold
        } else {
            &mut self.regular
        };
        set.extend(text.chars().filter(|c| !c.is_whitespace()));
        // a space is in every subset: its advance
        set.insert(' ');
    }

    /// Adds the characters of `other`.
    pub fn merge(&mut self, other: &UsedChars) {
        self.regular.extend(&other.regular);
        self.bold.extend(&other.bold);
    }

    /// CSS `@font-face` rules declaring, as data URLs, the subsets of the
    /// embedded fonts with these characters (nothing for a weight with none).
    pub fn font_face_css(&self) -> Result<String, PlotError> {
        let mut css = String::new();
        for (chars, face, weight) in [
            (&self.regular, face(false), 400),
            (&self.bold, face(true), 700),
        ] {
            if chars.is_empty() {
                continue;
            }
            let font = subset(face.bytes, chars)
                .and_then(|ttf| woff(&ttf))
                .map_err(|e| PlotError::new(e.to_string()))?;
            css.push_str(&format!(
                "@font-face{{font-family:'{EMBEDDED_FAMILY}';font-weight:{weight};src:url(data:font/woff;base64,{}) format('woff')}}",
                base64(&font)
            ));
        }
        Ok(css)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_as_wide_as_its_advances_at_the_em() {
        // DejaVu Sans: 'i' advances 569 units, 'm' 1995, of 2048 to the em
        let f = face(false);
        assert!((f.width("i", 2048.0) - 569.0).abs() < 1e-9);
        assert!((f.width("im", 2048.0) - 2564.0).abs() < 1e-9);
        // kerning pulls "AV" together
        assert!(f.width("AV", 20.0) < f.width("A", 20.0) + f.width("V", 20.0));
        assert!(face(true).width("mean", 14.0) > f.width("mean", 14.0));
        // x-height of DejaVu Sans: 1120 units
        assert!((f.x_height - 1120.0 / 2048.0).abs() < 1e-9);
    }

    /// The columns of a raster of `text` that hold ink.
    fn inked_columns(text: &str, px: f64) -> Vec<bool> {
        let f = face(false);
        let width = f.width(text, px).ceil() as usize + 4;
        let mut columns = vec![false; width];
        f.raster(text, px, (1.0, px), |x, _, c| {
            if c > 0.3 && x >= 0 && (x as usize) < width {
                columns[x as usize] = true;
            }
        });
        columns
    }

    #[test]
    fn letters_keep_their_side_bearings() {
        // "ll" at 40 px: each l is a stem 2.2 px wide (184 units) with side
        // bearings of 193 units (3.8 px) each: the gap between the stems is
        // two bearings wide, not one (plotters drew it one bearing wide)
        let columns = inked_columns("ll", 40.0);
        let runs: Vec<(usize, usize)> = {
            let mut runs = Vec::new();
            let mut start = None;
            for (x, &ink) in columns.iter().enumerate() {
                match (ink, start) {
                    (true, None) => start = Some(x),
                    (false, Some(s)) => {
                        runs.push((s, x));
                        start = None;
                    }
                    _ => {}
                }
            }
            runs
        };
        assert_eq!(runs.len(), 2, "{columns:?}");
        let gap = runs[1].0 - runs[0].1;
        assert!((6..=9).contains(&gap), "gap {gap}: {runs:?}");
        // the first stem starts one bearing after the origin
        assert!((4..=6).contains(&runs[0].0), "{runs:?}");
    }

    #[test]
    fn used_chars_become_font_faces() {
        let mut used = UsedChars::default();
        assert_eq!(used.font_face_css().unwrap(), "");
        used.add("Realized value", false);
        let css = used.font_face_css().unwrap();
        assert_eq!(css.matches("@font-face").count(), 1);
        assert!(css.contains("font-weight:400"));
        let mut title = UsedChars::default();
        title.add("Title", true);
        used.merge(&title);
        let css = used.font_face_css().unwrap();
        assert!(css.contains("font-weight:700"), "{}", &css[..200]);
        assert!(css.len() < 40_000, "{} bytes", css.len());
    }
}
