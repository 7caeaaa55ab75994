//! Cleaning caller text before it is measured and drawn.
//!
//! Whatever a caller passes is turned into text the layout can handle: line
//! breaks of every kind become `\n`, tabs and other breaking spaces become a
//! plain space, control and invisible formatting characters are dropped, and
//! decomposed letters (`a` + combining diaeresis, as some keyboards and
//! operating systems produce) are composed into the single character the font
//! draws well (`ä`). Characters the font lacks are handled later, by the font.

/// Cleans `input` for layout. The result contains no control characters other
/// than `\n`, and no `\n` at its start or end.
pub(crate) fn clean(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    // After a zero-width joiner a symbol belongs to the symbol before it (emoji
    // sequences); it is dropped so one symbol prints as one `?`.
    let mut joined = false;
    while let Some(c) = chars.next() {
        if std::mem::take(&mut joined) && c >= '\u{2100}' {
            continue;
        }
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            c if is_line_break(c) => out.push('\n'),
            '\u{200D}' => joined = true,
            c if is_invisible(c) => {}
            '\u{A0}' | '\u{2007}' | '\u{202F}' => out.push(c),
            c if c.is_whitespace() => out.push(' '),
            c if c.is_control() => {}
            c => match compose(out.chars().next_back(), c) {
                Some(composed) => {
                    out.pop();
                    out.push(composed);
                }
                None => out.push(c),
            },
        }
    }
    let trimmed = out.trim_matches('\n');
    if trimmed.len() == out.len() { out } else { trimmed.to_string() }
}

/// Cleans `input` for a single line (footers, running headers): line breaks become spaces.
pub(crate) fn clean_line(input: &str) -> String {
    clean(input).replace('\n', " ")
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Default-ignorable characters: they have no glyph of their own and printing
/// them as `?` would only add noise.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{AD}'                        // soft hyphen
        | '\u{34F}'                     // combining grapheme joiner
        | '\u{61C}'                     // Arabic letter mark
        | '\u{180E}'                    // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'       // zero-width space, joiners, direction marks
        | '\u{202A}'..='\u{202E}'       // bidi embeddings and overrides
        | '\u{2060}'..='\u{206F}'       // word joiner, invisible operators, bidi isolates
        | '\u{FE00}'..='\u{FE0F}'       // variation selectors
        | '\u{FEFF}'                    // byte order mark
        | '\u{FFF9}'..='\u{FFFB}'       // interlinear annotation
        | '\u{1F3FB}'..='\u{1F3FF}'     // emoji skin tone modifiers
        | '\u{E0000}'..='\u{E0FFF}'     // tags and variation selectors supplement
    )
}

/// Composes a base letter and a combining mark into one character, for the
/// marks used in Swedish and its neighbours. Returns `None` when there is no
/// such character (the mark then stays a separate character).
fn compose(base: Option<char>, mark: char) -> Option<char> {
    let base = base?;
    let composed = match (mark, base) {
        ('\u{308}', 'a') => 'ä',
        ('\u{308}', 'A') => 'Ä',
        ('\u{308}', 'o') => 'ö',
        ('\u{308}', 'O') => 'Ö',
        ('\u{308}', 'u') => 'ü',
        ('\u{308}', 'U') => 'Ü',
        ('\u{308}', 'e') => 'ë',
        ('\u{308}', 'E') => 'Ë',
        ('\u{308}', 'i') => 'ï',
        ('\u{308}', 'I') => 'Ï',
        ('\u{308}', 'y') => 'ÿ',
        ('\u{30A}', 'a') => 'å',
        ('\u{30A}', 'A') => 'Å',
        ('\u{301}', 'a') => 'á',
        ('\u{301}', 'A') => 'Á',
        ('\u{301}', 'e') => 'é',
        ('\u{301}', 'E') => 'É',
        ('\u{301}', 'i') => 'í',
        ('\u{301}', 'I') => 'Í',
        ('\u{301}', 'o') => 'ó',
        ('\u{301}', 'O') => 'Ó',
        ('\u{301}', 'u') => 'ú',
        ('\u{301}', 'U') => 'Ú',
        ('\u{301}', 'y') => 'ý',
        ('\u{301}', 'Y') => 'Ý',
        ('\u{300}', 'a') => 'à',
        ('\u{300}', 'A') => 'À',
        ('\u{300}', 'e') => 'è',
        ('\u{300}', 'E') => 'È',
        ('\u{302}', 'e') => 'ê',
        ('\u{302}', 'E') => 'Ê',
        ('\u{303}', 'n') => 'ñ',
        ('\u{303}', 'N') => 'Ñ',
        ('\u{327}', 'c') => 'ç',
        ('\u{327}', 'C') => 'Ç',
        ('\u{30C}', 'c') => 'č',
        ('\u{30C}', 'C') => 'Č',
        ('\u{30C}', 's') => 'š',
        ('\u{30C}', 'S') => 'Š',
        ('\u{30C}', 'z') => 'ž',
        ('\u{30C}', 'Z') => 'Ž',
        _ => return None,
    };
    Some(composed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_are_unified_and_trimmed() {
        assert_eq!(clean("\r\nett\r\ntvå\rtre\u{2028}fyra\n\n"), "ett\ntvå\ntre\nfyra");
    }

    #[test]
    fn controls_and_invisibles_are_dropped_tabs_become_spaces() {
        assert_eq!(clean("a\tb\u{0}c\u{7}d\u{1B}[0m\u{AD}e\u{200B}f\u{FEFF}"), "a bcd[0mef");
    }

    #[test]
    fn decomposed_swedish_letters_are_composed() {
        assert_eq!(clean("A\u{30A}sa O\u{308}berg ka\u{308}rl"), "Åsa Öberg kärl");
    }

    #[test]
    fn emoji_sequences_collapse_to_one_symbol() {
        // family: man ZWJ woman ZWJ girl, thumbs up with skin tone, heart with VS16
        assert_eq!(
            clean("x\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}y\u{1F44D}\u{1F3FD}z\u{2764}\u{FE0F}"),
            "x👨y👍z❤"
        );
    }

    #[test]
    fn non_breaking_spaces_are_kept() {
        assert_eq!(clean("12\u{A0}mg"), "12\u{A0}mg");
        assert_eq!(clean_line("a\nb"), "a b");
    }
}
