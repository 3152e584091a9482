//! A TrueType font cut down to the characters a chart uses, for embedding
//! in SVG as an `@font-face` data URL.
//!
//! The subset keeps the outlines (without hinting instructions), the
//! advances, the legacy `kern` table (the kerning [`super::text`] applies to
//! PNG text, so that browsers set SVG text the same way), a `cmap` for the
//! characters, and the font's copyright and licence notices in its `name`
//! table, as the Bitstream Vera licence asks. Glyph ids are renumbered:
//! `.notdef` first, then the glyphs in their original order. Tables that
//! would let a browser set text differently from the PNG (`GSUB`, `GPOS`)
//! are left out.

use std::collections::{BTreeMap, BTreeSet};

use ab_glyph::{Font, FontRef};

/// Why a font could not be cut down (a damaged font file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot subset the font: {0}")]
pub struct SubsetError(&'static str);

/// Big-endian reads that fail instead of panicking past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u16(&self, at: usize) -> Result<u16, SubsetError> {
        self.0
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or(SubsetError("a table is shorter than its contents"))
    }

    fn u32(&self, at: usize) -> Result<u32, SubsetError> {
        self.0
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or(SubsetError("a table is shorter than its contents"))
    }

    fn bytes(&self, range: std::ops::Range<usize>) -> Result<&'a [u8], SubsetError> {
        self.0
            .get(range)
            .ok_or(SubsetError("a table is shorter than its contents"))
    }
}

/// The tables of a font file, by tag.
fn tables(font: &[u8]) -> Result<BTreeMap<[u8; 4], &[u8]>, SubsetError> {
    let r = Reader(font);
    let count = r.u16(4)? as usize;
    let mut tables = BTreeMap::new();
    for i in 0..count {
        let entry = 12 + 16 * i;
        let tag: [u8; 4] = r.bytes(entry..entry + 4)?.try_into().unwrap_or_default();
        let offset = r.u32(entry + 8)? as usize;
        let length = r.u32(entry + 12)? as usize;
        tables.insert(tag, r.bytes(offset..offset + length)?);
    }
    Ok(tables)
}

fn table<'a>(tables: &BTreeMap<[u8; 4], &'a [u8]>, tag: &[u8; 4]) -> Result<&'a [u8], SubsetError> {
    tables
        .get(tag)
        .copied()
        .ok_or(SubsetError("a required table is missing"))
}

/// The glyph data of each glyph, by `loca`.
struct Glyphs<'a> {
    glyf: &'a [u8],
    loca: &'a [u8],
    long: bool,
}

impl<'a> Glyphs<'a> {
    fn get(&self, gid: u16) -> Result<&'a [u8], SubsetError> {
        let loca = Reader(self.loca);
        let g = gid as usize;
        let (start, end) = if self.long {
            (loca.u32(4 * g)? as usize, loca.u32(4 * g + 4)? as usize)
        } else {
            (
                2 * loca.u16(2 * g)? as usize,
                2 * loca.u16(2 * g + 2)? as usize,
            )
        };
        if end < start {
            return Err(SubsetError("loca runs backwards"));
        }
        Reader(self.glyf).bytes(start..end)
    }
}

/// Composite glyph flags.
const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
const WE_HAVE_A_SCALE: u16 = 0x0008;
const MORE_COMPONENTS: u16 = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;
const WE_HAVE_INSTRUCTIONS: u16 = 0x0100;

/// The components of a composite glyph: (offset of its glyph index in
/// `data`, the index), and where the components end.
fn components(data: &[u8]) -> Result<(Vec<(usize, u16)>, usize), SubsetError> {
    let r = Reader(data);
    let mut at = 10;
    let mut found = Vec::new();
    loop {
        let flags = r.u16(at)?;
        found.push((at + 2, r.u16(at + 2)?));
        at += 4 + if flags & ARG_1_AND_2_ARE_WORDS != 0 {
            4
        } else {
            2
        };
        at += if flags & WE_HAVE_A_SCALE != 0 {
            2
        } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
            4
        } else if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
            8
        } else {
            0
        };
        if flags & MORE_COMPONENTS == 0 {
            return Ok((found, at));
        }
    }
}

/// A glyph without its hinting instructions, its components renumbered by
/// `new_id`.
fn strip(data: &[u8], new_id: &BTreeMap<u16, u16>) -> Result<Vec<u8>, SubsetError> {
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let r = Reader(data);
    let contours = r.u16(0)? as i16;
    if contours >= 0 {
        let counts = 10 + 2 * contours as usize;
        let instructions = r.u16(counts)? as usize;
        let mut out = r.bytes(0..counts)?.to_vec();
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(r.bytes(counts + 2 + instructions..data.len())?);
        return Ok(out);
    }
    let (parts, end) = components(data)?;
    let mut out = r.bytes(0..end)?.to_vec();
    for (at, old) in parts {
        let flags = u16::from_be_bytes([out[at - 2], out[at - 1]]) & !WE_HAVE_INSTRUCTIONS;
        out[at - 2..at].copy_from_slice(&flags.to_be_bytes());
        let id = new_id
            .get(&old)
            .ok_or(SubsetError("a component glyph is missing"))?;
        out[at..at + 2].copy_from_slice(&id.to_be_bytes());
    }
    Ok(out)
}

/// `font` (a TrueType file) cut down to the glyphs of `chars`; characters
/// the font lacks are left out, for a browser to take from a fallback font.
pub fn subset(font: &[u8], chars: &BTreeSet<char>) -> Result<Vec<u8>, SubsetError> {
    let face = FontRef::try_from_slice(font).map_err(|_| SubsetError("not a font"))?;
    let t = tables(font)?;
    let head = table(&t, b"head")?;
    let glyphs = Glyphs {
        glyf: table(&t, b"glyf")?,
        loca: table(&t, b"loca")?,
        long: Reader(head).u16(50)? == 1,
    };

    // the glyphs of the characters, and the glyphs composites are made of
    let mapped: Vec<(char, u16)> = chars
        .iter()
        .map(|&c| (c, face.glyph_id(c).0))
        .filter(|&(_, g)| g != 0)
        .collect();
    let mut keep: BTreeSet<u16> = mapped.iter().map(|&(_, g)| g).collect();
    keep.insert(0);
    let mut pending: Vec<u16> = keep.iter().copied().collect();
    while let Some(g) = pending.pop() {
        let data = glyphs.get(g)?;
        if data.len() >= 10 && (Reader(data).u16(0)? as i16) < 0 {
            for (_, part) in components(data)?.0 {
                if keep.insert(part) {
                    pending.push(part);
                }
            }
        }
    }
    let new_id: BTreeMap<u16, u16> = keep
        .iter()
        .enumerate()
        .map(|(n, &g)| (g, n as u16))
        .collect();
    let n = keep.len();

    let mut glyf = Vec::new();
    let mut loca = Vec::with_capacity(4 * (n + 1));
    for &g in &keep {
        loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
        glyf.extend(strip(glyphs.get(g)?, &new_id)?);
        while glyf.len() % 4 != 0 {
            glyf.push(0);
        }
    }
    loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());

    let hhea = table(&t, b"hhea")?;
    let metrics = Reader(hhea).u16(34)? as usize;
    let hmtx = Reader(table(&t, b"hmtx")?);
    let mut new_hmtx = Vec::with_capacity(4 * n);
    for &g in &keep {
        let g = g as usize;
        let advance = hmtx.u16(4 * g.min(metrics - 1))?;
        let lsb = if g < metrics {
            hmtx.u16(4 * g + 2)?
        } else {
            hmtx.u16(4 * metrics + 2 * (g - metrics))?
        };
        new_hmtx.extend_from_slice(&advance.to_be_bytes());
        new_hmtx.extend_from_slice(&lsb.to_be_bytes());
    }

    let mut new_head = head.to_vec();
    new_head[8..12].fill(0); // checkSumAdjustment, set at the end
    new_head[50..52].copy_from_slice(&1u16.to_be_bytes()); // long loca
    let mut new_hhea = hhea.to_vec();
    new_hhea[34..36].copy_from_slice(&(n as u16).to_be_bytes());
    let mut maxp = table(&t, b"maxp")?.to_vec();
    maxp.get_mut(4..6)
        .ok_or(SubsetError("maxp is too short"))?
        .copy_from_slice(&(n as u16).to_be_bytes());
    // post version 3: no glyph names
    let mut post = Reader(table(&t, b"post")?).bytes(0..32)?.to_vec();
    post[0..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());

    let mut out: BTreeMap<[u8; 4], Vec<u8>> = BTreeMap::new();
    out.insert(*b"OS/2", table(&t, b"OS/2")?.to_vec());
    out.insert(*b"cmap", cmap(&mapped, &new_id));
    out.insert(*b"glyf", glyf);
    out.insert(*b"head", new_head);
    out.insert(*b"hhea", new_hhea);
    out.insert(*b"hmtx", new_hmtx);
    out.insert(*b"loca", loca);
    out.insert(*b"maxp", maxp);
    out.insert(*b"name", name(table(&t, b"name")?)?);
    out.insert(*b"post", post);
    if let Some(kern) = t.get(b"kern") {
        out.insert(*b"kern", kern_table(kern, &new_id)?);
    }
    Ok(assemble(out))
}

/// A `cmap` with one format 4 subtable (Windows, Unicode BMP) mapping each
/// character of `mapped` to its new glyph.
fn cmap(mapped: &[(char, u16)], new_id: &BTreeMap<u16, u16>) -> Vec<u8> {
    let mut segments: Vec<(u16, u16, u16)> = Vec::new(); // start, end, delta
    for &(c, g) in mapped {
        let Ok(code) = u16::try_from(u32::from(c)) else {
            continue; // beyond the BMP: a format 4 table cannot map it
        };
        if code == 0xFFFF {
            continue;
        }
        let delta = new_id[&g].wrapping_sub(code);
        match segments.last_mut() {
            Some((_, end, d)) if *end + 1 == code && *d == delta => *end = code,
            _ => segments.push((code, code, delta)),
        }
    }
    segments.push((0xFFFF, 0xFFFF, 1));
    let count = segments.len();
    let (search_range, entry_selector) = binary_search_fields(count, 2);
    let mut sub = Vec::new();
    let length = 16 + 8 * count;
    for v in [
        4,
        length as u16,
        0,
        (2 * count) as u16,
        search_range,
        entry_selector,
        (2 * count) as u16 - search_range,
    ] {
        sub.extend_from_slice(&v.to_be_bytes());
    }
    segments
        .iter()
        .for_each(|s| sub.extend_from_slice(&s.1.to_be_bytes()));
    sub.extend_from_slice(&[0, 0]); // reservedPad
    segments
        .iter()
        .for_each(|s| sub.extend_from_slice(&s.0.to_be_bytes()));
    segments
        .iter()
        .for_each(|s| sub.extend_from_slice(&s.2.to_be_bytes()));
    segments.iter().for_each(|_| sub.extend_from_slice(&[0, 0])); // idRangeOffset
    let mut out = Vec::new();
    for v in [0u16, 1, 3, 1] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&12u32.to_be_bytes());
    out.extend(sub);
    out
}

/// searchRange and entrySelector of a binary-search header over `count`
/// entries `size` bytes each.
fn binary_search_fields(count: usize, size: usize) -> (u16, u16) {
    let mut power = 1;
    let mut log = 0;
    while power * 2 <= count {
        power *= 2;
        log += 1;
    }
    ((power * size) as u16, log)
}

/// The horizontal kerning pairs of the first format 0 subtable of `kern`
/// among the kept glyphs, renumbered.
fn kern_table(kern: &[u8], new_id: &BTreeMap<u16, u16>) -> Result<Vec<u8>, SubsetError> {
    let r = Reader(kern);
    let mut pairs: Vec<(u16, u16, u16)> = Vec::new();
    if r.u16(0)? == 0 && r.u16(2)? >= 1 && r.u16(8)? >> 8 == 0 {
        let count = r.u16(10)? as usize;
        for i in 0..count {
            let at = 18 + 6 * i;
            let (left, right) = (r.u16(at)?, r.u16(at + 2)?);
            if let (Some(&l), Some(&r2)) = (new_id.get(&left), new_id.get(&right)) {
                pairs.push((l, r2, r.u16(at + 4)?));
            }
        }
    }
    pairs.sort_unstable();
    let (search_range, entry_selector) = binary_search_fields(pairs.len(), 6);
    let mut out = Vec::new();
    let length = 14 + 6 * pairs.len();
    for v in [
        0u16,
        1,
        0,
        length as u16,
        0x0001,
        pairs.len() as u16,
        search_range,
        entry_selector,
        (6 * pairs.len()) as u16 - search_range.min((6 * pairs.len()) as u16),
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    for (l, r, v) in pairs {
        for x in [l, r, v] {
            out.extend_from_slice(&x.to_be_bytes());
        }
    }
    Ok(out)
}

/// The `name` records a subset keeps: the Windows English names (copyright,
/// family, style, unique id, full name, version, PostScript name, licence
/// URL), and the licence text once, in its shorter Macintosh form.
fn name(name: &[u8]) -> Result<Vec<u8>, SubsetError> {
    let r = Reader(name);
    let (count, strings) = (r.u16(2)? as usize, r.u16(4)? as usize);
    let mut kept: Vec<([u16; 4], &[u8])> = Vec::new();
    for i in 0..count {
        let at = 6 + 12 * i;
        let ids = [r.u16(at)?, r.u16(at + 2)?, r.u16(at + 4)?, r.u16(at + 6)?];
        let (length, offset) = (r.u16(at + 8)? as usize, r.u16(at + 10)? as usize);
        let windows = ids[..3] == [3, 1, 0x409] && matches!(ids[3], 0..=6 | 14);
        let licence = ids == [1, 0, 0, 13];
        if windows || licence {
            let start = strings + offset;
            kept.push((ids, r.bytes(start..start + length)?));
        }
    }
    kept.sort_by_key(|(ids, _)| *ids);
    let mut out = Vec::new();
    for v in [0u16, kept.len() as u16, (6 + 12 * kept.len()) as u16] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 0usize;
    for (ids, text) in &kept {
        for v in ids {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.extend_from_slice(&(text.len() as u16).to_be_bytes());
        out.extend_from_slice(&(offset as u16).to_be_bytes());
        offset += text.len();
    }
    for (_, text) in &kept {
        out.extend_from_slice(text);
    }
    Ok(out)
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// The font file of `tables`, with its directory and checksums.
fn assemble(tables: BTreeMap<[u8; 4], Vec<u8>>) -> Vec<u8> {
    let count = tables.len();
    let (search_range, entry_selector) = binary_search_fields(count, 16);
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [
        count as u16,
        search_range,
        entry_selector,
        (16 * count) as u16 - search_range,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * count;
    let mut head_at = None;
    for (tag, data) in &tables {
        if tag == b"head" {
            head_at = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().div_ceil(4) * 4;
    }
    for data in tables.values() {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// A TrueType font (as [`subset`] makes them) in WOFF 1.0: each table
/// compressed with zlib where that makes it smaller, which halves a subset.
/// Every browser reads WOFF.
pub fn woff(ttf: &[u8]) -> Result<Vec<u8>, SubsetError> {
    use std::io::Write as _;
    let tables = tables(ttf)?;
    let sfnt_size: usize = 12
        + 16 * tables.len()
        + tables
            .values()
            .map(|t| t.len().div_ceil(4) * 4)
            .sum::<usize>();
    let mut directory = Vec::new();
    let mut data = Vec::new();
    let mut offset = 44 + 20 * tables.len();
    for (tag, table) in &tables {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let compressed = z
            .write_all(table)
            .and_then(|()| z.finish())
            .map_err(|_| SubsetError("cannot compress a table"))?;
        let stored: &[u8] = if compressed.len() < table.len() {
            &compressed
        } else {
            table
        };
        directory.extend_from_slice(tag);
        for v in [offset, stored.len(), table.len()] {
            directory.extend_from_slice(&(v as u32).to_be_bytes());
        }
        directory.extend_from_slice(&checksum(table).to_be_bytes());
        data.extend_from_slice(stored);
        while data.len() % 4 != 0 {
            data.push(0);
        }
        offset = 44 + 20 * tables.len() + data.len();
    }
    let length = 44 + directory.len() + data.len();
    let mut out = Vec::with_capacity(length);
    out.extend_from_slice(b"wOFF");
    out.extend_from_slice(&Reader(ttf).u32(0)?.to_be_bytes()); // flavor
    out.extend_from_slice(&(length as u32).to_be_bytes());
    out.extend_from_slice(&(tables.len() as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0]); // reserved
    out.extend_from_slice(&(sfnt_size as u32).to_be_bytes());
    out.extend_from_slice(&[0, 1, 0, 0]); // version 1.0 of the font file
    out.extend_from_slice(&[0; 20]); // no metadata, no private data
    out.extend(directory);
    out.extend(data);
    Ok(out)
}

/// Standard base64 with padding, for data URLs.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::ScaleFont;

    static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xFB, 0xFF]), "+/8=");
    }

    #[test]
    fn a_subset_maps_its_characters_to_the_same_shapes_and_advances() {
        let text = "Realized value: AVAToé–…×0123 ∞";
        let chars: BTreeSet<char> = text.chars().chain(['\u{4E2D}']).collect();
        let small = subset(REGULAR, &chars).expect("subset");
        assert!(small.len() < 30_000, "{} bytes", small.len());
        let (full, cut) = (
            FontRef::try_from_slice(REGULAR).unwrap(),
            FontRef::try_from_slice(&small).expect("a valid font"),
        );
        let (a, b) = (full.as_scaled(100.0), cut.as_scaled(100.0));
        for c in text.chars() {
            let (ga, gb) = (full.glyph_id(c), cut.glyph_id(c));
            assert_ne!(gb.0, 0, "{c:?} is mapped");
            assert_eq!(a.h_advance(ga), b.h_advance(gb), "{c:?}");
            let bounds = |f: &FontRef, g| f.outline(g).map(|o| o.bounds);
            assert_eq!(bounds(&full, ga), bounds(&cut, gb), "{c:?}");
        }
        // kerning survives: "AV" and "To" are kerned pairs in DejaVu Sans
        for (x, y) in [('A', 'V'), ('T', 'o')] {
            let ka = a.kern(full.glyph_id(x), full.glyph_id(y));
            assert!(ka < 0.0, "{x}{y} kerned in the font");
            assert_eq!(ka, b.kern(cut.glyph_id(x), cut.glyph_id(y)), "{x}{y}");
        }
        // a character the font lacks is left to a fallback font
        assert_eq!(cut.glyph_id('\u{4E2D}').0, 0);
        // the licence notice travels with it
        let text = String::from_utf8_lossy(&small);
        assert!(text.contains("Fonts are (c) Bitstream"));
    }

    #[test]
    fn woff_holds_the_same_tables_compressed() {
        use std::io::Read as _;
        let chars: BTreeSet<char> = "Realized value per step 0123456789".chars().collect();
        let ttf = subset(REGULAR, &chars).expect("subset");
        let packed = woff(&ttf).expect("woff");
        assert!(
            packed.len() < ttf.len() * 3 / 4,
            "{} of {}",
            packed.len(),
            ttf.len()
        );
        let r = Reader(&packed);
        assert_eq!(&packed[..4], b"wOFF");
        assert_eq!(r.u32(8).unwrap() as usize, packed.len());
        let original = tables(&ttf).unwrap();
        assert_eq!(r.u16(12).unwrap() as usize, original.len());
        assert_eq!(r.u32(16).unwrap() as usize, ttf.len(), "sfnt size");
        for (i, (tag, table)) in original.iter().enumerate() {
            let at = 44 + 20 * i;
            assert_eq!(&packed[at..at + 4], tag);
            let (offset, stored, length) = (
                r.u32(at + 4).unwrap() as usize,
                r.u32(at + 8).unwrap() as usize,
                r.u32(at + 12).unwrap() as usize,
            );
            assert_eq!(offset % 4, 0);
            assert_eq!(length, table.len());
            let bytes = &packed[offset..offset + stored];
            let unpacked = if stored < length {
                let mut out = Vec::new();
                flate2::read::ZlibDecoder::new(bytes)
                    .read_to_end(&mut out)
                    .unwrap();
                out
            } else {
                bytes.to_vec()
            };
            assert_eq!(&unpacked, table, "{}", String::from_utf8_lossy(tag));
        }
    }

    #[test]
    fn composite_glyphs_bring_their_parts() {
        // é is an e and an acute accent in DejaVu Sans
        let small = subset(REGULAR, &BTreeSet::from(['é'])).expect("subset");
        let cut = FontRef::try_from_slice(&small).expect("a valid font");
        let full = FontRef::try_from_slice(REGULAR).unwrap();
        let outline = |f: &FontRef, c| f.outline(f.glyph_id(c)).map(|o| o.curves.len());
        assert_eq!(outline(&cut, 'é'), outline(&full, 'é'));
        assert!(outline(&cut, 'é').unwrap_or(0) > 0);
    }
}
