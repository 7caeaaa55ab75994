//! Text for search and lists: folding (case, å/ä/ö, spaces) and the Swedish
//! sort order ([`fold`], [`swedish_order_key`]).

/// Lowercase without diacritics, so "Ange" finds "Ånge" and "harnosand"
/// finds "Härnösand".
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' | 'â' | 'æ' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' => 'u',
            'í' | 'ì' | 'ï' => 'i',
            '–' | '—' => '-',
            c => c,
        })
        .collect()
}

/// A key that sorts in Swedish alphabetical order: a–z, then å, ä, ö.
pub fn swedish_order_key(s: &str) -> Vec<u32> {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' => 'z' as u32 + 1,
            'ä' | 'æ' => 'z' as u32 + 2,
            'ö' | 'ø' => 'z' as u32 + 3,
            'é' | 'è' => 'e' as u32,
            'ü' => 'y' as u32,
            c => c as u32,
        })
        .collect()
}

pub(super) fn has_swedish_letter(s: &str) -> bool {
    s.chars().any(|c| matches!(c, 'å' | 'ä' | 'ö' | 'Å' | 'Ä' | 'Ö'))
}

/// The digits of a number typed into the search, national form.
pub(super) fn query_digits(s: &str) -> String {
    let all: String = s.chars().filter(char::is_ascii_digit).collect();
    match all.strip_prefix("46") {
        Some(rest) if s.trim_start().starts_with('+') => format!("0{rest}"),
        _ => all,
    }
}

pub(super) fn is_number_like(s: &str) -> bool {
    let t = s.trim();
    t.chars().filter(char::is_ascii_digit).count() >= 2
        && t.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '–' | '(' | ')' | '+'))
}
