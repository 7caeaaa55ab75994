//! Writing laid-out pages as PDF objects.
//!
//! Each font is embedded as a Type0 font with Identity-H encoding over a
//! CIDFontType2 (TrueType) descendant: text in content streams is two-byte
//! glyph ids of the embedded font program, `/W` gives the advance of every
//! glyph used, and a ToUnicode CMap maps each glyph back to its character so
//! the text can be searched and copied. Streams are stored uncompressed (the
//! crate has no compressor); font programs are subset to the glyphs used.
//! The output depends only on the document: no dates, no random ids.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::font::{Embedded, Font, Fonts, Style};
use crate::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH, Page};

const IDENTITY: SystemInfo = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

/// Object ids of one embedded font.
struct FontRefs {
    type0: Ref,
    cid: Ref,
    descriptor: Ref,
    program: Ref,
    to_unicode: Ref,
}

/// A font as it goes into this document.
struct DocFont<'f> {
    style: Style,
    font: &'f Font,
    /// Full-font glyph id → the character it is copied out as.
    used: BTreeMap<u16, char>,
    embedded: Embedded,
    refs: FontRefs,
}

/// Writes `pages` as a complete PDF file.
pub(crate) fn write(title: &str, pages: &[Page], fonts: &Fonts) -> Vec<u8> {
    let mut next = 0;
    let mut alloc = || {
        next += 1;
        Ref::new(next)
    };
    let catalog = alloc();
    let page_tree = alloc();
    let info = alloc();

    let doc_fonts: Vec<DocFont> = Style::ALL
        .into_iter()
        .filter_map(|style| {
            let font = fonts.get(style);
            let mut used = BTreeMap::new();
            for op in pages.iter().flat_map(|p| &p.ops) {
                if let Op::Text { style: s, text, .. } = op
                    && *s == style
                {
                    for c in text.chars() {
                        let glyph = font.glyph(c);
                        used.entry(glyph.id).or_insert(glyph.unicode);
                    }
                }
            }
            if used.is_empty() {
                return None;
            }
            let embedded = font.embed(&used);
            let refs =
                FontRefs { type0: alloc(), cid: alloc(), descriptor: alloc(), program: alloc(), to_unicode: alloc() };
            Some(DocFont { style, font, used, embedded, refs })
        })
        .collect();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(page_tree).lang(TextStr("sv-SE")).viewer_preferences().display_doc_title(true);
    let mut info_dict = pdf.document_info(info);
    if !title.is_empty() {
        info_dict.title(TextStr(title));
    }
    info_dict.producer(TextStr("Reserv"));
    info_dict.finish();
    pdf.pages(page_tree).kids(page_refs.iter().map(|(page, _)| *page)).count(page_refs.len() as i32);

    for (page, (page_ref, content_ref)) in pages.iter().zip(&page_refs) {
        let content = content_stream(page, &doc_fonts);
        pdf.stream(*content_ref, &content);
        let mut page_dict = pdf.page(*page_ref);
        page_dict.parent(page_tree).media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).contents(*content_ref);
        let mut resources = page_dict.resources();
        let mut font_dict = resources.fonts();
        for doc_font in &doc_fonts {
            font_dict.pair(Name(doc_font.style.resource_name()), doc_font.refs.type0);
        }
    }

    for doc_font in &doc_fonts {
        write_font(&mut pdf, doc_font);
    }
    pdf.finish()
}

fn write_font(pdf: &mut Pdf, doc_font: &DocFont) {
    let DocFont { font, used, embedded, refs, .. } = doc_font;
    let postscript = font.postscript_name();
    let base_font = match &embedded.tag {
        Some(tag) => format!("{tag}+{postscript}"),
        None => postscript,
    };
    let base_font = Name(base_font.as_bytes());

    pdf.type0_font(refs.type0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(refs.cid)
        .to_unicode(refs.to_unicode);

    let mut cid = pdf.cid_font(refs.cid);
    cid.subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(IDENTITY)
        .font_descriptor(refs.descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let mut widths = cid.widths();
    // One run per stretch of consecutive embedded ids.
    let mut run: Vec<f32> = Vec::new();
    let mut run_start = 0u16;
    let mut by_new_id: Vec<(u16, f32)> =
        used.keys().map(|&id| (embedded.map.map(id), font.glyph_advance(id))).collect();
    by_new_id.sort_by_key(|(id, _)| *id);
    by_new_id.dedup_by_key(|(id, _)| *id);
    for (id, advance) in by_new_id {
        if run.is_empty() || u32::from(id) != u32::from(run_start) + run.len() as u32 {
            if !run.is_empty() {
                widths.consecutive(run_start, run.drain(..));
            }
            run_start = id;
        }
        run.push(advance);
    }
    if !run.is_empty() {
        widths.consecutive(run_start, run.drain(..));
    }
    widths.finish();
    cid.finish();

    let [left, bottom, right, top] = font.bbox();
    let mut flags = FontFlags::SYMBOLIC;
    if doc_font.style == Style::Bold {
        flags |= FontFlags::FORCE_BOLD;
    }
    pdf.font_descriptor(refs.descriptor)
        .name(base_font)
        .flags(flags)
        .bbox(Rect::new(left, bottom, right, top))
        .italic_angle(0.0)
        .ascent(font.ascent().round())
        .descent(font.descent().round())
        .cap_height(font.cap_height().round())
        .stem_v(font.stem_v().round())
        .font_file2(refs.program);

    pdf.stream(refs.program, &embedded.program).pair(Name(b"Length1"), embedded.program.len() as i32);

    let mut cmap = UnicodeCmap::new(Name(b"Reserv-UCS"), IDENTITY);
    for (&id, &c) in used {
        cmap.pair(embedded.map.map(id), c);
    }
    pdf.stream(refs.to_unicode, cmap.finish().as_slice());
}

/// The graphics state the content stream has set, to skip redundant operators.
#[derive(Clone, Copy, PartialEq)]
struct State {
    font: Option<(Style, f32)>,
    fill: f32,
    stroke: f32,
    line_width: f32,
}

fn content_stream(page: &Page, fonts: &[DocFont]) -> Vec<u8> {
    let mut content = Content::new();
    let mut state = State { font: None, fill: 0.0, stroke: 0.0, line_width: 1.0 };
    let mut saved = Vec::new();
    let mut in_text = false;
    let mut in_path = false;
    let flip = |y: f32| round(PAGE_HEIGHT - y);
    for op in &page.ops {
        let is_text = matches!(op, Op::Text { .. });
        let is_line = matches!(op, Op::Line { .. });
        if in_text && !is_text {
            content.end_text();
            in_text = false;
        }
        if in_path && !is_line {
            content.stroke();
            in_path = false;
        }
        match op {
            Op::Text { style, size, gray, x, y, text } => {
                let Some(doc_font) = fonts.iter().find(|f| f.style == *style) else { continue };
                if !in_text {
                    content.begin_text();
                    in_text = true;
                }
                if state.font != Some((*style, *size)) {
                    content.set_font(Name(style.resource_name()), *size);
                    state.font = Some((*style, *size));
                }
                if state.fill != *gray {
                    content.set_fill_gray(*gray);
                    state.fill = *gray;
                }
                content.set_text_matrix([1.0, 0.0, 0.0, 1.0, round(*x), flip(*y)]);
                let mut encoded = Vec::with_capacity(text.len() * 2);
                for c in text.chars() {
                    let id = doc_font.embedded.map.map(doc_font.font.glyph(c).id);
                    encoded.extend_from_slice(&id.to_be_bytes());
                }
                content.show(Str(&encoded));
            }
            Op::Line { x1, y1, x2, y2, width, gray } => {
                if in_path && (state.stroke != *gray || state.line_width != *width) {
                    content.stroke();
                }
                if state.stroke != *gray {
                    content.set_stroke_gray(*gray);
                    state.stroke = *gray;
                }
                if state.line_width != *width {
                    content.set_line_width(*width);
                    state.line_width = *width;
                }
                content.move_to(round(*x1), flip(*y1)).line_to(round(*x2), flip(*y2));
                in_path = true;
            }
            Op::Fill { x, y, width, height, gray } => {
                if state.fill != *gray {
                    content.set_fill_gray(*gray);
                    state.fill = *gray;
                }
                content.rect(round(*x), flip(y + height), round(*width), round(*height)).fill_nonzero();
            }
            Op::Clip { x, y, width, height } => {
                saved.push(state);
                content.save_state();
                content.rect(round(*x), flip(y + height), round(*width), round(*height)).clip_nonzero().end_path();
            }
            Op::EndClip => {
                if let Some(previous) = saved.pop() {
                    content.restore_state();
                    state = previous;
                }
            }
        }
    }
    if in_text {
        content.end_text();
    }
    if in_path {
        content.stroke();
    }
    for _ in saved {
        content.restore_state();
    }
    content.finish().into_vec()
}

/// Rounds to hundredths of a point, which keeps content streams short.
fn round(value: f32) -> f32 {
    (value * 100.0).round() / 100.0
}
