//! The one CSV writer of every export (back-entry statistics, deviation
//! reports, `reserv reconcile`), in the dialect people get when they open a
//! file in a Swedish Excel: `;` between cells, a UTF-8 byte-order mark first
//! (so å, ä and ö survive), CRLF after every row, and RFC 4180 quoting (a
//! cell holding `;`, `"`, CR or LF is put in quotes, quotes doubled).
//!
//! Text cells are guarded against formula injection: a cell a spreadsheet
//! would run as a formula — its first character `=`, `+`, `-`, `@`, TAB or
//! CR, the full-width `＝` `＋` `－` `＠` or the small `﹦` `﹢` `﹣` `﹫`,
//! also behind leading spaces (the no-break, narrow, ideographic and other
//! Unicode spaces too) or invisible characters (zero-width space and
//! joiners, word joiner, invisible operators, direction marks and
//! embeddings, soft hyphen, byte-order mark) — gets a leading `'`, so it
//! shows as the text it is. Numbers the code computes itself go through
//! [`CsvWriter::number`], which is never guarded: `-3` stays a number a
//! spreadsheet can sum, while a person's text `-3` comes out as `'-3`. So
//! every text cell is guarded and no number is.
//!
//! [`CsvWriter::io`] writes to any [`std::io::Write`]; [`CsvWriter::string`]
//! appends to a `String` and cannot fail.

use std::convert::Infallible;
use std::io::{self, Write};

/// The UTF-8 byte-order mark the file starts with.
pub const BOM: &str = "\u{feff}";

/// The cell separator.
pub const SEPARATOR: char = ';';

/// Characters that start a formula in a spreadsheet (with the full-width
/// and small forms a spreadsheet may fold into them).
const FORMULA_STARTS: [char; 14] =
    ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠', '\u{fe66}', '\u{fe62}', '\u{fe63}', '\u{fe6b}'];

/// Characters a spreadsheet skips (or a person cannot see) before a formula.
fn is_skipped_prefix(c: char) -> bool {
    matches!(c,
        // Spaces: space, no-break space, U+2000–U+200A, narrow no-break,
        // medium mathematical and ideographic space.
        ' ' | '\u{00a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
        // Invisible: zero-width space, non-joiner, joiner, direction marks,
        // embeddings and overrides, word joiner, invisible operators,
        // isolates, soft hyphen, combining grapheme joiner, Mongolian vowel
        // separator, byte-order mark.
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
        | '\u{00ad}' | '\u{034f}' | '\u{180e}' | '\u{feff}')
}

/// Whether a spreadsheet could take this text for a formula.
pub fn looks_like_formula(s: &str) -> bool {
    s.chars().find(|c| !is_skipped_prefix(*c)).is_some_and(|c| FORMULA_STARTS.contains(&c))
}

/// One text cell as written: guarded (a leading `'` for what looks like a
/// formula), then quoted if it holds `;`, `"`, CR or LF.
pub fn text_cell(s: &str) -> String {
    let guarded = if looks_like_formula(s) { format!("'{s}") } else { s.to_owned() };
    quoted(&guarded)
}

fn quoted(s: &str) -> String {
    if s.contains([SEPARATOR, '"', '\r', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// A number the code computed: written as is, never guarded.
pub trait Number: Copy {
    #[doc(hidden)]
    fn to_cell(self) -> String;
}

macro_rules! numbers {
    ($($t:ty),*) => {
        $(impl Number for $t {
            fn to_cell(self) -> String {
                self.to_string()
            }
        })*
    };
}
numbers!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// Where a CSV file goes: any [`std::io::Write`] through [`Io`], or a
/// `String` (which cannot fail).
pub trait Sink {
    type Error;
    fn put(&mut self, s: &str) -> Result<(), Self::Error>;
}

/// A [`std::io::Write`] as a [`Sink`].
pub struct Io<W: Write>(pub W);

impl<W: Write> Sink for Io<W> {
    type Error = io::Error;
    fn put(&mut self, s: &str) -> io::Result<()> {
        self.0.write_all(s.as_bytes())
    }
}

impl Sink for &mut String {
    type Error = Infallible;
    fn put(&mut self, s: &str) -> Result<(), Infallible> {
        self.push_str(s);
        Ok(())
    }
}

/// Writes one CSV file: the byte-order mark on creation, then cells and rows.
pub struct CsvWriter<S: Sink> {
    out: S,
    /// Whether the current row has a cell yet (the next one needs a separator).
    in_row: bool,
}

impl<W: Write> CsvWriter<Io<W>> {
    /// Starts a file on a [`std::io::Write`]: writes the byte-order mark.
    pub fn io(out: W) -> io::Result<CsvWriter<Io<W>>> {
        CsvWriter::new(Io(out))
    }
}

impl<'a> CsvWriter<&'a mut String> {
    /// Starts a file at the end of `out`: appends the byte-order mark.
    pub fn string(out: &'a mut String) -> CsvWriter<&'a mut String> {
        out.push_str(BOM);
        CsvWriter { out, in_row: false }
    }
}

impl<S: Sink> CsvWriter<S> {
    /// Starts a file: writes the byte-order mark.
    pub fn new(mut out: S) -> Result<CsvWriter<S>, S::Error> {
        out.put(BOM)?;
        Ok(CsvWriter { out, in_row: false })
    }

    fn cell(&mut self, s: &str) -> Result<&mut Self, S::Error> {
        if self.in_row {
            self.out.put(";")?;
        }
        self.in_row = true;
        self.out.put(s)?;
        Ok(self)
    }

    /// A text cell, guarded and quoted (see [`text_cell`]).
    pub fn text(&mut self, s: &str) -> Result<&mut Self, S::Error> {
        self.cell(&text_cell(s))
    }

    /// A number the code computed, never guarded.
    pub fn number<N: Number>(&mut self, n: N) -> Result<&mut Self, S::Error> {
        self.cell(&n.to_cell())
    }

    /// An empty cell.
    pub fn empty(&mut self) -> Result<&mut Self, S::Error> {
        self.cell("")
    }

    /// Ends the row with CRLF.
    pub fn end_row(&mut self) -> Result<(), S::Error> {
        self.in_row = false;
        self.out.put("\r\n")
    }

    /// A whole row of text cells (a header, or a row without numbers).
    pub fn text_row<T: AsRef<str>>(&mut self, cells: &[T]) -> Result<(), S::Error> {
        for c in cells {
            self.text(c.as_ref())?;
        }
        self.end_row()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(write: impl Fn(&mut CsvWriter<Io<&mut Vec<u8>>>) -> io::Result<()>) -> String {
        let mut bytes = Vec::new();
        write(&mut CsvWriter::io(&mut bytes).unwrap()).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_file_starts_with_the_bom_and_rows_end_with_crlf() {
        let f = file(|w| {
            w.text_row(&["a", "b"])?;
            w.text("c")?.number(2)?.empty()?.end_row()
        });
        assert_eq!(f, "\u{feff}a;b\r\nc;2;\r\n");
        assert!(f.as_bytes().starts_with(&[0xef, 0xbb, 0xbf]));
        assert_eq!(file(|_| Ok(())), "\u{feff}", "an empty file is only the BOM");
    }

    #[test]
    fn a_string_gets_the_same_bytes_as_an_io_writer() {
        let mut s = String::from("kept");
        let mut w = CsvWriter::string(&mut s);
        let Ok(()) = w.text("=x").and_then(|w| w.number(-3)).and_then(|w| w.end_row());
        let io = file(|w| w.text("=x")?.number(-3)?.end_row());
        assert_eq!(s, format!("kept{io}"));
    }

    #[test]
    fn cells_with_separator_quote_or_line_break_are_quoted() {
        assert_eq!(text_cell("enkel"), "enkel");
        assert_eq!(text_cell("a, b"), "a, b", "a comma is not the separator");
        assert_eq!(text_cell("a; b"), "\"a; b\"");
        assert_eq!(text_cell("”citat” och \"mer\""), "\"”citat” och \"\"mer\"\"\"");
        assert_eq!(text_cell("rad ett\nrad två"), "\"rad ett\nrad två\"");
        assert_eq!(text_cell("cr\rhär"), "\"cr\rhär\"");
        assert_eq!(text_cell(""), "");
        let f = file(|w| w.text_row(&["x;y", "z"]));
        assert_eq!(f, "\u{feff}\"x;y\";z\r\n");
    }

    #[test]
    fn every_formula_start_is_guarded() {
        for s in ["=1+1", "+46 70", "-3", "@SUM(A1)", "\tx", "\rx", "＝1+1", "＋1", "－1", "＠x"] {
            assert!(looks_like_formula(s), "{s:?}");
            let cell = text_cell(s);
            let inner = cell.trim_start_matches('"');
            assert!(inner.starts_with('\''), "{s:?} -> {cell:?}");
        }
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_cell("=1;2"), "\"'=1;2\"");
        assert_eq!(text_cell("\rx"), "\"'\rx\"", "guarded, and quoted for the CR");
    }

    #[test]
    fn invisible_characters_and_spaces_do_not_hide_a_formula() {
        for prefix in ["\u{200b}", "\u{200c}", "\u{200d}", "\u{2060}", "\u{feff}", " ", "   ", " \u{200b} "] {
            for start in ["=", "+", "-", "@", "＝", "\t"] {
                let s = format!("{prefix}{start}cmd()");
                assert!(looks_like_formula(&s), "{s:?}");
                assert_eq!(text_cell(&s), format!("'{s}"), "{s:?}");
            }
        }
    }

    /// Issue 19, finding 9: the spaces and invisible characters a person
    /// cannot tell from nothing, and the small forms of the formula signs.
    #[test]
    fn no_break_spaces_direction_marks_and_small_forms_do_not_hide_a_formula() {
        for prefix in [
            "\u{a0}",
            "\u{202f}",
            "\u{3000}",
            "\u{2009}",
            "\u{200e}",
            "\u{200f}",
            "\u{202e}",
            "\u{2066}",
            "\u{ad}",
            "\u{2061}",
            "\u{a0}\u{200e} ",
        ] {
            for start in ["=", "+", "-", "@", "＝", "＋", "－", "＠"] {
                let s = format!("{prefix}{start}cmd()");
                assert_eq!(text_cell(&s), format!("'{s}"), "{s:?}");
            }
        }
        for s in ["﹦1+1", "﹢1", "﹣1", "﹫x", "\u{200b}﹦1"] {
            assert_eq!(text_cell(s), format!("'{s}"), "{s:?}");
        }
    }

    #[test]
    fn ordinary_text_is_not_guarded() {
        for s in ["Timrå kommun", "2026-11-23 09:05", "a=b", "x-y", " text", "\u{200b}text", "'redan", "1-2"] {
            assert!(!looks_like_formula(s), "{s:?}");
            assert_eq!(text_cell(s), s);
        }
    }

    #[test]
    fn numbers_are_never_guarded_but_the_same_text_is() {
        let f = file(|w| w.number(-3)?.number(0usize)?.number(u64::MAX)?.text("-3")?.end_row());
        assert_eq!(f, format!("\u{feff}-3;0;{};'-3\r\n", u64::MAX));
    }
}
