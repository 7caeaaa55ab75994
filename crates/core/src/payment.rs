//! Municipal payment responsibility (betalningsansvar) for a patient who is
//! ready for discharge: from which date the municipality pays for each day the
//! patient stays in hospital (Lag (2017:612) om samverkan vid utskrivning från
//! sluten hälso- och sjukvård, 5 kap., and the regional agreement that sets
//! the number of days).
//!
//! The agreement is data ([`PaymentAgreement`]): payment starts `days` days
//! after the ready-for-discharge notice, and the day of the notice counts as
//! day 0 only if the notice was sent before the cut-off (12:00 by default);
//! otherwise day 0 is the next day. Days are calendar days, or working days
//! (Swedish public holidays and weekends skipped) if the agreement says so.
//!
//! During an outage the notice is given by phone, so the notice time is the
//! earliest logged call from the ward to the municipality that carried the
//! ready-for-discharge message ([`notice_time`]) — the logged time, not the
//! time the ward decided the patient was ready.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::backentry::Call;
use crate::handover::{MessageType, Party};
use crate::time::{is_working_day, local};

/// How days are counted after day 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCounting {
    Calendar,
    /// Weekends and Swedish public holidays are skipped.
    Working,
}

/// A regional agreement on payment responsibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAgreement {
    /// Payment starts this many days after day 0.
    pub days: u32,
    /// A notice sent before this local time makes its own day day 0.
    pub cutoff: Time,
    pub counting: DayCounting,
}

impl Default for PaymentAgreement {
    /// Three calendar days with a 12:00 cut-off: Reserv's default until a
    /// region configures its own agreement.
    fn default() -> Self {
        PaymentAgreement { days: 3, cutoff: Time::constant(12, 0, 0, 0), counting: DayCounting::Calendar }
    }
}

/// When payment responsibility starts for one episode, and for how long it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentStart {
    /// The logged ready-for-discharge notice to the municipality.
    pub notice_at: Timestamp,
    /// The day counted as day 0.
    pub day_zero: Date,
    /// The first day the municipality pays for.
    pub starts: Date,
    /// Days paid for: from `starts` up to, not including, the discharge day
    /// (0 if discharged before `starts`); for a patient still in hospital,
    /// the days so far, today included.
    pub payable_days: i32,
    /// The patient is still in hospital: `payable_days` is still growing.
    pub ongoing: bool,
}

/// The earliest call from the ward to the municipality that carried the
/// ready-for-discharge notice.
pub fn notice_time(calls: &[Call]) -> Option<Timestamp> {
    calls
        .iter()
        .filter(|c| {
            c.from == Party::Ward && c.to == Party::Municipality && c.messages.contains(&MessageType::ReadyForDischarge)
        })
        .map(|c| c.at)
        .min()
}

fn next_day(d: Date) -> Date {
    d.tomorrow().unwrap_or(d)
}

/// Payment start for a notice at `notice_at`, and the days paid for up to the
/// discharge or, for a patient still in hospital, up to and including `today`.
pub fn payment_start(
    a: &PaymentAgreement,
    notice_at: Timestamp,
    discharged_at: Option<Timestamp>,
    today: Date,
) -> PaymentStart {
    let local_notice = local(notice_at);
    let day_zero = if local_notice.time() < a.cutoff { local_notice.date() } else { next_day(local_notice.date()) };
    let mut starts = day_zero;
    let mut counted = 0;
    while counted < a.days {
        starts = next_day(starts);
        if a.counting == DayCounting::Calendar || is_working_day(starts) {
            counted += 1;
        }
    }
    // The first day not paid for: the discharge day, or tomorrow.
    let end = discharged_at.map(|d| local(d).date()).unwrap_or_else(|| next_day(today));
    let payable_days = if end <= starts { 0 } else { (end - starts).get_days() };
    PaymentStart { notice_at, day_zero, starts, payable_days, ongoing: discharged_at.is_none() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ts(s: &str) -> Timestamp {
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", s)
            .unwrap()
            .to_zoned(crate::time::stockholm())
            .unwrap()
            .timestamp()
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_notice_before_noon_counts_its_own_day_as_day_zero() {
        let a = PaymentAgreement::default();
        let p = payment_start(&a, ts("2025-03-10 11:59"), None, d("2025-03-01"));
        assert_eq!((p.day_zero, p.starts), (d("2025-03-10"), d("2025-03-13")));
    }

    #[test]
    fn a_notice_at_or_after_noon_starts_day_zero_the_next_day() {
        let a = PaymentAgreement::default();
        for t in ["2025-03-10 12:00", "2025-03-10 16:30"] {
            let p = payment_start(&a, ts(t), None, d("2025-03-01"));
            assert_eq!((p.day_zero, p.starts), (d("2025-03-11"), d("2025-03-14")), "{t}");
        }
    }

    #[test]
    fn the_cut_off_is_local_time_across_daylight_saving() {
        // 2025-03-30 is the spring-forward night; 11:30 local is 09:30 UTC.
        let a = PaymentAgreement::default();
        assert_eq!(payment_start(&a, ts("2025-03-30 11:30"), None, d("2025-03-01")).day_zero, d("2025-03-30"));
        assert_eq!(payment_start(&a, ts("2025-10-26 12:10"), None, d("2025-03-01")).day_zero, d("2025-10-27"));
    }

    #[test]
    fn working_day_agreements_skip_weekends_and_holidays() {
        let a = PaymentAgreement { counting: DayCounting::Working, ..PaymentAgreement::default() };
        // Thursday before Easter 2025 (Good Friday 18 April, Easter Monday 21 April).
        let p = payment_start(&a, ts("2025-04-17 09:00"), None, d("2025-03-01"));
        assert_eq!(p.starts, d("2025-04-24"));
        let a = PaymentAgreement { days: 5, ..PaymentAgreement::default() };
        assert_eq!(payment_start(&a, ts("2025-04-17 09:00"), None, d("2025-03-01")).starts, d("2025-04-22"));
    }

    #[test]
    fn payable_days_run_from_the_start_to_the_discharge_day() {
        let a = PaymentAgreement::default();
        let p = payment_start(&a, ts("2025-03-10 09:00"), Some(ts("2025-03-17 10:00")), d("2025-03-20"));
        assert_eq!((p.payable_days, p.ongoing), (4, false));
        let early = payment_start(&a, ts("2025-03-10 09:00"), Some(ts("2025-03-12 10:00")), d("2025-03-20"));
        assert_eq!(early.payable_days, 0);
        // Still in hospital: the days so far, today included; none before the start.
        let still = payment_start(&a, ts("2025-03-10 09:00"), None, d("2025-03-14"));
        assert_eq!((still.payable_days, still.ongoing), (2, true));
        assert_eq!(payment_start(&a, ts("2025-03-10 09:00"), None, d("2025-03-12")).payable_days, 0);
    }

    #[test]
    fn the_notice_is_the_first_ward_to_municipality_call_with_ready_for_discharge() {
        let call = |at: &str, from, to, m: MessageType| Call { at: ts(at), from, to, messages: BTreeSet::from([m]) };
        let calls = [
            call("2025-03-10 13:00", Party::Ward, Party::Municipality, MessageType::ReadyForDischarge),
            call("2025-03-10 09:00", Party::Ward, Party::PrimaryCare, MessageType::ReadyForDischarge),
            call("2025-03-10 10:00", Party::Ward, Party::Municipality, MessageType::PlanningInformation),
            call("2025-03-10 11:00", Party::Municipality, Party::Ward, MessageType::ReadyForDischarge),
            call("2025-03-10 12:30", Party::Ward, Party::Municipality, MessageType::ReadyForDischarge),
        ];
        assert_eq!(notice_time(&calls), Some(ts("2025-03-10 12:30")));
        assert_eq!(notice_time(&calls[1..4]), None);
    }
}
