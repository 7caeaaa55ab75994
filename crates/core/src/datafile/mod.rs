//! What the parsers of the data files a region edits share: the one error
//! type ([`DataFileError`]: file, line, field, reason), the checker every
//! parser collects its problems with (`FileCheck`, generic over the file
//! kind), closed vocabularies (`vocabulary!`), the line of a TOML span and
//! the slug rule for ids.
//!
//! The data files are the routines, contacts, notification policies and
//! their recipients files, back-entry policies, the organisation directory
//! and the system catalogue. Every problem names the file, the line where it
//! is known, the key it is about, and a reason in Swedish and English;
//! `Display` prints it the way compilers do (`file:line: reason`).

mod check;
mod error;

pub(crate) use check::{FileCheck, Kind, OneOrMany, line_of_entry};
pub(crate) use error::sorted;
pub use error::{DataFileError, FileKind, Reason, Unknown};

/// A closed vocabulary as [`FileCheck::vocabulary`] reads it; implemented by
/// every enum made with `vocabulary!`.
pub trait Vocabulary: Copy + 'static {
    /// The value with this key, if any.
    fn parse_key(key: &str) -> Option<Self>;
    /// What the vocabulary is called, in Swedish and in English.
    fn what() -> (&'static str, &'static str);
    /// The valid keys, comma-separated.
    fn valid_keys() -> String;
}

/// A closed vocabulary: an enum whose values have a key (as written in data
/// files and the API), a Swedish and an English label. It serialises as its
/// key, and an unknown key is an error that names the valid ones, so a typo
/// in a file is never a silently lost value.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what_sv:literal, $what_en:literal {
        $($(#[$vdoc:meta])* $variant:ident = $key:literal, $sv:literal, $en:literal;)+
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value, in the order the UI lists them.
            pub const ALL: &[$name] = &[$($name::$variant),+];

            /// The key as written in data files and the API.
            pub fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)+
                }
            }

            /// The label in the Swedish UI.
            pub fn label_sv(self) -> &'static str {
                match self {
                    $($name::$variant => $sv,)+
                }
            }

            /// The label in the English UI.
            pub fn label_en(self) -> &'static str {
                match self {
                    $($name::$variant => $en,)+
                }
            }

            /// The value with this key, if any.
            pub fn parse(key: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.key() == key)
            }

            /// What the vocabulary is called, in Swedish (for error messages).
            pub fn what_sv() -> &'static str {
                $what_sv
            }

            /// What the vocabulary is called, in English.
            pub fn what_en() -> &'static str {
                $what_en
            }

            /// The valid keys, comma-separated.
            pub fn keys() -> String {
                Self::ALL.iter().map(|v| v.key()).collect::<Vec<_>>().join(", ")
            }

            /// The Swedish message for an unknown key.
            pub fn unknown_sv(value: &str) -> String {
                format!("okänd {} ”{value}” (giltiga: {})", $what_sv, Self::keys())
            }

            /// The English message for an unknown key.
            pub fn unknown_en(value: &str) -> String {
                format!("unknown {} `{value}` (valid: {})", $what_en, Self::keys())
            }
        }

        impl $crate::datafile::Vocabulary for $name {
            fn parse_key(key: &str) -> Option<Self> {
                Self::parse(key)
            }
            fn what() -> (&'static str, &'static str) {
                ($what_sv, $what_en)
            }
            fn valid_keys() -> String {
                Self::keys()
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let key = <String as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&key).ok_or_else(|| ::serde::de::Error::custom(Self::unknown_en(&key)))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.key())
            }
        }

        /// In the OpenAPI document: a string, one of the keys.
        #[cfg(feature = "openapi")]
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($key),+]))
                    .description(Some(concat!("A ", $what_en, ", by its key.")))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl ::utoipa::ToSchema for $name {}
    };
}
pub(crate) use vocabulary;

/// The 1-based line of byte `offset` in `text`, for a single lookup; more
/// than one lookup in the same text goes through a [`LineIndex`].
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    LineIndex::new(text).line(offset)
}

/// Where every line of a text starts, found in one pass, so that the line of
/// a byte offset is a binary search: a file with a problem (or a span) on
/// each of its 8 000 entries costs one pass over the text, not one per
/// entry (issue 19: the recipients file took seconds).
pub(crate) struct LineIndex {
    /// The byte offset of the first byte of each line; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        #[cfg(test)]
        tests::SCANNED.with(|s| s.set(s.get() + text.len()));
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line of byte `offset`; an offset past the end is on the
    /// last line.
    pub(crate) fn line(&self, offset: usize) -> usize {
        // `starts[0] == 0 <= offset`, so at least one start precedes it.
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// An id a region writes: 1–64 characters of `a-z`, `0-9` and `-`.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// Bytes of text scanned for line starts on this thread, so a test
        /// can show that finding lines stays linear in the file's size.
        pub(crate) static SCANNED: Cell<usize> = const { Cell::new(0) };
    }

    #[test]
    fn lines_count_from_one_and_offsets_past_the_end_are_the_last_line() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    #[test]
    fn the_index_agrees_with_counting_newlines_at_every_offset() {
        for text in ["", "\n", "a", "a\n", "a\nb\nc", "\n\nå\n\r\nx\n", "ett\ntvå\n\ntre"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                let counted = text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1;
                assert_eq!(index.line(offset), counted, "{text:?} at {offset}");
            }
        }
    }

    #[test]
    fn slugs() {
        assert!(is_slug("kommun-timra") && is_slug("003"));
        assert!(!is_slug("") && !is_slug("Timrå") && !is_slug("a_b") && !is_slug(&"a".repeat(65)));
    }
}
