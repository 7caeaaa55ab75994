//! The document model: what a printout says, not how it looks.
//!
//! Callers build a [`Document`] out of [`Block`]s and hand it to
//! [`render_pdf`](crate::render_pdf). Every string may hold anything: newlines
//! start a new line, tabs become spaces, control characters are dropped and
//! characters the embedded font lacks print as `?`. Nothing here reads the
//! clock; the "printed at" line is text the caller passes in [`Document::footer`].

/// One printout: a title block followed by content blocks, paged onto A4.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Printed large on the first page and small at the top of every later page,
    /// so a loose sheet still says what it belongs to.
    pub title: String,
    /// A line under the title on the first page, e.g. the unit and the period.
    pub subtitle: Option<String>,
    /// Left part of every page's footer, e.g. `Utskriven 2026-05-02 14:03 från Reserv`.
    /// The right part is always `Sida N av M`.
    pub footer: Option<String>,
    /// The content, top to bottom.
    pub blocks: Vec<Block>,
}

impl Document {
    /// A document with a title and nothing else yet.
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), ..Self::default() }
    }
}

/// A piece of content. Blocks flow down the page and break onto new pages by themselves.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A bold section heading, kept on the same page as the start of what follows it.
    Heading(String),
    /// Running text, wrapped at spaces (and after `-` or `/` inside long words);
    /// a word wider than the line is broken wherever it must.
    Paragraph(String),
    /// Label/value pairs, e.g. `("Patient", "Åsa Öberg")`: labels bold in a
    /// left column, values wrapped in the right one.
    Facts(Vec<(String, String)>),
    /// A table with a bold header row that is repeated at the top of every page
    /// the table continues on. A row is never split across pages unless it is
    /// taller than a whole page. A row with more cells than there are columns
    /// has the extra cells appended to its last cell, so no text is lost.
    Table {
        /// The columns, left to right.
        columns: Vec<Column>,
        /// The rows, top to bottom; each row lists its cells left to right.
        rows: Vec<Vec<String>>,
    },
    /// A little vertical space.
    Spacer,
    /// Continue on a new page (does nothing at the top of a page).
    PageBreak,
}

/// One table column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Printed bold in the header row.
    pub title: String,
    /// This column's share of the table width. Shares are relative to each other
    /// (they need not add up to 1); a share that is zero, negative or not finite
    /// counts as the average of the valid ones. Very narrow columns are widened a
    /// little so every column can hold a few characters.
    pub width_fraction: f32,
}

impl Column {
    /// A column with a title and a relative width.
    pub fn new(title: impl Into<String>, width_fraction: f32) -> Self {
        Self { title: title.into(), width_fraction }
    }
}
