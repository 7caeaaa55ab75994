//! Demo mode: synthetic data for trying Reserv, loaded idempotently. Region
//! Västernorrland's directory (seed 001's municipalities and switchboards),
//! one account per role, and — only into an empty register — an ongoing and
//! a planned outage. Never used outside `--demo`.

use jiff::SignedDuration;

use reserv_core::org::Role;
use reserv_core::time::format_input;

use crate::outages::DeclareInput;
use crate::users::NewUserInput;
use crate::{Actor, App, AppError, Origin};

/// The password of every demo account; printed on start and in README.md.
pub const DEMO_PASSWORD: &str = "reserv-demo";

/// The demo accounts: username, display name, organisation, role.
pub const DEMO_ACCOUNTS: [(&str, &str, &str, Role); 5] = [
    (
        "demo-clinician",
        "Demo Sjuksköterska",
        "rvn-sundsvall-avd-medicin-3",
        Role::Clinician,
    ),
    (
        "demo-manager",
        "Demo Enhetschef",
        "rvn-sundsvall-avd-medicin-3",
        Role::UnitManager,
    ),
    ("demo-it", "Demo IT-förvaltning", "rvn-it", Role::It),
    (
        "demo-admin",
        "Demo Systemförvaltare",
        "rvn-it",
        Role::SystemAdministrator,
    ),
    ("demo-auditor", "Demo Granskare", "rvn", Role::Auditor),
];

/// Loads the demo data; safe to run on every start.
pub async fn load(app: &App, directory_text: &str) -> Result<(), AppError> {
    let origin = Origin("demo".into());
    app.import_directory(directory_text, Actor::System("demo"), &origin)
        .await?;
    for (username, name, org, role) in DEMO_ACCOUNTS {
        if app.store.user_by_username(username).await?.is_none() {
            let input = NewUserInput {
                username: username.into(),
                display_name: name.into(),
                org: org.into(),
                role: role.key().into(),
                password: DEMO_PASSWORD.into(),
            };
            app.create_user(None, input, &origin).await?;
        }
    }
    if app.store.all_outage_events().await?.is_empty() {
        let it = app
            .store
            .user_by_username("demo-it")
            .await?
            .ok_or(AppError::NotFound)?;
        let now = app.now();
        let ongoing = DeclareInput {
            system: "municipal-record".into(),
            kind: "unplanned".into(),
            scope: "municipalities".into(),
            start: format_input(now - SignedDuration::from_mins(90)),
            expected_end: Some(format_input(now + SignedDuration::from_hours(4))),
            notice: "Övning i demoläge: kommunernas journalsystem går inte att nå. Använd utskrivna att göra-listor."
                .into(),
        };
        app.declare_as(&it, &origin, ongoing).await?;
        let next_week = now + SignedDuration::from_hours(24 * 7);
        let planned = DeclareInput {
            system: "lifecare-sp".into(),
            kind: "planned".into(),
            scope: "both".into(),
            start: format!("{}T18:00", &format_input(next_week)[..10]),
            expected_end: Some(format!("{}T20:00", &format_input(next_week)[..10])),
            notice:
                "Demo: planerad uppgradering av Lifecare SP. Avbrottsrutinen gäller under stoppet."
                    .into(),
        };
        app.declare_as(&it, &origin, planned).await?;
    }
    Ok(())
}
