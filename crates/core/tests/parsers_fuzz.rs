//! Property-based fuzzing of every parser a person or a file feeds: the data
//! files (routines, contacts, notification policies and recipients, back-entry
//! policies, the directory, the catalogue), personnummer and reserve numbers,
//! typed times and dates, worklist keys, message numbers, and the
//! personnummer finder for free text. Each is fed arbitrary text and the
//! shipped files mutated (a span cut out, random text put in, truncated at a
//! random byte). The property: an answer, never a panic; every error
//! names its problem in words, and a line it names lies within the file.

use proptest::prelude::*;

use reserv_core::backentry::check_policy;
use reserv_core::catalogue::Catalogue;
use reserv_core::contacts::parse_contacts;
use reserv_core::datafile::DataFileError;
use reserv_core::directory::parse_directory;
use reserv_core::error::Field;
use reserv_core::handover::MessageType;
use reserv_core::identity::{PatientId, find_personal_number};
use reserv_core::notify::parse_policy;
use reserv_core::routine::parse_routine;
use reserv_core::time::{parse_clock, parse_exact_time, parse_user_date, parse_user_time};
use reserv_core::worklist::ItemKey;

const ROUTINE: &str = include_str!("../../../data/routines/003-melior.toml");
const CONTACTS: &str = include_str!("../../../data/contacts/001-vasternorrland.toml");
const NOTIFY: &str = include_str!("../../../data/notifications/003-gavleborg.toml");
const RECIPIENTS: &str = include_str!("../../../data/notifications/recipients.example.toml");
const POLICY: &str = include_str!("../../../data/policies/lifecare-sp-vasternorrland-2025.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");
const SYSTEMS: &str = include_str!("../../../data/systems.toml");

/// A shipped file changed at random: a span cut out, text put in, or cut short.
fn mutate(text: &str, how: u8, at: usize, len: usize, insert: &str) -> String {
    let bytes = text.as_bytes();
    let at = at % (bytes.len() + 1);
    let end = (at + len).min(bytes.len());
    let out: Vec<u8> = match how % 3 {
        0 => [&bytes[..at], &bytes[end..]].concat(),
        1 => [&bytes[..at], insert.as_bytes(), &bytes[at..]].concat(),
        _ => bytes[..at].to_vec(),
    };
    // A cut inside a UTF-8 character becomes U+FFFD, as a lossy reader would.
    String::from_utf8_lossy(&out).into_owned()
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,200}",
        "[\\[\\]=\"{}#a-z0-9_ ,.\\n-]{0,300}",
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn arb_mutation() -> impl Strategy<Value = (u8, usize, usize, String)> {
    (any::<u8>(), any::<usize>(), 0usize..400, "[\\[\\]=\"{}#a-zåäö0-9_ ,.\\n-]{0,40}")
}

/// Every error explains itself, and a line it names lies within the text.
fn explained(text: &str, errors: &[DataFileError]) -> Result<(), TestCaseError> {
    let lines = text.lines().count().max(1) + 1;
    for e in errors {
        prop_assert!(!e.message_sv().trim().is_empty(), "{e:?}");
        prop_assert!(!e.message_en().trim().is_empty(), "{e:?}");
        if let Some(l) = e.line {
            prop_assert!(l >= 1 && l <= lines, "line {l} of {lines}: {e:?}");
        }
    }
    Ok(())
}

/// Feeds one text to every data-file parser.
fn every_file_parser(text: &str) -> Result<(), TestCaseError> {
    if let Err(es) = parse_routine("f.toml", text) {
        explained(text, &es)?;
    }
    if let Err(es) = parse_contacts("f.toml", text) {
        explained(text, &es)?;
    }
    if let Err(es) = parse_policy("f.toml", text) {
        explained(text, &es)?;
    }
    if let Err(es) = reserv_core::outbox::parse_recipients("f.toml", text) {
        explained(text, &es)?;
    }
    if let Err(es) = check_policy("f.toml", text) {
        explained(text, &es)?;
    }
    if let Err(e) = parse_directory(text) {
        explained(text, &[e])?;
    }
    if let Err(e) = Catalogue::parse(text) {
        explained(text, &[e])?;
    }
    Ok(())
}

#[test]
fn the_shipped_files_parse() {
    parse_routine("r.toml", ROUTINE).unwrap();
    parse_contacts("c.toml", CONTACTS).unwrap();
    parse_policy("n.toml", NOTIFY).unwrap();
    reserv_core::outbox::parse_recipients("p.toml", RECIPIENTS).unwrap();
    check_policy("b.toml", POLICY).unwrap();
    parse_directory(DIRECTORY).unwrap();
    Catalogue::parse(SYSTEMS).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics_a_file_parser(text in arb_text()) {
        every_file_parser(&text)?;
    }

    #[test]
    fn mutated_shipped_files_never_panic_their_parser(
        which in 0usize..7,
        (how, at, len, insert) in arb_mutation(),
    ) {
        let base = [ROUTINE, CONTACTS, NOTIFY, RECIPIENTS, POLICY, DIRECTORY, SYSTEMS][which];
        let text = mutate(base, how, at, len, &insert);
        every_file_parser(&text)?;
    }

    #[test]
    fn typed_values_never_panic(text in arb_text()) {
        let today = jiff::civil::date(2026, 12, 2);
        let _ = PatientId::parse(&text, today);
        let _ = PatientId::parse_reserve(&text);
        let _ = parse_user_time(Field::CallAt, &text);
        let _ = parse_user_date(Field::ExpectedDischarge, &text);
        let _ = parse_clock(Field::CallAt, &text);
        let _ = parse_exact_time(Field::DeclaredAt, &text);
        let _ = ItemKey::parse(&text);
        let _ = MessageType::parse_numbers(&text);
        if let Some(at) = find_personal_number(&text, today) {
            prop_assert!(text.is_char_boundary(at) && at < text.len(), "{at} in {text:?}");
        }
    }

    /// Personnummer-like text: digits with the separators people type.
    #[test]
    fn numbers_with_separators_never_panic(text in "[0-9０-９ \\-–—./_+]{0,40}") {
        let today = jiff::civil::date(2026, 12, 2);
        let _ = PatientId::parse(&text, today);
        let _ = find_personal_number(&text, today);
        let _ = find_personal_number(&format!("Pat {text} ringde"), today);
    }
}
