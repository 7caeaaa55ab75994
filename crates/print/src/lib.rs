//! Reserv's printouts as PDF: the handover log, routines and phone lists on
//! paper for when the screens are gone.
//!
//! A lean renderer with one job. Callers describe a [`Document`] (title,
//! headings, paragraphs, label/value facts, tables) and [`render_pdf`] writes
//! an A4 PDF to any [`std::io::Write`]:
//!
//! ```
//! use reserv_print::{Block, Column, Document, render_pdf};
//!
//! let doc = Document {
//!     subtitle: Some("Avdelning 12".into()),
//!     footer: Some("Utskriven 2026-05-02 14:03 från Reserv".into()),
//!     blocks: vec![
//!         Block::Heading("Patienter".into()),
//!         Block::Table {
//!             columns: vec![Column::new("Namn", 2.0), Column::new("Notering", 5.0)],
//!             rows: vec![vec!["Åsa Öberg".into(), "Kärlkirurgi, väg dagligen".into()]],
//!         },
//!     ],
//!     ..Document::new("Överlämningslogg")
//! };
//! let mut pdf = Vec::new();
//! render_pdf(&doc, &mut pdf)?;
//! assert!(pdf.starts_with(b"%PDF-"));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! - **Fonts.** DejaVu Sans and DejaVu Sans Bold are compiled in (see
//!   `fonts/LICENSE`) and embedded, subset to the glyphs used, so å ä ö print
//!   the same everywhere and the text stays searchable and copyable.
//! - **Layout.** 18 mm margins; text wrapped by the glyphs' real widths; tables
//!   with thin grid lines and a bold header row repeated on every page; a row
//!   never split across pages unless it is taller than a page; a footer with
//!   the caller's line and `Sida N av M` on every page, and the title at the top
//!   of every page after the first.
//! - **Robust.** Rendering never panics: control characters are dropped,
//!   characters the font lacks print as `?`, overlong words are broken.
//! - **Pure.** No clock, no randomness, no files: the same document gives the
//!   same bytes.

mod font;
mod layout;
mod model;
mod pdf;
mod text;

pub use model::{Block, Column, Document};

/// Renders `doc` as a PDF file into `out`.
///
/// Fails only when writing to `out` fails (or, which the tests rule out, when
/// the compiled-in fonts cannot be read). Never panics, whatever the text.
pub fn render_pdf(doc: &Document, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let bytes = render_pdf_bytes(doc)?;
    out.write_all(&bytes)?;
    out.flush()
}

/// Renders `doc` as a PDF file and returns its bytes (convenient for an HTTP response).
pub fn render_pdf_bytes(doc: &Document) -> std::io::Result<Vec<u8>> {
    let fonts = font::Fonts::load()?;
    let pages = layout::layout(doc, &fonts);
    Ok(pdf::write(&text::clean_line(&doc.title), &pages, &fonts))
}
