//! The interface texts in Swedish (first) and English. A text missing in one
//! language is a compile error, because both are values of one struct.

use reserv_core::org::{OrgKind, Role};
use reserv_core::outage::{AssessmentNote, DurationClass, OutageKind, OutageStatus, Scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Sv,
    En,
}

impl Lang {
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Sv }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Sv => &SV,
            Lang::En => &EN,
        }
    }
}

pub struct Texts {
    pub skip_to_content: &'static str,
    pub tagline: &'static str,
    pub nav_label: &'static str,
    pub nav_status: &'static str,
    pub nav_declare: &'static str,
    pub nav_systems: &'static str,
    pub nav_users: &'static str,
    pub nav_audit: &'static str,
    pub nav_public: &'static str,
    pub logged_in_as: &'static str,
    pub logout: &'static str,
    pub login: &'static str,
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub status_title: &'static str,
    pub ongoing: &'static str,
    pub upcoming: &'static str,
    pub recently_ended: &'static str,
    pub no_ongoing: &'static str,
    pub no_upcoming: &'static str,
    pub system: &'static str,
    pub kind: &'static str,
    pub scope: &'static str,
    pub start: &'static str,
    pub expected_end: &'static str,
    pub restored_at: &'static str,
    pub class: &'static str,
    pub notice: &'static str,
    pub status: &'static str,
    pub timeline: &'static str,
    pub show_timeline: &'static str,
    pub routine_applies: &'static str,
    pub routine_not_needed: &'static str,
    pub noon_warning_title: &'static str,
    pub declare_title: &'static str,
    pub declare_button: &'static str,
    pub declare_help: &'static str,
    pub times_are_local: &'static str,
    pub optional: &'static str,
    pub amend_title: &'static str,
    pub amend_help: &'static str,
    pub amend_button: &'static str,
    pub end_title: &'static str,
    pub end_button: &'static str,
    pub end_notice: &'static str,
    pub ended: &'static str,
    pub declared_by: &'static str,
    pub public_title: &'static str,
    pub public_intro: &'static str,
    pub public_none: &'static str,
    pub updated_at: &'static str,
    pub systems_title: &'static str,
    pub owner: &'static str,
    pub support_now: &'static str,
    pub office_hours_now: &'static str,
    pub on_call_now: &'static str,
    pub source: &'static str,
    pub users_title: &'static str,
    pub new_user: &'static str,
    pub display_name: &'static str,
    pub organisation: &'static str,
    pub role: &'static str,
    pub create_user: &'static str,
    pub user_created: &'static str,
    pub audit_title: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub action: &'static str,
    pub target: &'static str,
    pub origin: &'static str,
    pub detail: &'static str,
    pub older: &'static str,
    pub error_title: &'static str,
    pub back_home: &'static str,
    pub csrf_refused: &'static str,
    pub not_found: &'static str,
    pub fix_errors: &'static str,
    pub language: &'static str,
    pub footer: &'static str,
    pub nav_episodes: &'static str,
    pub nav_gaps: &'static str,
    pub episodes_title: &'static str,
    pub episodes_intro: &'static str,
    pub no_episodes: &'static str,
    pub register_episode: &'static str,
    pub patient: &'static str,
    pub patient_id_label: &'static str,
    pub reserve_label: &'static str,
    pub reserve_flag: &'static str,
    pub ward: &'static str,
    pub home_municipality: &'static str,
    pub primary_care_label: &'static str,
    pub outpatient_psychiatry_label: &'static str,
    pub none_option: &'static str,
    pub admitted_at: &'static str,
    pub expected_discharge: &'static str,
    pub ready_at: &'static str,
    pub discharged_at: &'static str,
    pub designated_care_contact: &'static str,
    pub existed_before: &'static str,
    pub open_gaps: &'static str,
    pub gaps_count: &'static str,
    pub no_gaps: &'static str,
    pub discharge_warning: &'static str,
    pub log: &'static str,
    pub when_call: &'static str,
    pub signature: &'static str,
    pub spoke_with: &'static str,
    pub counterpart_org: &'static str,
    pub counterpart_name: &'static str,
    pub counterpart_role: &'static str,
    pub direction: &'static str,
    pub given: &'static str,
    pub received: &'static str,
    pub channel: &'static str,
    pub information: &'static str,
    pub comment: &'static str,
    pub save_call: &'static str,
    pub new_call: &'static str,
    pub correcting: &'static str,
    pub correct: &'static str,
    pub corrected: &'static str,
    pub no_entries: &'static str,
    pub update_episode: &'static str,
    pub save: &'static str,
    pub print_log: &'static str,
    pub handover_log: &'static str,
    pub blank_form: &'static str,
    pub blank_form_intro: &'static str,
    pub gaps_title: &'static str,
    pub gaps_intro: &'static str,
    pub since: &'static str,
    pub from_to: &'static str,
    pub routine: &'static str,
    pub source_sentence: &'static str,
    pub entries_count: &'static str,
    pub print_blank: &'static str,
}

pub static SV: Texts = Texts {
    skip_to_content: "Hoppa till innehållet",
    tagline: "Reservrutiner vid driftstopp",
    nav_label: "Huvudmeny",
    nav_status: "Driftläge",
    nav_declare: "Registrera avbrott",
    nav_systems: "System och support",
    nav_users: "Användare",
    nav_audit: "Granskningslogg",
    nav_public: "Publik driftinformation",
    logged_in_as: "Inloggad som",
    logout: "Logga ut",
    login: "Logga in",
    login_title: "Logga in i Reserv",
    login_intro: "Reserv hjälper vården att arbeta säkert när ett vårdsystem står still, och att efterregistrera rätt när det är åter i drift.",
    username: "Användarnamn",
    password: "Lösenord",
    status_title: "Driftläge",
    ongoing: "Pågående avbrott",
    upcoming: "Planerade avbrott",
    recently_ended: "Nyligen avslutade",
    no_ongoing: "Inga pågående avbrott.",
    no_upcoming: "Inga planerade avbrott.",
    system: "System",
    kind: "Typ av avbrott",
    scope: "Berörda huvudmän",
    start: "Start",
    expected_end: "Beräknat slut",
    restored_at: "Åter i drift",
    class: "Bedömning",
    notice: "Driftinformation",
    status: "Status",
    timeline: "Tidslinje",
    show_timeline: "Visa tidslinjen",
    routine_applies: "Avbrottsrutinen ska användas.",
    routine_not_needed: "Kort avbrott: bedöms påverka verksamheten försumbart.",
    noon_warning_title: "Varning: brytpunktstiden kl. 12.00",
    declare_title: "Registrera avbrott",
    declare_button: "Registrera avbrott",
    declare_help: "Ange vilket system som står still, om stoppet är planerat, vilka huvudmän som berörs och tiderna. Reserv bedömer om avbrottsrutinen ska användas.",
    times_are_local: "Tider anges i svensk tid.",
    optional: "valfritt",
    amend_title: "Uppdatera avbrottet",
    amend_help: "Fyll bara i det som ändras.",
    amend_button: "Spara ändringen",
    end_title: "Avsluta avbrottet",
    end_button: "Avsluta avbrott",
    end_notice: "Meddelande vid driftstart",
    ended: "Avslutat",
    declared_by: "Registrerat av",
    public_title: "Driftinformation",
    public_intro: "Pågående och planerade driftstopp i vårdens system. Sidan innehåller inga patientuppgifter.",
    public_none: "Inga pågående eller planerade driftstopp.",
    updated_at: "Uppdaterad",
    systems_title: "System och support",
    owner: "Ägare",
    support_now: "Felanmälan just nu",
    office_hours_now: "Dagtid (vardagar 07.30–16.30)",
    on_call_now: "Jourtid",
    source: "Källa",
    users_title: "Användare",
    new_user: "Ny användare",
    display_name: "Namn",
    organisation: "Organisation",
    role: "Roll",
    create_user: "Skapa användare",
    user_created: "Användaren har skapats.",
    audit_title: "Granskningslogg",
    when: "När",
    who: "Vem",
    action: "Händelse",
    target: "Gäller",
    origin: "Varifrån",
    detail: "Detaljer",
    older: "Äldre poster",
    error_title: "Något gick fel",
    back_home: "Till startsidan",
    csrf_refused: "Formuläret saknar giltig säkerhetstoken (CSRF) och togs inte emot. Inget sparades. Ladda om sidan och försök igen.",
    not_found: "Sidan eller uppgiften finns inte.",
    fix_errors: "Rätta följande och försök igen:",
    language: "Språk",
    footer: "Reserv – fungerar även när nätverket är begränsat. Skriv ut sidan om skärmarna slutar fungera.",
    nav_episodes: "Patienter",
    nav_gaps: "Saknad information",
    episodes_title: "Patienter",
    episodes_intro: "Vårdtillfällen som din organisation ingår i. Varje samtal under avbrottet loggas här i stället för på pappersblanketten.",
    no_episodes: "Inga vårdtillfällen.",
    register_episode: "Registrera vårdtillfälle",
    patient: "Patient",
    patient_id_label: "Personnummer eller samordningsnummer",
    reserve_label: "Reservnummer (identiteten är okänd)",
    reserve_flag: "Reservnummer – identiteten är okänd",
    ward: "Avdelning",
    home_municipality: "Hemkommun",
    primary_care_label: "Hälsocentral",
    outpatient_psychiatry_label: "Psykiatrisk öppenvård",
    none_option: "Ingen",
    admitted_at: "Inskriven",
    expected_discharge: "Beräknat utskrivningsdatum",
    ready_at: "Utskrivningsklar",
    discharged_at: "Utskriven",
    designated_care_contact: "Fast vårdkontakt",
    existed_before: "Fanns i samordningssystemet före avbrottet",
    open_gaps: "Saknas",
    gaps_count: "Saknas",
    no_gaps: "Alla parter har fått det de ska ha.",
    discharge_warning: "Utskriven utan bekräftelse: följande mottagare har inte bekräftat informationen som skulle lämnas före utskrivning.",
    log: "Logg",
    when_call: "Tidpunkt",
    signature: "Signatur",
    spoke_with: "Talade med",
    counterpart_org: "Organisation",
    counterpart_name: "Namn på den du talade med",
    counterpart_role: "Roll",
    direction: "Lämnat eller mottaget",
    given: "Lämnade information",
    received: "Tog emot information",
    channel: "Kanal",
    information: "Information",
    comment: "Kommentar",
    save_call: "Spara samtalet",
    new_call: "Logga ett samtal",
    correcting: "Du rättar en tidigare post. Den gamla posten finns kvar och markeras som rättad.",
    correct: "Rätta",
    corrected: "Rättad",
    no_entries: "Inga samtal loggade ännu.",
    update_episode: "Uppdatera vårdtillfället",
    save: "Spara",
    print_log: "Skriv ut loggen",
    handover_log: "Överlämningslogg",
    blank_form: "Blankett för registrering vid driftstopp",
    blank_form_intro: "Skriv ut och använd om Reserv inte går att nå. För in samtalen i Reserv när det fungerar igen.",
    gaps_title: "Saknad information",
    gaps_intro: "Information som ska ha lämnats enligt avbrottsrutinen och som ingen har loggat, äldst först.",
    since: "Sedan",
    from_to: "Från → till",
    routine: "Rutin",
    source_sentence: "Källa",
    entries_count: "Samtal",
    print_blank: "Tom blankett",
};

pub static EN: Texts = Texts {
    skip_to_content: "Skip to content",
    tagline: "Downtime continuity",
    nav_label: "Main menu",
    nav_status: "Status",
    nav_declare: "Declare outage",
    nav_systems: "Systems and support",
    nav_users: "Users",
    nav_audit: "Audit log",
    nav_public: "Public status",
    logged_in_as: "Logged in as",
    logout: "Log out",
    login: "Log in",
    login_title: "Log in to Reserv",
    login_intro: "Reserv helps care go on safely while a clinical system is down, and puts things right when it is back.",
    username: "Username",
    password: "Password",
    status_title: "Status",
    ongoing: "Ongoing outages",
    upcoming: "Planned outages",
    recently_ended: "Recently ended",
    no_ongoing: "No ongoing outages.",
    no_upcoming: "No planned outages.",
    system: "System",
    kind: "Kind of outage",
    scope: "Affected principals",
    start: "Start",
    expected_end: "Expected end",
    restored_at: "Back in service",
    class: "Assessment",
    notice: "Notice",
    status: "Status",
    timeline: "Timeline",
    show_timeline: "Show the timeline",
    routine_applies: "The downtime routine applies.",
    routine_not_needed: "Short outage: judged to affect care negligibly.",
    noon_warning_title: "Warning: the 12:00 cut-off",
    declare_title: "Declare an outage",
    declare_button: "Declare outage",
    declare_help: "Say which system is down, whether the stop is planned, which principals are affected and the times. Reserv assesses whether the downtime routine applies.",
    times_are_local: "Times are Swedish local time.",
    optional: "optional",
    amend_title: "Update the outage",
    amend_help: "Fill in only what changes.",
    amend_button: "Save the change",
    end_title: "End the outage",
    end_button: "End outage",
    end_notice: "Restore notice",
    ended: "Ended",
    declared_by: "Declared by",
    public_title: "Status",
    public_intro: "Ongoing and planned outages of clinical systems. This page holds no patient data.",
    public_none: "No ongoing or planned outages.",
    updated_at: "Updated",
    systems_title: "Systems and support",
    owner: "Owner",
    support_now: "Report a fault now",
    office_hours_now: "Office hours (weekdays 07:30–16:30)",
    on_call_now: "On-call time",
    source: "Source",
    users_title: "Users",
    new_user: "New user",
    display_name: "Name",
    organisation: "Organisation",
    role: "Role",
    create_user: "Create user",
    user_created: "The user has been created.",
    audit_title: "Audit log",
    when: "When",
    who: "Who",
    action: "Action",
    target: "Target",
    origin: "From",
    detail: "Detail",
    older: "Older records",
    error_title: "Something went wrong",
    back_home: "To the start page",
    csrf_refused: "The form lacks a valid security token (CSRF) and was refused. Nothing was saved. Reload the page and try again.",
    not_found: "The page or record does not exist.",
    fix_errors: "Correct the following and try again:",
    language: "Language",
    footer: "Reserv – works on a limited network too. Print this page if the screens stop working.",
    nav_episodes: "Patients",
    nav_gaps: "Missing information",
    episodes_title: "Patients",
    episodes_intro: "Care episodes your organisation is part of. Every call during the outage is logged here instead of on the paper form.",
    no_episodes: "No care episodes.",
    register_episode: "Register care episode",
    patient: "Patient",
    patient_id_label: "Personal identity or coordination number",
    reserve_label: "Reserve number (identity unknown)",
    reserve_flag: "Reserve number – identity unknown",
    ward: "Ward",
    home_municipality: "Home municipality",
    primary_care_label: "Primary care centre",
    outpatient_psychiatry_label: "Outpatient psychiatry",
    none_option: "None",
    admitted_at: "Admitted",
    expected_discharge: "Estimated discharge date",
    ready_at: "Ready for discharge",
    discharged_at: "Discharged",
    designated_care_contact: "Designated care contact",
    existed_before: "Existed in the coordination system before the outage",
    open_gaps: "Missing",
    gaps_count: "Missing",
    no_gaps: "Every party has what it should have.",
    discharge_warning: "Discharged without confirmation: these receivers have not confirmed the information due before discharge.",
    log: "Log",
    when_call: "Time",
    signature: "Signature",
    spoke_with: "Spoke with",
    counterpart_org: "Organisation",
    counterpart_name: "Name of the person you spoke with",
    counterpart_role: "Role",
    direction: "Given or received",
    given: "Gave information",
    received: "Received information",
    channel: "Channel",
    information: "Information",
    comment: "Comment",
    save_call: "Save the call",
    new_call: "Log a call",
    correcting: "You are correcting an earlier entry. The old entry stays, marked as corrected.",
    correct: "Correct",
    corrected: "Corrected",
    no_entries: "No calls logged yet.",
    update_episode: "Update the episode",
    save: "Save",
    print_log: "Print the log",
    handover_log: "Handover log",
    blank_form: "Downtime form",
    blank_form_intro: "Print and use if Reserv cannot be reached. Enter the calls in Reserv when it works again.",
    gaps_title: "Missing information",
    gaps_intro: "Information due under the downtime routine that nobody has logged, oldest first.",
    since: "Since",
    from_to: "From → to",
    routine: "Routine",
    source_sentence: "Source",
    entries_count: "Calls",
    print_blank: "Blank form",
};

pub fn kind_label(lang: Lang, k: OutageKind) -> &'static str {
    match (lang, k) {
        (Lang::Sv, OutageKind::Planned) => "Planerat",
        (Lang::Sv, OutageKind::Unplanned) => "Oplanerat",
        (Lang::En, OutageKind::Planned) => "Planned",
        (Lang::En, OutageKind::Unplanned) => "Unplanned",
    }
}

pub fn scope_label(lang: Lang, s: Scope) -> &'static str {
    match (lang, s) {
        (Lang::Sv, Scope::Region) => "Endast regionen",
        (Lang::Sv, Scope::Municipalities) => "Endast kommunerna",
        (Lang::Sv, Scope::Both) => "Både region och kommuner",
        (Lang::En, Scope::Region) => "The region only",
        (Lang::En, Scope::Municipalities) => "The municipalities only",
        (Lang::En, Scope::Both) => "Both region and municipalities",
    }
}

pub fn class_label(lang: Lang, c: DurationClass) -> &'static str {
    match (lang, c) {
        (Lang::Sv, DurationClass::Short) => "Kort avbrott",
        (Lang::Sv, DurationClass::Long) => "Längre avbrott",
        (Lang::Sv, DurationClass::Unknown) => "Okänd längd",
        (Lang::En, DurationClass::Short) => "Short outage",
        (Lang::En, DurationClass::Long) => "Long outage",
        (Lang::En, DurationClass::Unknown) => "Unknown length",
    }
}

pub fn status_label(lang: Lang, s: OutageStatus) -> &'static str {
    match (lang, s) {
        (Lang::Sv, OutageStatus::Upcoming) => "Planerat, ej påbörjat",
        (Lang::Sv, OutageStatus::Ongoing) => "Pågår",
        (Lang::Sv, OutageStatus::Ended) => "Avslutat",
        (Lang::En, OutageStatus::Upcoming) => "Planned, not started",
        (Lang::En, OutageStatus::Ongoing) => "Ongoing",
        (Lang::En, OutageStatus::Ended) => "Ended",
    }
}

/// Each note restates the seed sentence it comes from.
pub fn note_text(lang: Lang, n: AssessmentNote) -> &'static str {
    match (lang, n) {
        (Lang::Sv, AssessmentNote::ShortNegligible) => {
            "Korta avbrott (upp till ett par timmar) bedöms försumbart påverka verksamheten. (000, 001)"
        }
        (Lang::Sv, AssessmentNote::LongRoutineApplies) => {
            "Längre avbrott (en arbetsdag eller mer) kräver att avbrottsrutinen används, särskilt vid utskrivning och SIP. (000, 001)"
        }
        (Lang::Sv, AssessmentNote::UnknownTreatAsLong) => {
            "Sluttiden är okänd: arbeta enligt avbrottsrutinen tills annat är känt."
        }
        (Lang::Sv, AssessmentNote::NoonCutoff) => {
            "Avbrottet ligger nära kl. 12.00, som är en brytpunktstid i systemet: använd avbrottsrutinen trots att avbrottet är kort. (000)"
        }
        (Lang::Sv, AssessmentNote::DischargeAlwaysInform) => {
            "Vid utskrivning från sjukhus måste man alltid förvissa sig om att mottagande enheter är underrättade. (000, 001)"
        }
        (Lang::Sv, AssessmentNote::MunicipalitiesOnly) => {
            "Stopp för enbart kommunerna: regionen ser fortfarande översiktsbilden; kommunen loggar in via internetlänken i sin lokala avbrottsrutin. (000)"
        }
        (Lang::En, AssessmentNote::ShortNegligible) => {
            "Short outages (up to a couple of hours) are judged to affect care negligibly. (000, 001)"
        }
        (Lang::En, AssessmentNote::LongRoutineApplies) => {
            "Long outages (a working day or more) require the downtime routine, above all at discharge and for SIP. (000, 001)"
        }
        (Lang::En, AssessmentNote::UnknownTreatAsLong) => {
            "The end is unknown: work by the downtime routine until it is known."
        }
        (Lang::En, AssessmentNote::NoonCutoff) => {
            "The outage is close to 12:00, a cut-off time in the system: use the downtime routine although the outage is short. (000)"
        }
        (Lang::En, AssessmentNote::DischargeAlwaysInform) => {
            "At discharge from hospital, always make sure the receiving units have been informed. (000, 001)"
        }
        (Lang::En, AssessmentNote::MunicipalitiesOnly) => {
            "Stop for the municipalities only: the region still sees the overview; the municipality logs in through the internet link of its local routine. (000)"
        }
    }
}

pub fn role_label(lang: Lang, r: Role) -> &'static str {
    match lang {
        Lang::Sv => r.label_sv(),
        Lang::En => r.label_en(),
    }
}

pub fn org_kind_label(lang: Lang, k: OrgKind) -> &'static str {
    match lang {
        Lang::Sv => k.label_sv(),
        Lang::En => k.label_en(),
    }
}

pub fn party_label(lang: Lang, p: reserv_core::handover::Party) -> &'static str {
    use reserv_core::handover::Party;
    match (lang, p) {
        (Lang::Sv, Party::Ward) => "Avdelningen",
        (Lang::Sv, Party::Municipality) => "Kommunen",
        (Lang::Sv, Party::PrimaryCare) => "Hälsocentralen",
        (Lang::Sv, Party::OutpatientPsychiatry) => "Psykiatrisk öppenvård",
        (Lang::En, Party::Ward) => "The ward",
        (Lang::En, Party::Municipality) => "The municipality",
        (Lang::En, Party::PrimaryCare) => "Primary care",
        (Lang::En, Party::OutpatientPsychiatry) => "Outpatient psychiatry",
    }
}

pub fn message_label(lang: Lang, m: reserv_core::handover::MessageType) -> &'static str {
    use reserv_core::handover::MessageType as M;
    match lang {
        Lang::Sv => match m {
            M::Admission => "Inskrivning",
            M::EstimatedDischargeDate => "Beräknat utskrivningsdatum",
            M::PlanningInformation => "Planeringsunderlag",
            M::DischargeReport => "Utskrivningsrapport",
            M::ReadyForDischarge => "Utskrivningsklar",
            M::CurrentServices => "Aktuella insatser",
            M::MunicipalityReady => "Kommunklar",
            M::DesignatedCareContact => "Fast vårdkontakt",
            M::SipNeed => "Behov av SIP",
            M::SipInitiative => "SIP-initiativ",
            M::SipInvitation => "Kallelse till SIP",
            M::SipMeetingHeld => "SIP-möte genomfört",
            M::SipPlan => "SIP-plan",
            M::DischargeNotice => "Utskrivningsmeddelande",
            M::PatientInformation => "Patientinformation",
            M::Other => "Annat",
        },
        Lang::En => match m {
            M::Admission => "Admission",
            M::EstimatedDischargeDate => "Estimated discharge date",
            M::PlanningInformation => "Planning information",
            M::DischargeReport => "Discharge report",
            M::ReadyForDischarge => "Ready for discharge",
            M::CurrentServices => "Current services",
            M::MunicipalityReady => "Municipality ready",
            M::DesignatedCareContact => "Designated care contact",
            M::SipNeed => "Need of a SIP",
            M::SipInitiative => "SIP initiative",
            M::SipInvitation => "SIP invitation",
            M::SipMeetingHeld => "SIP meeting held",
            M::SipPlan => "SIP plan",
            M::DischargeNotice => "Discharge notice",
            M::PatientInformation => "Patient information",
            M::Other => "Other",
        },
    }
}

pub fn channel_label(lang: Lang, c: reserv_core::episode::Channel) -> &'static str {
    use reserv_core::episode::Channel;
    match (lang, c) {
        (Lang::Sv, Channel::Phone) => "Telefon",
        (Lang::Sv, Channel::InPerson) => "Personligen",
        (Lang::Sv, Channel::Other) => "Annat",
        (Lang::En, Channel::Phone) => "Phone",
        (Lang::En, Channel::InPerson) => "In person",
        (Lang::En, Channel::Other) => "Other",
    }
}
