//! Time rules: Reserv stores UTC and shows Europe/Stockholm. This module
//! converts between the two, parses what people type into forms, computes
//! Swedish public holidays and answers "is it office hours?" (seed 003:
//! weekdays 07:30–16:30, everything else is on-call time). The clock is never
//! read here: callers pass `now`.

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use crate::error::{DomainError, Field};

/// The time zone every Swedish user sees.
pub fn stockholm() -> TimeZone {
    // The zone database is compiled into the binary (jiff's bundled tzdb), so
    // this cannot fail at run time on any machine; a missing bundle is a build
    // error caught by the tests below.
    TimeZone::get("Europe/Stockholm").expect("bundled tzdb has Europe/Stockholm")
}

/// A timestamp as Stockholm wall-clock time.
pub fn local(ts: Timestamp) -> Zoned {
    ts.to_zoned(stockholm())
}

/// `2026-11-22 14:05` in Stockholm time.
pub fn format_local(ts: Timestamp) -> String {
    local(ts).strftime("%Y-%m-%d %H:%M").to_string()
}

/// The value an `<input type="datetime-local">` expects, in Stockholm time.
pub fn format_input(ts: Timestamp) -> String {
    local(ts).strftime("%Y-%m-%dT%H:%M").to_string()
}

/// Years outside this range are taken as typing mistakes.
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i16> = 2000..=2099;

/// Checks that a timestamp lies in a plausible year.
pub fn check_plausible(field: Field, ts: Timestamp) -> Result<Timestamp, DomainError> {
    if PLAUSIBLE_YEARS.contains(&local(ts).year()) { Ok(ts) } else { Err(DomainError::ImplausibleDate { field }) }
}

/// Parses what a person typed as Stockholm local time (`2026-11-22T14:05`,
/// `2026-11-22 14:05`, `2026-11-22 1405`, optionally with seconds) or an
/// RFC 3339 instant with an offset (`2026-11-22T13:05:00Z`), as the API sends
/// it. This is the one parser of typed times: every form and the API go
/// through it. A year with more than four digits is refused by name, and
/// years outside 2000–2099 as implausible.
pub fn parse_user_time(field: Field, input: &str) -> Result<Timestamp, DomainError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DomainError::Required { field });
    }
    check_year_digits(field, s)?;
    let ts = if let Ok(ts) = s.parse::<Timestamp>() {
        ts
    } else {
        let (date, clock) = s.split_once(['T', 't', ' ']).ok_or(DomainError::InvalidDateTime { field })?;
        let date = parse_user_date(field, date)?;
        let clock = parse_clock(field, clock)?;
        let dt = date.to_datetime(clock);
        // A wall-clock time that falls in the spring-forward gap or repeats in
        // the autumn is resolved the "compatible" way (as RFC 5545 does).
        stockholm().to_ambiguous_zoned(dt).compatible().map_err(|_| DomainError::InvalidDateTime { field })?.timestamp()
    };
    check_plausible(field, ts)
}

/// A year typed with more than four digits (`20260-11-22`): a slip of the
/// keyboard that date pickers let through.
fn check_year_digits(field: Field, s: &str) -> Result<(), DomainError> {
    let digits = s.trim_start_matches(['+', '-']).chars().take_while(char::is_ascii_digit).count();
    let dated = s.trim_start_matches(['+', '-']).chars().nth(digits) == Some('-');
    if dated && digits > 4 { Err(DomainError::YearTooLong { field }) } else { Ok(()) }
}

/// Parses a typed date, `2026-11-22`, in the years Reserv accepts.
pub fn parse_user_date(field: Field, input: &str) -> Result<Date, DomainError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DomainError::Required { field });
    }
    check_year_digits(field, s)?;
    let d: Date = s.parse().map_err(|_| DomainError::InvalidDateTime { field })?;
    if PLAUSIBLE_YEARS.contains(&d.year()) { Ok(d) } else { Err(DomainError::ImplausibleDate { field }) }
}

/// Parses a typed clock time: `0315`, `315`, `03:15`, `3.15`, `03:15:00`.
pub fn parse_clock(field: Field, input: &str) -> Result<Time, DomainError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DomainError::Required { field });
    }
    let bad = || DomainError::InvalidDateTime { field };
    let (h, m, sec) = if s.bytes().all(|b| b.is_ascii_digit()) {
        match s.len() {
            1 | 2 => (s, "0", "0"),
            3 => (&s[..1], &s[1..], "0"),
            4 => (&s[..2], &s[2..], "0"),
            _ => return Err(bad()),
        }
    } else {
        let sep = if s.contains(':') { ':' } else { '.' };
        let mut parts = s.split(sep);
        let h = parts.next().ok_or_else(bad)?;
        let m = parts.next().ok_or_else(bad)?;
        let sec = parts.next().unwrap_or("0");
        if parts.next().is_some() {
            return Err(bad());
        }
        (h, m, sec)
    };
    let num = |x: &str, max: i8| -> Result<i8, DomainError> {
        if x.is_empty() || x.len() > 2 || !x.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        x.parse::<i8>().ok().filter(|v| *v <= max).ok_or_else(bad)
    };
    // Seconds may carry a fraction from an API client; the minute is what counts.
    let sec = sec.split('.').next().unwrap_or("0");
    Time::new(num(h, 23)?, num(m, 59)?, num(sec, 59)?, 0).map_err(|_| bad())
}

/// Parses a time as [`parse_user_time`] does, but refuses a Stockholm
/// wall-clock time that does not exist (the hour skipped when summer time
/// begins) or that exists twice (the hour repeated when it ends) instead of
/// resolving it: where the answer depends on the exact instant (a trial of
/// a notification plan across a daylight-saving night), a guess is wrong.
/// An RFC 3339 time with an offset (`2026-10-25T02:30+02:00`) is exact.
pub fn parse_exact_time(field: Field, input: &str) -> Result<Timestamp, DomainError> {
    let ts = parse_user_time(field, input)?;
    let s = input.trim();
    if s.parse::<Timestamp>().is_ok() {
        return Ok(ts);
    }
    let Ok(dt) = s.replacen(' ', "T", 1).parse::<DateTime>() else { return Ok(ts) };
    let ambiguous = stockholm().to_ambiguous_zoned(dt);
    if ambiguous.is_ambiguous() {
        let at = dt.strftime("%Y-%m-%d %H:%M");
        let message = if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
            format!("{at} finns inte i svensk tid (klockan ställs fram en timme den natten).")
        } else {
            format!(
                "{at} inträffar två gånger i svensk tid (klockan ställs tillbaka en timme den natten); \
                 ange med tidsförskjutning, t.ex. {}+02:00 (sommartid) eller {}+01:00 (normaltid).",
                dt.strftime("%Y-%m-%dT%H:%M"),
                dt.strftime("%Y-%m-%dT%H:%M")
            )
        };
        return Err(DomainError::Invalid { field, message });
    }
    Ok(ts)
}

/// Easter Sunday of a year (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = ((h + l - 7 * m + 114) % 31) + 1;
    Date::new(year, month as i8, day as i8).expect("computus yields a valid date")
}

/// Swedish public holidays and the days treated as such in working life
/// (Midsummer Eve, Christmas Eve, New Year's Eve), with their Swedish names.
pub fn holiday(date: Date) -> Option<&'static str> {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let easter = easter_sunday(y);
    let rel = (date - easter).get_days();
    match rel {
        -2 => return Some("Långfredagen"),
        0 => return Some("Påskdagen"),
        1 => return Some("Annandag påsk"),
        39 => return Some("Kristi himmelsfärdsdag"),
        49 => return Some("Pingstdagen"),
        _ => {}
    }
    match (m, d) {
        (1, 1) => Some("Nyårsdagen"),
        (1, 6) => Some("Trettondedag jul"),
        (5, 1) => Some("Första maj"),
        (6, 6) => Some("Sveriges nationaldag"),
        (12, 24) => Some("Julafton"),
        (12, 25) => Some("Juldagen"),
        (12, 26) => Some("Annandag jul"),
        (12, 31) => Some("Nyårsafton"),
        (6, 19..=25) if date.weekday() == Weekday::Friday => Some("Midsommarafton"),
        (6, 20..=26) if date.weekday() == Weekday::Saturday => Some("Midsommardagen"),
        (10, 31) | (11, 1..=6) if date.weekday() == Weekday::Saturday => Some("Alla helgons dag"),
        _ => None,
    }
}

/// A weekday that is not a holiday.
pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && holiday(date).is_none()
}

/// Seed 003 §4.1: office hours are weekdays 07:30–16:30 (start inclusive, end
/// exclusive); all other time is on-call time.
pub fn is_office_hours(now: Timestamp) -> bool {
    let z = local(now);
    let t = z.time();
    is_working_day(z.date()) && t >= Time::constant(7, 30, 0, 0) && t < Time::constant(16, 30, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(s: &str) -> Timestamp {
        parse_user_time(Field::Start, s).unwrap()
    }

    #[test]
    fn easter_matches_known_years() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
    }

    #[test]
    fn holidays_of_2026() {
        assert_eq!(holiday(date(2026, 4, 3)), Some("Långfredagen"));
        assert_eq!(holiday(date(2026, 4, 6)), Some("Annandag påsk"));
        assert_eq!(holiday(date(2026, 5, 14)), Some("Kristi himmelsfärdsdag"));
        assert_eq!(holiday(date(2026, 6, 19)), Some("Midsommarafton"));
        assert_eq!(holiday(date(2026, 6, 20)), Some("Midsommardagen"));
        assert_eq!(holiday(date(2026, 10, 31)), Some("Alla helgons dag"));
        assert_eq!(holiday(date(2026, 12, 24)), Some("Julafton"));
        assert_eq!(holiday(date(2026, 12, 31)), Some("Nyårsafton"));
        assert_eq!(holiday(date(2026, 6, 18)), None);
        assert_eq!(holiday(date(2026, 11, 23)), None);
    }

    #[test]
    fn office_hours_edges() {
        // Monday 2026-11-23.
        assert!(!is_office_hours(at("2026-11-23T07:29")));
        assert!(is_office_hours(at("2026-11-23T07:30")));
        assert!(is_office_hours(at("2026-11-23T16:29")));
        assert!(!is_office_hours(at("2026-11-23T16:30")));
        assert!(!is_office_hours(at("2026-11-23T16:31")));
        // Saturday, Midsummer Eve (a Friday), Christmas Eve (a Thursday).
        assert!(!is_office_hours(at("2026-11-21T10:00")));
        assert!(!is_office_hours(at("2026-06-19T10:00")));
        assert!(!is_office_hours(at("2026-12-24T10:00")));
    }

    #[test]
    fn every_kind_of_holiday_is_a_non_working_day() {
        let days = [
            // Fixed dates.
            (date(2026, 1, 1), "Nyårsdagen"),
            (date(2026, 1, 6), "Trettondedag jul"),
            (date(2026, 5, 1), "Första maj"),
            (date(2026, 6, 6), "Sveriges nationaldag"),
            (date(2026, 12, 25), "Juldagen"),
            (date(2026, 12, 26), "Annandag jul"),
            // Easter-based, 2026 and 2027.
            (date(2026, 4, 3), "Långfredagen"),
            (date(2026, 4, 5), "Påskdagen"),
            (date(2026, 4, 6), "Annandag påsk"),
            (date(2026, 5, 14), "Kristi himmelsfärdsdag"),
            (date(2026, 5, 24), "Pingstdagen"),
            (date(2027, 3, 26), "Långfredagen"),
            (date(2027, 3, 29), "Annandag påsk"),
            (date(2027, 5, 6), "Kristi himmelsfärdsdag"),
            // Midsummer Eve and Day, All Saints' Day (moving weekdays).
            (date(2025, 6, 20), "Midsommarafton"),
            (date(2027, 6, 25), "Midsommarafton"),
            (date(2027, 6, 26), "Midsommardagen"),
            (date(2025, 11, 1), "Alla helgons dag"),
            (date(2027, 11, 6), "Alla helgons dag"),
            // Treated as holidays in working life.
            (date(2027, 12, 24), "Julafton"),
            (date(2027, 12, 31), "Nyårsafton"),
        ];
        for (day, name) in days {
            assert_eq!(holiday(day), Some(name), "{day}");
            assert!(!is_working_day(day), "{day}");
        }
        // Ordinary working days next to them: Maundy Thursday, the
        // Thursday before Midsummer Eve, the days before Christmas and New
        // Year's Eve.
        for day in [date(2026, 4, 2), date(2026, 6, 18), date(2026, 12, 23), date(2026, 12, 30), date(2027, 6, 24)] {
            assert!(holiday(day).is_none() && is_working_day(day), "{day}");
        }
        // A weekend is never a working day, holiday or not.
        assert!(!is_working_day(date(2026, 11, 21)) && !is_working_day(date(2026, 11, 22)));
    }

    #[test]
    fn office_hours_across_the_daylight_saving_nights() {
        let z = |s: &str| s.parse::<Timestamp>().unwrap();
        // Sunday 2026-03-29: 02:00 CET jumps to 03:00 CEST; a Sunday, so on-call.
        assert_eq!(format_local(z("2026-03-29T00:59:00Z")), "2026-03-29 01:59");
        assert_eq!(format_local(z("2026-03-29T01:00:00Z")), "2026-03-29 03:00");
        assert!(!is_office_hours(z("2026-03-29T01:00:00Z")));
        // Friday before: 07:30 CET is 06:30Z. Monday after: 07:30 CEST is 05:30Z.
        assert!(!is_office_hours(z("2026-03-27T06:29:00Z")));
        assert!(is_office_hours(z("2026-03-27T06:30:00Z")));
        assert!(!is_office_hours(z("2026-03-30T05:29:00Z")));
        assert!(is_office_hours(z("2026-03-30T05:30:00Z")));
        assert!(is_office_hours(z("2026-03-30T14:29:00Z")));
        assert!(!is_office_hours(z("2026-03-30T14:30:00Z")));
        assert!(!is_office_hours(z("2026-03-30T14:31:00Z")));
        // Sunday 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
        assert_eq!(format_local(z("2026-10-25T00:30:00Z")), "2026-10-25 02:30");
        assert_eq!(format_local(z("2026-10-25T01:30:00Z")), "2026-10-25 02:30");
        assert!(!is_office_hours(z("2026-10-25T01:30:00Z")));
        // Friday before: 07:30 CEST is 05:30Z. Monday after: 07:30 CET is 06:30Z.
        assert!(is_office_hours(z("2026-10-23T05:30:00Z")));
        assert!(!is_office_hours(z("2026-10-26T06:29:00Z")));
        assert!(is_office_hours(z("2026-10-26T06:30:00Z")));
        assert!(is_office_hours(z("2026-10-26T15:29:00Z")));
        assert!(!is_office_hours(z("2026-10-26T15:30:00Z")));
        assert!(!is_office_hours(z("2026-10-26T15:31:00Z")));
        // Typed local times on those Mondays land on the same instants.
        assert_eq!(at("2026-03-30T07:29"), z("2026-03-30T05:29:00Z"));
        assert_eq!(at("2026-10-26T16:31"), z("2026-10-26T15:31:00Z"));
    }

    #[test]
    fn local_input_is_stockholm_time_across_dst() {
        // Winter: UTC+1. Summer: UTC+2.
        assert_eq!(at("2026-01-15T12:00").to_string(), "2026-01-15T11:00:00Z");
        assert_eq!(at("2026-07-15 12:00").to_string(), "2026-07-15T10:00:00Z");
        // 02:30 does not exist on 2026-03-29; compatible resolution moves forward.
        assert_eq!(at("2026-03-29T02:30").to_string(), "2026-03-29T01:30:00Z");
        assert_eq!(format_input(at("2026-07-15T12:00")), "2026-07-15T12:00");
        assert_eq!(at("2026-07-15T10:00:00Z").to_string(), "2026-07-15T10:00:00Z");
    }

    #[test]
    fn plain_clock_times() {
        assert_eq!(at("2026-11-23 0315"), at("2026-11-23T03:15"));
        assert_eq!(at("2026-11-23 03:15"), at("2026-11-23T03:15"));
        assert_eq!(at("2026-11-23 315"), at("2026-11-23T03:15"));
        assert_eq!(at("2026-11-23 3.15"), at("2026-11-23T03:15"));
        assert_eq!(at("2026-11-23T03:15:00"), at("2026-11-23T03:15"));
        assert_eq!(parse_clock(Field::CallAt, "0315"), Ok(Time::constant(3, 15, 0, 0)));
        assert_eq!(parse_clock(Field::CallAt, "03:15"), Ok(Time::constant(3, 15, 0, 0)));
        assert_eq!(parse_clock(Field::CallAt, "23"), Ok(Time::constant(23, 0, 0, 0)));
        for bad in ["2460", "0360", "12345", "3:", ":15", "ab:cd", "1:2:3:4", "-315"] {
            assert_eq!(
                parse_clock(Field::CallAt, bad),
                Err(DomainError::InvalidDateTime { field: Field::CallAt }),
                "{bad}"
            );
        }
        assert_eq!(parse_clock(Field::CallAt, ""), Err(DomainError::Required { field: Field::CallAt }));
    }

    #[test]
    fn a_year_of_more_than_four_digits_is_refused_by_name() {
        for s in ["20260-11-23T03:15", "20260-11-23 0315", "+020260-11-23T03:15:00Z", "202611-11-23T03:15"] {
            assert_eq!(
                parse_user_time(Field::DischargedAt, s),
                Err(DomainError::YearTooLong { field: Field::DischargedAt }),
                "{s}"
            );
        }
        assert_eq!(
            parse_user_date(Field::ExpectedDischarge, "20261-01-02"),
            Err(DomainError::YearTooLong { field: Field::ExpectedDischarge })
        );
        assert_eq!(parse_user_date(Field::ExpectedDischarge, "2026-01-02"), Ok(date(2026, 1, 2)));
        assert_eq!(
            parse_user_date(Field::ExpectedDischarge, "1999-01-02"),
            Err(DomainError::ImplausibleDate { field: Field::ExpectedDischarge })
        );
    }

    #[test]
    fn bad_times_are_named_errors() {
        assert_eq!(
            parse_user_time(Field::ExpectedEnd, "2026-02-30T10:00"),
            Err(DomainError::InvalidDateTime { field: Field::ExpectedEnd })
        );
        assert_eq!(parse_user_time(Field::Start, "igår"), Err(DomainError::InvalidDateTime { field: Field::Start }));
        assert_eq!(parse_user_time(Field::Start, " "), Err(DomainError::Required { field: Field::Start }));
        assert_eq!(
            parse_user_time(Field::Start, "1899-01-01T10:00"),
            Err(DomainError::ImplausibleDate { field: Field::Start })
        );
    }
}
