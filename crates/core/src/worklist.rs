//! Back-entry worklists (arbetslistor): the engine's decisions for one ended
//! outage, turned into lines a ward, municipality or primary-care centre works
//! through — each actionable item assigned, done or skipped (with a reason),
//! signed and timed.
//!
//! Work on an item is append-only, like the handover log: a [`WorkEvent`] per
//! change, folded into the item's [`WorkStatus`]. Only items a person must act
//! on are tracked (`enter`, `follow_up`, `needs_review`); `do_not_enter` items
//! are shown, with their reason, but need no work. A line whose decision is
//! "nothing to enter" shows the reason instead of a list.
//!
//! Everything here is pure: the decisions come from
//! [`crate::backentry::reconcile`], the events from storage.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::backentry::{Decision, EpisodeInput, Item, ItemCode, ItemKind, Outcome, SipDecision, SipInput};
use crate::error::{DomainError, Field, check_text};
use crate::handover::Party;
use crate::ids::{EntryId, EpisodeId, OrgId, OutageId};
use crate::outage::Actor;

/// The longest reason or note on a work item.
pub const NOTE_MAX_CHARS: usize = 1000;

/// Identifies one item of one party's decision about one episode, or about
/// one SIP of the episode (`sip`). `n` numbers repeated codes in one decision
/// (several contradictions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey {
    pub episode: EpisodeId,
    pub party: Party,
    pub code: ItemCode,
    pub n: u8,
    /// The SIP the decision is about (its first version's id).
    pub sip: Option<uuid::Uuid>,
}

impl fmt::Display for ItemKey {
    /// `episode:party:code`, with `:n` when `n > 0` and `@sip` for a SIP's item.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.episode, self.party.key(), self.code.key())?;
        if self.n > 0 {
            write!(f, ":{}", self.n)?;
        }
        if let Some(sip) = self.sip {
            write!(f, "@{sip}")?;
        }
        Ok(())
    }
}

impl ItemKey {
    pub fn parse(s: &str) -> Result<ItemKey, DomainError> {
        let bad = || DomainError::InvalidId { field: Field::WorkItem, value: s.chars().take(120).collect() };
        let (s, sip) = match s.trim().split_once('@') {
            None => (s.trim(), None),
            Some((k, sip)) => (k, Some(sip.parse::<uuid::Uuid>().map_err(|_| bad())?)),
        };
        let mut parts = s.split(':');
        let episode = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let party = parts.next().and_then(Party::parse).ok_or_else(bad)?;
        let code = parts.next().and_then(ItemCode::parse).ok_or_else(bad)?;
        let n = match parts.next() {
            None => 0,
            Some(n) => n.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?,
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(ItemKey { episode, party, code, n, sip })
    }
}

impl Serialize for ItemKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ItemKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ItemKey::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// One change to a work item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WorkChange {
    /// Someone takes the item (or is given it).
    Assigned { to: String },
    /// Entered in the system / followed up.
    Done {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// Deliberately not done, and why.
    Skipped { reason: String },
    /// A done or skipped item is open again, and why.
    Reopened { reason: String },
}

/// An immutable entry of an item's history: who, when, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkEvent {
    pub id: EntryId,
    pub outage_id: OutageId,
    pub key: ItemKey,
    pub at: Timestamp,
    pub actor: Actor,
    pub org: OrgId,
    pub node: String,
    pub change: WorkChange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WorkState {
    Open,
    Done,
    Skipped,
}

/// An item's state, folded from its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkStatus {
    pub state: WorkState,
    pub assigned_to: Option<String>,
    /// Who resolved it and when (done or skipped).
    pub resolved_by: Option<String>,
    pub resolved_at: Option<Timestamp>,
    /// The skip reason or the note on done.
    pub note: Option<String>,
    pub history: Vec<WorkEvent>,
}

impl WorkStatus {
    pub fn open() -> WorkStatus {
        WorkStatus {
            state: WorkState::Open,
            assigned_to: None,
            resolved_by: None,
            resolved_at: None,
            note: None,
            history: Vec::new(),
        }
    }

    fn apply(&mut self, e: &WorkEvent) {
        match &e.change {
            WorkChange::Assigned { to } => self.assigned_to = Some(to.clone()),
            WorkChange::Done { note } => {
                self.state = WorkState::Done;
                self.resolved_by = Some(e.actor.name.clone());
                self.resolved_at = Some(e.at);
                self.note = Some(note.clone()).filter(|n| !n.is_empty());
            }
            WorkChange::Skipped { reason } => {
                self.state = WorkState::Skipped;
                self.resolved_by = Some(e.actor.name.clone());
                self.resolved_at = Some(e.at);
                self.note = Some(reason.clone());
            }
            WorkChange::Reopened { .. } => {
                self.state = WorkState::Open;
                self.resolved_by = None;
                self.resolved_at = None;
                self.note = None;
            }
        }
        self.history.push(e.clone());
    }

    /// Folds one item's events, in time order (then id).
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a WorkEvent>) -> WorkStatus {
        let mut sorted: Vec<&WorkEvent> = events.into_iter().collect();
        sorted.sort_by_key(|e| (e.at, e.id));
        let mut s = WorkStatus::open();
        for e in sorted {
            s.apply(e);
        }
        s
    }

    pub fn resolved(&self) -> bool {
        self.state != WorkState::Open
    }
}

/// Checks a change against the item's state and normalises its text.
pub fn check_change(status: &WorkStatus, change: WorkChange) -> Result<WorkChange, DomainError> {
    match change {
        WorkChange::Assigned { to } => {
            if status.resolved() {
                return Err(DomainError::WorkItemResolved);
            }
            Ok(WorkChange::Assigned { to: check_text(Field::Assignee, &to, 200, true)? })
        }
        WorkChange::Done { note } => {
            if status.resolved() {
                return Err(DomainError::WorkItemResolved);
            }
            Ok(WorkChange::Done { note: check_text(Field::Reason, &note, NOTE_MAX_CHARS, false)? })
        }
        WorkChange::Skipped { reason } => {
            if status.resolved() {
                return Err(DomainError::WorkItemResolved);
            }
            Ok(WorkChange::Skipped { reason: check_text(Field::Reason, &reason, NOTE_MAX_CHARS, true)? })
        }
        WorkChange::Reopened { reason } => {
            if !status.resolved() {
                return Err(DomainError::WorkItemOpen);
            }
            Ok(WorkChange::Reopened { reason: check_text(Field::Reason, &reason, NOTE_MAX_CHARS, true)? })
        }
    }
}

/// Whether a person must act on an item of this kind.
pub fn tracked(kind: ItemKind) -> bool {
    matches!(kind, ItemKind::Enter | ItemKind::FollowUp | ItemKind::NeedsReview)
}

/// One item on a worklist line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItem {
    pub key: ItemKey,
    #[serde(flatten)]
    pub item: Item,
    /// `None` for items that need no work (`do_not_enter`).
    pub status: Option<WorkStatus>,
}

/// One party's decision about one episode, with the work on its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkLine {
    pub episode: EpisodeId,
    /// The SIP the line is about (002's SIP rows), if it is about a SIP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip: Option<uuid::Uuid>,
    pub party: Party,
    /// The organisation that plays the party in the episode.
    pub org: OrgId,
    pub rule: Option<String>,
    pub outcome: Outcome,
    pub items: Vec<WorkItem>,
}

impl WorkLine {
    pub fn progress(&self) -> Progress {
        let mut p = Progress::default();
        for s in self.items.iter().filter_map(|i| i.status.as_ref()) {
            p.add(s);
        }
        p
    }
}

/// The work done so far, by item.
fn events_by_key(events: &[WorkEvent]) -> BTreeMap<ItemKey, Vec<&WorkEvent>> {
    let mut by_key: BTreeMap<ItemKey, Vec<&WorkEvent>> = BTreeMap::new();
    for e in events {
        by_key.entry(e.key).or_default().push(e);
    }
    by_key
}

/// One party's line about an episode (or one of its SIPs): each item keyed
/// (repeated codes numbered) and, if tracked, folded from its work.
fn line(
    episode: &EpisodeInput,
    sip: Option<uuid::Uuid>,
    party: Party,
    rule: &Option<String>,
    outcome: &Outcome,
    items: &[Item],
    by_key: &BTreeMap<ItemKey, Vec<&WorkEvent>>,
) -> Option<WorkLine> {
    let org = episode.facts.org_of(party)?;
    let mut seen: BTreeMap<ItemCode, u8> = BTreeMap::new();
    let items = items
        .iter()
        .map(|item| {
            let n = seen.entry(item.code).or_insert(0);
            let key = ItemKey { episode: episode.id, party, code: item.code, n: *n, sip };
            *n = n.saturating_add(1);
            let status = tracked(item.kind).then(|| WorkStatus::fold(by_key.get(&key).into_iter().flatten().copied()));
            WorkItem { key, item: item.clone(), status }
        })
        .collect();
    Some(WorkLine {
        episode: episode.id,
        sip,
        party,
        org: org.clone(),
        rule: rule.clone(),
        outcome: outcome.clone(),
        items,
    })
}

/// Builds the worklist lines from the engine's decisions and the work done so
/// far. Events for items no longer in the decisions (facts changed since)
/// stay in storage but do not count.
pub fn build(decisions: &[Decision], episodes: &[EpisodeInput], events: &[WorkEvent]) -> Vec<WorkLine> {
    let facts: BTreeMap<EpisodeId, &EpisodeInput> = episodes.iter().map(|e| (e.id, e)).collect();
    let by_key = events_by_key(events);
    decisions
        .iter()
        .filter_map(|d| {
            let e = facts.get(&d.episode)?;
            line(e, None, d.party, &d.rule, &d.outcome, &d.items, &by_key)
        })
        .collect()
}

/// Builds the worklist lines of SIP decisions (002's SIP rows): like
/// [`build`], one line per SIP and party, keyed by the SIP. A SIP without an
/// episode among `episodes` has no organisation to work on it and is left out.
pub fn build_sips(
    decisions: &[SipDecision],
    sips: &[SipInput],
    episodes: &[EpisodeInput],
    events: &[WorkEvent],
) -> Vec<WorkLine> {
    let facts: BTreeMap<EpisodeId, &EpisodeInput> = episodes.iter().map(|e| (e.id, e)).collect();
    let episode_of: BTreeMap<uuid::Uuid, EpisodeId> = sips.iter().filter_map(|s| Some((s.id, s.episode?))).collect();
    let by_key = events_by_key(events);
    decisions
        .iter()
        .filter_map(|d| {
            let e = facts.get(episode_of.get(&d.sip)?)?;
            line(e, Some(d.sip), d.party, &d.rule, &d.outcome, &d.items, &by_key)
        })
        .collect()
}

/// Counts of tracked items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    pub skipped: usize,
    pub open: usize,
    /// Open items someone has taken.
    pub assigned: usize,
}

impl Progress {
    fn add(&mut self, s: &WorkStatus) {
        self.total += 1;
        match s.state {
            WorkState::Done => self.done += 1,
            WorkState::Skipped => self.skipped += 1,
            WorkState::Open => {
                self.open += 1;
                if s.assigned_to.is_some() {
                    self.assigned += 1;
                }
            }
        }
    }

    pub fn merge(&mut self, o: Progress) {
        self.total += o.total;
        self.done += o.done;
        self.skipped += o.skipped;
        self.open += o.open;
        self.assigned += o.assigned;
    }

    /// All tracked items are done or skipped (true for an empty list).
    pub fn complete(&self) -> bool {
        self.open == 0
    }

    /// Resolved share in whole percent (100 for an empty list).
    pub fn percent(&self) -> usize {
        ((self.done + self.skipped) * 100).checked_div(self.total).unwrap_or(100)
    }
}

/// Progress per organisation, and in all.
pub fn progress_by_org(lines: &[WorkLine]) -> (BTreeMap<OrgId, Progress>, Progress) {
    let mut by: BTreeMap<OrgId, Progress> = BTreeMap::new();
    let mut all = Progress::default();
    for l in lines {
        let p = l.progress();
        by.entry(l.org.clone()).or_default().merge(p);
        all.merge(p);
    }
    (by, all)
}

/// How many of the tracked items were resolved after each event that changed
/// the count, in time order: the back-entry progress over time.
pub fn progress_over_time(lines: &[WorkLine]) -> Vec<(Timestamp, usize)> {
    let tracked: BTreeSet<ItemKey> =
        lines.iter().flat_map(|l| &l.items).filter(|i| i.status.is_some()).map(|i| i.key).collect();
    let mut events: Vec<&WorkEvent> = lines
        .iter()
        .flat_map(|l| &l.items)
        .filter_map(|i| i.status.as_ref())
        .flat_map(|s| &s.history)
        .filter(|e| tracked.contains(&e.key))
        .collect();
    events.sort_by_key(|e| (e.at, e.id));
    let mut resolved: BTreeSet<ItemKey> = BTreeSet::new();
    let mut series = Vec::new();
    for e in events {
        let changed = match e.change {
            WorkChange::Done { .. } | WorkChange::Skipped { .. } => resolved.insert(e.key),
            WorkChange::Reopened { .. } => resolved.remove(&e.key),
            WorkChange::Assigned { .. } => false,
        };
        if changed {
            series.push((e.at, resolved.len()));
        }
    }
    series
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backentry::{Window, check_policy, reconcile};
    use crate::handover::EpisodeFacts;
    use crate::org::WardType;

    const P001: &str = include_str!("../../../data/policies/lifecare-sp-vasternorrland-2025.toml");

    fn ts(s: &str) -> Timestamp {
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", s)
            .unwrap()
            .to_zoned(crate::time::stockholm())
            .unwrap()
            .timestamp()
    }

    fn org(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }

    fn episode(n: u128, admitted: &str, discharged: Option<&str>) -> EpisodeInput {
        EpisodeInput {
            id: EpisodeId(uuid::Uuid::from_u128(n)),
            facts: EpisodeFacts {
                ward: org("avd-1"),
                ward_type: WardType::Somatic,
                municipality: org("sundsvall"),
                primary_care: org("hc-centrum"),
                outpatient_psychiatry: None,
                admitted_at: ts(admitted),
                estimated_discharge_known_at: None,
                ready_for_discharge_at: None,
                discharged_at: discharged.map(ts),
            },
            designated_care_contact: None,
            calls: Vec::new(),
            patient: None,
            discharge_destination: None,
            extensive_long_term_services: None,
            sips_agreed: Vec::new(),
        }
    }

    fn lines(events: &[WorkEvent]) -> Vec<WorkLine> {
        let p = check_policy("p001", P001).unwrap();
        let w = Window { start: ts("2025-02-03 08:00"), end: ts("2025-02-04 16:00") };
        let eps = vec![episode(1, "2025-02-03 10:00", None), episode(2, "2025-01-20 10:00", Some("2025-01-25 10:00"))];
        let ds = reconcile(&p, w, &eps, "2025-02-05".parse().unwrap());
        build(&ds, &eps, events)
    }

    fn event(n: u128, key: ItemKey, at: &str, change: WorkChange) -> WorkEvent {
        WorkEvent {
            id: EntryId(uuid::Uuid::from_u128(n)),
            outage_id: OutageId(uuid::Uuid::from_u128(99)),
            key,
            at: ts(at),
            actor: Actor { user_id: None, name: "Ssk Test".into() },
            org: org("avd-1"),
            node: "n".into(),
            change,
        }
    }

    fn first_tracked(ls: &[WorkLine], party: Party) -> ItemKey {
        ls.iter()
            .filter(|l| l.party == party)
            .flat_map(|l| &l.items)
            .find(|i| i.status.is_some())
            .map(|i| i.key)
            .expect("a tracked item")
    }

    #[test]
    fn item_keys_round_trip_and_reject_garbage() {
        let k = ItemKey {
            episode: EpisodeId(uuid::Uuid::from_u128(7)),
            party: Party::PrimaryCare,
            code: ItemCode::AcknowledgeMessages,
            n: 0,
            sip: None,
        };
        assert_eq!(ItemKey::parse(&k.to_string()).unwrap(), k);
        let k2 = ItemKey { n: 2, ..k };
        assert!(k2.to_string().ends_with(":acknowledge_messages:2"));
        assert_eq!(ItemKey::parse(&k2.to_string()).unwrap(), k2);
        let k3 = ItemKey { sip: Some(uuid::Uuid::from_u128(9)), code: ItemCode::SipInitiative, ..k2 };
        assert!(k3.to_string().ends_with(":sip_initiative:2@00000000-0000-0000-0000-000000000009"));
        assert_eq!(ItemKey::parse(&k3.to_string()).unwrap(), k3);
        for bad in [
            "",
            "x:ward:episode",
            &format!("{}:boss:episode", k.episode),
            &format!("{k}:0"),
            &format!("{k}:1:2"),
            &format!("{k}@not-a-sip"),
            &format!("{k}@"),
        ] {
            assert_eq!(ItemKey::parse(bad).unwrap_err().code(), "invalid_id", "{bad}");
        }
    }

    #[test]
    fn nothing_to_enter_lines_have_no_tracked_items_and_count_as_complete() {
        let ls = lines(&[]);
        let outside: Vec<&WorkLine> = ls.iter().filter(|l| l.episode == EpisodeId(uuid::Uuid::from_u128(2))).collect();
        assert!(!outside.is_empty());
        for l in outside {
            assert!(matches!(l.outcome, Outcome::NothingToEnter { .. }));
            assert!(l.progress().complete());
            assert_eq!(l.progress().total, 0);
        }
    }

    #[test]
    fn do_not_enter_items_are_shown_but_not_tracked() {
        for l in lines(&[]) {
            for i in &l.items {
                assert_eq!(i.status.is_some(), i.item.kind != ItemKind::DoNotEnter, "{:?}", i.key);
            }
        }
    }

    #[test]
    fn work_is_folded_in_time_order_with_who_and_why() {
        let ls = lines(&[]);
        let k = first_tracked(&ls, Party::Ward);
        let evs = [
            event(3, k, "2025-02-05 10:00", WorkChange::Skipped { reason: "Redan registrerat".into() }),
            event(1, k, "2025-02-05 08:00", WorkChange::Assigned { to: "Ssk Test".into() }),
        ];
        let ls = lines(&evs);
        let s = ls.iter().flat_map(|l| &l.items).find(|i| i.key == k).unwrap().status.clone().unwrap();
        assert_eq!(s.state, WorkState::Skipped);
        assert_eq!(s.assigned_to.as_deref(), Some("Ssk Test"));
        assert_eq!(s.note.as_deref(), Some("Redan registrerat"));
        assert_eq!(s.resolved_at, Some(ts("2025-02-05 10:00")));
        assert_eq!(s.history.len(), 2);
    }

    /// 002's SIP rows become lines of their own, keyed by the SIP, worked on like episode items;
    /// a SIP whose episode is not in the outage's list has no organisation and no line.
    #[test]
    fn sip_decisions_become_lines_keyed_by_the_sip() {
        use crate::backentry::{SipInput, SipState, reconcile_sips};
        let p = check_policy("p002", include_str!("../../../data/policies/prator-long-outage-2024.toml")).unwrap();
        let eps = vec![episode(1, "2024-01-20 10:00", None)];
        let sip = |n: u128, episode: u128| SipInput {
            id: uuid::Uuid::from_u128(n),
            episode: Some(EpisodeId(uuid::Uuid::from_u128(episode))),
            created_at: ts("2024-01-22 09:00"),
            state: SipState::NotHeld,
            initiator: Party::PrimaryCare,
            participants: [Party::Municipality].into(),
            meeting_on: None,
            held_on: None,
            goals: Vec::new(),
            activities: Vec::new(),
        };
        let sips = vec![sip(50, 1), sip(51, 404)];
        let ds = reconcile_sips(&p, &sips, "2024-02-05".parse().unwrap());
        let ls = build_sips(&ds, &sips, &eps, &[]);
        assert_eq!(ls.len(), 2, "primary care and the municipality of the one SIP with an episode: {ls:?}");
        assert!(ls.iter().all(|l| l.sip == Some(uuid::Uuid::from_u128(50)) && l.episode == eps[0].id));
        let pc = ls.iter().find(|l| l.party == Party::PrimaryCare).unwrap();
        assert_eq!(pc.org, org("hc-centrum"));
        let k = pc.items.iter().find(|i| i.item.code == ItemCode::SipInitiative).unwrap().key;
        assert_eq!(k.sip, Some(uuid::Uuid::from_u128(50)));
        let done = event(1, k, "2024-02-05 09:00", WorkChange::Done { note: String::new() });
        let ls = build_sips(&ds, &sips, &eps, &[done]);
        let item = ls.iter().flat_map(|l| &l.items).find(|i| i.key == k).unwrap();
        assert_eq!(item.status.as_ref().unwrap().state, WorkState::Done);
    }

    #[test]
    fn changes_are_checked_against_the_state() {
        let open = WorkStatus::open();
        assert_eq!(check_change(&open, WorkChange::Skipped { reason: "  ".into() }).unwrap_err().code(), "required");
        assert_eq!(
            check_change(&open, WorkChange::Reopened { reason: "fel".into() }).unwrap_err().code(),
            "work_item_open"
        );
        let done = WorkStatus::fold(&[event(
            1,
            first_tracked(&lines(&[]), Party::Ward),
            "2025-02-05 08:00",
            WorkChange::Done { note: String::new() },
        )]);
        assert_eq!(
            check_change(&done, WorkChange::Done { note: String::new() }).unwrap_err().code(),
            "work_item_resolved"
        );
        assert_eq!(
            check_change(&done, WorkChange::Skipped { reason: " ej aktuellt ".into() }).unwrap_err().code(),
            "work_item_resolved"
        );
        assert_eq!(
            check_change(&done, WorkChange::Reopened { reason: " fel rad ".into() }).unwrap(),
            WorkChange::Reopened { reason: "fel rad".into() }
        );
    }

    #[test]
    fn progress_counts_per_org_and_over_time() {
        let ls = lines(&[]);
        let ward = first_tracked(&ls, Party::Ward);
        let kommun = first_tracked(&ls, Party::Municipality);
        let evs = [
            event(1, ward, "2025-02-05 08:00", WorkChange::Done { note: String::new() }),
            event(2, kommun, "2025-02-05 09:00", WorkChange::Skipped { reason: "Ej aktuellt".into() }),
            event(3, ward, "2025-02-05 09:30", WorkChange::Reopened { reason: "Fel patient".into() }),
            event(4, kommun, "2025-02-05 09:45", WorkChange::Assigned { to: "x".into() }),
        ];
        let ls = lines(&evs);
        let (by, all) = progress_by_org(&ls);
        assert_eq!(by[&org("sundsvall")].skipped, 1);
        assert_eq!(by[&org("avd-1")].done, 0);
        assert_eq!(all.done + all.skipped + all.open, all.total);
        assert!(!all.complete());
        let series: Vec<usize> = progress_over_time(&ls).into_iter().map(|(_, n)| n).collect();
        assert_eq!(series, vec![1, 2, 1]);
    }
}
