//! Demo mode: synthetic data for trying Reserv, loaded idempotently. Region
//! Västernorrland's directory (seed 001's municipalities and switchboards),
//! one account per role, and — only into an empty register — an ongoing and
//! a planned outage. Never used outside `--demo`.

use jiff::SignedDuration;

use reserv_core::org::Role;
use reserv_core::time::format_input;

use reserv_core::ids::EpisodeId;
use reserv_store::SessionKind;

use crate::episodes::{EntryInput, RegisterInput, UpdateInput};
use crate::outages::DeclareInput;
use crate::users::NewUserInput;
use crate::{Actor, App, AppError, Origin, Principal};

/// The password of every demo account; printed on start and in README.md.
pub const DEMO_PASSWORD: &str = "reserv-demo";

/// The demo accounts: username, display name, organisation, role.
pub const DEMO_ACCOUNTS: [(&str, &str, &str, Role); 9] = [
    ("demo-psyk", "Demo Sjuksköterska Psykiatri", "rvn-sundsvall-avd-psykiatri-1", Role::Clinician),
    ("demo-kommun", "Demo Biståndshandläggare", "kommun-timra", Role::Clinician),
    ("demo-hc", "Demo Distriktssköterska", "rvn-hc-timra", Role::Clinician),
    ("demo-clinician", "Demo Sjuksköterska", "rvn-sundsvall-avd-medicin-3", Role::Clinician),
    ("demo-manager", "Demo Enhetschef", "rvn-sundsvall-avd-medicin-3", Role::UnitManager),
    ("demo-it", "Demo IT-förvaltning", "rvn-it", Role::It),
    ("demo-admin", "Demo Systemförvaltare", "rvn-it", Role::SystemAdministrator),
    ("demo-auditor", "Demo Granskare", "rvn", Role::Auditor),
    ("demo-auditor-kommun", "Demo Granskare Timrå kommun", "kommun-timra", Role::Auditor),
];

/// The routine roles each demo account works as (their checklists); an
/// account not listed has none (its organisation's default applies).
pub const DEMO_ROUTINE_ROLES: [(&str, &[&str]); 7] = [
    ("demo-clinician", &["nurse", "inpatient_care"]),
    ("demo-psyk", &["nurse", "inpatient_care"]),
    ("demo-kommun", &["municipality"]),
    ("demo-hc", &["primary_care", "nurse"]),
    ("demo-manager", &["unit_manager", "inpatient_care"]),
    ("demo-it", &["it"]),
    ("demo-admin", &["it"]),
];

fn demo_routine_roles(username: &str) -> Vec<String> {
    DEMO_ROUTINE_ROLES
        .iter()
        .find(|(u, _)| *u == username)
        .map(|(_, roles)| roles.iter().map(|r| (*r).to_owned()).collect())
        .unwrap_or_default()
}

/// Loads the demo data; safe to run on every start.
pub async fn load(app: &App, directory_text: &str) -> Result<(), AppError> {
    let origin = Origin("demo".into());
    app.import_directory(directory_text, Actor::System("demo"), &origin).await?;
    // One hash for the one demo password (a fresh salt per start, shared by the accounts).
    let mut hash: Option<String> = None;
    for (username, name, org, role) in DEMO_ACCOUNTS {
        if app.store.user_by_username(username).await?.is_none() {
            if hash.is_none() {
                hash = Some(crate::auth::hash_password(DEMO_PASSWORD.into()).await?);
            }
            let input = NewUserInput {
                username: username.into(),
                display_name: name.into(),
                org: org.into(),
                role: role.key().into(),
                password: DEMO_PASSWORD.into(),
                routine_roles: demo_routine_roles(username),
            };
            app.create_user_with_hash(None, input, hash.clone(), &origin).await?;
        }
    }
    if !app.store.has_outages().await? {
        let it = app.store.user_by_username("demo-it").await?.ok_or(AppError::NotFound)?;
        let now = app.now();
        let ongoing = DeclareInput {
            system: "lifecare-sp".into(),
            kind: "unplanned".into(),
            scope: "both".into(),
            start: format_input(now - SignedDuration::from_hours(3)),
            expected_end: Some(format_input(now + SignedDuration::from_hours(5))),
            notice: "Demo: Lifecare SP går inte att nå. Använd avbrottsrutinen och logga varje samtal i Reserv.".into(),
            public_notice: "Samordningssystemet för utskrivning är inte tillgängligt. Vården fortsätter som vanligt; \
                            sjukhus, kommun och hälsocentral håller kontakt per telefon."
                .into(),
            drill: false,
            confirm_same_system: true,
        };
        app.declare_as(&it, &origin, ongoing).await?;
        let next_week = now + SignedDuration::from_hours(24 * 7);
        let planned = DeclareInput {
            system: "municipal-record".into(),
            kind: "planned".into(),
            scope: "municipalities".into(),
            start: format!("{}T18:00", &format_input(next_week)[..10]),
            expected_end: Some(format!("{}T20:00", &format_input(next_week)[..10])),
            notice: "Demo: planerad uppgradering av kommunernas journalsystem. Skriv ut att göra-listorna innan."
                .into(),
            public_notice: "Planerat underhåll av kommunernas journalsystem kl. 18–20.".into(),
            drill: false,
            confirm_same_system: true,
        };
        app.declare_as(&it, &origin, planned).await?;
        // Last week's outage, ended: its back-entry worklists are ready to work through.
        let start = now - SignedDuration::from_hours(7 * 24 + 6);
        let ended = DeclareInput {
            system: "lifecare-sp".into(),
            kind: "unplanned".into(),
            scope: "both".into(),
            start: format_input(start),
            expected_end: None,
            notice: "Demo: avbrott i Lifecare SP förra veckan. Efterregistrera enligt arbetslistan.".into(),
            public_notice: String::new(),
            drill: false,
            confirm_same_system: true,
        };
        let v = app.declare_as(&it, &origin, ended).await?;
        let p = as_user(app, "demo-it", &origin).await?;
        let restored = format_input(start + SignedDuration::from_hours(6));
        app.end_outage(&p, v.outage.id, &restored, Some("Demo: Lifecare SP är i drift igen.".into())).await?;
        app.logout(&p).await?;
    }
    if !app.store.has_episodes().await? {
        load_episodes(app, &origin).await?;
    }
    Ok(())
}

async fn as_user(app: &App, username: &str, origin: &Origin) -> Result<Principal, AppError> {
    let s = app.login(username, DEMO_PASSWORD, SessionKind::Api, origin).await?;
    app.authenticate(&s.token, SessionKind::Api, origin.clone()).await
}

fn ago(app: &App, minutes: i64) -> String {
    format_input(app.now() - SignedDuration::from_mins(minutes))
}

struct Call<'a> {
    by: &'a Principal,
    minutes_ago: i64,
    name: &'a str,
    role: &'a str,
    org: &'a str,
    direction: &'a str,
    messages: &'a [&'a str],
    comment: &'a str,
}

async fn call(app: &App, episode: EpisodeId, c: Call<'_>) -> Result<(), AppError> {
    let input = EntryInput {
        at: Some(ago(app, c.minutes_ago)),
        counterpart_name: c.name.into(),
        counterpart_role: c.role.into(),
        counterpart_org: c.org.into(),
        direction: c.direction.into(),
        channel: None,
        messages: c.messages.iter().map(|m| m.to_string()).collect(),
        comment: c.comment.into(),
        supersedes: None,
        paper_signer: None,
    };
    app.log_call(c.by, episode, input).await.map(|_| ())
}

/// Synthetic episodes on the demo wards, with Skatteverket-style test numbers
/// (birth numbers 980–989, never issued to real people): some handovers
/// complete, some with gaps, one discharged with unconfirmed information.
async fn load_episodes(app: &App, origin: &Origin) -> Result<(), AppError> {
    let ward = as_user(app, "demo-clinician", origin).await?;
    let psych = as_user(app, "demo-psyk", origin).await?;
    let kommun = as_user(app, "demo-kommun", origin).await?;
    let hc = as_user(app, "demo-hc", origin).await?;
    let register = |patient: &str, reserve: bool, municipality: &str, primary_care: &str, minutes: i64| RegisterInput {
        patient_id: patient.into(),
        reserve_number: reserve,
        municipality: municipality.into(),
        primary_care: primary_care.into(),
        outpatient_psychiatry: None,
        admitted_at: ago(app, minutes),
        expected_discharge: None,
        existed_before_outage: minutes > 180,
    };
    // Admitted during the outage; every party told and answered.
    let a = app.register_episode(&ward, register("19380412-9819", false, "kommun-timra", "rvn-hc-timra", 120)).await?;
    let id = a.episode.id;
    let both = ["admission"];
    call(
        app,
        id,
        Call {
            by: &ward,
            minutes_ago: 110,
            name: "Demo Handläggare",
            role: "biståndshandläggare",
            org: "kommun-timra",
            direction: "given",
            messages: &both,
            comment: "Via växeln.",
        },
    )
    .await?;
    call(
        app,
        id,
        Call {
            by: &ward,
            minutes_ago: 105,
            name: "Demo Distriktssköterska",
            role: "fast vårdkontakt",
            org: "rvn-hc-timra",
            direction: "given",
            messages: &both,
            comment: "",
        },
    )
    .await?;
    call(
        app,
        id,
        Call {
            by: &kommun,
            minutes_ago: 90,
            name: "Demo Sjuksköterska",
            role: "sjuksköterska",
            org: "rvn-sundsvall-avd-medicin-3",
            direction: "given",
            messages: &["current_services"],
            comment: "Hemtjänst fyra gånger per dag.",
        },
    )
    .await?;
    call(
        app,
        id,
        Call {
            by: &hc,
            minutes_ago: 80,
            name: "Demo Sjuksköterska",
            role: "sjuksköterska",
            org: "rvn-sundsvall-avd-medicin-3",
            direction: "given",
            messages: &["designated_care_contact", "current_services"],
            comment: "",
        },
    )
    .await?;
    // In hospital since before the outage; primary care not told yet.
    let mut b = register("19410923-9824", false, "kommun-timra", "rvn-hc-timra", 2 * 24 * 60);
    b.expected_discharge = Some(format_input(app.now() + SignedDuration::from_hours(24))[..10].to_owned());
    let b = app.register_episode(&ward, b).await?;
    call(
        app,
        b.episode.id,
        Call {
            by: &ward,
            minutes_ago: 60,
            name: "Demo Handläggare",
            role: "biståndshandläggare",
            org: "kommun-timra",
            direction: "given",
            messages: &["admission", "estimated_discharge_date"],
            comment: "Primärvården svarar inte, ring igen.",
        },
    )
    .await?;
    // Ready and discharged, with planning information unconfirmed at primary care.
    let c = app
        .register_episode(
            &ward,
            register("19450117-9834", false, "kommun-sundsvall", "rvn-hc-sundsvall-centrum", 26 * 60),
        )
        .await?;
    let cid = c.episode.id;
    call(
        app,
        cid,
        Call {
            by: &ward,
            minutes_ago: 170,
            name: "Demo Handläggare Sundsvall",
            role: "biståndshandläggare",
            org: "kommun-sundsvall",
            direction: "given",
            messages: &["admission", "planning_information"],
            comment: "",
        },
    )
    .await?;
    let update = UpdateInput {
        ready_for_discharge_at: Some(ago(app, 60)),
        discharged_at: Some(ago(app, 30)),
        ..Default::default()
    };
    app.update_episode(&ward, cid, update).await?;
    // A psychiatric ward: outpatient psychiatry must be called too.
    let mut d = register("19470305-9842", false, "kommun-sundsvall", "rvn-hc-sundsvall-centrum", 90);
    d.outpatient_psychiatry = Some("rvn-psyk-oppenvard-sundsvall".into());
    app.register_episode(&psych, d).await?;
    // Identity unknown: a reserve number, clearly flagged.
    app.register_episode(&ward, register("RES-2026-0001", true, "kommun-timra", "rvn-hc-timra", 45)).await?;
    load_last_weeks_episodes(app, &ward).await?;
    for p in [&ward, &psych, &kommun, &hc] {
        app.logout(p).await?;
    }
    Ok(())
}

/// Four patients of last week's ended outage (started 7 days and 6 hours
/// ago, lasted 6 hours), with the calls the ward logged during it.
async fn load_last_weeks_episodes(app: &App, ward: &Principal) -> Result<(), AppError> {
    let hour = |h: i64| 60 * (7 * 24 + 6 - h);
    let register = |patient: &str, municipality: &str, primary_care: &str, minutes: i64| RegisterInput {
        patient_id: patient.into(),
        reserve_number: false,
        municipality: municipality.into(),
        primary_care: primary_care.into(),
        outpatient_psychiatry: None,
        admitted_at: ago(app, minutes),
        expected_discharge: None,
        existed_before_outage: minutes > hour(0),
    };
    let to_timra = |minutes_ago: i64, messages: &'static [&'static str]| Call {
        by: ward,
        minutes_ago,
        name: "Demo Handläggare",
        role: "biståndshandläggare",
        org: "kommun-timra",
        direction: "given",
        messages,
        comment: "",
    };
    // Admitted before the outage, ready for discharge during it, still in hospital.
    let a = app.register_episode(ward, register("19520303-9812", "kommun-timra", "rvn-hc-timra", hour(-30))).await?;
    call(app, a.episode.id, to_timra(hour(2), &["ready_for_discharge"])).await?;
    let ready = UpdateInput { ready_for_discharge_at: Some(ago(app, hour(1) + 50)), ..Default::default() };
    app.update_episode(ward, a.episode.id, ready).await?;
    // Admitted during the outage, still in hospital.
    let b = app.register_episode(ward, register("19480611-9824", "kommun-timra", "rvn-hc-timra", hour(1))).await?;
    call(app, b.episode.id, to_timra(hour(1) - 20, &["admission"])).await?;
    let hc = Call {
        by: ward,
        minutes_ago: hour(1) - 30,
        name: "Demo Distriktssköterska",
        role: "fast vårdkontakt",
        org: "rvn-hc-timra",
        direction: "given",
        messages: &["admission"],
        comment: "",
    };
    call(app, b.episode.id, hc).await?;
    // Admitted before the outage and discharged during it.
    let c = app.register_episode(ward, register("19551120-9834", "kommun-timra", "rvn-hc-timra", hour(-72))).await?;
    call(app, c.episode.id, to_timra(hour(3), &["discharge_notice"])).await?;
    let out = UpdateInput { discharged_at: Some(ago(app, hour(3) + 10)), ..Default::default() };
    app.update_episode(ward, c.episode.id, out).await?;
    // Admitted and discharged during the outage.
    let d = app.register_episode(ward, register("19430909-9853", "kommun-timra", "rvn-hc-timra", hour(1) + 30)).await?;
    call(app, d.episode.id, to_timra(hour(2), &["admission"])).await?;
    let out = UpdateInput { discharged_at: Some(ago(app, hour(5))), ..Default::default() };
    app.update_episode(ward, d.episode.id, out).await?;
    Ok(())
}

/// The demo's recipients: synthetic people at `example.org` addresses and
/// numbers in the 070-000 series, never real ones. Demo mode writes e-mail
/// to files and has no SMS gateway, so nothing reaches anybody.
pub fn demo_recipients() -> reserv_core::outbox::Recipients {
    use reserv_core::outbox::Recipient;
    let person = |id: &str, name: &str, email: Option<&str>, phone: Option<&str>, username: Option<&str>| Recipient {
        id: id.into(),
        name: name.into(),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        username: username.map(Into::into),
    };
    [
        (
            "it-forvaltning",
            vec![
                person("demo-it", "Demo IT-förvaltning", Some("it-jour@example.org"), None, Some("demo-it")),
                person(
                    "demo-admin",
                    "Demo Systemförvaltare",
                    Some("systemforvaltare@example.org"),
                    None,
                    Some("demo-admin"),
                ),
            ],
        ),
        (
            "enhetschefer",
            vec![person("demo-manager", "Demo Enhetschef", None, Some("070-000 00 01"), Some("demo-manager"))],
        ),
        (
            "kommun-timra",
            vec![person("timra-bistand", "Biståndshandläggare Timrå (demo)", None, Some("070-000 00 02"), None)],
        ),
        (
            "krisledning",
            vec![person(
                "tjansteman-i-beredskap",
                "Tjänsteman i beredskap (demo)",
                Some("tib@example.org"),
                None,
                None,
            )],
        ),
        ("samverkan", vec![person("samverkan", "Samverkansfunktion (demo, saknar adress)", None, None, None)]),
    ]
    .into_iter()
    .map(|(g, people)| (g.to_owned(), people))
    .collect()
}

/// Enqueues the demo's notification messages for the ongoing Lifecare SP
/// outage (idempotent): an e-mail to IT (written to a file, with a working
/// acknowledgement link), an SMS to the unit manager (fails visibly: no SMS
/// gateway in demo mode), a phone task for the municipality, a message to a
/// group without an address (fails visibly), and an escalation that goes
/// out only if IT has not acknowledged within 30 minutes.
pub async fn load_messages(app: &App) -> Result<usize, AppError> {
    use reserv_core::outbox::{Channel, Planned};
    let Some(v) =
        app.outages().await?.into_iter().find(|v| {
            v.status == reserv_core::outage::OutageStatus::Ongoing && v.outage.system.as_str() == "lifecare-sp"
        })
    else {
        return Ok(0);
    };
    let start = v.outage.start;
    let since = reserv_core::time::format_local(start);
    let subject = "Driftstörning: Lifecare SP går inte att nå".to_owned();
    let body = format!(
        "Lifecare SP går inte att nå sedan {since}. Använd avbrottsrutinen (rutin 001): ring i stället för att skicka \
         meddelanden, och logga varje samtal i Reserv.\n\nDetta är ett demomeddelande från Reserv."
    );
    let plan = |key: &str, channel: Channel, group: &str, due, unless: Option<&str>| Planned {
        key: key.into(),
        rule: key.split(':').nth(1).unwrap_or(key).into(),
        cite: "Rutin 001, avsnitt Information vid driftstopp (demo)".into(),
        channel,
        sender: "it".into(),
        group: group.into(),
        due_at: due,
        subject: subject.clone(),
        body: body.clone(),
        unless_acknowledged: unless.map(Into::into),
    };
    let soon = app.now() + SignedDuration::from_mins(30);
    let planned = vec![
        plan("demo-it:it-forvaltning:1", Channel::Email, "it-forvaltning", start, None),
        plan("demo-chef:enhetschefer:1", Channel::Sms, "enhetschefer", start, None),
        plan("demo-kommun:kommun-timra:1", Channel::PhoneTask, "kommun-timra", start, None),
        plan("demo-samverkan:samverkan:1", Channel::Email, "samverkan", start, None),
        plan("demo-it:krisledning:2", Channel::Email, "krisledning", soon, Some("demo-it:it-forvaltning:1")),
    ];
    app.enqueue_messages(v.outage.id, planned, Actor::System("demo"), &Origin("demo".into())).await
}
