//! The outage's facts the planner reads ([`OutageFacts`]): the system, the
//! estimates in the order they were made, and the restore time.

use super::*;

/// What was known about an outage from one moment on: the declaration, or
/// an amendment of its kind, start or expected end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// When this became known (the timeline entry's time).
    pub at: Timestamp,
    pub kind: OutageKind,
    pub start: Timestamp,
    pub expected_end: Option<Timestamp>,
}

/// Everything the planner needs to know about an outage. The estimates are
/// kept, oldest first, so a rule fires at the moment its condition first
/// held (see the module doc); there is always at least one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutageFacts {
    pub system: SystemId,
    /// The name shown in messages, e.g. "Melior".
    pub system_name: String,
    /// The outage's notice (driftinformation), for `{notice}`.
    pub notice: String,
    /// For `{routine_link}`: where the outage's page and routine are.
    pub routine_link: String,
    pub restored_at: Option<Timestamp>,
    pub(super) estimates: Vec<Estimate>,
}

impl OutageFacts {
    /// An outage as declared at `at`.
    pub fn declared(
        system: SystemId,
        system_name: impl Into<String>,
        at: Timestamp,
        kind: OutageKind,
        start: Timestamp,
        expected_end: Option<Timestamp>,
    ) -> OutageFacts {
        OutageFacts {
            system,
            system_name: system_name.into(),
            notice: String::new(),
            routine_link: String::new(),
            restored_at: None,
            estimates: vec![Estimate { at, kind, start, expected_end }],
        }
    }

    pub fn with_notice(mut self, notice: impl Into<String>) -> OutageFacts {
        self.notice = notice.into();
        self
    }

    pub fn with_routine_link(mut self, link: impl Into<String>) -> OutageFacts {
        self.routine_link = link.into();
        self
    }

    /// The facts after an amendment recorded at `at` (as
    /// [`crate::outage::amend`] validated it). A change of kind, start or
    /// expected end is a new estimate; a new notice replaces the old.
    pub fn amended(mut self, at: Timestamp, a: &Amendment) -> OutageFacts {
        self.apply(at, a.kind, a.start, a.expected_end, a.notice.as_deref());
        self
    }

    /// The facts after the restart.
    pub fn restored(mut self, at: Timestamp) -> OutageFacts {
        self.restored_at = Some(at);
        self
    }

    fn apply(
        &mut self,
        at: Timestamp,
        kind: Option<OutageKind>,
        start: Option<Timestamp>,
        expected_end: Option<Timestamp>,
        notice: Option<&str>,
    ) {
        if let Some(n) = notice {
            self.notice = n.to_owned();
        }
        if kind.is_none() && start.is_none() && expected_end.is_none() {
            return;
        }
        let cur = *self.current();
        self.estimates.push(Estimate {
            at,
            kind: kind.unwrap_or(cur.kind),
            start: start.unwrap_or(cur.start),
            expected_end: expected_end.or(cur.expected_end),
        });
    }

    /// The facts of a folded outage, its estimates read from its timeline.
    pub fn from_outage(o: &Outage, system_name: &str, routine_link: &str) -> OutageFacts {
        let mut facts =
            OutageFacts::declared(o.system.clone(), system_name, o.declared_at, o.kind, o.start, o.expected_end);
        let mut events = o.timeline.iter();
        if let Some(first) = events.next()
            && let OutageChange::Declared { kind, start, expected_end, .. } = &first.change
        {
            facts.estimates = vec![Estimate { at: first.at, kind: *kind, start: *start, expected_end: *expected_end }];
            for e in events {
                if let OutageChange::Updated { kind, start, expected_end, .. } = &e.change {
                    facts.apply(e.at, *kind, *start, *expected_end, None);
                }
            }
        }
        facts.notice = o.notice.clone();
        facts.routine_link = routine_link.to_owned();
        facts.restored_at = o.restored_at;
        facts
    }

    /// When the outage was declared (the first timeline entry).
    pub fn declared_at(&self) -> Timestamp {
        self.estimates[0].at
    }

    /// The kind the outage is announced as at estimate `e`: its own kind,
    /// except that a planned outage declared at or after its start is
    /// announced as a stop in progress (unplanned). Seed 003 §4.3's planned
    /// path ("Informationsmaterial mailas ut … tre veckor innan planerat
    /// stopp", "Förbered …") presumes the stop is known before it starts; a
    /// stop nobody was told of before it began is not news of a planned
    /// stop but "akuta/oväntade driftstopp" for its readers (§4.2).
    pub fn announced_kind(&self, e: &Estimate) -> OutageKind {
        if e.kind == OutageKind::Planned && self.declared_at() >= e.start { OutageKind::Unplanned } else { e.kind }
    }

    /// What is known now.
    pub fn current(&self) -> &Estimate {
        self.estimates.last().expect("OutageFacts always holds the declaration")
    }

    /// Every estimate, oldest first.
    pub fn estimates(&self) -> &[Estimate] {
        &self.estimates
    }

    pub(super) fn value(&self, p: Placeholder, group: &RecipientGroup) -> String {
        let cur = self.current();
        match p {
            Placeholder::System => self.system_name.clone(),
            Placeholder::Kind => match cur.kind {
                OutageKind::Planned => "planerat".into(),
                OutageKind::Unplanned => "oplanerat".into(),
            },
            Placeholder::Start => format_local(cur.start),
            Placeholder::ExpectedEnd => cur.expected_end.map_or_else(|| "okänt".into(), format_local),
            Placeholder::RestoredAt => self.restored_at.map(format_local).unwrap_or_default(),
            Placeholder::Notice => self.notice.trim().to_owned(),
            Placeholder::RoutineLink => self.routine_link.clone(),
            Placeholder::Group => group.name.clone(),
        }
    }
}
