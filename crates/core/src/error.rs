//! Typed domain errors. Each carries the field it is about, a stable
//! machine-readable code (for the API) and a clear message in Swedish and
//! English (for people). The edge maps them once; nothing here knows HTTP.

use std::fmt;

/// The input field an error is about, so the UI can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    System,
    Organisation,
    Kind,
    Scope,
    Start,
    ExpectedEnd,
    RestoredAt,
    Notice,
    Username,
    DisplayName,
    Password,
    Role,
    File,
    PatientId,
    Ward,
    Municipality,
    PrimaryCare,
    OutpatientPsychiatry,
    AdmittedAt,
    ExpectedDischarge,
    ReadyForDischargeAt,
    DischargedAt,
    DesignatedCareContact,
    DischargeDestination,
    ExtensiveLongTermServices,
    CallAt,
    CounterpartName,
    CounterpartRole,
    CounterpartOrg,
    Direction,
    Channel,
    Messages,
    Comment,
    Supersedes,
    WorkItem,
    Reason,
    Assignee,
    Policy,
    Subject,
    OccurredAt,
    Category,
    Description,
    Consequence,
    ActionTaken,
    Severity,
    ReportedElsewhere,
    ExternalReference,
    /// A routine step of a checklist.
    Step,
    /// The routine roles a person works as.
    RoutineRoles,
    /// An e-mail address (a subscription to the public status).
    Email,
    /// The name of whoever signed a paper downtime form, as written.
    PaperSignerName,
    /// Their title, as written.
    PaperSignerTitle,
    /// When an outage is (or, in a trial of a notification plan, would be) declared.
    DeclaredAt,
    // --- SIP records ---
    /// Which party raised the need of a SIP.
    SipNeedRaisedBy,
    /// When the SIP was initiated (its creation).
    SipInitiatedAt,
    /// The party that calls the meeting.
    SipInitiator,
    /// The parties taking part.
    SipParticipants,
    /// The meeting date agreed.
    SipMeetingOn,
    /// When the meeting date was agreed.
    SipAgreedAt,
    /// How the meeting date was agreed.
    SipAgreedVia,
    /// The day the SIP meeting was held.
    SipHeldOn,
    /// The SIP plan's goals, one per line.
    SipGoals,
    /// The SIP plan's activities, one per line.
    SipActivities,
    /// The day the SIP was closed.
    SipClosedOn,
    /// An outage's notice written for the public (shown without login).
    PublicNotice,
}

impl Field {
    /// The field's name as the API spells it.
    pub fn key(self) -> &'static str {
        match self {
            Field::System => "system",
            Field::Organisation => "org",
            Field::Kind => "kind",
            Field::Scope => "scope",
            Field::Start => "start",
            Field::ExpectedEnd => "expected_end",
            Field::RestoredAt => "restored_at",
            Field::Notice => "notice",
            Field::Username => "username",
            Field::DisplayName => "display_name",
            Field::Password => "password",
            Field::Role => "role",
            Field::File => "file",
            Field::PatientId => "patient_id",
            Field::Ward => "ward",
            Field::Municipality => "municipality",
            Field::PrimaryCare => "primary_care",
            Field::OutpatientPsychiatry => "outpatient_psychiatry",
            Field::AdmittedAt => "admitted_at",
            Field::ExpectedDischarge => "expected_discharge",
            Field::ReadyForDischargeAt => "ready_for_discharge_at",
            Field::DischargedAt => "discharged_at",
            Field::DesignatedCareContact => "designated_care_contact",
            Field::DischargeDestination => "discharge_destination",
            Field::ExtensiveLongTermServices => "extensive_long_term_services",
            Field::CallAt => "at",
            Field::CounterpartName => "counterpart_name",
            Field::CounterpartRole => "counterpart_role",
            Field::CounterpartOrg => "counterpart_org",
            Field::Direction => "direction",
            Field::Channel => "channel",
            Field::Messages => "messages",
            Field::Comment => "comment",
            Field::Supersedes => "supersedes",
            Field::WorkItem => "key",
            Field::Reason => "reason",
            Field::Assignee => "assignee",
            Field::Policy => "policy",
            Field::Subject => "subject",
            Field::OccurredAt => "occurred_at",
            Field::Category => "category",
            Field::Description => "description",
            Field::Consequence => "consequence",
            Field::ActionTaken => "action_taken",
            Field::Severity => "severity",
            Field::ReportedElsewhere => "reported_elsewhere",
            Field::ExternalReference => "external_reference",
            Field::Step => "step",
            Field::RoutineRoles => "routine_roles",
            Field::Email => "email",
            Field::PaperSignerName => "paper_signer_name",
            Field::PaperSignerTitle => "paper_signer_title",
            Field::DeclaredAt => "declared_at",
            Field::SipNeedRaisedBy => "sip_need_raised_by",
            Field::SipInitiatedAt => "sip_initiated_at",
            Field::SipInitiator => "sip_initiator",
            Field::SipParticipants => "sip_participants",
            Field::SipMeetingOn => "sip_meeting_on",
            Field::SipAgreedAt => "sip_agreed_at",
            Field::SipAgreedVia => "sip_agreed_via",
            Field::SipHeldOn => "sip_held_on",
            Field::SipGoals => "sip_goals",
            Field::SipActivities => "sip_activities",
            Field::SipClosedOn => "sip_closed_on",
            Field::PublicNotice => "public_notice",
        }
    }

    /// The field's label in the Swedish UI.
    pub fn label_sv(self) -> &'static str {
        match self {
            Field::System => "System",
            Field::Organisation => "Organisation",
            Field::Kind => "Typ av avbrott",
            Field::Scope => "Berörda huvudmän",
            Field::Start => "Start",
            Field::ExpectedEnd => "Beräknat slut",
            Field::RestoredAt => "Åter i drift",
            Field::Notice => "Driftinformation",
            Field::Username => "Användarnamn",
            Field::DisplayName => "Namn",
            Field::Password => "Lösenord",
            Field::Role => "Roll",
            Field::File => "Fil",
            Field::PatientId => "Personnummer",
            Field::Ward => "Avdelning",
            Field::Municipality => "Kommun",
            Field::PrimaryCare => "Hälsocentral",
            Field::OutpatientPsychiatry => "Psykiatrisk öppenvård",
            Field::AdmittedAt => "Inskriven",
            Field::ExpectedDischarge => "Beräknat utskrivningsdatum",
            Field::ReadyForDischargeAt => "Utskrivningsklar",
            Field::DischargedAt => "Utskriven",
            Field::DesignatedCareContact => "Fast vårdkontakt",
            Field::DischargeDestination => "Vart patienten skrevs ut",
            Field::ExtensiveLongTermServices => "Omfattande och långvariga insatser",
            Field::CallAt => "Tidpunkt för samtalet",
            Field::CounterpartName => "Namn på den du talade med",
            Field::CounterpartRole => "Deras roll",
            Field::CounterpartOrg => "Deras organisation",
            Field::Direction => "Lämnat eller mottaget",
            Field::Channel => "Kanal",
            Field::Messages => "Information",
            Field::Comment => "Kommentar",
            Field::Supersedes => "Rättar post",
            Field::WorkItem => "Rad i arbetslistan",
            Field::Reason => "Anledning",
            Field::Assignee => "Tilldelad",
            Field::Policy => "Policy",
            Field::Subject => "Rapporten gäller",
            Field::OccurredAt => "Tidpunkt för händelsen",
            Field::Category => "Kategori",
            Field::Description => "Beskrivning av händelsen",
            Field::Consequence => "Konsekvens för patient eller vård",
            Field::ActionTaken => "Vidtagen åtgärd",
            Field::Severity => "Allvarlighetsgrad",
            Field::ReportedElsewhere => "Rapporterad i ordinarie avvikelsesystem",
            Field::ExternalReference => "Ärendenummer i avvikelsesystemet",
            Field::Step => "Steg i rutinen",
            Field::RoutineRoles => "Roller i rutinerna",
            Field::Email => "E-postadress",
            Field::PaperSignerName => "Signerat på papper av",
            Field::PaperSignerTitle => "Signerarens titel",
            Field::DeclaredAt => "Registreras",
            Field::SipNeedRaisedBy => "Behovet togs upp av",
            Field::SipInitiatedAt => "SIP initierad",
            Field::SipInitiator => "Kallar till SIP-mötet",
            Field::SipParticipants => "Deltagare",
            Field::SipMeetingOn => "Överenskommet mötesdatum",
            Field::SipAgreedAt => "När datumet bestämdes",
            Field::SipAgreedVia => "Datumet bestämdes via",
            Field::SipHeldOn => "SIP-mötet hölls",
            Field::SipGoals => "Mål i SIP-planen",
            Field::SipActivities => "Aktiviteter i SIP-planen",
            Field::SipClosedOn => "SIP avslutad",
            Field::PublicNotice => "Information till allmänheten",
        }
    }

    /// The field's label in the English UI.
    pub fn label_en(self) -> &'static str {
        match self {
            Field::System => "System",
            Field::Organisation => "Organisation",
            Field::Kind => "Kind of outage",
            Field::Scope => "Affected principals",
            Field::Start => "Start",
            Field::ExpectedEnd => "Expected end",
            Field::RestoredAt => "Back in service",
            Field::Notice => "Notice",
            Field::Username => "Username",
            Field::DisplayName => "Name",
            Field::Password => "Password",
            Field::Role => "Role",
            Field::File => "File",
            Field::PatientId => "Personal identity number",
            Field::Ward => "Ward",
            Field::Municipality => "Municipality",
            Field::PrimaryCare => "Primary care centre",
            Field::OutpatientPsychiatry => "Outpatient psychiatry",
            Field::AdmittedAt => "Admitted",
            Field::ExpectedDischarge => "Estimated discharge date",
            Field::ReadyForDischargeAt => "Ready for discharge",
            Field::DischargedAt => "Discharged",
            Field::DesignatedCareContact => "Designated care contact",
            Field::DischargeDestination => "Discharged to",
            Field::ExtensiveLongTermServices => "Extensive long-term services",
            Field::CallAt => "Time of the call",
            Field::CounterpartName => "Name of the person spoken to",
            Field::CounterpartRole => "Their role",
            Field::CounterpartOrg => "Their organisation",
            Field::Direction => "Given or received",
            Field::Channel => "Channel",
            Field::Messages => "Information",
            Field::Comment => "Comment",
            Field::Supersedes => "Corrects entry",
            Field::WorkItem => "Worklist line",
            Field::Reason => "Reason",
            Field::Assignee => "Assigned to",
            Field::Policy => "Policy",
            Field::Subject => "The report concerns",
            Field::OccurredAt => "Time of the event",
            Field::Category => "Category",
            Field::Description => "Description of the event",
            Field::Consequence => "Consequence for the patient or care",
            Field::ActionTaken => "Action taken",
            Field::Severity => "Severity",
            Field::ReportedElsewhere => "Reported in the ordinary deviation system",
            Field::ExternalReference => "Case number in the deviation system",
            Field::Step => "Routine step",
            Field::RoutineRoles => "Routine roles",
            Field::Email => "E-mail address",
            Field::PaperSignerName => "Signed on paper by",
            Field::PaperSignerTitle => "Signer's title",
            Field::DeclaredAt => "Declared at",
            Field::SipNeedRaisedBy => "Need raised by",
            Field::SipInitiatedAt => "CIP initiated",
            Field::SipInitiator => "Calls the CIP meeting",
            Field::SipParticipants => "Participants",
            Field::SipMeetingOn => "Agreed meeting date",
            Field::SipAgreedAt => "When the date was agreed",
            Field::SipAgreedVia => "Date agreed via",
            Field::SipHeldOn => "CIP meeting held on",
            Field::SipGoals => "Goals of the CIP plan",
            Field::SipActivities => "Activities of the CIP plan",
            Field::SipClosedOn => "CIP closed on",
            Field::PublicNotice => "Notice for the public",
        }
    }
}

/// A rule of the domain that the input broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{field:?}: invalid id {value:?}")]
    InvalidId { field: Field, value: String },
    #[error("{field:?}: required")]
    Required { field: Field },
    #[error("{field:?}: too long ({len} > {max} characters)")]
    TooLong { field: Field, len: usize, max: usize },
    #[error("{field:?}: not a valid date and time")]
    InvalidDateTime { field: Field },
    #[error("{field:?}: outside the years Reserv accepts")]
    ImplausibleDate { field: Field },
    /// A year typed with more than four digits.
    #[error("{field:?}: the year has more than four digits")]
    YearTooLong { field: Field },
    #[error("{field:?}: must be after the start")]
    EndBeforeStart { field: Field },
    #[error("{field:?}: lies in the future")]
    InFuture { field: Field },
    #[error("{field:?}: unknown value {value:?}")]
    UnknownValue { field: Field, value: String },
    #[error("the outage has already ended")]
    AlreadyEnded,
    #[error("nothing to change")]
    NothingChanged,
    #[error("{field:?}: {message}")]
    Invalid { field: Field, message: String },
    /// A patient identity (personnummer, samordningsnummer or reserve number)
    /// broke one of its rules; the problem says which, precisely.
    #[error("{field:?}: {problem}")]
    InvalidPatientId { field: Field, problem: crate::identity::PatientIdProblem },
    #[error("the work item is already done or skipped")]
    WorkItemResolved,
    #[error("the work item is still open")]
    WorkItemOpen,
    #[error("the outage has not ended")]
    OutageNotEnded,
    #[error("no back-entry policy for system {system}")]
    NoBackEntryPolicy { system: String },
    /// A free text looks as if it holds a personnummer or samordningsnummer
    /// where no patient identity belongs (a deviation report).
    #[error("{field:?}: contains a personal identity number")]
    ContainsPersonalNumber { field: Field },
    /// A checklist step of a phase that has not come yet (after restore
    /// while the outage is ongoing, during before it has started).
    #[error("the checklist step cannot be ticked yet")]
    StepNotYet,
    /// Not an e-mail address Reserv can send to.
    #[error("{field:?}: not a valid e-mail address")]
    InvalidEmail { field: Field },
    /// A SIP meeting dated before the SIP's initiative.
    #[error("{field:?}: the SIP meeting lies before the initiative")]
    SipMeetingBeforeInitiative { field: Field },
    /// A SIP plan (goals, activities) without a meeting held.
    #[error("{field:?}: a SIP plan needs a meeting held")]
    SipPlanWithoutMeeting { field: Field },
}

impl DomainError {
    /// The field the error is about, if any.
    pub fn field(&self) -> Option<Field> {
        match self {
            DomainError::InvalidId { field, .. }
            | DomainError::Required { field }
            | DomainError::TooLong { field, .. }
            | DomainError::InvalidDateTime { field }
            | DomainError::ImplausibleDate { field }
            | DomainError::YearTooLong { field }
            | DomainError::EndBeforeStart { field }
            | DomainError::InFuture { field }
            | DomainError::UnknownValue { field, .. }
            | DomainError::Invalid { field, .. }
            | DomainError::InvalidPatientId { field, .. }
            | DomainError::ContainsPersonalNumber { field }
            | DomainError::InvalidEmail { field }
            | DomainError::SipMeetingBeforeInitiative { field }
            | DomainError::SipPlanWithoutMeeting { field } => Some(*field),
            DomainError::AlreadyEnded
            | DomainError::NothingChanged
            | DomainError::WorkItemResolved
            | DomainError::WorkItemOpen
            | DomainError::OutageNotEnded
            | DomainError::NoBackEntryPolicy { .. }
            | DomainError::StepNotYet => None,
        }
    }

    /// A stable code for the API; never changes once published.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::InvalidId { .. } => "invalid_id",
            DomainError::Required { .. } => "required",
            DomainError::TooLong { .. } => "text_too_long",
            DomainError::InvalidDateTime { .. } => "invalid_datetime",
            DomainError::ImplausibleDate { .. } => "implausible_date",
            DomainError::YearTooLong { .. } => "year_too_long",
            DomainError::EndBeforeStart { .. } => "end_before_start",
            DomainError::InFuture { .. } => "in_future",
            DomainError::UnknownValue { .. } => "unknown_value",
            DomainError::AlreadyEnded => "outage_already_ended",
            DomainError::NothingChanged => "nothing_changed",
            DomainError::Invalid { .. } => "invalid",
            DomainError::InvalidPatientId { problem, .. } => problem.code(),
            DomainError::WorkItemResolved => "work_item_resolved",
            DomainError::WorkItemOpen => "work_item_open",
            DomainError::OutageNotEnded => "outage_not_ended",
            DomainError::NoBackEntryPolicy { .. } => "no_backentry_policy",
            DomainError::ContainsPersonalNumber { .. } => "contains_personal_number",
            DomainError::InvalidEmail { .. } => "invalid_email",
            DomainError::StepNotYet => "checklist_step_not_yet",
            DomainError::SipMeetingBeforeInitiative { .. } => "sip_meeting_before_initiative",
            DomainError::SipPlanWithoutMeeting { .. } => "sip_plan_without_meeting",
        }
    }

    /// The message for a person using the Swedish UI; it names the field.
    pub fn message_sv(&self) -> String {
        let f = self.field().map(Field::label_sv).unwrap_or("");
        match self {
            DomainError::InvalidId { value, .. } => {
                format!("{f}: ”{value}” finns inte eller är ogiltigt.")
            }
            DomainError::Required { .. } => format!("{f}: fältet måste fyllas i."),
            DomainError::TooLong { len, max, .. } => {
                format!("{f}: texten är för lång ({len} tecken, högst {max}).")
            }
            DomainError::InvalidDateTime { .. } => {
                format!("{f}: ogiltigt datum eller klockslag (ange ÅÅÅÅ-MM-DD TT:MM).")
            }
            DomainError::ImplausibleDate { .. } => {
                format!("{f}: datumet är orimligt (år 2000–2099 godtas).")
            }
            DomainError::YearTooLong { .. } => {
                format!("{f}: året har fler än fyra siffror. Skriv året med fyra siffror, till exempel 2026.")
            }
            DomainError::EndBeforeStart { .. } => format!("{f}: måste vara efter starttiden."),
            DomainError::InFuture { .. } => {
                format!("{f}: tiden ligger i framtiden. Ange en tid som redan har varit.")
            }
            DomainError::UnknownValue { value, .. } => format!("{f}: okänt värde ”{value}”."),
            DomainError::AlreadyEnded => "Avbrottet är redan avslutat och kan inte ändras.".into(),
            DomainError::NothingChanged => "Inget att ändra: ange minst ett nytt värde.".into(),
            DomainError::Invalid { message, .. } => format!("{f}: {message}"),
            DomainError::InvalidPatientId { problem, .. } => {
                format!("{f}: {}", problem.message_sv())
            }
            DomainError::WorkItemResolved => {
                "Raden är redan markerad som klar eller överhoppad. Återöppna den först om den ska ändras.".into()
            }
            DomainError::WorkItemOpen => "Raden är inte klar eller överhoppad, så den kan inte återöppnas.".into(),
            DomainError::OutageNotEnded => {
                "Avbrottet pågår fortfarande. Arbetslistan för efterregistrering skapas när systemet är i drift igen."
                    .into()
            }
            DomainError::NoBackEntryPolicy { system } => {
                format!("Ingen policy för efterregistrering är inställd för systemet ”{system}”.")
            }
            DomainError::InvalidEmail { .. } => "Ange en giltig e-postadress, till exempel namn@exempel.se.".into(),
            DomainError::ContainsPersonalNumber { .. } => format!(
                "{f}: texten ser ut att innehålla ett personnummer eller samordningsnummer. \
                 Skriv utan att identifiera patienten; identiteten hör hemma i journalen."
            ),
            DomainError::StepNotYet => "Steget väntar: det kan bockas av först när dess fas har börjat \
                 (stegen efter återstart när systemet är i drift igen)."
                .into(),
            DomainError::SipMeetingBeforeInitiative { .. } => {
                format!("{f}: mötet kan inte ha hållits före dagen då SIP:en initierades.")
            }
            DomainError::SipPlanWithoutMeeting { .. } => format!(
                "{f}: en SIP-plan görs på SIP-mötet. Ange dagen då mötet hölls, eller ta bort mål och aktiviteter."
            ),
        }
    }

    /// The message for a person using the English UI.
    pub fn message_en(&self) -> String {
        let f = self.field().map(Field::label_en).unwrap_or("");
        match self {
            DomainError::InvalidId { value, .. } => {
                format!("{f}: “{value}” does not exist or is invalid.")
            }
            DomainError::Required { .. } => format!("{f}: this field is required."),
            DomainError::TooLong { len, max, .. } => {
                format!("{f}: the text is too long ({len} characters, at most {max}).")
            }
            DomainError::InvalidDateTime { .. } => {
                format!("{f}: not a valid date and time (use YYYY-MM-DD HH:MM).")
            }
            DomainError::ImplausibleDate { .. } => {
                format!("{f}: implausible date (years 2000–2099 are accepted).")
            }
            DomainError::YearTooLong { .. } => {
                format!("{f}: the year has more than four digits. Write the year with four digits, for example 2026.")
            }
            DomainError::EndBeforeStart { .. } => format!("{f}: must be after the start."),
            DomainError::InFuture { .. } => format!("{f}: the time lies in the future. Give a time that has passed."),
            DomainError::UnknownValue { value, .. } => format!("{f}: unknown value “{value}”."),
            DomainError::AlreadyEnded => "The outage has already ended and cannot be changed.".into(),
            DomainError::NothingChanged => "Nothing to change: give at least one new value.".into(),
            DomainError::Invalid { message, .. } => format!("{f}: {message}"),
            DomainError::InvalidPatientId { problem, .. } => {
                format!("{f}: {}", problem.message_en())
            }
            DomainError::WorkItemResolved => {
                "The line is already marked done or skipped. Reopen it first to change it.".into()
            }
            DomainError::WorkItemOpen => "The line is not done or skipped, so it cannot be reopened.".into(),
            DomainError::OutageNotEnded => {
                "The outage is still ongoing. The back-entry worklist is made when the system is back.".into()
            }
            DomainError::NoBackEntryPolicy { system } => {
                format!("No back-entry policy is set for the system “{system}”.")
            }
            DomainError::InvalidEmail { .. } => "Enter a valid e-mail address, for example name@example.com.".into(),
            DomainError::ContainsPersonalNumber { .. } => format!(
                "{f}: the text seems to contain a personal identity or coordination number. \
                 Write it without identifying the patient; the identity belongs in the health record."
            ),
            DomainError::StepNotYet => "The step is waiting: it can be ticked once its phase has begun \
                 (the steps after restore when the system is back in service)."
                .into(),
            DomainError::SipMeetingBeforeInitiative { .. } => {
                format!("{f}: the meeting cannot have been held before the day the CIP was initiated.")
            }
            DomainError::SipPlanWithoutMeeting { .. } => format!(
                "{f}: a CIP plan is made at the CIP meeting. Give the day the meeting was held, or remove the goals and activities."
            ),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Checks that a free text is present (if required) and not too long; returns it trimmed.
pub fn check_text(field: Field, text: &str, max: usize, required: bool) -> Result<String, DomainError> {
    let t = text.trim();
    if required && t.is_empty() {
        return Err(DomainError::Required { field });
    }
    let len = t.chars().count();
    if len > max {
        return Err(DomainError::TooLong { field, len, max });
    }
    Ok(t.to_owned())
}
