//! Tests of patient identities: personnummer, samordningsnummer and
//! reserve numbers.

use super::*;
use jiff::ToSpan;
use jiff::civil::date;
use proptest::prelude::*;

/// The day the table tests run on.
const TODAY: Date = date(2026, 6, 15);

/// Replaces the `?` at the end with the right Luhn check digit, so that a
/// test number built for another rule (a date, a `+`) passes the check.
fn luhn(template: &str) -> String {
    assert!(template.ends_with('?'), "{template}");
    let digits: Vec<u8> = template.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    let nine = &digits[digits.len() - 9..];
    let c = luhn_check_digit(nine);
    format!("{}{c}", &template[..template.len() - 1])
}

fn problem(r: Result<PatientId, DomainError>) -> PatientIdProblem {
    match r {
        Err(DomainError::InvalidPatientId { field, problem }) => {
            assert_eq!(field, Field::PatientId);
            problem
        }
        other => panic!("expected an invalid patient id, got {other:?}"),
    }
}

fn ok(input: &str) -> PatientId {
    PatientId::parse(input, TODAY).unwrap_or_else(|e| panic!("{input:?}: {e}"))
}

#[test]
fn luhn_matches_skatteverkets_worked_example() {
    // Skatteverket's own example in its guidance: 640823-323 gives 4.
    assert_eq!(luhn_check_digit(&[6, 4, 0, 8, 2, 3, 3, 2, 3]), 4);
    assert_eq!(luhn_check_digit(&[1, 2, 1, 2, 1, 2, 1, 2, 1]), 2);
    assert_eq!(luhn("640823-323?"), "640823-3234");
}

/// Input, kind, canonical form, birth date (year, month, day).
type ValidCase = (&'static str, PatientIdKind, &'static str, (i16, i8, i8));

/// Test numbers only: 19121212-1212 is the classic test identity
/// (Tolvan Tolvansson), 640823-3234 Skatteverket's worked example, the
/// rest from Skatteverket's published test data (testpersonnummer and
/// testsamordningsnummer). The table test below checks each check
/// digit: the number parses and every other last digit fails.
const VALID: &[ValidCase] = {
    use PatientIdKind::{Personnummer as P, Samordningsnummer as S};
    &[
        ("19121212-1212", P, "19121212-1212", (1912, 12, 12)),
        ("191212121212", P, "19121212-1212", (1912, 12, 12)),
        ("121212+1212", P, "19121212-1212", (1912, 12, 12)),
        ("121212-1212", P, "20121212-1212", (2012, 12, 12)),
        ("1212121212", P, "20121212-1212", (2012, 12, 12)),
        ("  19121212-1212\t\n", P, "19121212-1212", (1912, 12, 12)),
        ("640823-3234", P, "19640823-3234", (1964, 8, 23)),
        ("199001012385", P, "19900101-2385", (1990, 1, 1)),
        ("900101-2385", P, "19900101-2385", (1990, 1, 1)),
        ("9001012385", P, "19900101-2385", (1990, 1, 1)),
        ("200002292399", P, "20000229-2399", (2000, 2, 29)),
        ("000229-2399", P, "20000229-2399", (2000, 2, 29)),
        ("202402292383", P, "20240229-2383", (2024, 2, 29)),
        ("190001019801", P, "19000101-9801", (1900, 1, 1)),
        ("000101+9801", P, "19000101-9801", (1900, 1, 1)),
        ("19000101+9801", P, "19000101-9801", (1900, 1, 1)),
        ("189001019802", P, "18900101-9802", (1890, 1, 1)),
        ("900101+9802", P, "18900101-9802", (1890, 1, 1)),
        ("20170101-2393", P, "20170101-2393", (2017, 1, 1)),
        ("202601612381", S, "20260161-2381", (2026, 1, 1)),
        ("260161-2381", S, "20260161-2381", (2026, 1, 1)),
        ("202201612393", S, "20220161-2393", (2022, 1, 1)),
        ("191401682396", S, "19140168-2396", (1914, 1, 8)),
        ("140168+2396", S, "19140168-2396", (1914, 1, 8)),
    ]
};

#[test]
fn valid_numbers_parse_to_their_canonical_form() {
    for &(input, kind, canonical, (y, m, d)) in VALID {
        let id = ok(input);
        assert_eq!(id.kind(), kind, "{input}");
        assert_eq!(id.as_str(), canonical, "{input}");
        assert_eq!(id.to_string(), canonical, "{input}");
        assert_eq!(id.birth_date(), Some(date(y, m, d)), "{input}");
        assert!(!id.is_reserve());
        assert_eq!(PatientId::from_canonical(canonical), Ok(id.clone()));
        // The table's check digits are right: every other one fails.
        let trimmed = input.trim();
        let last = trimmed.as_bytes()[trimmed.len() - 1] - b'0';
        for other in (0..=9u8).filter(|&c| c != last) {
            let bad = format!("{}{other}", &trimmed[..trimmed.len() - 1]);
            assert_eq!(problem(PatientId::parse(&bad, TODAY)), PatientIdProblem::CheckDigit, "{bad}");
        }
    }
}

#[test]
fn invalid_numbers_say_precisely_what_is_wrong() {
    use PatientIdProblem as P;
    let cases: Vec<(String, PatientIdProblem)> = vec![
        // Check digit.
        ("19121212-1213".into(), P::CheckDigit),
        ("121212-1210".into(), P::CheckDigit),
        ("199001012386".into(), P::CheckDigit),
        ("202601612382".into(), P::CheckDigit),
        // Two digits swapped in the birth number: Luhn catches it.
        ("19121212-2112".into(), P::CheckDigit),
        // Impossible dates, each with a right check digit.
        (luhn("19901301-238?"), P::NoSuchMonth { month: 13 }),
        (luhn("19900001-238?"), P::NoSuchMonth { month: 0 }),
        (luhn("19900100-238?"), P::NoSuchDay { day: 0 }),
        (luhn("19900132-238?"), P::NoSuchDay { day: 32 }),
        (luhn("19900160-238?"), P::NoSuchDay { day: 60 }),
        (luhn("19900192-238?"), P::NoSuchDay { day: 92 }),
        (luhn("19900230-238?"), P::NoSuchDate { month: 2, day: 30, coordination: false }),
        (luhn("19900431-238?"), P::NoSuchDate { month: 4, day: 31, coordination: false }),
        (luhn("19000229-238?"), P::NoSuchDate { month: 2, day: 29, coordination: false }),
        (luhn("20230229-238?"), P::NoSuchDate { month: 2, day: 29, coordination: false }),
        // `+` makes 00 the year 1900, which had no 29 February.
        ("000229+2399".into(), P::NoSuchDate { month: 2, day: 29, coordination: false }),
        // Samordningsnummer: day 90 is 30 February, day 91 is 31 April.
        (luhn("19900290-238?"), P::NoSuchDate { month: 2, day: 30, coordination: true }),
        (luhn("900491-238?"), P::NoSuchDate { month: 4, day: 31, coordination: true }),
        // Birth number 000 does not exist.
        (luhn("19121212-000?"), P::NoSuchBirthNumber),
        (luhn("121272-000?"), P::NoSuchBirthNumber),
        // Length and characters.
        ("19121212-121".into(), P::WrongLength { digits: 11 }),
        ("1912121212123".into(), P::WrongLength { digits: 13 }),
        ("121212-121".into(), P::WrongLength { digits: 9 }),
        ("-".into(), P::WrongLength { digits: 0 }),
        ("121212 1212".into(), P::InvalidCharacter { ch: ' ' }),
        ("121212–1212".into(), P::InvalidCharacter { ch: '–' }),
        ("121212/1212".into(), P::InvalidCharacter { ch: '/' }),
        ("R-2026-0001".into(), P::InvalidCharacter { ch: 'R' }),
        ("19810829M071".into(), P::InvalidCharacter { ch: 'M' }),
        ("12121-21212".into(), P::MisplacedSeparator),
        ("1212121212-".into(), P::MisplacedSeparator),
        ("-1212121212".into(), P::MisplacedSeparator),
        ("121212--1212".into(), P::MisplacedSeparator),
        ("121212-+1212".into(), P::MisplacedSeparator),
        ("1912-1212-1212".into(), P::MisplacedSeparator),
        // Birth dates in the future (today is 2026-06-15).
        (luhn("20260616-238?"), P::BirthDateInFuture { short_form: false }),
        (luhn("20300101-238?"), P::BirthDateInFuture { short_form: false }),
        (luhn("20260676-238?"), P::BirthDateInFuture { short_form: false }),
        // Ten digits with `-`: the person turns at most 99 this year, so
        // 26 is 2026 and 16 June 2026 is still to come.
        (luhn("260616-238?"), P::BirthDateInFuture { short_form: true }),
        // `+` in the twelve-digit form must agree with the year.
        ("20121212+1212".into(), P::PlusButUnder100),
        (luhn("19270101+238?"), P::PlusButUnder100),
        // Years no personnummer has.
        (luhn("17991231-238?"), P::ImplausibleBirthYear),
        (luhn("00121212-121?"), P::ImplausibleBirthYear),
    ];
    for (input, expected) in cases {
        assert_eq!(problem(PatientId::parse(&input, TODAY)), expected, "{input}");
    }
}

#[test]
fn empty_input_is_required() {
    for input in ["", "   ", "\t\n"] {
        assert_eq!(PatientId::parse(input, TODAY), Err(DomainError::Required { field: Field::PatientId }));
        assert_eq!(PatientId::parse_reserve(input), Err(DomainError::Required { field: Field::PatientId }));
    }
}

#[test]
fn the_ten_digit_century_follows_the_calendar_year_of_today() {
    // Today is 2026-06-15.
    let born = |s: &str| ok(&luhn(s)).birth_date().unwrap();
    assert_eq!(born("991231-238?"), date(1999, 12, 31));
    assert_eq!(born("260615-238?"), date(2026, 6, 15)); // born today
    assert_eq!(born("260101-238?"), date(2026, 1, 1));
    assert_eq!(born("270101-238?"), date(1927, 1, 1)); // turns 99 in 2026
    assert_eq!(born("270101+238?"), date(1827, 1, 1));
    // Turns 100 this year, birthday still to come: already `+`.
    assert_eq!(born("260616+238?"), date(1926, 6, 16));
    assert_eq!(born("19260616+238?"), date(1926, 6, 16));
    assert_eq!(born("260615+238?"), date(1926, 6, 15));
    // The same digits a year later read a century apart.
    let next_year = date(2027, 1, 1);
    let id = PatientId::parse(&luhn("270101-238?"), next_year).unwrap();
    assert_eq!(id.birth_date(), Some(date(2027, 1, 1)));
    // 121212+1212 is 1912 as long as today lies in 2012–2111.
    for year in [2012, 2026, 2111] {
        let id = PatientId::parse("121212+1212", date(year, 12, 31)).unwrap();
        assert_eq!(id.as_str(), "19121212-1212", "{year}");
    }
    let id = PatientId::parse("121212+1212", date(2112, 1, 1)).unwrap();
    assert_eq!(id.as_str(), "20121212-1212");
}

#[test]
fn twelve_digits_with_dash_are_fine_at_any_age() {
    assert_eq!(ok("18900101-9802").birth_date(), Some(date(1890, 1, 1)));
    assert_eq!(ok("19121212+1212").as_str(), "19121212-1212");
}

#[test]
fn samordningsnummer_keep_day_plus_60_in_canonical_form() {
    let id = ok("191401682396");
    assert_eq!(id.kind(), PatientIdKind::Samordningsnummer);
    assert_eq!(id.as_str(), "19140168-2396");
    assert_eq!(id.birth_date(), Some(date(1914, 1, 8)));
    // Day 61 and day 91 are the bounds.
    assert_eq!(ok(&luhn("19900161-238?")).birth_date(), Some(date(1990, 1, 1)));
    assert_eq!(ok(&luhn("19900191-238?")).birth_date(), Some(date(1990, 1, 31)));
    assert_eq!(ok(&luhn("20000289-238?")).birth_date(), Some(date(2000, 2, 29)));
    assert_eq!(
        problem(PatientId::parse(&luhn("19000289-238?"), TODAY)),
        PatientIdProblem::NoSuchDate { month: 2, day: 29, coordination: true }
    );
}

#[test]
fn reserve_numbers_only_through_parse_reserve_and_flagged() {
    // Formats from the regions: free text, VGR (letter in the birth
    // number), Region Stockholm (99 + year), Inera Carelink (day 32–59).
    let nines = "9".repeat(RESERVE_MAX_CHARS);
    for (input, stored) in [
        ("R-2026-0001", "R-2026-0001"),
        ("  okand-17 ", "OKAND-17"),
        ("19810829M071", "19810829M071"),
        ("19810829m071", "19810829M071"),
        ("991981000010", "991981000010"),
        ("198108320014", "198108320014"),
        ("X", "X"),
        (nines.as_str(), nines.as_str()),
    ] {
        let id = PatientId::parse_reserve(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert!(id.is_reserve(), "{input}");
        assert_eq!(id.kind(), PatientIdKind::Reserve);
        assert_eq!(id.as_str(), stored);
        assert_eq!(id.birth_date(), None);
        assert!(PatientId::parse(input, TODAY).is_err(), "{input}");
        assert!(PatientId::from_canonical(stored).is_err(), "{input}");
    }
}

#[test]
fn a_valid_personnummer_is_never_a_reserve_number() {
    use PatientIdKind::{Personnummer as P, Samordningsnummer as S};
    for (input, kind) in [
        ("19121212-1212", P),
        ("191212121212", P),
        ("121212-1212", P),
        ("1212121212", P),
        ("000229-2399", P),
        ("202601612381", S),
        ("260161-2381", S),
    ] {
        assert_eq!(
            problem(PatientId::parse_reserve(input)),
            PatientIdProblem::ReserveIsPersonalNumber { kind },
            "{input}"
        );
    }
    // Not valid as a personnummer by form (wrong check digit, no such
    // date, a year no personnummer has): the caller said reserve, so it is.
    for input in ["19121212-1213", "19900230-2385", "99201201-2386"] {
        assert!(PatientId::parse_reserve(input).unwrap().is_reserve(), "{input}");
    }
}

#[test]
fn invalid_reserve_numbers() {
    use PatientIdProblem as P;
    for (input, expected) in [
        ("R 1", P::ReserveInvalidCharacter { ch: ' ' }),
        ("Å123", P::ReserveInvalidCharacter { ch: 'Å' }),
        ("121212+1212", P::ReserveInvalidCharacter { ch: '+' }),
        ("R_1", P::ReserveInvalidCharacter { ch: '_' }),
        ("---", P::ReserveWithoutLetterOrDigit),
    ] {
        assert_eq!(problem(PatientId::parse_reserve(input)), expected, "{input}");
    }
    let long = "A".repeat(RESERVE_MAX_CHARS + 1);
    assert_eq!(
        PatientId::parse_reserve(&long),
        Err(DomainError::TooLong { field: Field::PatientId, len: RESERVE_MAX_CHARS + 1, max: RESERVE_MAX_CHARS })
    );
}

#[test]
fn from_canonical_accepts_only_the_canonical_form() {
    assert_eq!(PatientId::from_canonical("19121212-1212").map(|id| id.kind()), Ok(PatientIdKind::Personnummer));
    for bad in ["191212121212", "121212-1212", "19121212+1212", " 19121212-1212", "1912121-21212", "R-1", ""] {
        assert_eq!(problem(PatientId::from_canonical(bad)), PatientIdProblem::NotCanonical, "{bad}");
    }
    assert_eq!(problem(PatientId::from_canonical("19121212-1213")), PatientIdProblem::CheckDigit);
    // Without a today, a future date is not refused here.
    let future = luhn("21000101-238?");
    assert!(PatientId::from_canonical(&future).is_ok());
    assert_eq!(problem(PatientId::from_canonical(&luhn("99201201-238?"))), PatientIdProblem::ImplausibleBirthYear);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Doc {
    patient: PatientId,
}

fn round_trip(id: &PatientId) -> PatientId {
    let doc = Doc { patient: id.clone() };
    let text = toml::to_string(&doc).unwrap();
    toml::from_str::<Doc>(&text).unwrap().patient
}

#[test]
fn debug_never_prints_the_whole_number() {
    let p = PatientId::parse("19121212-1212", date(2026, 11, 23)).unwrap();
    let d = format!("{p:?}");
    assert!(!d.contains("1212-1212") && !d.contains("12121212"), "{d}");
    assert!(d.contains("19121212-****"), "{d}");
    let r = PatientId::parse_reserve("RES-2026-0001").unwrap();
    assert!(!format!("{r:?}").contains("RES-2026"));
}

#[test]
fn serde_states_the_kind_and_round_trips() {
    let pnr = ok("121212+1212");
    let text = toml::to_string(&Doc { patient: pnr.clone() }).unwrap();
    assert!(text.contains("kind = \"personnummer\""), "{text}");
    assert!(text.contains("value = \"19121212-1212\""), "{text}");
    assert_eq!(round_trip(&pnr), pnr);

    let snr = ok("191401682396");
    assert_eq!(round_trip(&snr), snr);

    let reserve = PatientId::parse_reserve("r-17").unwrap();
    let text = toml::to_string(&Doc { patient: reserve.clone() }).unwrap();
    assert!(text.contains("kind = \"reserve\""), "{text}");
    assert!(text.contains("value = \"R-17\""), "{text}");
    assert_eq!(round_trip(&reserve), reserve);
}

#[test]
fn serde_refuses_what_parsing_would_refuse() {
    let read = |kind: &str, value: &str| {
        toml::from_str::<Doc>(&format!("[patient]\nkind = \"{kind}\"\nvalue = \"{value}\"\n"))
    };
    assert!(read("personnummer", "19121212-1212").is_ok());
    for (kind, value) in [
        ("personnummer", "191212121212"), // not canonical
        ("personnummer", "19121212-1213"),
        ("personnummer", "19140168-2396"), // a samordningsnummer
        ("samordningsnummer", "19121212-1212"),
        ("reserve", "19121212-1212"), // a personnummer posing as reserve
        ("reserve", "R 1"),
        ("unknown", "R-1"),
    ] {
        assert!(read(kind, value).is_err(), "{kind} {value}");
    }
    let err = PatientId::try_from(PatientIdRepr { kind: PatientIdKind::Personnummer, value: "19140168-2396".into() })
        .unwrap_err();
    assert_eq!(
        err,
        invalid(PatientIdProblem::KindMismatch {
            stated: PatientIdKind::Personnummer,
            actual: PatientIdKind::Samordningsnummer
        })
    );
    assert!(toml::from_str::<Doc>("[patient]\nkind = \"reserve\"\nvalue = \"R\"\nx = 1\n").is_err());
}

#[test]
fn errors_name_the_field_in_both_languages_and_never_repeat_the_number() {
    let e = PatientId::parse("19121212-1213", TODAY).unwrap_err();
    assert_eq!(e.field(), Some(Field::PatientId));
    assert_eq!(e.code(), "patient_id_check_digit");
    assert_eq!(e.message_sv(), "Personnummer: kontrollsiffran stämmer inte. Kontrollera att alla siffror är rätt.");
    assert!(e.message_en().starts_with("Personal identity number: the check digit does not match"));

    let e = PatientId::parse(&luhn("19900290-238?"), TODAY).unwrap_err();
    assert_eq!(e.message_sv(), "Personnummer: den 30 februari finns inte (samordningsnummer: dagen minus 60).");
    assert_eq!(
        e.message_en(),
        "Personal identity number: February 30 does not exist (coordination number: the day minus 60)."
    );
    let e = PatientId::parse(&luhn("19000229-238?"), TODAY).unwrap_err();
    assert!(e.message_sv().contains("29 februari finns inte det året (inget skottår)"));
    let e = PatientId::parse(&luhn("260616-238?"), TODAY).unwrap_err();
    assert!(e.message_sv().contains("ligger i framtiden"));
    assert!(e.message_sv().contains("skriv +"));
    assert!(e.message_en().contains("in the future"));
    let e = PatientId::parse("20121212+1212", TODAY).unwrap_err();
    assert!(e.message_sv().contains("plustecknet"));
    let e = PatientId::parse("19121212-121", TODAY).unwrap_err();
    assert!(e.message_sv().contains("10 eller 12 siffror, inte 11"));
    assert!(e.message_en().contains("10 or 12 digits, not 11"));
    let e = PatientId::parse("121212–1212", TODAY).unwrap_err();
    assert!(e.message_sv().contains("tecknet ”–”"), "{}", e.message_sv());
    let e = PatientId::parse_reserve("1212121212").unwrap_err();
    assert_eq!(
        e.message_sv(),
        "Personnummer: numret är ett giltigt personnummer. \
             Registrera det som personnummer, inte som reservnummer."
    );
    assert_eq!(
        e.to_string(),
        format!("PatientId: {}", PatientIdProblem::ReserveIsPersonalNumber { kind: PatientIdKind::Personnummer })
    );

    // Every problem has a distinct code and messages in both languages.
    use PatientIdProblem as P;
    let all = [
        P::InvalidCharacter { ch: 'x' },
        P::InvalidCharacter { ch: ' ' },
        P::WrongLength { digits: 3 },
        P::MisplacedSeparator,
        P::NoSuchMonth { month: 13 },
        P::NoSuchDay { day: 45 },
        P::NoSuchDate { month: 4, day: 31, coordination: false },
        P::NoSuchBirthNumber,
        P::CheckDigit,
        P::BirthDateInFuture { short_form: false },
        P::ImplausibleBirthYear,
        P::PlusButUnder100,
        P::NotCanonical,
        P::KindMismatch { stated: PatientIdKind::Personnummer, actual: PatientIdKind::Samordningsnummer },
        P::ReserveInvalidCharacter { ch: '_' },
        P::ReserveInvalidCharacter { ch: ' ' },
        P::ReserveWithoutLetterOrDigit,
        P::ReserveIsPersonalNumber { kind: PatientIdKind::Samordningsnummer },
    ];
    let mut codes: Vec<_> = all.iter().map(|p| p.code()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), all.len() - 2); // the two space variants share codes
    for p in all {
        assert!(!p.message_sv().is_empty() && !p.message_en().is_empty());
        assert_ne!(p.message_sv(), p.message_en());
    }

    // The typed number never appears in the error.
    for input in ["19121212-1213", "121212-1213", "19121212-121", "20121212+1212", "1212121212"] {
        let errs = [PatientId::parse(input, TODAY).err(), PatientId::parse_reserve(input).err()];
        for e in errs.into_iter().flatten() {
            for text in [e.message_sv(), e.message_en(), e.to_string(), format!("{e:?}")] {
                assert!(!text.contains(input), "{text}");
                assert!(!text.contains("1212"), "{text}");
            }
        }
    }
}

/// A birth date Reserv accepts, a birth number 001–999, whether it is
/// a samordningsnummer, and a `today` on or after the birth date.
fn number_and_today() -> impl Strategy<Value = (Date, [u8; 3], bool, Date)> {
    (
        *BIRTH_YEARS.start()..=*BIRTH_YEARS.end(),
        1i8..=12,
        1i8..=31,
        [0u8..=9, 0u8..=9, 0u8..=9],
        any::<bool>(),
        0i32..=80_000,
    )
        .prop_filter_map("a real date", |(y, m, d, nnn, coord, later)| {
            if nnn == [0, 0, 0] {
                return None;
            }
            let birth = Date::new(y, m, d).ok()?;
            let today = birth.checked_add(later.days()).ok()?;
            Some((birth, nnn, coord, today))
        })
}

/// `ÅÅÅÅMMDD-NNN` for the birth date, without the check digit.
fn without_check(birth: Date, nnn: [u8; 3], coord: bool) -> String {
    let day = birth.day() + if coord { 60 } else { 0 };
    format!("{:04}{:02}{day:02}-{}{}{}", birth.year(), birth.month(), nnn[0], nnn[1], nnn[2])
}

proptest! {
    #[test]
    fn numbers_with_their_luhn_digit_parse_and_all_others_fail(
        (birth, nnn, coord, today) in number_and_today()
    ) {
        let stem = without_check(birth, nnn, coord);
        let right = luhn(&format!("{stem}?"));
        let c = right.as_bytes()[right.len() - 1] - b'0';
        let kind = if coord { PatientIdKind::Samordningsnummer } else { PatientIdKind::Personnummer };

        let id = PatientId::parse(&right, today).unwrap();
        prop_assert_eq!(id.kind(), kind);
        prop_assert_eq!(id.as_str(), right.as_str());
        prop_assert_eq!(id.birth_date(), Some(birth));
        // The same number without separator, and in its ten-digit form
        // with the separator the age in calendar years calls for.
        prop_assert_eq!(&PatientId::parse(&right.replace('-', ""), today).unwrap(), &id);
        let age = i32::from(today.year()) - i32::from(birth.year());
        if age < 200 {
            let sep = if age >= 100 { "+" } else { "-" };
            let short = format!("{}{sep}{}", &right[2..8], &right[9..]);
            prop_assert_eq!(&PatientId::parse(&short, today).unwrap(), &id);
            if age < 100 {
                prop_assert_eq!(&PatientId::parse(&short.replace('-', ""), today).unwrap(), &id);
            }
        }
        // Every other check digit fails, and says so.
        for other in (0..=9u8).filter(|&o| o != c) {
            let wrong = format!("{stem}{other}");
            prop_assert_eq!(
                problem(PatientId::parse(&wrong, today)),
                PatientIdProblem::CheckDigit
            );
            prop_assert_eq!(
                problem(PatientId::from_canonical(&wrong)),
                PatientIdProblem::CheckDigit
            );
        }
        // A valid number is never accepted as a reserve number.
        prop_assert_eq!(
            problem(PatientId::parse_reserve(&right)),
            PatientIdProblem::ReserveIsPersonalNumber { kind }
        );
    }

    #[test]
    fn the_canonical_form_parses_back_to_the_same_value(
        (birth, nnn, coord, today) in number_and_today()
    ) {
        let id = PatientId::parse(&luhn(&format!("{}?", without_check(birth, nnn, coord))), today).unwrap();
        prop_assert_eq!(&PatientId::parse(id.as_str(), today).unwrap(), &id);
        prop_assert_eq!(&PatientId::parse(&id.to_string(), today).unwrap(), &id);
        prop_assert_eq!(&PatientId::from_canonical(id.as_str()).unwrap(), &id);
        prop_assert_eq!(&round_trip(&id), &id);
    }

    #[test]
    fn reserve_numbers_round_trip(s in "[A-Za-z0-9-]{1,32}") {
        if let Ok(id) = PatientId::parse_reserve(&s) {
            prop_assert!(id.is_reserve());
            prop_assert_eq!(id.as_str(), s.to_ascii_uppercase());
            prop_assert_eq!(&PatientId::parse_reserve(id.as_str()).unwrap(), &id);
            prop_assert_eq!(&round_trip(&id), &id);
        }
    }

    #[test]
    fn parsing_never_panics(
        s in any::<String>(),
        shaped in "[0-9+ -]{0,16}",
        y in -9999i16..=9999,
        doy in 0i32..366,
    ) {
        let today = date(y, 1, 1).checked_add(doy.days()).unwrap_or(date(y, 12, 31));
        for input in [&s, &shaped] {
            if let Ok(id) = PatientId::parse(input, today) {
                prop_assert!(id.birth_date().is_some_and(|b| b <= today));
                prop_assert_eq!(id.as_str().len(), 13);
            }
            let _ = PatientId::parse_reserve(input);
            let _ = PatientId::from_canonical(input);
        }
    }
}
