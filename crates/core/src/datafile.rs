//! Small helpers shared by the parsers of the data files a region edits
//! (routines, contacts, notification policies): the line of a TOML span, for
//! messages that name file and line, and the slug rule for ids.

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// An id a region writes: 1–64 characters of `a-z`, `0-9` and `-`.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one_and_offsets_past_the_end_are_the_last_line() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    #[test]
    fn slugs() {
        assert!(is_slug("kommun-timra") && is_slug("003"));
        assert!(!is_slug("") && !is_slug("Timrå") && !is_slug("a_b") && !is_slug(&"a".repeat(65)));
    }
}
