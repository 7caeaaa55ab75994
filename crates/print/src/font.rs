//! The embedded fonts: DejaVu Sans and DejaVu Sans Bold, compiled into the binary.
//!
//! DejaVu covers Swedish (å ä ö) and the rest of Latin, Greek and Cyrillic, so
//! printouts never depend on fonts installed where they are opened or printed.
//! This module maps characters to glyph ids through the font's own `cmap`
//! (characters the font lacks become `?`), measures text by the glyphs'
//! advance widths, and makes the font program that goes into the PDF: a subset
//! with only the glyphs a document uses, or the whole font if subsetting fails.
//! The font licence is in `fonts/LICENSE`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;

use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Characters below this are looked up once when a font is loaded.
const CACHED: usize = 0x250;

/// Which of the two embedded fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Style {
    Regular,
    Bold,
}

impl Style {
    pub(crate) const ALL: [Style; 2] = [Style::Regular, Style::Bold];

    /// The font's name in each page's resource dictionary.
    pub(crate) fn resource_name(self) -> &'static [u8] {
        match self {
            Style::Regular => b"F1",
            Style::Bold => b"F2",
        }
    }
}

/// One glyph as drawn for one character.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glyph {
    /// The glyph id in the full font.
    pub(crate) id: u16,
    /// Advance width in thousandths of the font size (PDF glyph space).
    pub(crate) advance: f32,
    /// The character this glyph stands for when text is copied out of the PDF.
    pub(crate) unicode: char,
}

/// A parsed font with its glyph lookup.
pub(crate) struct Font {
    data: &'static [u8],
    face: Face<'static>,
    scale: f32,
    fallback: Glyph,
    cache: Vec<Glyph>,
}

impl Font {
    fn load(data: &'static [u8]) -> io::Result<Self> {
        let face = Face::parse(data, 0).map_err(|e| io::Error::other(format!("embedded font is unreadable: {e}")))?;
        let scale = 1000.0 / f32::from(face.units_per_em().max(1));
        let mut font =
            Self { data, face, scale, fallback: Glyph { id: 0, advance: 0.0, unicode: '?' }, cache: Vec::new() };
        font.fallback = font.lookup('?').unwrap_or(Glyph { id: 0, advance: font.advance(GlyphId(0)), unicode: '?' });
        font.cache = (0..CACHED)
            .map(|i| char::from_u32(i as u32).and_then(|c| font.lookup(c)).unwrap_or(font.fallback))
            .collect();
        Ok(font)
    }

    fn advance(&self, id: GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(id).unwrap_or(0)) * self.scale
    }

    fn lookup(&self, c: char) -> Option<Glyph> {
        let id = self.face.glyph_index(c).filter(|id| id.0 != 0)?;
        Some(Glyph { id: id.0, advance: self.advance(id), unicode: c })
    }

    /// The glyph drawn for `c`: the font's own, or `?` when the font has none.
    pub(crate) fn glyph(&self, c: char) -> Glyph {
        match self.cache.get(c as usize) {
            Some(glyph) => *glyph,
            None => self.lookup(c).unwrap_or(self.fallback),
        }
    }

    /// Advance width of `c` in points at `size`.
    pub(crate) fn char_width(&self, c: char, size: f32) -> f32 {
        self.glyph(c).advance * size / 1000.0
    }

    /// Width of `text` in points at `size` (no kerning).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).advance).sum::<f32>() * size / 1000.0
    }

    /// Ascender in thousandths of the font size.
    pub(crate) fn ascent(&self) -> f32 {
        f32::from(self.face.ascender()) * self.scale
    }

    /// Descender in thousandths of the font size (negative).
    pub(crate) fn descent(&self) -> f32 {
        f32::from(self.face.descender()) * self.scale
    }

    pub(crate) fn cap_height(&self) -> f32 {
        f32::from(self.face.capital_height().unwrap_or(self.face.ascender())) * self.scale
    }

    /// Font bounding box in thousandths: left, bottom, right, top.
    pub(crate) fn bbox(&self) -> [f32; 4] {
        let b = self.face.global_bounding_box();
        [b.x_min, b.y_min, b.x_max, b.y_max].map(|v| f32::from(v) * self.scale)
    }

    /// Approximate vertical stem width, derived from the weight class.
    pub(crate) fn stem_v(&self) -> f32 {
        10.0 + 0.244 * (f32::from(self.face.weight().to_number()) - 50.0)
    }

    /// The PostScript name from the font's `name` table.
    pub(crate) fn postscript_name(&self) -> String {
        self.face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .map(|n| n.chars().filter(|c| c.is_ascii_graphic() && !"[](){}<>/%#".contains(*c)).collect::<String>())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "DejaVuSans".to_string())
    }

    /// Advance width in thousandths of the glyph with id `id` in the full font.
    pub(crate) fn glyph_advance(&self, id: u16) -> f32 {
        self.advance(GlyphId(id))
    }

    /// The font program to embed for the glyphs in `used` (full-font glyph ids).
    pub(crate) fn embed(&self, used: &BTreeMap<u16, char>) -> Embedded {
        let ids: Vec<u16> = used.keys().copied().collect();
        let remapper = GlyphRemapper::new_from_glyphs_sorted(&ids);
        match subsetter::subset(self.data, 0, &remapper) {
            Ok(bytes) => Embedded { program: Cow::Owned(bytes), map: GlyphMap::Subset(remapper), tag: Some(tag(&ids)) },
            Err(_) => Embedded { program: Cow::Borrowed(self.data), map: GlyphMap::Identity, tag: None },
        }
    }
}

/// A font program ready to embed, with how glyph ids change in it.
pub(crate) struct Embedded {
    /// The TrueType font program.
    pub(crate) program: Cow<'static, [u8]>,
    /// Maps full-font glyph ids to the ids in `program`.
    pub(crate) map: GlyphMap,
    /// The six-letter subset tag for the font name, if this is a subset.
    pub(crate) tag: Option<String>,
}

/// How full-font glyph ids map to the embedded program's ids.
pub(crate) enum GlyphMap {
    /// The whole font is embedded.
    Identity,
    /// A subset is embedded; its ids are consecutive from 0 (`.notdef`).
    Subset(GlyphRemapper),
}

impl GlyphMap {
    /// The embedded id for full-font glyph `id` (`.notdef` if it was not collected).
    pub(crate) fn map(&self, id: u16) -> u16 {
        match self {
            GlyphMap::Identity => id,
            GlyphMap::Subset(remapper) => remapper.get(id).unwrap_or(0),
        }
    }
}

/// A subset tag (six capital letters) derived from the glyph set, so the same
/// document always gives the same bytes.
fn tag(ids: &[u16]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for id in ids {
        for byte in id.to_be_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|_| {
            let letter = b'A' + (hash % 26) as u8;
            hash /= 26;
            char::from(letter)
        })
        .collect()
}

/// Both embedded fonts, parsed.
pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    pub(crate) fn load() -> io::Result<Self> {
        Ok(Self { regular: Font::load(REGULAR)?, bold: Font::load(BOLD)? })
    }

    pub(crate) fn get(&self, style: Style) -> &Font {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_letters_have_their_own_glyphs() {
        let fonts = Fonts::load().unwrap();
        for style in Style::ALL {
            let font = fonts.get(style);
            for c in "åäöÅÄÖéü–—•…".chars() {
                let glyph = font.glyph(c);
                assert_eq!(glyph.unicode, c, "{style:?} lacks {c}");
                assert!(glyph.advance > 0.0);
            }
        }
    }

    #[test]
    fn missing_characters_become_question_marks() {
        let fonts = Fonts::load().unwrap();
        let font = fonts.get(Style::Regular);
        for c in ['中', '🦠', '\u{E000}'] {
            let glyph = font.glyph(c);
            assert_eq!(glyph, font.glyph('?'), "{c}");
            assert_eq!(glyph.unicode, '?');
        }
    }

    #[test]
    fn subsetting_keeps_only_used_glyphs() {
        let fonts = Fonts::load().unwrap();
        let font = fonts.get(Style::Regular);
        let used: BTreeMap<u16, char> = "Åsa".chars().map(|c| (font.glyph(c).id, c)).collect();
        let embedded = font.embed(&used);
        assert!(embedded.tag.is_some());
        assert!(embedded.program.len() < REGULAR.len() / 10, "subset is {} bytes", embedded.program.len());
        let subset = Face::parse(&embedded.program, 0).unwrap();
        assert!(subset.number_of_glyphs() >= 4);
        assert_eq!(embedded.map.map(font.glyph('s').id), 2);
    }

    #[test]
    fn names_are_the_postscript_names() {
        let fonts = Fonts::load().unwrap();
        assert_eq!(fonts.get(Style::Regular).postscript_name(), "DejaVuSans");
        assert_eq!(fonts.get(Style::Bold).postscript_name(), "DejaVuSans-Bold");
    }
}
