//! Decisions about SIPs ([`reconcile_sips`]): a SIP's state when the system
//! is back, and the items for each party and for the initiator.

use super::*;

vocabulary!(
    /// A SIP's state when the system is back (seed 002).
    SipState, "SIP-status", "SIP state" {
        /// Started, but the SIP meeting has not been held.
        NotHeld = "not_held", "SIP-mötet ej genomfört", "SIP meeting not held";
        /// Ongoing: a SIP plan has been created.
        PlanCreated = "plan_created", "SIP-plan skapad", "SIP plan created";
        Closed = "closed", "Avslutad", "Closed";
    }
);

vocabulary!(
    /// How a SIP meeting date was agreed. 001: "Om ni under driftstoppet har kommit överens om datum för SIP
    /// per telefon, ska formell kallelse skickas via Lifecare SP när systemet är i drift igen."
    SipAgreedVia, "sätt att komma överens", "way of agreeing" {
        Phone = "phone", "Telefon", "Phone";
        System = "system", "Samordningssystemet (kallelse skickad)", "The coordination system (invitation sent)";
        InPerson = "in_person", "Vid möte", "In person";
        Other = "other", "Annat", "Other";
    }
);

/// A SIP meeting date agreed, as the episode engine sees it: it decides the
/// condition `sip_date_agreed_by_phone` ("Skicka kallelser till SIP där man
/// kommit överens om datum per telefon").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipAgreed {
    /// When the date was agreed.
    pub at: Timestamp,
    pub via: SipAgreedVia,
    /// The meeting date agreed.
    pub meeting_on: Date,
    /// The parties of the SIP (initiator and participants).
    pub parties: BTreeSet<Party>,
}

/// What the engine needs of one SIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipInput {
    pub id: uuid::Uuid,
    pub episode: Option<EpisodeId>,
    pub created_at: Timestamp,
    pub state: SipState,
    /// The party that initiated the SIP (it gets the rows' `initiator` items).
    pub initiator: Party,
    /// The other parties taking part (the initiator is always included).
    pub participants: BTreeSet<Party>,
    /// The meeting date agreed, if any (carried into the items' values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_on: Option<Date>,
    /// The day the meeting was held, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_on: Option<Date>,
    /// The plan's goals and activities, if a plan was made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<String>,
}

/// The values a SIP item carries to the person who enters it: the
/// participants (to choose in the system), the dates, the plan, and the
/// row's own values (e.g. `must_acknowledge = no`, "bocka ur Ska kvittera").
fn sip_values(code: ItemCode, sip: &SipInput, set: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut v = set.clone();
    let parties = |s: &SipInput| {
        let mut all = s.participants.clone();
        all.insert(s.initiator);
        all.iter().map(|p| p.key()).collect::<Vec<_>>().join(",")
    };
    match code {
        ItemCode::SipInitiative | ItemCode::Sip => {
            v.insert("sip_initiator".into(), sip.initiator.key().into());
            v.insert("sip_participants".into(), parties(sip));
            v.insert("sip_initiated_on".into(), local(sip.created_at).date().to_string());
        }
        ItemCode::SipInvitation => {
            v.insert("sip_participants".into(), parties(sip));
            if let Some(d) = sip.meeting_on {
                v.insert("sip_meeting_on".into(), d.to_string());
            }
        }
        ItemCode::SipPlan => {
            if let Some(d) = sip.held_on {
                v.insert("sip_held_on".into(), d.to_string());
            }
            if !sip.goals.is_empty() {
                v.insert("sip_goals".into(), sip.goals.join("; "));
            }
            if !sip.activities.is_empty() {
                v.insert("sip_activities".into(), sip.activities.join("; "));
            }
        }
        _ => {}
    }
    v
}

/// Exactly one per SIP and party taking part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SipDecision {
    pub sip: uuid::Uuid,
    pub party: Party,
    pub rule: Option<String>,
    pub outcome: Outcome,
    pub items: Vec<Item>,
}

/// Computes, for every SIP and every party taking part, exactly one decision,
/// sorted by SIP and party. A policy without SIP rows answers "nothing to
/// back-enter" with that reason; a SIP created after `today` needs review.
pub fn reconcile_sips(policy: &Policy, sips: &[SipInput], today: Date) -> Vec<SipDecision> {
    let mut out = Vec::new();
    let has_rows = policy.rules.iter().any(|r| r.subject == Subject::Sip);
    for sip in sips {
        let mut parties = sip.participants.clone();
        parties.insert(sip.initiator);
        let problem = (local(sip.created_at).date() > today).then(|| contradicts("SIP:en skapad efter dagens datum"));
        let case: Vec<&str> = policy
            .sip_dimensions
            .iter()
            .map(|d| match d {
                Dimension::Created => created(policy, sip.created_at),
                Dimension::SipState => sip.state.key(),
                // Not reachable: check_policy keeps episode conditions out of SIP rows.
                _ => "",
            })
            .collect();
        let rule =
            policy.rules.iter().find(|r| r.subject == Subject::Sip && rule_matches(r, &policy.sip_dimensions, &case));
        for party in parties {
            let decision = match (&problem, rule) {
                (Some(p), _) => SipDecision {
                    sip: sip.id,
                    party,
                    rule: None,
                    outcome: Outcome::NeedsReview,
                    items: vec![contradiction(p.clone())],
                },
                (None, None) => SipDecision {
                    sip: sip.id,
                    party,
                    rule: None,
                    outcome: Outcome::NothingToEnter {
                        reason: if has_rows {
                            format!("Ingen rad i policyn täcker fallet {}.", describe(&policy.sip_dimensions, &case))
                        } else {
                            format!("Policyn {} har inga rader om SIP.", policy.id)
                        },
                    },
                    items: Vec::new(),
                },
                (None, Some(rule)) => {
                    let own = rule.actions.get(&party).into_iter().flatten();
                    let init = rule.initiator.iter().filter(|_| party == sip.initiator);
                    let items: Vec<Item> = init
                        .chain(own)
                        .map(|ri| Item {
                            kind: ri.kind,
                            code: ri.code,
                            rule: rule.id.clone(),
                            cite: ri.cite.clone(),
                            values: sip_values(ri.code, sip, &ri.set),
                        })
                        .collect();
                    let outcome = if items.iter().any(|i| matches!(i.kind, ItemKind::Enter | ItemKind::FollowUp)) {
                        Outcome::BackEnter
                    } else {
                        Outcome::NothingToEnter { reason: rule.note.clone().unwrap_or_else(|| rule.cite.clone()) }
                    };
                    SipDecision { sip: sip.id, party, rule: Some(rule.id.clone()), outcome, items }
                }
            };
            out.push(decision);
        }
    }
    out.sort_by_key(|d| (d.sip, d.party));
    out
}
