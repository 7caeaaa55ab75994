//! The reconcile engine for care episodes ([`reconcile`]): the outage
//! window, each episode's effective calls, and per party the items to enter,
//! not to enter and to follow up.

use super::*;

/// The outage window `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// One call of the handover log as the engine sees it: which party told
/// which, what, and when. Corrected (superseded) entries are left out by the
/// caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub at: Timestamp,
    pub from: Party,
    pub to: Party,
    pub messages: BTreeSet<MessageType>,
}

/// What the engine needs of one episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpisodeInput {
    pub id: EpisodeId,
    pub facts: EpisodeFacts,
    pub designated_care_contact: Option<String>,
    /// The episode's logged calls; they fill in when something was told by
    /// phone (`told_by_phone_at`) and how many calls a party must acknowledge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<Call>,
    /// Any stable key of the patient (e.g. the personnummer): two episodes of
    /// one patient that overlap in time contradict each other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// Where the patient went when discharged (input format 2; absent: not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discharge_destination: Option<DischargeDestination>,
    /// Whether the municipality provides extensive, long-term services after the stay
    /// (input format 2; absent: not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensive_long_term_services: Option<bool>,
    /// SIP meeting dates agreed about this patient (input format 2; from the
    /// SIP records of the episode).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sips_agreed: Vec<SipAgreed>,
}

impl From<&Episode> for EpisodeInput {
    fn from(e: &Episode) -> Self {
        EpisodeInput {
            id: e.id,
            facts: e.facts.clone(),
            designated_care_contact: e.designated_care_contact.clone(),
            calls: Vec::new(),
            patient: Some(e.patient.as_str().to_owned()),
            discharge_destination: e.discharge_destination,
            extensive_long_term_services: e.extensive_long_term_services,
            sips_agreed: Vec::new(),
        }
    }
}

impl Call {
    /// The calls of an episode's handover log: corrected (superseded) contacts
    /// are left out, and so are contacts with an organisation that plays no
    /// party in the episode.
    pub fn from_contacts(facts: &EpisodeFacts, contacts: &[Contact]) -> Vec<Call> {
        let party_of = |org: &OrgId| Party::ALL.into_iter().find(|p| facts.org_of(*p) == Some(org));
        handover::effective(contacts)
            .into_iter()
            .filter_map(|c| {
                let (logger, other) = (party_of(&c.logged_by)?, party_of(&c.counterpart)?);
                let (from, to) = match c.direction {
                    Direction::Given => (logger, other),
                    Direction::Received => (other, logger),
                };
                Some(Call { at: c.at, from, to, messages: c.messages.clone() })
            })
            .collect()
    }
}

/// The message of the handover log that carries what an item enters.
pub(super) fn message_of(code: ItemCode) -> Option<MessageType> {
    Some(match code {
        ItemCode::AdmissionNotice => MessageType::Admission,
        ItemCode::PatientInformation | ItemCode::PatientInformationSendHome => MessageType::PatientInformation,
        ItemCode::DischargeNotice => MessageType::DischargeNotice,
        ItemCode::ReadyForDischargeNotice => MessageType::ReadyForDischarge,
        ItemCode::PlanningInformation => MessageType::PlanningInformation,
        ItemCode::ConfirmDesignatedCareContact => MessageType::DesignatedCareContact,
        ItemCode::SendSipInvitation | ItemCode::SipInvitation => MessageType::SipInvitation,
        ItemCode::SipInitiative => MessageType::SipInitiative,
        ItemCode::SipPlan => MessageType::SipPlan,
        _ => return None,
    })
}

/// One line of a party's worklist, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub kind: ItemKind,
    pub code: ItemCode,
    /// The policy row, or `input` for a contradiction.
    pub rule: String,
    pub cite: String,
    /// Field values to enter, e.g. `discharged_at`; Stockholm time.
    pub values: BTreeMap<String, String>,
}

/// The overall answer for one episode and party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// There are items to enter or follow up.
    BackEnter,
    /// Inget att efterregistrera, and why.
    NothingToEnter { reason: String },
    /// The input contradicts itself; a person must decide.
    NeedsReview,
}

/// Exactly one per episode and party present in the episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub episode: EpisodeId,
    pub party: Party,
    /// The matching row, if the facts could be classified.
    pub rule: Option<String>,
    pub outcome: Outcome,
    pub items: Vec<Item>,
}

pub(super) fn relative(ts: Timestamp, w: Window) -> &'static str {
    if ts < w.start {
        "before"
    } else if ts <= w.end {
        "during"
    } else {
        "after"
    }
}

/// The text of a contradiction item: read by a person, so Swedish.
pub(super) fn contradicts(what: &str) -> String {
    format!("Underlaget motsäger sig självt: {what}.")
}

pub(super) fn contradictions(f: &EpisodeFacts, w: Window, today: Date) -> Vec<String> {
    let mut out = Vec::new();
    if w.end < w.start {
        out.push(contradicts("avbrottet slutar innan det börjar"));
    }
    if let Some(d) = f.discharged_at {
        if d < f.admitted_at {
            out.push(contradicts("utskriven före inskrivningen"));
        }
        if local(d).date() > today {
            out.push(contradicts("utskriven efter dagens datum"));
        }
    }
    if let Some(r) = f.ready_for_discharge_at
        && r < f.admitted_at
    {
        out.push(contradicts("utskrivningsklar före inskrivningen"));
    }
    if local(f.admitted_at).date() > today {
        out.push(contradicts("inskriven efter dagens datum"));
    }
    out
}

pub(super) fn value_of(p: &Policy, d: Dimension, f: &EpisodeFacts, w: Window) -> &'static str {
    match d {
        Dimension::Admitted => relative(f.admitted_at, w),
        Dimension::Discharged => f.discharged_at.map_or("no", |t| relative(t, w)),
        Dimension::Ready => {
            if f.ready_for_discharge_at.is_some() {
                "yes"
            } else {
                "no"
            }
        }
        Dimension::Location => {
            if f.discharged_at.is_some() {
                "gone_home"
            } else {
                "in_hospital"
            }
        }
        Dimension::Created => created(p, f.admitted_at),
        // Not reachable: check_policy keeps SIP conditions out of episode rows.
        Dimension::SipState => "",
    }
}

pub(super) fn created(p: &Policy, at: Timestamp) -> &'static str {
    let day = local(at).date();
    // Both dates are present: check_policy requires them when `created` is used.
    if p.dates.get("period_start").is_some_and(|s| day < *s) {
        "before_period"
    } else if p.dates.get("cutover").is_some_and(|c| day < *c) {
        "in_period"
    } else {
        "from_cutover"
    }
}

pub(super) fn values_for(
    code: ItemCode,
    party: Party,
    e: &EpisodeInput,
    w: Window,
    today: Date,
) -> BTreeMap<String, String> {
    let f = &e.facts;
    let mut v = BTreeMap::new();
    let fmt = |t: Timestamp| local(t).strftime("%Y-%m-%d %H:%M").to_string();
    let in_window = |c: &&Call| c.at >= w.start && c.at <= w.end;
    if let Some(m) = message_of(code)
        && let Some(c) = e
            .calls
            .iter()
            .filter(in_window)
            .filter(|c| (c.from == party || c.to == party) && c.messages.contains(&m))
            .min_by_key(|c| c.at)
    {
        v.insert("told_by_phone_at".into(), fmt(c.at));
    }
    if code == ItemCode::AcknowledgeMessages {
        let received = e.calls.iter().filter(in_window).filter(|c| c.to == party).count();
        v.insert("calls_received".into(), received.to_string());
    }
    match code {
        ItemCode::AdmissionNotice => {
            v.insert("admitted_at".into(), fmt(f.admitted_at));
        }
        ItemCode::DischargeNotice => {
            if let Some(d) = f.discharged_at {
                v.insert("discharged_at".into(), fmt(d));
            }
            if let Some(d) = e.discharge_destination {
                v.insert("discharge_destination".into(), d.key().into());
            }
        }
        ItemCode::PatientInformationSendHome | ItemCode::PatientInformation => {
            if let Some(d) = e.discharge_destination {
                v.insert("discharge_destination".into(), d.key().into());
            }
        }
        ItemCode::CloseEpisode => {
            v.insert("ready_for_discharge".into(), today.to_string());
            if let Some(d) = f.discharged_at {
                v.insert("actual_discharge".into(), local(d).date().to_string());
            }
        }
        ItemCode::ConfirmDesignatedCareContact => {
            if let Some(c) = &e.designated_care_contact {
                v.insert("designated_care_contact".into(), c.clone());
            }
        }
        ItemCode::SendSipInvitation => {
            if let Some(a) = agreed_by_phone(party, e, w) {
                v.insert("sip_meeting_on".into(), a.meeting_on.to_string());
                v.insert("sip_agreed_at".into(), fmt(a.at));
                let parties: Vec<&str> = a.parties.iter().map(|p| p.key()).collect();
                v.insert("sip_participants".into(), parties.join(","));
            }
        }
        _ => {}
    }
    v
}

/// Whether an item's condition holds for `party` in this episode.
pub(super) fn holds(condition: ItemCondition, party: Party, e: &EpisodeInput, w: Window) -> bool {
    match condition {
        ItemCondition::SipDateAgreedByPhone => agreed_by_phone(party, e, w).is_some() || invited_by_phone(party, e, w),
        ItemCondition::ExtensiveLongTermServices => e.extensive_long_term_services != Some(false),
    }
}

/// A SIP record of the episode says that `party` agreed a meeting date by
/// phone during the outage (the newest such agreement; ties broken by the
/// meeting date and the parties, so the input's order never matters).
fn agreed_by_phone(party: Party, e: &EpisodeInput, w: Window) -> Option<&SipAgreed> {
    e.sips_agreed
        .iter()
        .filter(|a| a.via == SipAgreedVia::Phone && a.at >= w.start && a.at <= w.end && a.parties.contains(&party))
        .max_by(|x, y| (x.at, x.meeting_on, &x.parties).cmp(&(y.at, y.meeting_on, &y.parties)))
}

/// A call during the outage between `party` and another carried a SIP
/// invitation ("Kallelse till SIP"): the invitation was given by phone, so a
/// date was agreed by phone.
fn invited_by_phone(party: Party, e: &EpisodeInput, w: Window) -> bool {
    e.calls.iter().any(|c| {
        c.at >= w.start
            && c.at <= w.end
            && (c.from == party || c.to == party)
            && c.messages.contains(&MessageType::SipInvitation)
    })
}

/// What an item code means for this episode. `patient_information_send_home` is
/// the routine's "Patientinformation (fyll i om det är möjligt) – om patenten gått hem
/// ska den skickas hem till patienten": when the patient is known to have gone
/// somewhere else (short-term care, another unit, deceased), nothing is sent
/// home and the item is plain patient information. Not known: the sentence,
/// with its "om", stands as written.
pub(super) fn code_for(code: ItemCode, e: &EpisodeInput) -> ItemCode {
    match (code, e.discharge_destination) {
        (ItemCode::PatientInformationSendHome, Some(d)) if d != DischargeDestination::Home => {
            ItemCode::PatientInformation
        }
        _ => code,
    }
}

/// An item for a person: the input contradicts itself or no row covers it.
pub(super) fn contradiction(cite: String) -> Item {
    Item {
        kind: ItemKind::NeedsReview,
        code: ItemCode::Contradiction,
        rule: "input".into(),
        cite,
        values: BTreeMap::new(),
    }
}

/// Computes, for every episode and every party present in it, exactly one
/// decision. Pure: the result is sorted by episode and party, so it does not
/// depend on input order. An episode whose facts contradict themselves gets a
/// `needs_review` decision per party; the others are still answered.
/// Episodes of one patient whose stays overlap: a patient cannot be in two
/// wards at once, so each such episode gets a contradiction naming when the
/// other one began (not where: the other ward may be outside this chain of care).
pub(super) fn overlaps(episodes: &[EpisodeInput]) -> HashMap<EpisodeId, Vec<String>> {
    let mut by_patient: HashMap<&str, Vec<&EpisodeInput>> = HashMap::new();
    for e in episodes {
        if let Some(p) = e.patient.as_deref() {
            by_patient.entry(p).or_default().push(e);
        }
    }
    let mut out: HashMap<EpisodeId, Vec<String>> = HashMap::new();
    for mut stays in by_patient.into_values().filter(|v| v.len() > 1) {
        stays.sort_by_key(|e| (e.facts.admitted_at, e.id));
        for (i, a) in stays.iter().enumerate() {
            for b in &stays[i + 1..] {
                // b starts no earlier than a; they overlap unless a ended by then.
                if a.facts.discharged_at.is_none_or(|d| d > b.facts.admitted_at) {
                    let fmt = |t: Timestamp| local(t).strftime("%Y-%m-%d %H:%M").to_string();
                    let what = |other: &EpisodeInput| {
                        contradicts(&format!(
                            "samma patient har ett annat vårdtillfälle under samma tid (inskrivet {})",
                            fmt(other.facts.admitted_at)
                        ))
                    };
                    out.entry(a.id).or_default().push(what(b));
                    out.entry(b.id).or_default().push(what(a));
                }
            }
        }
    }
    out
}

pub fn reconcile(policy: &Policy, window: Window, episodes: &[EpisodeInput], today: Date) -> Vec<Decision> {
    let mut out = Vec::new();
    let mut overlapping = overlaps(episodes);
    for e in episodes {
        let mut problems = contradictions(&e.facts, window, today);
        if let Some(mut more) = overlapping.remove(&e.id) {
            more.sort();
            problems.extend(more);
        }
        if !problems.is_empty() {
            for party in e.facts.parties() {
                let items = problems.iter().map(|p| contradiction(p.clone())).collect();
                out.push(Decision { episode: e.id, party, rule: None, outcome: Outcome::NeedsReview, items });
            }
            continue;
        }
        let case: Vec<&str> = policy.dimensions.iter().map(|d| value_of(policy, *d, &e.facts, window)).collect();
        // check_policy guarantees exactly one row per feasible case, and a consistent episode is feasible.
        let rule =
            policy.rules.iter().find(|r| r.subject == Subject::Episode && rule_matches(r, &policy.dimensions, &case));
        for party in e.facts.parties() {
            let Some(rule) = rule else {
                out.push(Decision {
                    episode: e.id,
                    party,
                    rule: None,
                    outcome: Outcome::NeedsReview,
                    items: vec![contradiction(format!(
                        "Ingen rad i policyn täcker fallet {}.",
                        describe(&policy.dimensions, &case)
                    ))],
                });
                continue;
            };
            let items: Vec<Item> = rule
                .actions
                .get(&party)
                .into_iter()
                .flatten()
                .filter(|ri| ri.only_if.is_none_or(|f| holds(f, party, e, window)))
                .map(|ri| Item {
                    kind: ri.kind,
                    code: code_for(ri.code, e),
                    rule: rule.id.clone(),
                    cite: ri.cite.clone(),
                    values: if ri.kind == ItemKind::DoNotEnter {
                        ri.set.clone()
                    } else {
                        let mut v = values_for(ri.code, party, e, window, today);
                        v.extend(ri.set.clone());
                        v
                    },
                })
                .collect();
            let outcome = if items.iter().any(|i| matches!(i.kind, ItemKind::Enter | ItemKind::FollowUp)) {
                Outcome::BackEnter
            } else {
                Outcome::NothingToEnter { reason: rule.note.clone().unwrap_or_else(|| rule.cite.clone()) }
            };
            out.push(Decision { episode: e.id, party, rule: Some(rule.id.clone()), outcome, items });
        }
    }
    out.sort_by_key(|d| (d.episode, d.party));
    out
}
