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
                            values: ri.set.clone(),
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
