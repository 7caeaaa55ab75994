//! Public feeds for intranets and calendars, with what the public status
//! page shows — systems and times, never patient data, never drills:
//! `/status.atom` (Atom 1.0: one entry per outage, updated when its timeline
//! changes), `/calendar` (the planned-downtime calendar as a page) and
//! `/calendar.ics` (iCalendar, RFC 5545, for Outlook and other calendars).

use std::fmt::Write as _;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use reserv_app::outages::PublicOutage;
use reserv_core::time::format_local;

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::{Lang, kind_label, status_label};
use crate::kit::respond::{fail, render};
use crate::kit::view::Layout;

/// RFC 3339 in UTC, as Atom wants it.
fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn title(lang: Lang, o: &PublicOutage) -> String {
    format!("{}: {} ({})", o.system_name, status_label(lang, o.status), kind_label(lang, o.kind).to_lowercase())
}

fn summary(lang: Lang, o: &PublicOutage) -> String {
    let t = lang.texts();
    let mut s = format!("{}: {}", t.start, format_local(o.start));
    if let Some(e) = o.expected_end {
        s.push_str(&format!(". {}: {}", t.expected_end, format_local(e)));
    }
    if let Some(r) = o.restored_at {
        s.push_str(&format!(". {}: {}", t.restored_at, format_local(r)));
    }
    s.push('.');
    if !o.public_notice.is_empty() {
        s.push(' ');
        s.push_str(&o.public_notice);
    }
    s
}

pub struct FeedEntry {
    id: String,
    title: String,
    updated: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "status_feed.xml", escape = "html")]
struct AtomFeed {
    title: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

pub async fn atom(State(st): State<AppState>, ctx: Ctx) -> Response {
    let outages = match st.app.public_status().await {
        Ok(o) => o,
        Err(e) => return fail(&ctx, e),
    };
    let lang = ctx.lang;
    let updated = outages.iter().map(|o| o.updated_at).max().unwrap_or_else(|| st.app.now());
    let feed = AtomFeed {
        title: lang.texts().public_title.to_owned(),
        updated: rfc3339(updated),
        entries: outages
            .iter()
            .map(|o| FeedEntry {
                id: format!("urn:uuid:{}", o.id),
                title: title(lang, o),
                updated: rfc3339(o.updated_at),
                summary: summary(lang, o),
            })
            .collect(),
    };
    match feed.render() {
        Ok(xml) => ([(CONTENT_TYPE, "application/atom+xml; charset=utf-8")], xml).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "feed template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub struct CalendarRow {
    system_name: String,
    start: String,
    expected_end: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    l: Layout,
    rows: Vec<CalendarRow>,
    updated: String,
}

pub async fn calendar(State(st): State<AppState>, ctx: Ctx) -> Response {
    let planned = match st.app.planned_calendar().await {
        Ok(p) => p,
        Err(e) => return fail(&ctx, e),
    };
    let lang = ctx.lang;
    let rows = planned
        .iter()
        .map(|o| CalendarRow {
            system_name: o.system_name.clone(),
            start: format_local(o.start),
            expected_end: o.expected_end.map(format_local).unwrap_or_else(|| "–".into()),
            status: status_label(lang, o.status),
        })
        .collect();
    render(
        StatusCode::OK,
        &CalendarPage { l: Layout::new(&ctx, &st.app).await, rows, updated: format_local(st.app.now()) },
    )
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n").replace('\r', "")
}

/// Folds a content line at 75 octets, never inside a UTF-8 character (§3.1).
fn ics_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn ics_time(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The planned outages as an iCalendar. An outage without an expected end
/// is shown as one hour long, with the summary saying the end is unknown.
pub fn icalendar(lang: Lang, planned: &[PublicOutage], now: Timestamp) -> String {
    let t = lang.texts();
    let mut out = String::new();
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Reserv//Planerade driftstopp//SV", "CALSCALE:GREGORIAN"] {
        ics_line(&mut out, l);
    }
    ics_line(&mut out, &format!("X-WR-CALNAME:{}", ics_text(t.public_title)));
    for o in planned {
        let end = o.expected_end.unwrap_or(o.start + jiff::SignedDuration::from_hours(1));
        let mut headline = format!("{}: {}", kind_label(lang, o.kind), o.system_name);
        if o.expected_end.is_none() {
            let _ = write!(headline, " ({} –)", t.expected_end.to_lowercase());
        }
        ics_line(&mut out, "BEGIN:VEVENT");
        ics_line(&mut out, &format!("UID:{}@reserv", o.id));
        ics_line(&mut out, &format!("DTSTAMP:{}", ics_time(now)));
        ics_line(&mut out, &format!("LAST-MODIFIED:{}", ics_time(o.updated_at)));
        ics_line(&mut out, &format!("DTSTART:{}", ics_time(o.start)));
        ics_line(&mut out, &format!("DTEND:{}", ics_time(end)));
        ics_line(&mut out, &format!("SUMMARY:{}", ics_text(&headline)));
        ics_line(&mut out, &format!("DESCRIPTION:{}", ics_text(&summary(lang, o))));
        ics_line(&mut out, "TRANSP:TRANSPARENT");
        ics_line(&mut out, "END:VEVENT");
    }
    ics_line(&mut out, "END:VCALENDAR");
    out
}

pub async fn calendar_ics(State(st): State<AppState>, ctx: Ctx) -> Response {
    match st.app.planned_calendar().await {
        Ok(p) => {
            ([(CONTENT_TYPE, "text/calendar; charset=utf-8")], icalendar(ctx.lang, &p, st.app.now())).into_response()
        }
        Err(e) => fail(&ctx, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reserv_core::ids::{OutageId, SystemId};
    use reserv_core::outage::{OutageKind, OutageStatus};

    fn planned(name: &str, end: Option<&str>) -> PublicOutage {
        PublicOutage {
            id: OutageId(uuid::Uuid::from_u128(7)),
            updated_at: "2026-11-20T10:00:00Z".parse().unwrap(),
            system: SystemId::parse("melior").unwrap(),
            system_name: name.into(),
            kind: OutageKind::Planned,
            status: OutageStatus::Upcoming,
            start: "2026-12-01T17:00:00Z".parse().unwrap(),
            expected_end: end.map(|e| e.parse().unwrap()),
            restored_at: None,
            public_notice: String::new(),
        }
    }

    #[test]
    fn the_calendar_is_valid_icalendar_with_escaping_and_folding() {
        let long = "Melior; journalsystemet, med ett mycket långt namn som måste vikas på flera rader i kalendern";
        let ics = icalendar(
            Lang::Sv,
            &[planned(long, Some("2026-12-01T19:00:00Z")), planned("PMO", None)],
            "2026-11-28T12:00:00Z".parse().unwrap(),
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert!(ics.contains("DTSTART:20261201T170000Z\r\nDTEND:20261201T190000Z"));
        assert!(ics.contains("DTEND:20261201T180000Z"), "no known end: shown as one hour");
        assert!(ics.contains("Melior\\; journalsystemet\\,"), "TEXT is escaped");
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "folded at 75 octets: {line:?}");
        }
        // Unfolding gives back the full summary.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("måste vikas på flera rader i kalendern"));
    }
}
