//! The outage register's rules: what an outage is, how its append-only
//! timeline folds into its current state, how Reserv classifies it (short or
//! long, seeds 000/001) and when the 12:00 cut-off of PRATOR makes even a
//! short outage matter (seed 000). Every change is a command validated here
//! and recorded as an immutable timeline entry by the caller.

use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::catalogue::System;
use crate::error::{DomainError, Field, check_text};
use crate::ids::{EntryId, OutageId, SystemId, UserId};
use crate::time::{check_plausible, local};

/// The longest notice text accepted.
pub const NOTICE_MAX_CHARS: usize = 4000;

/// Seeds 000 and 001: "Korta avbrott (upp till ett par timmar)". Anything
/// longer is treated as a long outage: the downtime routine applies.
pub const SHORT_OUTAGE_MAX: SignedDuration = SignedDuration::from_hours(2);

/// How close to 12:00 an outage must come for the cut-off warning (seed 000:
/// "i nära anslutning till kl. 12.00"); the seed gives no figure, so one hour
/// either side is Reserv's reading.
pub const NOON_MARGIN: SignedDuration = SignedDuration::from_hours(1);

/// How far ahead of the clock a "now" time may lie (clock skew between devices).
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OutageKind {
    Planned,
    Unplanned,
}

impl OutageKind {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "planned" => Ok(OutageKind::Planned),
            "unplanned" => Ok(OutageKind::Unplanned),
            other => Err(DomainError::UnknownValue { field: Field::Kind, value: other.chars().take(40).collect() }),
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            OutageKind::Planned => "planned",
            OutageKind::Unplanned => "unplanned",
        }
    }
}

/// Which principals the outage affects. Seed 000 treats a stop "för enbart
/// kommunerna" differently: the region still sees the overview and the
/// municipalities log in through the internet link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    Region,
    Municipalities,
    Both,
}

impl Scope {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "region" => Ok(Scope::Region),
            "municipalities" => Ok(Scope::Municipalities),
            "both" => Ok(Scope::Both),
            other => Err(DomainError::UnknownValue { field: Field::Scope, value: other.chars().take(40).collect() }),
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Scope::Region => "region",
            Scope::Municipalities => "municipalities",
            Scope::Both => "both",
        }
    }
}

/// Who made a change, as recorded on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub name: String,
}

/// One change to an outage. The first entry of every timeline is `Declared`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OutageChange {
    Declared {
        system: SystemId,
        kind: OutageKind,
        scope: Scope,
        start: Timestamp,
        expected_end: Option<Timestamp>,
        notice: String,
        /// A practice outage (övning): its episodes, calls, worklists and
        /// statistics are practice data, kept apart from real ones.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        drill: bool,
        /// The notice written for the public (the status page, the outage's
        /// public page, feeds); `notice` is for staff.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        public_notice: String,
    },
    Updated {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<OutageKind>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<Scope>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_end: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notice: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        public_notice: Option<String>,
    },
    Ended {
        restored_at: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notice: Option<String>,
    },
}

/// An immutable timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutageEvent {
    pub id: EntryId,
    pub outage_id: OutageId,
    /// Position on the timeline, from 0; unique per outage (optimistic concurrency).
    pub seq: u32,
    pub at: Timestamp,
    pub actor: Actor,
    /// The Reserv node that recorded it.
    pub node: String,
    pub change: OutageChange,
}

/// The current state of an outage, folded from its timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outage {
    pub id: OutageId,
    pub system: SystemId,
    pub kind: OutageKind,
    pub scope: Scope,
    pub start: Timestamp,
    pub expected_end: Option<Timestamp>,
    pub restored_at: Option<Timestamp>,
    pub notice: String,
    /// The notice for the public (empty: none).
    pub public_notice: String,
    pub declared_at: Timestamp,
    pub declared_by: Actor,
    /// A practice outage (övning).
    pub drill: bool,
    pub timeline: Vec<OutageEvent>,
}

/// A timeline that cannot be folded: only possible if stored data was damaged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("outage timeline is inconsistent: {0}")]
pub struct TimelineError(pub &'static str);

impl Outage {
    /// Folds a timeline, ordered by `seq`, into the outage's current state.
    pub fn fold(events: &[OutageEvent]) -> Result<Outage, TimelineError> {
        let (first, rest) = events.split_first().ok_or(TimelineError("empty timeline"))?;
        let OutageChange::Declared { system, kind, scope, start, expected_end, notice, drill, public_notice } =
            &first.change
        else {
            return Err(TimelineError("first entry is not a declaration"));
        };
        let mut o = Outage {
            id: first.outage_id,
            system: system.clone(),
            kind: *kind,
            scope: *scope,
            start: *start,
            expected_end: *expected_end,
            restored_at: None,
            notice: notice.clone(),
            public_notice: public_notice.clone(),
            declared_at: first.at,
            declared_by: first.actor.clone(),
            drill: *drill,
            timeline: vec![first.clone()],
        };
        for (i, e) in rest.iter().enumerate() {
            if e.seq as usize != i + 1 || e.outage_id != o.id {
                return Err(TimelineError("entries out of sequence"));
            }
            match &e.change {
                OutageChange::Declared { .. } => return Err(TimelineError("declared twice")),
                OutageChange::Updated { kind, scope, start, expected_end, notice, public_notice } => {
                    o.kind = kind.unwrap_or(o.kind);
                    o.scope = scope.unwrap_or(o.scope);
                    o.start = start.unwrap_or(o.start);
                    o.expected_end = expected_end.or(o.expected_end);
                    if let Some(n) = notice {
                        o.notice = n.clone();
                    }
                    if let Some(n) = public_notice {
                        o.public_notice = n.clone();
                    }
                }
                OutageChange::Ended { restored_at, notice } => {
                    o.restored_at = Some(*restored_at);
                    if let Some(n) = notice {
                        o.notice = n.clone();
                    }
                }
            }
            o.timeline.push(e.clone());
        }
        Ok(o)
    }

    /// The next free position on the timeline.
    pub fn next_seq(&self) -> u32 {
        self.timeline.len() as u32
    }

    /// Planned (not yet started), ongoing, or ended, at `now`.
    pub fn status(&self, now: Timestamp) -> OutageStatus {
        match self.restored_at {
            Some(_) => OutageStatus::Ended,
            None if self.start > now => OutageStatus::Upcoming,
            None => OutageStatus::Ongoing,
        }
    }

    /// The end that counts for classification: the actual one, else the expected one.
    pub fn end(&self) -> Option<Timestamp> {
        self.restored_at.or(self.expected_end)
    }

    /// Reserv's assessment of the outage (class, routine, warnings).
    pub fn assess(&self, system: Option<&System>) -> Assessment {
        assess(self.start, self.end(), self.scope, system)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OutageStatus {
    Upcoming,
    Ongoing,
    Ended,
}

/// Seeds 000/001: short (up to a couple of hours) or long (longer); unknown
/// while no end is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DurationClass {
    Short,
    Long,
    Unknown,
}

/// Why Reserv says what it says about an outage; each cites its seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AssessmentNote {
    /// 000/001: a short outage is judged to affect care negligibly.
    ShortNegligible,
    /// 000/001: a long outage activates the downtime routine.
    LongRoutineApplies,
    /// No end is known yet: act as for a long outage until it is.
    UnknownTreatAsLong,
    /// 000: a short outage near 12:00, the cut-off time in PRATOR.
    NoonCutoff,
    /// 000/001: at discharge the receiving units must always be informed.
    DischargeAlwaysInform,
    /// 000: a stop for the municipalities only; the region still sees the overview.
    MunicipalitiesOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub class: DurationClass,
    /// Whether the downtime routine must be used.
    pub routine_applies: bool,
    /// The short outage touches the 12:00 cut-off.
    pub noon_warning: bool,
    pub notes: Vec<AssessmentNote>,
}

/// Classifies an outage from its start and (expected or actual) end.
pub fn classify(start: Timestamp, end: Option<Timestamp>) -> DurationClass {
    match end {
        None => DurationClass::Unknown,
        Some(end) if end.duration_since(start) <= SHORT_OUTAGE_MAX => DurationClass::Short,
        Some(_) => DurationClass::Long,
    }
}

/// Whether `[start, end]` comes within `NOON_MARGIN` of 12:00 Stockholm time
/// on any day it spans.
pub fn touches_noon(start: Timestamp, end: Timestamp) -> bool {
    let mut day = local(start).date();
    let last = local(end).date();
    while day <= last {
        let noon =
            day.to_datetime(Time::constant(12, 0, 0, 0)).to_zoned(crate::time::stockholm()).map(|z| z.timestamp());
        if let Ok(noon) = noon {
            let (lo, hi) = (noon - NOON_MARGIN, noon + NOON_MARGIN);
            if start <= hi && end >= lo {
                return true;
            }
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    false
}

/// Reserv's assessment: the class, whether the routine applies, and why.
pub fn assess(start: Timestamp, end: Option<Timestamp>, scope: Scope, system: Option<&System>) -> Assessment {
    let class = classify(start, end);
    let mut notes = Vec::new();
    let mut noon_warning = false;
    let routine_applies = match (class, end) {
        (DurationClass::Short, Some(end)) => {
            if system.is_some_and(|s| s.noon_cutoff) && touches_noon(start, end) {
                noon_warning = true;
                notes.push(AssessmentNote::NoonCutoff);
                true
            } else {
                notes.push(AssessmentNote::ShortNegligible);
                false
            }
        }
        (DurationClass::Unknown, _) => {
            notes.push(AssessmentNote::UnknownTreatAsLong);
            true
        }
        _ => {
            notes.push(AssessmentNote::LongRoutineApplies);
            true
        }
    };
    if system.is_some_and(|s| s.coordinated_discharge) {
        notes.push(AssessmentNote::DischargeAlwaysInform);
        if scope == Scope::Municipalities {
            notes.push(AssessmentNote::MunicipalitiesOnly);
        }
    }
    Assessment { class, routine_applies, noon_warning, notes }
}

/// What a person asks for when declaring an outage (already parsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub system: SystemId,
    pub kind: OutageKind,
    pub scope: Scope,
    pub start: Timestamp,
    pub expected_end: Option<Timestamp>,
    pub notice: String,
    pub drill: bool,
    /// The notice for the public; it must not hold a personnummer.
    pub public_notice: String,
}

/// Checks a notice: a text of at most [`NOTICE_MAX_CHARS`] without a
/// personnummer or samordningsnummer. The staff notice goes out by e-mail and
/// SMS to whole recipient groups, the public one is shown without login:
/// neither may identify a patient.
fn check_notice(field: Field, text: &str, now: Timestamp) -> Result<String, DomainError> {
    let t = check_text(field, text, NOTICE_MAX_CHARS, false)?;
    match crate::identity::find_personal_number(&t, crate::time::local(now).date()) {
        Some(_) => Err(DomainError::ContainsPersonalNumber { field }),
        None => Ok(t),
    }
}

fn check_public_notice(text: &str, now: Timestamp) -> Result<String, DomainError> {
    check_notice(Field::PublicNotice, text, now)
}

/// Validates a declaration at `now`.
pub fn declare(d: Declaration, now: Timestamp) -> Result<OutageChange, DomainError> {
    check_plausible(Field::Start, d.start)?;
    if d.kind == OutageKind::Unplanned && d.start > now + CLOCK_SKEW {
        return Err(DomainError::InFuture { field: Field::Start });
    }
    if let Some(end) = d.expected_end {
        check_plausible(Field::ExpectedEnd, end)?;
        if end <= d.start {
            return Err(DomainError::EndBeforeStart { field: Field::ExpectedEnd });
        }
    }
    let notice = check_notice(Field::Notice, &d.notice, now)?;
    let public_notice = check_public_notice(&d.public_notice, now)?;
    Ok(OutageChange::Declared {
        system: d.system,
        kind: d.kind,
        scope: d.scope,
        start: d.start,
        expected_end: d.expected_end,
        notice,
        drill: d.drill,
        public_notice,
    })
}

/// The outage of `system` already ongoing at `now`, if any (the one that
/// started first). Declaring another outage of the same system then needs an
/// explicit confirmation: usually the same failure is being reported twice.
pub fn ongoing_on_same_system<'a>(
    system: &SystemId,
    outages: impl IntoIterator<Item = &'a Outage>,
    now: Timestamp,
) -> Option<&'a Outage> {
    outages
        .into_iter()
        .filter(|o| &o.system == system && o.status(now) == OutageStatus::Ongoing)
        .min_by_key(|o| o.start)
}

/// A change to an ongoing or upcoming outage; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Amendment {
    pub kind: Option<OutageKind>,
    pub scope: Option<Scope>,
    pub start: Option<Timestamp>,
    pub expected_end: Option<Timestamp>,
    pub notice: Option<String>,
    pub public_notice: Option<String>,
}

/// Validates an amendment against the outage's current state. Values equal
/// to the current ones are dropped so the timeline shows real changes only.
pub fn amend(o: &Outage, a: Amendment, now: Timestamp) -> Result<OutageChange, DomainError> {
    if o.restored_at.is_some() {
        return Err(DomainError::AlreadyEnded);
    }
    let kind = a.kind.filter(|k| *k != o.kind);
    let scope = a.scope.filter(|s| *s != o.scope);
    let start = a.start.filter(|s| *s != o.start);
    let expected_end = a.expected_end.filter(|e| Some(*e) != o.expected_end);
    let notice = match a.notice {
        Some(n) => Some(check_notice(Field::Notice, &n, now)?).filter(|n| *n != o.notice),
        None => None,
    };
    let public_notice = match a.public_notice {
        Some(n) => Some(check_public_notice(&n, now)?).filter(|n| *n != o.public_notice),
        None => None,
    };
    if let Some(s) = start {
        check_plausible(Field::Start, s)?;
    }
    let new_start = start.unwrap_or(o.start);
    if kind.unwrap_or(o.kind) == OutageKind::Unplanned && start.is_some() && new_start > now + CLOCK_SKEW {
        return Err(DomainError::InFuture { field: Field::Start });
    }
    if let Some(e) = expected_end {
        check_plausible(Field::ExpectedEnd, e)?;
    }
    if let Some(e) = expected_end.or(o.expected_end)
        && e <= new_start
    {
        return Err(DomainError::EndBeforeStart { field: Field::ExpectedEnd });
    }
    if kind.is_none()
        && scope.is_none()
        && start.is_none()
        && expected_end.is_none()
        && notice.is_none()
        && public_notice.is_none()
    {
        return Err(DomainError::NothingChanged);
    }
    Ok(OutageChange::Updated { kind, scope, start, expected_end, notice, public_notice })
}

/// Validates ending the outage: the restore time is recorded.
pub fn end(
    o: &Outage,
    restored_at: Timestamp,
    notice: Option<String>,
    now: Timestamp,
) -> Result<OutageChange, DomainError> {
    if o.restored_at.is_some() {
        return Err(DomainError::AlreadyEnded);
    }
    check_plausible(Field::RestoredAt, restored_at)?;
    if restored_at <= o.start {
        return Err(DomainError::EndBeforeStart { field: Field::RestoredAt });
    }
    if restored_at > now + CLOCK_SKEW {
        return Err(DomainError::InFuture { field: Field::RestoredAt });
    }
    let notice = match notice {
        Some(n) => Some(check_notice(Field::Notice, &n, now)?).filter(|n| !n.is_empty()),
        None => None,
    };
    Ok(OutageChange::Ended { restored_at, notice })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_user_time;
    use uuid::Uuid;

    fn t(s: &str) -> Timestamp {
        parse_user_time(Field::Start, s).unwrap()
    }

    fn prator() -> System {
        System {
            id: SystemId::parse("prator").unwrap(),
            name: "PRATOR".into(),
            description: String::new(),
            owner: "Region Västerbotten".into(),
            coordinated_discharge: true,
            noon_cutoff: true,
            source: "000".into(),
            support: vec![],
        }
    }

    fn melior() -> System {
        System { id: SystemId::parse("melior").unwrap(), coordinated_discharge: false, noon_cutoff: false, ..prator() }
    }

    fn decl(start: &str, end: Option<&str>) -> Declaration {
        Declaration {
            system: SystemId::parse("prator").unwrap(),
            kind: OutageKind::Unplanned,
            scope: Scope::Both,
            start: t(start),
            expected_end: end.map(t),
            notice: "Stopp i PRATOR".into(),
            drill: false,
            public_notice: String::new(),
        }
    }

    fn event(seq: u32, change: OutageChange) -> OutageEvent {
        OutageEvent {
            id: EntryId(Uuid::from_u128(u128::from(seq) + 1)),
            outage_id: OutageId(Uuid::from_u128(99)),
            seq,
            at: t("2026-11-23T09:00"),
            actor: Actor { user_id: None, name: "IT".into() },
            node: "n1".into(),
            change,
        }
    }

    #[test]
    fn short_means_up_to_a_couple_of_hours() {
        // 000/001: "Korta avbrott (upp till ett par timmar)".
        assert_eq!(classify(t("2026-11-23T08:00"), Some(t("2026-11-23T10:00"))), DurationClass::Short);
        assert_eq!(classify(t("2026-11-23T08:00"), Some(t("2026-11-23T10:01"))), DurationClass::Long);
        // 000/001: "Längre avbrott (upp till en arbetsdag eller mer)".
        assert_eq!(classify(t("2026-11-23T08:00"), Some(t("2026-11-24T08:00"))), DurationClass::Long);
        assert_eq!(classify(t("2026-11-23T08:00"), None), DurationClass::Unknown);
    }

    #[test]
    fn short_outage_far_from_noon_is_negligible() {
        // 000: "Korta avbrott ... bedöms försumbart påverka verksamheten."
        let a = assess(t("2026-11-23T08:00"), Some(t("2026-11-23T09:30")), Scope::Both, Some(&prator()));
        assert_eq!(a.class, DurationClass::Short);
        assert!(!a.routine_applies);
        assert!(!a.noon_warning);
        assert!(a.notes.contains(&AssessmentNote::ShortNegligible));
    }

    #[test]
    fn short_outage_near_noon_warns_for_prator() {
        // 000: "Undantag är om avbrottet sker i nära anslutning till kl. 12.00".
        for (s, e) in [("11:30", "12:30"), ("10:00", "11:00"), ("13:00", "14:00"), ("10:30", "12:00")] {
            let a = assess(
                t(&format!("2026-11-23T{s}")),
                Some(t(&format!("2026-11-23T{e}"))),
                Scope::Both,
                Some(&prator()),
            );
            assert!(a.noon_warning && a.routine_applies, "{s}-{e}");
        }
        // Not near noon, and not for a system without the cut-off.
        let far = assess(t("2026-11-23T13:01"), Some(t("2026-11-23T14:00")), Scope::Both, Some(&prator()));
        assert!(!far.noon_warning);
        let melior = assess(t("2026-11-23T11:30"), Some(t("2026-11-23T12:30")), Scope::Both, Some(&melior()));
        assert!(!melior.noon_warning && !melior.routine_applies);
    }

    #[test]
    fn noon_is_stockholm_noon_in_summer_too() {
        // 10:00Z is 12:00 in Stockholm in July (UTC+2).
        assert!(touches_noon("2026-07-15T09:45:00Z".parse().unwrap(), "2026-07-15T10:15:00Z".parse().unwrap()));
        assert!(!touches_noon("2026-07-15T12:30:00Z".parse().unwrap(), "2026-07-15T13:00:00Z".parse().unwrap()));
    }

    #[test]
    fn long_and_unknown_outages_activate_the_routine() {
        let long = assess(t("2026-11-23T08:00"), Some(t("2026-11-23T17:00")), Scope::Both, Some(&prator()));
        assert!(long.routine_applies && long.notes.contains(&AssessmentNote::LongRoutineApplies));
        let unknown = assess(t("2026-11-23T08:00"), None, Scope::Both, Some(&prator()));
        assert!(unknown.routine_applies && unknown.notes.contains(&AssessmentNote::UnknownTreatAsLong));
    }

    #[test]
    fn discharge_and_municipality_only_notes_for_coordinated_discharge() {
        // 000: "Vid utskrivning från sjukhus måste man alltid förvissa sig om att
        // mottagande enheter är underrättade" and "Vid stopp i Prator för enbart kommunerna".
        let a = assess(t("2026-11-23T08:00"), Some(t("2026-11-23T09:00")), Scope::Municipalities, Some(&prator()));
        assert!(a.notes.contains(&AssessmentNote::DischargeAlwaysInform));
        assert!(a.notes.contains(&AssessmentNote::MunicipalitiesOnly));
        let m = assess(t("2026-11-23T08:00"), Some(t("2026-11-23T09:00")), Scope::Municipalities, Some(&melior()));
        assert!(m.notes.is_empty() || m.notes == vec![AssessmentNote::ShortNegligible]);
    }

    #[test]
    fn declaration_validation() {
        let now = t("2026-11-23T10:00");
        assert!(declare(decl("2026-11-23T09:00", Some("2026-11-23T11:00")), now).is_ok());
        assert_eq!(
            declare(decl("2026-11-23T09:00", Some("2026-11-23T08:00")), now),
            Err(DomainError::EndBeforeStart { field: Field::ExpectedEnd })
        );
        assert_eq!(declare(decl("2026-11-23T12:00", None), now), Err(DomainError::InFuture { field: Field::Start }));
        let planned = Declaration { kind: OutageKind::Planned, ..decl("2026-12-01T18:00", Some("2026-12-01T20:00")) };
        assert!(declare(planned, now).is_ok());
        let long_text = Declaration { notice: "x".repeat(NOTICE_MAX_CHARS + 1), ..decl("2026-11-23T09:00", None) };
        assert_eq!(declare(long_text, now).unwrap_err().code(), "text_too_long");
    }

    #[test]
    fn timeline_folds_and_end_is_recorded_once() {
        let now = t("2026-11-23T12:00");
        let first = declare(decl("2026-11-23T09:00", Some("2026-11-23T10:00")), now).unwrap();
        let mut events = vec![event(0, first)];
        let o = Outage::fold(&events).unwrap();
        assert_eq!(o.status(now), OutageStatus::Ongoing);
        let change =
            amend(&o, Amendment { expected_end: Some(t("2026-11-23T15:00")), ..Default::default() }, now).unwrap();
        events.push(event(1, change));
        let o = Outage::fold(&events).unwrap();
        assert_eq!(o.expected_end, Some(t("2026-11-23T15:00")));
        assert_eq!(o.assess(Some(&prator())).class, DurationClass::Long);
        assert_eq!(amend(&o, Amendment::default(), now), Err(DomainError::NothingChanged));
        assert_eq!(
            end(&o, t("2026-11-23T08:00"), None, now),
            Err(DomainError::EndBeforeStart { field: Field::RestoredAt })
        );
        assert_eq!(end(&o, t("2026-11-23T13:00"), None, now), Err(DomainError::InFuture { field: Field::RestoredAt }));
        events.push(event(2, end(&o, t("2026-11-23T11:00"), Some("Åter i drift".into()), now).unwrap()));
        let o = Outage::fold(&events).unwrap();
        assert_eq!(o.status(now), OutageStatus::Ended);
        assert_eq!(o.restored_at, Some(t("2026-11-23T11:00")));
        assert_eq!(o.timeline.len(), 3);
        // Classification uses the actual end once known: 2 h is short.
        assert_eq!(o.assess(Some(&melior())).class, DurationClass::Short);
        assert_eq!(end(&o, t("2026-11-23T11:30"), None, now), Err(DomainError::AlreadyEnded));
        assert_eq!(
            amend(&o, Amendment { kind: Some(OutageKind::Planned), ..Default::default() }, now),
            Err(DomainError::AlreadyEnded)
        );
    }

    #[test]
    fn fold_rejects_damaged_timelines() {
        assert!(Outage::fold(&[]).is_err());
        let e = event(0, OutageChange::Ended { restored_at: t("2026-11-23T11:00"), notice: None });
        assert!(Outage::fold(&[e]).is_err());
    }

    /// 003 sends private care providers a link to the routine; what Reserv shows without login
    /// about an outage is written for the public, apart from the staff notice, and never names a patient.
    #[test]
    fn the_public_notice_is_its_own_text_checked_for_personnummer() {
        let now = t("2026-11-23T10:00");
        let d = Declaration { public_notice: "  Journalen är nere.  ".into(), ..decl("2026-11-23T09:00", None) };
        let first = declare(d, now).unwrap();
        let mut o = Outage::fold(&[event(0, first.clone())]).unwrap();
        assert_eq!((o.notice.as_str(), o.public_notice.as_str()), ("Stopp i PRATOR", "Journalen är nere."));
        let bad = Declaration { public_notice: "Gäller 19121212-1212".into(), ..decl("2026-11-23T09:00", None) };
        let e = declare(bad, now).unwrap_err();
        assert_eq!((e.code(), e.field()), ("contains_personal_number", Some(Field::PublicNotice)));
        // The staff notice goes to whole recipient groups by mail and SMS: no personnummer either.
        let bad = Declaration { notice: "Ring om pat 121212–1212".into(), ..decl("2026-11-23T09:00", None) };
        let e = declare(bad, now).unwrap_err();
        assert_eq!((e.code(), e.field()), ("contains_personal_number", Some(Field::Notice)));
        // An amendment of the public notice alone is a change; the same text again is none.
        let a = Amendment { public_notice: Some("Åter snart.".into()), ..Amendment::default() };
        let change = amend(&o, a, now).unwrap();
        o = Outage::fold(&[event(0, first), event(1, change)]).unwrap();
        assert_eq!(o.public_notice, "Åter snart.");
        let same = Amendment { public_notice: Some("Åter snart.".into()), ..Amendment::default() };
        assert_eq!(amend(&o, same, now).unwrap_err(), DomainError::NothingChanged);
    }

    #[test]
    fn upcoming_planned_outage() {
        let now = t("2026-11-23T10:00");
        let d = Declaration { kind: OutageKind::Planned, ..decl("2026-12-01T18:00", Some("2026-12-01T20:00")) };
        let o = Outage::fold(&[event(0, declare(d, now).unwrap())]).unwrap();
        assert_eq!(o.status(now), OutageStatus::Upcoming);
    }

    #[test]
    fn a_second_outage_of_an_ongoing_system_is_found() {
        let now = t("2026-11-23T10:00");
        let declared = |start: &str| {
            let change = declare(decl(start, None), now).unwrap();
            Outage::fold(&[event(0, change)]).unwrap()
        };
        let ongoing = declared("2026-11-23T08:00");
        let mut ended = declared("2026-11-23T07:00");
        ended.restored_at = Some(t("2026-11-23T07:30"));
        let prator = SystemId::parse("prator").unwrap();
        let melior = SystemId::parse("melior").unwrap();
        let found = ongoing_on_same_system(&prator, [&ended, &ongoing], now);
        assert_eq!(found.map(|o| o.start), Some(ongoing.start));
        // Another system, an ended outage, or one not yet started: nothing to confirm.
        assert!(ongoing_on_same_system(&melior, [&ongoing], now).is_none());
        assert!(ongoing_on_same_system(&prator, [&ended], now).is_none());
        assert!(ongoing_on_same_system(&prator, [&ongoing], t("2026-11-23T07:59")).is_none());
    }
}
