//! The checker every data-file parser collects its problems with:
//! [`FileCheck`], generic over the kind of file ([`Kind`]), so a routine
//! parser can only report routine problems. It holds the checks the parsers
//! share (TOML syntax, required and bounded texts, closed vocabularies,
//! dates, system ids) and turns spans into lines.

use std::cell::OnceCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, SeqAccess, Visitor};
use toml::Spanned;

use super::error::{DataFileError, FileKind, Reason};
use super::{LineIndex, Vocabulary, is_slug, line_of};
use crate::ids::SystemId;

/// A kind of data file, as the checker sees it.
pub(crate) trait Kind {
    const KIND: FileKind;
    /// The longest text a key may hold unless a check says otherwise.
    const MAX_TEXT: usize;
    /// The problems only this kind of file has.
    type Problem: Into<Reason>;
}

/// Collects the problems of one file while it is parsed.
pub(crate) struct FileCheck<'a, K: Kind> {
    pub file: &'a str,
    pub text: &'a str,
    pub errors: Vec<DataFileError>,
    /// The text's line starts, found on the first [`FileCheck::line`].
    lines: OnceCell<LineIndex>,
    kind: PhantomData<K>,
}

impl<'a, K: Kind> FileCheck<'a, K> {
    pub fn new(file: &'a str, text: &'a str) -> Self {
        FileCheck { file, text, errors: Vec::new(), lines: OnceCell::new(), kind: PhantomData }
    }

    /// Reads the file as TOML into `T`; a syntax error is then the file's
    /// only problem.
    pub fn toml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Vec<DataFileError>> {
        toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            vec![DataFileError::new(K::KIND, file, line, None, Reason::Syntax(e.message().trim().to_owned()))]
        })
    }

    /// A problem with the file's name and kind, outside any one file's check.
    pub fn problem(file: &str, line: Option<usize>, reason: impl Into<Reason>) -> DataFileError {
        DataFileError::new(K::KIND, file, line, None, reason.into())
    }

    /// The 1-based line a span starts on (a binary search in the line
    /// starts, which are found once per file).
    pub fn line(&self, span: Range<usize>) -> usize {
        self.lines.get_or_init(|| LineIndex::new(self.text)).line(span.start)
    }

    /// A problem at a line (or of the whole file), about a key or not.
    pub fn push(&mut self, line: Option<usize>, field: Option<&'static str>, reason: impl Into<Reason>) {
        self.errors.push(DataFileError::new(K::KIND, self.file, line, field, reason.into()));
    }

    /// A problem of this kind of file at a span.
    pub fn error(&mut self, span: Range<usize>, problem: K::Problem) {
        let line = self.line(span);
        self.push(Some(line), None, problem);
    }

    /// A problem about the key `field`, at a span.
    pub fn at(&mut self, span: Range<usize>, field: &'static str, reason: impl Into<Reason>) {
        let line = self.line(span);
        self.push(Some(line), Some(field), reason);
    }

    /// An entry's `id`: trimmed, a slug, and not seen before in this set of
    /// files (`ids` maps each id to its line, in the file that has it
    /// first). Returns the id and its line; the kind names the problems
    /// (`invalid` for a bad slug, `duplicate` with the first file and line).
    pub fn unique_id(
        &mut self,
        raw: &Spanned<String>,
        ids: &mut std::collections::HashMap<String, usize>,
        invalid: impl FnOnce(String) -> K::Problem,
        duplicate: impl FnOnce(String, String, usize) -> K::Problem,
    ) -> (String, usize) {
        let line = self.line(raw.span());
        let id = raw.get_ref().trim().to_owned();
        if !is_slug(&id) {
            self.at(raw.span(), "id", invalid(id.clone()));
        } else if let Some(first_line) = ids.get(&id) {
            let problem = duplicate(id.clone(), self.file.to_owned(), *first_line);
            self.at(raw.span(), "id", problem);
        } else {
            ids.insert(id.clone(), line);
        }
        (id, line)
    }

    /// A trimmed, non-empty text of at most `K::MAX_TEXT` characters.
    pub fn text(&mut self, field: &'static str, value: &Spanned<String>) -> String {
        self.text_max(field, value, K::MAX_TEXT)
    }

    /// A trimmed, non-empty text of at most `max` characters.
    pub fn text_max(&mut self, field: &'static str, value: &Spanned<String>, max: usize) -> String {
        let t = value.get_ref().trim();
        if t.is_empty() {
            self.at(value.span(), field, Reason::Required);
        }
        let len = t.chars().count();
        if len > max {
            self.at(value.span(), field, Reason::TooLong { len, max });
        }
        t.to_owned()
    }

    /// [`FileCheck::text`] of a key that may be left out.
    pub fn optional_text(&mut self, field: &'static str, value: &Option<Spanned<String>>) -> Option<String> {
        value.as_ref().map(|v| self.text(field, v))
    }

    /// A key of the vocabulary `V` (surrounding space ignored); an unknown
    /// one is reported with the valid keys.
    pub fn vocabulary<V: Vocabulary>(&mut self, field: &'static str, value: &str, span: Range<usize>) -> Option<V> {
        let found = V::parse_key(value.trim());
        if found.is_none() {
            let (what_sv, what_en) = V::what();
            let value = value.chars().take(40).collect();
            self.at(span, field, Reason::unknown(value, what_sv, what_en, V::valid_keys()));
        }
        found
    }

    /// An optional date, written `YYYY-MM-DD`.
    pub fn date(&mut self, field: &'static str, value: &Option<Spanned<String>>) -> Option<jiff::civil::Date> {
        let d = value.as_ref()?;
        let v = d.get_ref().trim();
        let shaped = v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-';
        match v.parse::<jiff::civil::Date>() {
            Ok(date) if shaped => Some(date),
            _ => {
                self.at(d.span(), field, Reason::InvalidDate(v.chars().take(40).collect()));
                None
            }
        }
    }

    /// A system id (the catalogue is checked later, against the whole set).
    pub fn system_id(&mut self, field: &'static str, value: &str, span: Range<usize>) -> Option<SystemId> {
        match SystemId::parse(value.trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                self.at(span, field, Reason::InvalidSystemId(value.chars().take(80).collect()));
                None
            }
        }
    }

    /// The parsed value if the file had no problem, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<DataFileError>> {
        if self.errors.is_empty() { Ok(value) } else { Err(self.errors) }
    }
}

/// The line of the first `key = "value"` in a file read without spans (a
/// table deserialised whole), to point a problem of that entry at its line.
pub(crate) fn line_of_entry(text: &str, key: &str, value: &str) -> Option<usize> {
    let quoted = format!("\"{value}\"");
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
                .is_some_and(|r| r.trim() == quoted)
        })
        .map(|i| i + 1)
}

/// A string or a list of strings, each list item with its own span.
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    items.push(item);
                }
                Ok(OneOrMany::Many(items))
            }
        }
        d.deserialize_any(V)
    }
}

impl OneOrMany {
    /// The items with their spans; a single string takes the span of the value.
    pub fn items(outer: &Spanned<OneOrMany>) -> Vec<(String, Range<usize>)> {
        match outer.get_ref() {
            OneOrMany::One(s) => vec![(s.clone(), outer.span())],
            OneOrMany::Many(items) => items.iter().map(|i| (i.get_ref().clone(), i.span())).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routine::{Phase, RoutineProblem};

    struct Test;
    impl Kind for Test {
        const KIND: FileKind = FileKind::Routine;
        const MAX_TEXT: usize = 5;
        type Problem = RoutineProblem;
    }

    #[derive(Debug, Deserialize)]
    struct Raw {
        a: Spanned<String>,
        b: Spanned<String>,
        #[serde(default)]
        d: Option<Spanned<String>>,
    }

    #[test]
    fn shared_checks_name_file_line_field_and_reason() {
        let text = "a = \" \"\nb = \"sexsex\"\nd = \"2026-13-01\"\n";
        let raw: Raw = FileCheck::<Test>::toml("f.toml", text).unwrap();
        let mut c = FileCheck::<Test>::new("f.toml", text);
        assert_eq!(c.text("a", &raw.a), "");
        c.text("b", &raw.b);
        assert_eq!(c.date("d", &raw.d), None);
        assert_eq!(c.vocabulary::<Phase>("phase", "later", 0..1), None);
        let e = c.finish(()).unwrap_err();
        let got: Vec<(Option<usize>, Option<&str>, String)> = e.iter().map(|e| (e.line, e.field, e.code())).collect();
        assert_eq!(
            got,
            [
                (Some(1), Some("a"), "routine_required".to_owned()),
                (Some(2), Some("b"), "routine_text_too_long".to_owned()),
                (Some(3), Some("d"), "routine_invalid_date".to_owned()),
                (Some(1), Some("phase"), "routine_unknown_phase".to_owned()),
            ]
        );
        assert_eq!(e[1].to_string(), "f.toml:2: `b` is too long (6 characters, at most 5)");
        assert_eq!(e[1].message_sv(), "f.toml, rad 2: ”b” är för lång (6 tecken, högst 5)");
        assert!(e[3].message_sv().contains("okänd fas ”later” (giltiga: before_planned_stop, during, after_restore)"));
    }

    #[test]
    fn a_syntax_error_is_the_only_problem() {
        let e = FileCheck::<Test>::toml::<Raw>("f.toml", "a = \"x\"\nb = \n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].line, e[0].code()), (Some(2), "routine_syntax".to_owned()));
        assert!(e[0].message_sv().starts_with("f.toml, rad 2: filen kan inte läsas som en rutin: "), "{}", e[0]);
    }

    #[test]
    fn entries_read_without_spans_are_found_by_their_id() {
        let text = "[[organisation]]\nid = \"a\"\n\n[[organisation]]\n  id=\"b\"\n";
        assert_eq!(line_of_entry(text, "id", "a"), Some(2));
        assert_eq!(line_of_entry(text, "id", "b"), Some(5));
        assert_eq!(line_of_entry(text, "id", "c"), None);
    }
}
