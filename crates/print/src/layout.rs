//! Page layout: turns a [`Document`] into positioned drawing operations on A4 pages.
//!
//! Coordinates here are in points with the origin at the top left of the page
//! and y growing downwards; the PDF writer flips them. The layout is a single
//! pass down the page: every block measures its wrapped lines with the font's
//! advance widths and starts a new page when it does not fit. Footers
//! (`Sida N av M`) are added last, once the number of pages is known.
//!
//! Guarantees the rest of the crate relies on: every loop makes progress (a
//! line holds at least one character, a page at least one line), so any input
//! terminates; and text never runs past the right margin or into a neighbouring
//! table cell (a glyph wider than its cell is clipped to the cell).

use crate::font::{Font, Fonts, Style};
use crate::model::{Block, Column, Document};
use crate::text::{clean, clean_line};

/// A4 portrait, in points.
pub(crate) const PAGE_WIDTH: f32 = 595.276;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// 18 mm.
const MARGIN: f32 = 51.024;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Space kept free above the bottom margin for the footer.
const FOOTER_HEIGHT: f32 = 24.0;
const BODY_BOTTOM: f32 = PAGE_HEIGHT - MARGIN - FOOTER_HEIGHT;
/// Space the running header takes on pages after the first.
const RUNNING_HEADER_HEIGHT: f32 = 22.0;
/// Where the body starts on pages after the first.
const CONTINUED_TOP: f32 = MARGIN + RUNNING_HEADER_HEIGHT;

const PARAGRAPH_GAP: f32 = 6.0;
const HEADING_BEFORE: f32 = 10.0;
const HEADING_AFTER: f32 = 4.0;
const BLOCK_GAP: f32 = 10.0;
const SPACER: f32 = 12.0;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
const HEADER_MAX_LINES: usize = 4;
const GRID_GRAY: f32 = 0.55;
const GRID_WIDTH: f32 = 0.4;
const HEADER_FILL: f32 = 0.9;
/// Tolerance for comparing measured widths and positions.
const EPS: f32 = 0.01;

/// One laid-out page.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub(crate) ops: Vec<Op>,
}

/// A drawing operation, in top-left page coordinates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// One line of text; `y` is the baseline.
    Text {
        style: Style,
        size: f32,
        gray: f32,
        x: f32,
        y: f32,
        text: String,
    },
    /// A straight line.
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        gray: f32,
    },
    /// A filled rectangle; `y` is its top edge.
    Fill {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        gray: f32,
    },
    /// Clip what follows, until [`Op::EndClip`], to a rectangle; `y` is its top edge.
    Clip {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    EndClip,
}

/// How a kind of text looks.
#[derive(Debug, Clone, Copy)]
struct TextStyle {
    style: Style,
    size: f32,
    /// Height of one line.
    leading: f32,
    gray: f32,
}

const TITLE: TextStyle = TextStyle { style: Style::Bold, size: 17.0, leading: 21.0, gray: 0.0 };
const SUBTITLE: TextStyle = TextStyle { style: Style::Regular, size: 10.5, leading: 14.0, gray: 0.3 };
const HEADING: TextStyle = TextStyle { style: Style::Bold, size: 12.5, leading: 16.0, gray: 0.0 };
const BODY: TextStyle = TextStyle { style: Style::Regular, size: 10.0, leading: 13.5, gray: 0.0 };
const FACT_LABEL: TextStyle = TextStyle { style: Style::Bold, size: 10.0, leading: 13.5, gray: 0.2 };
const CELL: TextStyle = TextStyle { style: Style::Regular, size: 9.0, leading: 11.5, gray: 0.0 };
const CELL_HEADER: TextStyle = TextStyle { style: Style::Bold, size: 9.0, leading: 11.5, gray: 0.0 };
const SMALL: TextStyle = TextStyle { style: Style::Regular, size: 8.0, leading: 10.0, gray: 0.35 };

/// Lays out `doc` into pages, footers included. Always returns at least one page.
pub(crate) fn layout(doc: &Document, fonts: &Fonts) -> Vec<Page> {
    let mut layout = Layout { fonts, pages: Vec::new(), y: 0.0, top: 0.0, running_title: clean_line(&doc.title) };
    layout.new_page();
    layout.title_block(doc);
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading(text) => layout.heading(text, doc.blocks.get(i + 1)),
            Block::Paragraph(text) => layout.paragraph(text),
            Block::Facts(facts) => layout.facts(facts),
            Block::Table { columns, rows } => layout.table(columns, rows),
            Block::Spacer => layout.y += SPACER,
            Block::PageBreak => {
                if !layout.at_top() {
                    layout.new_page();
                }
            }
        }
    }
    let footer = doc.footer.as_deref().map(clean_line).unwrap_or_default();
    layout.footers(&footer);
    layout.pages
}

struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Page>,
    /// The top of the next thing to place.
    y: f32,
    /// Where the body starts on the current page.
    top: f32,
    running_title: String,
}

impl Layout<'_> {
    fn font(&self, style: Style) -> &Font {
        self.fonts.get(style)
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last].ops
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        if self.pages.len() == 1 {
            self.top = MARGIN;
        } else {
            self.top = CONTINUED_TOP;
            let title = truncate(self.font(SMALL.style), &self.running_title, SMALL.size, CONTENT_WIDTH);
            self.text(MARGIN, MARGIN, SMALL, title);
            let rule = MARGIN + SMALL.leading + 3.0;
            self.line(MARGIN, rule, PAGE_WIDTH - MARGIN, rule, GRID_WIDTH, 0.6);
        }
        self.y = self.top;
    }

    fn at_top(&self) -> bool {
        self.y <= self.top + EPS
    }

    /// Starts a new page unless `height` fits below the cursor or the page is still empty.
    fn ensure(&mut self, height: f32) {
        if self.y + height > BODY_BOTTOM + EPS && !self.at_top() {
            self.new_page();
        }
    }

    /// Places a line of text whose line box starts at `top`.
    fn text(&mut self, x: f32, top: f32, ts: TextStyle, text: String) {
        if !text.is_empty() {
            let op = self.text_op(x, top, ts, text);
            self.ops().push(op);
        }
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, gray: f32) {
        self.ops().push(Op::Line { x1, y1, x2, y2, width, gray });
    }

    fn wrap(&self, text: &str, ts: TextStyle, width: f32) -> Vec<String> {
        wrap(self.font(ts.style), &clean(text), ts.size, width)
    }

    fn title_block(&mut self, doc: &Document) {
        let mut lines = self.wrap(&doc.title, TITLE, CONTENT_WIDTH).into_iter().map(|l| (l, TITLE)).collect::<Vec<_>>();
        if let Some(subtitle) = &doc.subtitle {
            lines.extend(self.wrap(subtitle, SUBTITLE, CONTENT_WIDTH).into_iter().map(|l| (l, SUBTITLE)));
        }
        if lines.is_empty() {
            return;
        }
        for (line, ts) in lines {
            self.ensure(ts.leading);
            self.text(MARGIN, self.y, ts, line);
            self.y += ts.leading;
        }
        self.y += 4.0;
        self.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y, 0.8, 0.2);
        self.y += 14.0;
    }

    fn heading(&mut self, text: &str, next: Option<&Block>) {
        let lines = self.wrap(text, HEADING, CONTENT_WIDTH);
        if lines.is_empty() {
            return;
        }
        if !self.at_top() {
            self.y += HEADING_BEFORE;
        }
        // Keep the heading on the same page as the start of what follows it.
        let height = lines.len() as f32 * HEADING.leading + HEADING_AFTER;
        let next = self.start_height(next).min((BODY_BOTTOM - CONTINUED_TOP) * 0.4);
        self.ensure(height + next);
        for line in lines {
            self.ensure(HEADING.leading);
            self.text(MARGIN, self.y, HEADING, line);
            self.y += HEADING.leading;
        }
        self.y += HEADING_AFTER;
    }

    /// How much of `block` should be on the same page as a heading before it.
    fn start_height(&self, block: Option<&Block>) -> f32 {
        match block {
            Some(Block::Paragraph(text)) => {
                // Three lines at most are needed, so a long paragraph need not be wrapped whole.
                let start: String = text.chars().take(1000).collect();
                self.wrap(&start, BODY, CONTENT_WIDTH).len().min(3) as f32 * BODY.leading
            }
            Some(Block::Facts(facts)) => facts.len().min(2) as f32 * (BODY.leading + 5.0),
            Some(Block::Table { columns, rows }) => {
                self.prepare_table(columns, rows).map_or(0.0, |table| self.table_start_height(&table, rows))
            }
            Some(Block::Heading(_)) => HEADING_BEFORE + HEADING.leading + 2.0 * BODY.leading,
            Some(Block::Spacer | Block::PageBreak) | None => 0.0,
        }
    }

    fn paragraph(&mut self, text: &str) {
        let lines = self.wrap(text, BODY, CONTENT_WIDTH);
        if lines.is_empty() {
            return;
        }
        for line in lines {
            self.ensure(BODY.leading);
            self.text(MARGIN, self.y, BODY, line);
            self.y += BODY.leading;
        }
        self.y += PARAGRAPH_GAP;
    }

    fn facts(&mut self, facts: &[(String, String)]) {
        if facts.is_empty() {
            return;
        }
        let label_font = self.font(FACT_LABEL.style);
        let widest =
            facts.iter().map(|(label, _)| label_font.width(&clean_line(label), FACT_LABEL.size)).fold(0.0, f32::max);
        let gap = 12.0;
        let label_width = (widest + gap).clamp(60.0, CONTENT_WIDTH * 0.38);
        let value_width = CONTENT_WIDTH - label_width;
        for (label, value) in facts {
            let cells = [
                (MARGIN, self.wrap(label, FACT_LABEL, label_width - gap), FACT_LABEL),
                (MARGIN + label_width, self.wrap(value, BODY, value_width), BODY),
            ];
            let lines = cells.iter().map(|(_, lines, _)| lines.len()).max().unwrap_or(0).max(1);
            let pad = 2.5;
            self.ensure(lines as f32 * BODY.leading + 2.0 * pad);
            // A pair taller than a page continues on the next one, line by line.
            let mut first = 0;
            while first < lines {
                let room = ((BODY_BOTTOM - self.y - 2.0 * pad) / BODY.leading + EPS).floor();
                let count = if room >= 1.0 { (room as usize).min(lines - first) } else { 0 };
                if count == 0 {
                    self.new_page();
                    continue;
                }
                for (x, cell_lines, ts) in &cells {
                    for (i, line) in cell_lines.iter().enumerate().skip(first).take(count) {
                        let top = self.y + pad + (i - first) as f32 * BODY.leading;
                        self.text(*x, top, *ts, line.clone());
                    }
                }
                self.y += count as f32 * BODY.leading + 2.0 * pad;
                first += count;
                self.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y, 0.3, 0.78);
                if first < lines {
                    self.new_page();
                }
            }
        }
        self.y += BLOCK_GAP;
    }

    /// Column edges and the wrapped header row of a table; `None` for a table with nothing to print.
    fn prepare_table(&self, columns: &[Column], rows: &[Vec<String>]) -> Option<Table> {
        let count = if columns.is_empty() { rows.iter().map(Vec::len).max().unwrap_or(0) } else { columns.len() };
        let widths = column_widths(columns, count);
        let mut edges = vec![MARGIN];
        for width in &widths {
            edges.push(edges[edges.len() - 1] + width);
        }
        let header = columns.iter().any(|c| !clean(&c.title).is_empty()).then(|| {
            columns
                .iter()
                .zip(&widths)
                .map(|(column, width)| {
                    let room = width - 2.0 * CELL_PAD_X;
                    let mut lines = self.wrap(&column.title, CELL_HEADER, room);
                    if lines.len() > HEADER_MAX_LINES {
                        lines.truncate(HEADER_MAX_LINES);
                        let last = format!("{}…", lines[HEADER_MAX_LINES - 1]);
                        lines[HEADER_MAX_LINES - 1] =
                            truncate(self.font(CELL_HEADER.style), &last, CELL_HEADER.size, room);
                    }
                    lines
                })
                .collect::<Vec<_>>()
        });
        if count == 0 || (header.is_none() && rows.is_empty()) {
            return None;
        }
        let header_height = header.as_ref().map_or(0.0, |cells| row_height(cells, CELL_HEADER));
        Some(Table { edges, header, header_height })
    }

    /// A row's cells, wrapped to their columns.
    fn table_cells(&self, table: &Table, row: &[String]) -> Vec<Vec<String>> {
        let columns = table.edges.len() - 1;
        normalize_row(row, columns)
            .iter()
            .zip(table.edges.windows(2))
            .map(|(text, edges)| self.wrap(text, CELL, edges[1] - edges[0] - 2.0 * CELL_PAD_X))
            .collect()
    }

    /// Height of a table's header and first row, or of its header and the first
    /// line of a first row taller than a page: what must fit where it starts.
    fn table_start_height(&self, table: &Table, rows: &[Vec<String>]) -> f32 {
        let first_row = match rows.first() {
            Some(row) => {
                let height = row_height(&self.table_cells(table, row), CELL);
                if height <= BODY_BOTTOM - CONTINUED_TOP - table.header_height {
                    height
                } else {
                    CELL.leading + 2.0 * CELL_PAD_Y
                }
            }
            None => 0.0,
        };
        table.header_height + first_row
    }

    fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) {
        let Some(table) = self.prepare_table(columns, rows) else { return };
        self.ensure(self.table_start_height(&table, rows));
        let mut segment_top = self.y;
        self.table_header(&table);

        for row in rows {
            let cells = self.table_cells(&table, row);
            let height = row_height(&cells, CELL);
            let fits_on_fresh_page = height <= BODY_BOTTOM - CONTINUED_TOP - table.header_height + EPS;
            if self.y + height > BODY_BOTTOM + EPS && fits_on_fresh_page {
                self.table_page_break(&table, &mut segment_top);
            }
            // Rows taller than a page continue on the next one, line by line.
            let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let mut first = 0;
            while first < lines {
                let room = ((BODY_BOTTOM - self.y - 2.0 * CELL_PAD_Y) / CELL.leading + EPS).floor();
                let count = if room >= 1.0 { (room as usize).min(lines - first) } else { 0 };
                if count == 0 {
                    self.table_page_break(&table, &mut segment_top);
                    continue;
                }
                self.table_row(&table, &cells, first, count, CELL);
                first += count;
                if first < lines {
                    self.table_page_break(&table, &mut segment_top);
                }
            }
        }
        self.table_verticals(&table, segment_top);
        self.y += BLOCK_GAP;
    }

    fn table_page_break(&mut self, table: &Table, segment_top: &mut f32) {
        self.table_verticals(table, *segment_top);
        self.new_page();
        *segment_top = self.y;
        self.table_header(table);
    }

    /// Draws the header row if there is one, or else just the table's top edge.
    fn table_header(&mut self, table: &Table) {
        let (left, right) = (table.left(), table.right());
        match &table.header {
            Some(cells) => {
                let height = row_height(cells, CELL_HEADER);
                let y = self.y;
                self.ops().push(Op::Fill { x: left, y, width: right - left, height, gray: HEADER_FILL });
                self.line(left, self.y, right, self.y, GRID_WIDTH, GRID_GRAY);
                let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
                self.table_row(table, cells, 0, lines, CELL_HEADER);
            }
            None => self.line(left, self.y, right, self.y, GRID_WIDTH, GRID_GRAY),
        }
    }

    /// Draws lines `first..first + count` of a row's cells and the line under them.
    fn table_row(&mut self, table: &Table, cells: &[Vec<String>], first: usize, count: usize, ts: TextStyle) {
        let height = count as f32 * ts.leading + 2.0 * CELL_PAD_Y;
        for (column, lines) in cells.iter().enumerate() {
            let (left, right) = (table.edges[column], table.edges[column + 1]);
            let x = left + CELL_PAD_X;
            let room = right - left - 2.0 * CELL_PAD_X;
            let shown = lines.iter().skip(first).take(count);
            let font = self.font(ts.style);
            let clip = shown.clone().any(|line| font.width(line, ts.size) > room + EPS);
            if clip {
                let y = self.y;
                self.ops().push(Op::Clip { x: left, y, width: right - left, height });
            }
            for (i, line) in shown.enumerate() {
                let top = self.y + CELL_PAD_Y + i as f32 * ts.leading;
                self.text(x, top, ts, line.clone());
            }
            if clip {
                self.ops().push(Op::EndClip);
            }
        }
        self.y += height;
        self.line(table.left(), self.y, table.right(), self.y, GRID_WIDTH, GRID_GRAY);
    }

    /// Draws the column lines of the part of a table on this page.
    fn table_verticals(&mut self, table: &Table, top: f32) {
        if self.y <= top + EPS {
            return;
        }
        for i in 0..table.edges.len() {
            let x = table.edges[i];
            self.line(x, top, x, self.y, GRID_WIDTH, GRID_GRAY);
        }
    }

    fn footers(&mut self, note: &str) {
        let total = self.pages.len();
        let rule = BODY_BOTTOM + 8.0;
        for index in 0..total {
            let label = format!("Sida {} av {}", index + 1, total);
            let font = self.font(SMALL.style);
            let label_width = font.width(&label, SMALL.size);
            let note = truncate(font, note, SMALL.size, CONTENT_WIDTH - label_width - 16.0);
            let top = rule + 3.0;
            let ops = vec![
                Op::Line { x1: MARGIN, y1: rule, x2: PAGE_WIDTH - MARGIN, y2: rule, width: GRID_WIDTH, gray: 0.6 },
                self.text_op(MARGIN, top, SMALL, note),
                self.text_op(PAGE_WIDTH - MARGIN - label_width, top, SMALL, label),
            ];
            self.pages[index]
                .ops
                .extend(ops.into_iter().filter(|op| !matches!(op, Op::Text { text, .. } if text.is_empty())));
        }
    }

    /// A line of text whose line box starts at `top`, its glyphs centred vertically in the box.
    fn text_op(&self, x: f32, top: f32, ts: TextStyle, text: String) -> Op {
        let font = self.font(ts.style);
        let content = (font.ascent() - font.descent()) * ts.size / 1000.0;
        let baseline = top + (ts.leading - content) / 2.0 + font.ascent() * ts.size / 1000.0;
        Op::Text { style: ts.style, size: ts.size, gray: ts.gray, x, y: baseline, text }
    }
}

/// A table's geometry and header row.
struct Table {
    /// Column edges, left to right (one more than there are columns).
    edges: Vec<f32>,
    /// The header row's cells, wrapped, if any column has a title.
    header: Option<Vec<Vec<String>>>,
    header_height: f32,
}

impl Table {
    fn left(&self) -> f32 {
        self.edges[0]
    }

    fn right(&self) -> f32 {
        self.edges[self.edges.len() - 1]
    }
}

fn row_height(cells: &[Vec<String>], ts: TextStyle) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
    lines as f32 * ts.leading + 2.0 * CELL_PAD_Y
}

/// Pads a row with empty cells, or appends surplus cells to its last cell on new lines.
fn normalize_row(row: &[String], count: usize) -> Vec<String> {
    let mut cells: Vec<String> = row.iter().take(count).cloned().collect();
    cells.resize(count, String::new());
    for extra in row.iter().skip(count) {
        if let Some(last) = cells.last_mut() {
            last.push('\n');
            last.push_str(extra);
        }
    }
    cells
}

/// Column widths in points, adding up to the content width.
fn column_widths(columns: &[Column], count: usize) -> Vec<f32> {
    let shares: Vec<Option<f32>> =
        (0..count).map(|i| columns.get(i).map(|c| c.width_fraction).filter(|f| f.is_finite() && *f > 0.0)).collect();
    // Scale by the largest share first so sums cannot overflow.
    let largest = shares.iter().flatten().copied().fold(0.0, f32::max);
    let scaled: Vec<f32> = shares.iter().flatten().map(|s| s / largest).collect();
    let average = if scaled.is_empty() { 1.0 } else { scaled.iter().sum::<f32>() / scaled.len() as f32 };
    let shares: Vec<f32> = shares.iter().map(|s| s.map_or(average, |s| s / largest)).collect();
    let total: f32 = shares.iter().sum();
    let mut widths: Vec<f32> = shares.iter().map(|s| s / total * CONTENT_WIDTH).collect();
    if widths.iter().any(|w| !w.is_finite()) {
        widths = vec![CONTENT_WIDTH / count as f32; count];
    }
    // Widen very narrow columns to a minimum, taking the room from the others.
    let minimum = (CONTENT_WIDTH / count as f32).min(30.0);
    let narrow: f32 = widths.iter().filter(|w| **w < minimum).count() as f32 * minimum;
    let wide: f32 = widths.iter().filter(|w| **w >= minimum).sum();
    if narrow > 0.0 && wide > 0.0 {
        let scale = (CONTENT_WIDTH - narrow) / wide;
        for width in &mut widths {
            *width = if *width < minimum { minimum } else { *width * scale };
        }
    }
    widths
}

/// Wraps cleaned `text` into lines no wider than `width` points at `size`.
///
/// Breaks at spaces and after a hyphen, dash or slash inside a word; a piece
/// still too wide is broken between characters. Every line holds at least one
/// character, so a glyph wider than `width` gets a line of its own. `\n`
/// starts a new line (an empty line for `\n\n`). Empty text gives no lines.
pub(crate) fn wrap(font: &Font, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    if text.is_empty() {
        return lines;
    }
    let space = font.char_width(' ', size);
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let mut space_before = !line.is_empty();
            for piece in break_points(word) {
                let piece_width = font.width(piece, size);
                let needed = if space_before { space } else { 0.0 } + piece_width;
                if used + needed <= width + EPS {
                    if space_before {
                        line.push(' ');
                    }
                    line.push_str(piece);
                    used += needed;
                } else {
                    if !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        used = 0.0;
                    }
                    if piece_width <= width + EPS {
                        line.push_str(piece);
                        used = piece_width;
                    } else {
                        for c in piece.chars() {
                            let advance = font.char_width(c, size);
                            if used + advance > width + EPS && !line.is_empty() {
                                lines.push(std::mem::take(&mut line));
                                used = 0.0;
                            }
                            line.push(c);
                            used += advance;
                        }
                    }
                }
                space_before = false;
            }
        }
        lines.push(line);
    }
    lines
}

/// Splits a word after each hyphen, dash or slash that follows a letter or digit
/// and precedes more text.
fn break_points(word: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    let mut chars = word.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let breakable = matches!(c, '-' | '/' | '–' | '—') && previous.is_some_and(char::is_alphanumeric);
        if breakable && chars.peek().is_some() {
            let end = i + c.len_utf8();
            pieces.push(&word[start..end]);
            start = end;
        }
        previous = Some(c);
    }
    pieces.push(&word[start..]);
    pieces
}

/// Shortens `text` with an ellipsis until it is at most `width` points wide.
fn truncate(font: &Font, text: &str, size: f32, width: f32) -> String {
    if font.width(text, size) <= width + EPS {
        return text.to_string();
    }
    let ellipsis = font.char_width('…', size);
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        let advance = font.char_width(c, size);
        if used + advance + ellipsis > width + EPS {
            break;
        }
        out.push(c);
        used += advance;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fonts() -> Fonts {
        Fonts::load().unwrap()
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_respects_the_width() {
        let fonts = fonts();
        let font = fonts.get(Style::Regular);
        let text = "Överlämningslogg för Åsa Öberg: kärl, väg, ö och en hel del mer text som måste brytas";
        let lines = wrap(font, text, 10.0, 150.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(font.width(line, 10.0) <= 150.0 + EPS, "{line}");
            assert!(!line.starts_with(' ') && !line.ends_with(' '));
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn overlong_words_are_broken_hard_and_hyphens_preferred() {
        let fonts = fonts();
        let font = fonts.get(Style::Regular);
        let word = "x".repeat(500);
        let lines = wrap(font, &word, 10.0, 100.0);
        assert!(lines.len() > 5);
        assert_eq!(lines.concat(), word);
        let width = font.width("blodtrycksmätning/", 10.0) + 1.0;
        assert!(font.width("pulsoximetri-kontroll", 10.0) > width);
        let lines = wrap(font, "blodtrycksmätning/pulsoximetri-kontroll", 10.0, width);
        assert_eq!(lines, ["blodtrycksmätning/", "pulsoximetri-", "kontroll"]);
    }

    #[test]
    fn newlines_make_lines_and_empty_text_makes_none() {
        let fonts = fonts();
        let font = fonts.get(Style::Regular);
        assert_eq!(wrap(font, "a\n\nb", 10.0, 100.0), ["a", "", "b"]);
        assert!(wrap(font, "", 10.0, 100.0).is_empty());
        // A glyph wider than the width still gets a line of its own.
        assert_eq!(wrap(font, "WW", 10.0, 1.0), ["W", "W"]);
    }

    #[test]
    fn column_widths_add_up_and_survive_nonsense() {
        let cases: [&[f32]; 5] =
            [&[0.2, 0.8], &[1.0, 1.0, 2.0], &[0.0, f32::NAN, -3.0], &[1e-9, 1.0], &[f32::MAX, f32::MAX]];
        for fractions in cases {
            let columns: Vec<Column> = fractions.iter().map(|f| Column::new("c", *f)).collect();
            let widths = column_widths(&columns, columns.len());
            let sum: f32 = widths.iter().sum();
            assert!((sum - CONTENT_WIDTH).abs() < 0.5, "{fractions:?} -> {widths:?}");
            assert!(widths.iter().all(|w| *w >= 29.0), "{fractions:?} -> {widths:?}");
        }
        let widths = column_widths(&[Column::new("a", 1.0), Column::new("b", 3.0)], 2);
        assert!((widths[1] / widths[0] - 3.0).abs() < 0.01);
    }

    /// Every text op without a clip lies inside the margins.
    fn assert_inside(pages: &[Page], fonts: &Fonts) {
        for page in pages {
            let mut clipped = false;
            for op in &page.ops {
                match op {
                    Op::Clip { .. } => clipped = true,
                    Op::EndClip => clipped = false,
                    Op::Text { style, size, x, y, text, .. } if !clipped => {
                        let width = fonts.get(*style).width(text, *size);
                        assert!(*x >= MARGIN - EPS && x + width <= PAGE_WIDTH - MARGIN + 0.05, "{text:?} at {x}");
                        assert!(*y > MARGIN && *y < PAGE_HEIGHT - MARGIN, "{text:?} at y {y}");
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn tall_rows_continue_on_the_next_page() {
        let fonts = fonts();
        let tall = "rad ".repeat(4000);
        let doc = Document {
            blocks: vec![Block::Table {
                columns: vec![Column::new("A", 1.0), Column::new("B", 1.0)],
                rows: vec![vec!["kort".into(), tall]],
            }],
            ..Document::new("T")
        };
        let pages = layout(&doc, &fonts);
        assert!(pages.len() >= 3, "{}", pages.len());
        for page in &pages {
            let has_header =
                page.ops.iter().any(|op| matches!(op, Op::Text { text, style: Style::Bold, .. } if text == "A"));
            assert!(has_header);
        }
        assert_inside(&pages, &fonts);
    }

    fn page_of(pages: &[Page], needle: &str) -> Option<usize> {
        pages.iter().position(|page| page.ops.iter().any(|op| matches!(op, Op::Text { text, .. } if text == needle)))
    }

    #[test]
    fn a_heading_stays_with_the_table_after_it() {
        let fonts = fonts();
        for filler in 0..60 {
            let mut blocks: Vec<Block> = (0..filler).map(|i| Block::Paragraph(format!("Rad {i}"))).collect();
            blocks.push(Block::Heading("Händelser".into()));
            blocks.push(Block::Table {
                columns: vec![Column::new("Tid", 1.0), Column::new("Notering", 4.0)],
                rows: vec![vec!["06:00".into(), "Första raden\nmed\nflera\nrader".into()]],
            });
            let pages = layout(&Document { blocks, ..Document::default() }, &fonts);
            let heading = page_of(&pages, "Händelser");
            assert_eq!(heading, page_of(&pages, "Tid"), "after {filler} paragraphs");
            assert_eq!(heading, page_of(&pages, "rader"), "after {filler} paragraphs");
        }
    }

    fn arbitrary_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-zåäö \n\t-]{0,200}",
            "[A-Za-zÅÄÖ😀\u{200D}\u{301}]{100,600}",
            Just(String::new()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn any_document_stays_inside_the_margins(
            title in arbitrary_text(),
            text in arbitrary_text(),
            fractions in prop::collection::vec(any::<f32>(), 0..5),
            rows in prop::collection::vec(prop::collection::vec(arbitrary_text(), 0..6), 0..12),
        ) {
            let fonts = fonts();
            let columns = fractions.iter().map(|f| Column::new(text.chars().take(30).collect::<String>(), *f)).collect();
            let doc = Document {
                title,
                subtitle: Some(text.clone()),
                footer: Some(text.clone()),
                blocks: vec![
                    Block::Heading(text.clone()),
                    Block::Paragraph(text.clone()),
                    Block::Facts(vec![(text.clone(), text.clone())]),
                    Block::Table { columns, rows },
                    Block::Spacer,
                    Block::PageBreak,
                ],
            };
            let pages = layout(&doc, &fonts);
            prop_assert!(!pages.is_empty());
            assert_inside(&pages, &fonts);
        }
    }
}
