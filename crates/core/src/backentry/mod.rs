//! Back-entry ("efterregistrering"): when the coordinated-discharge system is
//! back in service, what each party must enter afterwards, what it must NOT
//! enter, and what it must follow up — computed per episode and party from a
//! policy that is data (`data/policies/*.toml`), never guessed.
//!
//! A policy is a decision table. Each `[[rule]]` row has conditions over a
//! small closed vocabulary of episode facts (see [`Dimension`]) and, per party
//! (`ward`, `municipality`, `primary_care`, `outpatient_psychiatry`), a list of
//! items: `kind` = `enter` | `do_not_enter` | `follow_up` and an `item` code
//! (see [`ItemCode`]). Every row cites the sentence of the routine it
//! implements (`cite`); an item may cite a more precise sentence of its own.
//! [`check_policy`] rejects a file that is malformed, names unknown values, or
//! is ambiguous (two rows match one possible case) or incomplete (a possible
//! case no row covers), enumerating every case of the finite condition domain.
//!
//! A row with `subject = "sip"` decides about a SIP instead (002: `created` ×
//! `sip_state`); its items under `initiator` go to the party that initiated
//! the SIP. Episode and SIP rows are checked as two separate tables.
//!
//! [`reconcile`] and [`reconcile_sips`] are pure: the outage window and `today`
//! are passed in; the output is sorted, so it does not depend on input order.
//! Contradictory facts (e.g. discharged before admitted) become `needs_review`
//! items for a person; every other episode is still answered.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::datafile::{DataFileError, FileCheck, FileKind, Kind, line_of_entry, vocabulary};
use crate::episode::{DischargeDestination, Episode};
use crate::handover::{self, Contact, Direction, EpisodeFacts, MessageType, Party};
use crate::ids::{EpisodeId, OrgId};
use crate::time::local;

mod check;
mod engine;
mod heading;
mod problems;
mod sip;
#[cfg(test)]
mod tests;

pub use check::*;
pub use engine::*;
pub use heading::*;
pub use problems::*;
pub use sip::*;

vocabulary!(
    /// What a row decides about: a care episode (the default) or a SIP.
    Subject, "subject", "subject" {
        Episode = "episode", "Vårdtillfälle", "Care episode";
        Sip = "sip", "SIP", "Coordinated individual plan";
    }
);

vocabulary!(
    /// The facts a rule may test. Values are closed (see [`Dimension::values`]).
    Dimension, "villkor", "condition" {
        /// Admission relative to the outage window: `before` | `during` | `after`.
        Admitted = "admitted", "Inskriven", "Admitted";
        /// Discharge relative to the window: `no` (still in) | `before` | `during` | `after`.
        Discharged = "discharged", "Utskriven", "Discharged";
        /// Whether a ready-for-discharge time is known: `no` | `yes`.
        Ready = "ready", "Utskrivningsklar", "Ready for discharge";
        /// Where the patient is now: `in_hospital` | `gone_home`.
        Location = "location", "Var patienten är", "Where the patient is";
        /// When the episode was created (admitted), relative to the policy
        /// parameters `period_start` and `cutover`: `before_period` | `in_period` | `from_cutover`.
        /// For a SIP: when the SIP was created.
        Created = "created", "Skapad", "Created";
        /// A SIP's state: `not_held` (meeting not held) | `plan_created` | `closed`.
        SipState = "sip_state", "SIP-status", "SIP state";
    }
);

impl Dimension {
    /// Whether rows about `subject` may test this dimension.
    pub fn applies_to(self, subject: Subject) -> bool {
        match self {
            Dimension::Created => true,
            Dimension::SipState => subject == Subject::Sip,
            _ => subject == Subject::Episode,
        }
    }

    pub fn values(self) -> &'static [&'static str] {
        match self {
            Dimension::Admitted => &["before", "during", "after"],
            Dimension::Discharged => &["no", "before", "during", "after"],
            Dimension::Ready => &["no", "yes"],
            Dimension::Location => &["in_hospital", "gone_home"],
            Dimension::Created => &["before_period", "in_period", "from_cutover"],
            Dimension::SipState => &["not_held", "plan_created", "closed"],
        }
    }
}

vocabulary!(
    /// A condition on one item (`only_if`): the item is listed for a party
    /// unless the episode's facts or its handover log show that it does not
    /// apply. Some follow-ups belong to what was agreed, not to the episode.
    ItemCondition, "villkor för punkt", "item condition" {
        /// 001: "Om ni under driftstoppet har kommit överens om datum för SIP per telefon, ska formell
        /// kallelse skickas via Lifecare SP när systemet är i drift igen." 000: "Skicka kallelser till SIP
        /// där man kommit överens om datum per telefon". Holds when a call during the outage, to or from
        /// the party, carried a SIP invitation (the date was agreed on the phone); the log is the
        /// record, so no such call means no SIP was agreed.
        SipDateAgreedByPhone = "sip_date_agreed_by_phone", "SIP-datum överenskommet per telefon", "SIP date agreed by phone";
        /// 002: "Om det finns behov av omfattande och långvariga insatser efter inskrivning kan
        /// vårdtillfället efterregistreras i Prator efter överenskommelse mellan involverade enheter."
        /// Holds unless the episode records that there is no such need (unknown is asked, not assumed).
        ExtensiveLongTermServices = "extensive_long_term_services", "Omfattande och långvariga insatser", "Extensive long-term services";
    }
);

vocabulary!(
    /// What the party does with an item.
    ItemKind, "typ", "kind" {
        /// Enter in the system afterwards.
        Enter = "enter", "Registrera", "Enter";
        /// Deliberately not entered afterwards.
        DoNotEnter = "do_not_enter", "Registrera inte", "Do not enter";
        /// Something else to do now that the system is back.
        FollowUp = "follow_up", "Följ upp", "Follow up";
        /// The input contradicts itself: a person must look (never in a policy file).
        NeedsReview = "needs_review", "Granska", "Review";
    }
);

macro_rules! item_codes {
    ($($variant:ident => $key:literal),* $(,)?) => {
        /// The closed list of back-entry items (glossary names).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum ItemCode { $($variant),* }

        impl ItemCode {
            pub const ALL: &'static [ItemCode] = &[$(ItemCode::$variant),*];
            pub fn key(self) -> &'static str {
                match self { $(ItemCode::$variant => $key),* }
            }
            pub fn parse(s: &str) -> Option<ItemCode> {
                match s { $($key => Some(ItemCode::$variant),)* _ => None }
            }
        }
    };
}

item_codes! {
    Episode => "episode",
    AdmissionNotice => "admission_notice",
    PatientInformation => "patient_information",
    PatientInformationSendHome => "patient_information_send_home",
    DischargeNotice => "discharge_notice",
    ReadyForDischargeNotice => "ready_for_discharge_notice",
    PlanningInformation => "planning_information",
    PreviouslyCommunicatedInformation => "previously_communicated_information",
    CloseEpisode => "close_episode",
    ContinueInSystem => "continue_in_system",
    AcknowledgeMessages => "acknowledge_messages",
    ConfirmDesignatedCareContact => "confirm_designated_care_contact",
    SendSipInvitation => "send_sip_invitation",
    ManualHandling => "manual_handling",
    AgreeOnBackEntry => "agree_on_back_entry",
    Sip => "sip",
    SipInitiative => "sip_initiative",
    SipInvitation => "sip_invitation",
    SipPlan => "sip_plan",
    NormalRoutine => "normal_routine",
    Contradiction => "contradiction",
}

const PARTIES: [(&str, Party); 4] = [
    ("ward", Party::Ward),
    ("municipality", Party::Municipality),
    ("primary_care", Party::PrimaryCare),
    ("outpatient_psychiatry", Party::OutpatientPsychiatry),
];

/// One item of a rule, as loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleItem {
    pub kind: ItemKind,
    pub code: ItemCode,
    /// The sentence this item restates (the row's `cite` unless the item has its own).
    pub cite: String,
    /// Fixed field values the policy sets (e.g. `must_acknowledge = "no"`).
    pub set: BTreeMap<String, String>,
    /// The item is listed only when this condition holds for the party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_if: Option<ItemCondition>,
}

/// One row of the decision table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: String,
    pub subject: Subject,
    /// Allowed values per dimension; a dimension not named matches any value.
    pub when: BTreeMap<Dimension, BTreeSet<String>>,
    pub cite: String,
    /// Why a party with no items has nothing to back-enter (defaults to the cite).
    pub note: Option<String>,
    pub actions: BTreeMap<Party, Vec<RuleItem>>,
    /// SIP rows only: items for whichever party initiated the SIP, in addition to its own.
    pub initiator: Vec<RuleItem>,
}

/// A checked back-entry policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub version: String,
    /// The seed file the policy restates.
    pub source: String,
    /// Date parameters (`period_start`, `cutover`, …).
    pub dates: BTreeMap<String, Date>,
    /// Other parameters, as written (e.g. `restored_at`).
    pub parameters: BTreeMap<String, String>,
    pub rules: Vec<Rule>,
    /// The dimensions the episode rows use, in order; the domain enumerated by the checks.
    pub dimensions: Vec<Dimension>,
    /// The dimensions the SIP rows use (empty: the policy has no SIP rows).
    pub sip_dimensions: Vec<Dimension>,
}
