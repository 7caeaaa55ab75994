//! The `reserv` command: serve the web UI and API, create the first
//! administrator, import a region's directory, check data files.

mod audit;
mod config;
mod notify_config;
mod plan;
mod print;
mod reconcile;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use reserv_app::users::NewUserInput;
use reserv_app::{Actor, App, Origin, Settings, SystemClock};
use reserv_core::catalogue::Catalogue;
use reserv_core::directory::parse_directory;
use reserv_store_sqlite::SqliteStore;

use config::Config;

/// The built-in system catalogue (data/systems.toml).
const BUILTIN_CATALOGUE: &str = include_str!("../../../data/systems.toml");
/// The built-in routines (data/routines), used unless `routines` names a directory.
const BUILTIN_ROUTINES: &[(&str, &str)] = &[
    ("000-prator.toml", include_str!("../../../data/routines/000-prator.toml")),
    ("001-lifecare-sp.toml", include_str!("../../../data/routines/001-lifecare-sp.toml")),
    ("003-clinic24.toml", include_str!("../../../data/routines/003-clinic24.toml")),
    ("003-elvis.toml", include_str!("../../../data/routines/003-elvis.toml")),
    ("003-general.toml", include_str!("../../../data/routines/003-general.toml")),
    ("003-medspeech.toml", include_str!("../../../data/routines/003-medspeech.toml")),
    ("003-melior.toml", include_str!("../../../data/routines/003-melior.toml")),
    ("003-pmo.toml", include_str!("../../../data/routines/003-pmo.toml")),
    ("003-provisio.toml", include_str!("../../../data/routines/003-provisio.toml")),
    ("003-svarsdatabasen.toml", include_str!("../../../data/routines/003-svarsdatabasen.toml")),
    ("004-municipal-record.toml", include_str!("../../../data/routines/004-municipal-record.toml")),
];
/// The demo directory: Region Västernorrland and its municipalities.
const DEMO_DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");

#[derive(Parser)]
#[command(
    name = "reserv",
    version,
    about = "Reserv: driftstopp i vården – reservrutiner, överlämningslogg och efterregistrering"
)]
struct Cli {
    /// Configuration file (TOML); default ./reserv.toml if present.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080; port 0 picks a free port).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Data directory holding the database (default ./reserv-data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Load synthetic demo data (idempotent) and print the demo accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The organisation directory.
    Directory {
        #[command(subcommand)]
        command: DirectoryCommand,
    },
    /// The system catalogue.
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// Routines as data (data/routines).
    Routines {
        #[command(subcommand)]
        command: RoutinesCommand,
    },
    /// Notification policies as data (data/notifications).
    Notifications {
        #[command(subcommand)]
        command: NotificationsCommand,
    },
    /// Contacts and phone lists as data (data/contacts).
    Contacts {
        #[command(subcommand)]
        command: ContactsCommand,
    },
    /// Back-entry policies (data/policies).
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// The audit log's hash chain: verify it, or write a signed checkpoint of its head.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Run the back-entry engine on a file: what each party must enter, must not enter, and why.
    Reconcile {
        /// The policy file (TOML), e.g. data/policies/lifecare-sp-vasternorrland-2025.toml.
        #[arg(long, value_name = "FILE")]
        policy: PathBuf,
        /// The input file (JSON, see docs/reconcile.md).
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
        /// json, csv or pdf (printable A4 in Swedish; redirect stdout to a file).
        #[arg(long, default_value = "json", value_parser = ["json", "csv", "pdf"])]
        format: String,
    },
    /// Printouts as PDF (embedded fonts).
    Print {
        #[command(subcommand)]
        command: PrintCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the chain and report the first broken link (and checkpoints no longer held, with
    /// --checkpoints and the key in RESERV_AUDIT_KEY); exits 1 if anything is found.
    Verify {
        #[arg(long, value_name = "FILE")]
        checkpoints: Option<PathBuf>,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Append a checkpoint of each chain head to FILE, signed with the key in RESERV_AUDIT_KEY.
    /// Keep FILE outside the data directory (another disk, a log server).
    Checkpoint {
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Validate a policy: malformed, ambiguous (two rows match one case) or incomplete (a case no row covers).
    Check { file: PathBuf },
}

#[derive(Subcommand)]
enum ContactsCommand {
    /// Validate every contact file (*.toml) of a directory: phone numbers, organisations
    /// (against the directory file) and systems (against the catalogue), with file, line and reason.
    Check {
        dir: PathBuf,
        /// The organisation directory to check against (default: the configured `directory`,
        /// else the built-in demo directory).
        #[arg(long, value_name = "FILE")]
        directory: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RoutinesCommand {
    /// Validate every routine file (*.toml) of a directory against the system catalogue.
    Check { dir: PathBuf },
}

#[derive(Subcommand)]
enum NotificationsCommand {
    /// Validate a notification policy (and optionally a recipients file against it).
    Check {
        file: PathBuf,
        /// A recipients file (kept outside git) to check against the policy.
        #[arg(long, value_name = "FILE")]
        recipients: Option<PathBuf>,
    },
    /// Try a policy on an imagined outage: every message, recipient group, channel and due time
    /// (Stockholm time and UTC), with the rule and the seed sentence behind each. Nothing is sent.
    Plan {
        /// The notification policy (TOML), e.g. data/notifications/003-gavleborg.toml.
        #[arg(long, value_name = "FILE")]
        policy: PathBuf,
        /// A system id of the catalogue, e.g. melior.
        #[arg(long, value_name = "SYSTEM_ID")]
        system: String,
        /// planned or unplanned.
        #[arg(long)]
        kind: String,
        /// When the outage starts: Stockholm time (2026-06-19T10:00) or with an offset (2026-10-25T02:30+02:00).
        #[arg(long, value_name = "TIME")]
        start: String,
        /// When it is expected to end (none: unknown, counted as long).
        #[arg(long, value_name = "TIME")]
        expected_end: Option<String>,
        /// When it is declared (default: at the start if unplanned; in good time if planned).
        #[arg(long, value_name = "TIME")]
        declared_at: Option<String>,
        /// When the system is back in service (none: not yet).
        #[arg(long, value_name = "TIME")]
        restored_at: Option<String>,
        /// text (for people) or json.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
}

#[derive(Subcommand)]
enum PrintCommand {
    /// The filled handover log of one episode, or of every episode a unit is part of.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["episode", "unit"])))]
    Log {
        /// The episode's id.
        #[arg(long)]
        episode: Option<String>,
        /// An organisation id: every episode it is part of (e.g. a ward).
        #[arg(long, value_name = "ORG_ID")]
        unit: Option<String>,
        /// The PDF file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// A blank downtime form.
    BlankForm {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The one-page phone list of a unit: its own numbers, switchboards, IT support,
    /// municipalities and primary care.
    PhoneList {
        /// An organisation id of the directory, e.g. rvn-sundsvall-avd-medicin-3.
        #[arg(long, value_name = "ORG_ID")]
        unit: String,
        /// The PDF file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Every step of a system's downtime routines, by phase and area, with the document's metadata.
    Routine {
        /// A system id of the catalogue, e.g. elvis.
        #[arg(long, value_name = "SYSTEM_ID")]
        system: String,
        /// Only this role's steps (and everyone's), e.g. nurse.
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// The PDF file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (the way the first administrator is created).
    Add {
        #[arg(long)]
        username: String,
        /// Organisation id from the directory, e.g. rvn-it.
        #[arg(long, value_name = "ORG_ID")]
        org: String,
        /// clinician, unit_manager, it, system_administrator or auditor.
        #[arg(long)]
        role: String,
        /// A routine role the person works as, for their checklist (nurse,
        /// physician, medical_secretary, inpatient_care, municipality,
        /// primary_care, unit_manager, it, …); repeat for several.
        #[arg(long = "routine-role", value_name = "ROLE")]
        routine_roles: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DirectoryCommand {
    /// Validate a directory file and import it (insert or update).
    Import {
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Validate a directory file without importing it.
    Check { file: PathBuf },
}

#[derive(Subcommand)]
enum CatalogueCommand {
    /// Validate a catalogue file.
    Check { file: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reserv: fel: {e}");
            ExitCode::FAILURE
        }
    }
}

/// "1 vårdtillfälle", "2 vårdtillfällen": a count with its noun in the
/// right number (Swedish).
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

fn read_file(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("kan inte läsa {}: {e}", p.display()))
}

fn load_catalogue(c: &Config) -> Result<Catalogue, String> {
    match &c.catalogue {
        Some(p) => Catalogue::parse(&read_file(p)?).map_err(|e| format!("{}: {e}", p.display())),
        None => Catalogue::parse(BUILTIN_CATALOGUE).map_err(|e| format!("inbyggd katalog: {e}")),
    }
}

fn open_app(c: &Config) -> Result<App, String> {
    let store = SqliteStore::open(&c.data).map_err(|e| e.to_string())?;
    let settings = Settings {
        session_hours: c.session_hours,
        max_failed_logins: c.max_failed_logins,
        lockout_minutes: c.lockout_minutes,
        throttle_per_address: c.throttle_per_address,
        throttle_per_address_and_user: c.throttle_per_address_and_user,
        throttle_minutes: c.throttle_minutes,
        subscriptions_per_address: c.subscriptions_per_address,
        subscriptions_per_hour: c.subscriptions_per_hour,
        max_api_tokens: c.max_api_tokens,
        handover_routine: c.handover_routine.clone(),
        backentry_policies: c.backentry.clone(),
        payment: c.payment,
    };
    let catalogue = load_catalogue(c)?;
    let routines = load_routines(c, &catalogue)?;
    let policies = load_policies(c)?;
    for (system, id) in &c.backentry {
        if !policies.contains_key(id) {
            return Err(format!(
                "backentry.{system}: okänd policy ”{id}” (finns: {})",
                policies.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(App::new(Arc::new(store), Arc::new(SystemClock), catalogue, settings)
        .with_routines(routines)
        .with_policies(policies))
}

/// The back-entry policies of the configured directory, or the built-in ones.
fn load_policies(
    c: &Config,
) -> Result<std::collections::BTreeMap<String, Arc<reserv_core::backentry::Policy>>, String> {
    use reserv_app::worklists::{BUILTIN_POLICIES, load_policies};
    let checked = match &c.policies {
        Some(dir) => {
            let files = read_routine_dir(dir)?;
            load_policies(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        }
        None => load_policies(BUILTIN_POLICIES),
    };
    checked.map_err(|e| format!("fel i policyerna för efterregistrering:\n{e}"))
}

/// Reads the `*.toml` files of a directory (routines or policies), sorted by name.
fn read_routine_dir(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("kan inte läsa {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|x| x == "toml") {
            files.push((path.file_name().unwrap_or_default().to_string_lossy().into_owned(), read_file(&path)?));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: inga filer (*.toml)", dir.display()));
    }
    Ok(files)
}

fn routine_errors(errors: Vec<reserv_core::datafile::DataFileError>) -> String {
    let lines: Vec<String> = errors.iter().map(|e| e.message_sv()).collect();
    format!("{} fel i rutinerna:\n{}", errors.len(), lines.join("\n"))
}

/// The routines of the configured directory, or the built-in ones.
fn load_routines(c: &Config, catalogue: &Catalogue) -> Result<reserv_core::routine::RoutineSet, String> {
    match &c.routines {
        Some(dir) => {
            let files = read_routine_dir(dir)?;
            reserv_core::routine::load(files.iter().map(|(n, t)| (n.as_str(), t.as_str())), catalogue)
                .map_err(routine_errors)
        }
        None => reserv_core::routine::load(BUILTIN_ROUTINES.iter().copied(), catalogue).map_err(routine_errors),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())
}

fn run(cli: Cli) -> Result<(), String> {
    let env = |k: &str| std::env::var(k).ok();
    let mut cfg = Config::load(cli.config.as_deref(), &env)?;
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log).map_err(|e| format!("log: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve { listen, data, demo } => {
            cfg.listen = listen.unwrap_or(cfg.listen);
            cfg.data = data.unwrap_or(cfg.data);
            runtime()?.block_on(serve(cfg, demo))
        }
        Command::User {
            command: UserCommand::Add { username, org, role, routine_roles, display_name, password_stdin, data },
        } => {
            cfg.data = data.unwrap_or(cfg.data);
            let password = read_password(password_stdin)?;
            runtime()?.block_on(async {
                let app = open_app(&cfg)?;
                let input = NewUserInput {
                    username,
                    display_name: display_name.unwrap_or_default(),
                    org,
                    role,
                    password,
                    routine_roles,
                };
                let u = app.create_user(None, input, &Origin("cli".into())).await.map_err(|e| e.message_sv())?;
                println!("Användaren {} skapades ({}, {}).", u.username, u.role.key(), u.org);
                Ok(())
            })
        }
        Command::Directory { command: DirectoryCommand::Import { file, data } } => {
            cfg.data = data.unwrap_or(cfg.data);
            let text = read_file(&file)?;
            runtime()?.block_on(async {
                let app = open_app(&cfg)?;
                let n = app
                    .import_directory(&text, Actor::System("cli"), &Origin("cli".into()))
                    .await
                    .map_err(|e| format!("{}: {}", file.display(), e.message_sv()))?;
                println!("{n} organisationer importerades från {}.", file.display());
                Ok(())
            })
        }
        Command::Directory { command: DirectoryCommand::Check { file } } => {
            let orgs =
                parse_directory(&read_file(&file)?).map_err(|e| e.in_file(&file.display().to_string()).to_string())?;
            println!("{}: {} organisationer, inga fel.", file.display(), orgs.len());
            Ok(())
        }
        Command::Print { command: PrintCommand::Log { episode, unit, out, data } } => {
            cfg.data = data.unwrap_or(cfg.data);
            runtime()?.block_on(print_log(&cfg, episode, unit, &out))
        }
        Command::Print { command: PrintCommand::BlankForm { out } } => {
            let printed = reserv_core::time::format_local(jiff::Timestamp::now());
            write_pdf(&out, &print::blank_form_document(&printed))?;
            println!("Blanketten skrevs till {}.", out.display());
            Ok(())
        }
        Command::Routines { command: RoutinesCommand::Check { dir } } => check_routines(&cfg, &dir),
        Command::Notifications { command: NotificationsCommand::Check { file, recipients } } => {
            check_notifications(&cfg, &file, recipients.as_deref())
        }
        Command::Notifications {
            command:
                NotificationsCommand::Plan { policy, system, kind, start, expected_end, declared_at, restored_at, format },
        } => {
            let input = reserv_app::plan_trial::TrialInput {
                system,
                kind,
                start,
                expected_end: expected_end.unwrap_or_default(),
                declared_at: declared_at.unwrap_or_default(),
                restored_at: restored_at.unwrap_or_default(),
            };
            plan::run(&load_catalogue(&cfg)?, &policy, &read_file(&policy)?, &input, &format)
        }
        Command::Contacts { command: ContactsCommand::Check { dir, directory } } => {
            check_contacts(&cfg, &dir, directory.as_deref())
        }
        Command::Print { command: PrintCommand::PhoneList { unit, out, data } } => {
            cfg.data = data.unwrap_or(cfg.data);
            runtime()?.block_on(print_phone_list(&cfg, &unit, &out))
        }
        Command::Print { command: PrintCommand::Routine { system, role, out } } => {
            print_routine(&cfg, &system, role.as_deref(), &out)
        }
        Command::Policy { command: PolicyCommand::Check { file } } => {
            let p = reconcile::load_policy(&file.display().to_string(), &read_file(&file)?)?;
            println!(
                "{}: policyn {} (version {}) har {} rader, inga fel.",
                file.display(),
                p.id,
                p.version,
                p.rules.len()
            );
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify { checkpoints, data } } => {
            cfg.data = data.unwrap_or(cfg.data);
            let app = open_app(&cfg)?;
            runtime()?.block_on(audit::verify(&app, checkpoints.as_deref()))
        }
        Command::Audit { command: AuditCommand::Checkpoint { file, data } } => {
            cfg.data = data.unwrap_or(cfg.data);
            let app = open_app(&cfg)?;
            runtime()?.block_on(audit::checkpoint(&app, &file))
        }
        Command::Reconcile { policy, input, format } => {
            let p = reconcile::load_policy(&policy.display().to_string(), &read_file(&policy)?)?;
            let i = reconcile::parse_input(&input.display().to_string(), &read_file(&input)?)?;
            let out = reconcile::run(&p, &i);
            let stdout = std::io::stdout();
            if format == "pdf" && stdout.is_terminal() {
                return Err(
                    "en PDF skrivs inte till terminalen; styr om utdata till en fil, t.ex. > resultat.pdf".into()
                );
            }
            let mut w = std::io::BufWriter::new(stdout.lock());
            let written = match format.as_str() {
                "json" => reconcile::write_json(&p, &out, &mut w),
                "csv" => reconcile::write_csv(&out, &mut w),
                "pdf" => {
                    let printed = reserv_core::time::format_local(jiff::Timestamp::now());
                    reconcile::write_pdf(&p, &i, &out, &printed, &mut w)
                }
                other => return Err(format!("okänt format {other:?} (json, csv eller pdf)")),
            };
            written.and_then(|()| w.flush()).map_err(|e| format!("kan inte skriva resultatet: {e}"))
        }
        Command::Catalogue { command: CatalogueCommand::Check { file } } => {
            let c =
                Catalogue::parse(&read_file(&file)?).map_err(|e| e.in_file(&file.display().to_string()).to_string())?;
            println!("{}: {} system, inga fel.", file.display(), c.systems().len());
            Ok(())
        }
    }
}

/// The contact files of the configured `contacts` directory, or the built-in ones.
fn contact_files(c: &Config) -> Result<Vec<(String, String)>, String> {
    match &c.contacts {
        Some(dir) => read_routine_dir(dir),
        None => {
            Ok(reserv_app::contacts::BUILTIN_CONTACTS.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect())
        }
    }
}

/// Loads the contact files into the app, checked against the directory in
/// the store (and, for the built-in files, the demo directory they were
/// written for, so a fresh installation starts).
async fn with_contacts(app: App, c: &Config) -> Result<App, String> {
    let mut orgs = app.organisations().await.map_err(|e| e.message_sv())?;
    if c.contacts.is_none() {
        for o in parse_directory(DEMO_DIRECTORY).map_err(|e| format!("demokatalogen: {e}"))? {
            if !orgs.iter().any(|x| x.id == o.id) {
                orgs.push(o);
            }
        }
    }
    let files = contact_files(c)?;
    let book = reserv_app::contacts::load_contacts(
        files.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        &orgs,
        app.catalogue(),
    )
    .map_err(|e| reserv_app::contacts::errors_sv(&e))?;
    Ok(app.with_contacts(book))
}

/// `reserv contacts check DIR`: every problem of every file, with file, line and reason.
fn check_contacts(cfg: &Config, dir: &Path, directory: Option<&Path>) -> Result<(), String> {
    let catalogue = load_catalogue(cfg)?;
    let orgs = match directory.or(cfg.directory.as_deref()) {
        Some(p) => parse_directory(&read_file(p)?).map_err(|e| format!("{}: {e}", p.display()))?,
        None => parse_directory(DEMO_DIRECTORY).map_err(|e| format!("demokatalogen: {e}"))?,
    };
    let files = read_routine_dir(dir)?;
    match reserv_app::contacts::load_contacts(files.iter().map(|(n, t)| (n.as_str(), t.as_str())), &orgs, &catalogue) {
        Ok(book) => {
            let n = book.contacts().count();
            println!("{}: {} filer, {n} kontakter, inga fel.", dir.display(), book.files().len());
            Ok(())
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{}", e.message_sv());
            }
            Err(format!("{} fel i {}", errors.len(), dir.display()))
        }
    }
}

/// `reserv print phone-list --unit ORG --out FILE`.
async fn print_phone_list(cfg: &Config, unit: &str, out: &Path) -> Result<(), String> {
    let app = with_contacts(open_app(cfg)?, cfg).await?;
    let list = app.phone_list(unit).await.map_err(|e| format!("--unit: {}", e.message_sv()))?;
    let printed = reserv_core::time::format_local(app.now());
    write_pdf(out, &print::phone_list_document(&list, app.catalogue(), &printed))?;
    println!("Telefonlistan för {} skrevs till {}.", list.unit_name, out.display());
    Ok(())
}

/// `reserv print routine --system SYSTEM [--role ROLE] --out FILE`.
fn print_routine(cfg: &Config, system: &str, role: Option<&str>, out: &Path) -> Result<(), String> {
    use reserv_app::routines::{parse_role, system_routines_of};
    use reserv_web::routines::view::routine_view;
    let catalogue = load_catalogue(cfg)?;
    let set = load_routines(cfg, &catalogue)?;
    let role = parse_role(role).map_err(|e| {
        let keys: Vec<&str> = reserv_core::routine::RoutineRole::ALL.iter().map(|r| r.key()).collect();
        format!("--role: {} Giltiga roller: {}.", e.message_sv(), keys.join(", "))
    })?;
    let id = catalogue.resolve(system).map_err(|e| format!("--system: {}", e.message_sv()))?.id.clone();
    let routines = system_routines_of(&set, &catalogue, &id, role)
        .ok_or_else(|| format!("--system: inga rutiner för {system}"))?;
    let view = routine_view(reserv_web::i18n::Lang::Sv, &routines);
    let printed = reserv_core::time::format_local(jiff::Timestamp::now());
    write_pdf(out, &print::routine_document(&view, &printed))?;
    println!("Rutinen för {} ({} steg) skrevs till {}.", view.system_name, view.step_count(), out.display());
    Ok(())
}

/// `reserv routines check DIR`: every problem of every file, with file and line.
fn check_routines(cfg: &Config, dir: &Path) -> Result<(), String> {
    let catalogue = load_catalogue(cfg)?;
    let files = read_routine_dir(dir)?;
    match reserv_core::routine::load(files.iter().map(|(n, t)| (n.as_str(), t.as_str())), &catalogue) {
        Ok(set) => {
            let steps: usize = set.routines().iter().map(|r| r.steps.len()).sum();
            println!("{}: {} rutiner, {steps} steg, inga fel.", dir.display(), set.routines().len());
            Ok(())
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{}", e.message_sv());
            }
            Err(format!("{} fel i {}", errors.len(), dir.display()))
        }
    }
}

/// `reserv notifications check FILE [--recipients FILE]`: every problem,
/// as `file:line: reason`.
fn check_notifications(cfg: &Config, file: &Path, recipients: Option<&Path>) -> Result<(), String> {
    use reserv_core::datafile::DataFileError;
    use reserv_core::notify::{load, parse_recipients};
    let report = |errors: Vec<DataFileError>, what: &Path| {
        for e in &errors {
            eprintln!("{}", e.message_sv());
        }
        format!("{} fel i {}", errors.len(), what.display())
    };
    let catalogue = load_catalogue(cfg)?;
    let policy = load(&file.display().to_string(), &read_file(file)?, &catalogue).map_err(|e| report(e, file))?;
    println!(
        "{}: policyn {} har {} mottagargrupper och {} regler, inga fel.",
        file.display(),
        policy.id,
        policy.groups.len(),
        policy.rules.len()
    );
    if let Some(r) = recipients {
        let groups = parse_recipients(&r.display().to_string(), &read_file(r)?, &policy).map_err(|e| report(e, r))?;
        let people: std::collections::BTreeSet<&str> = groups.values().flatten().map(|p| p.id.as_str()).collect();
        println!("{}: {} personer i {} grupper, inga fel.", r.display(), people.len(), groups.len());
    }
    Ok(())
}

/// Writes a PDF next to `out` and renames it into place, so a reader never
/// sees a half-written file.
fn write_pdf(out: &Path, doc: &reserv_print::Document) -> Result<(), String> {
    let bytes = reserv_print::render_pdf_bytes(doc).map_err(|e| format!("kan inte skapa PDF: {e}"))?;
    let tmp = out.with_extension("pdf.part");
    std::fs::write(&tmp, bytes).map_err(|e| format!("kan inte skriva {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, out).map_err(|e| format!("kan inte skriva {}: {e}", out.display()))
}

async fn print_log(cfg: &Config, episode: Option<String>, unit: Option<String>, out: &Path) -> Result<(), String> {
    let app = open_app(cfg)?;
    let episode = match episode {
        Some(raw) => Some(raw.trim().parse().map_err(|_| format!("--episode: {raw:?} är inget giltigt id"))?),
        None => None,
    };
    let unit = match unit {
        Some(raw) => Some(
            reserv_core::ids::OrgId::parse(raw.trim())
                .map_err(|_| format!("--unit: {raw:?} är inget giltigt organisations-id"))?,
        ),
        None => None,
    };
    let views = app.episodes_for_print(unit.as_ref(), episode, &Origin("cli".into())).await.map_err(|e| match e {
        reserv_app::AppError::NotFound => "inga vårdtillfällen att skriva ut för det urvalet".to_owned(),
        other => other.message_sv(),
    })?;
    let orgs: std::collections::HashMap<_, _> =
        app.organisations().await.map_err(|e| e.message_sv())?.into_iter().map(|o| (o.id, o.name)).collect();
    let unit_name = unit.as_ref().map(|u| orgs.get(u).cloned().unwrap_or_else(|| u.to_string()));
    let printed = reserv_core::time::format_local(app.now());
    write_pdf(out, &print::log_document(&views, &orgs, unit_name.as_deref(), &printed))?;
    println!("{} skrevs till {}.", count(views.len(), "vårdtillfälle", "vårdtillfällen"), out.display());
    Ok(())
}

fn read_password(from_stdin: bool) -> Result<String, String> {
    let stdin = std::io::stdin();
    if !from_stdin {
        if !stdin.is_terminal() {
            return Err("ange --password-stdin för att läsa lösenordet från standard in".into());
        }
        eprint!("Lösenord (visas på skärmen): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| format!("kan inte läsa lösenordet: {e}"))?;
    let pw = line.trim_end_matches(['\r', '\n']).to_owned();
    if pw.is_empty() {
        return Err("lösenordet är tomt".into());
    }
    Ok(pw)
}

/// On SIGHUP, reads the configured routine directory again: a valid set
/// replaces the one in service; an invalid one is refused with every problem
/// logged and shown to administrators, and the last valid set stays in use.
fn spawn_routine_reloader(cfg: Config, app: Arc<App>) {
    // Registered here, not in the task: once this returns, SIGHUP is ours.
    let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            if cfg.routines.is_none() {
                tracing::info!("SIGHUP: the built-in routines are in use; nothing to reload");
                continue;
            }
            let reloaded = load_routines(&cfg, app.catalogue());
            match &reloaded {
                Ok(set) => tracing::info!(routines = set.routines().len(), "routines reloaded"),
                Err(problem) => tracing::warn!(%problem, "routines NOT reloaded; the last valid routines stay in use"),
            }
            app.reload_routines(reloaded);
        }
    });
}

async fn serve(cfg: Config, demo: bool) -> Result<(), String> {
    // A checkpoint file without its key is refused before anything starts.
    let checkpoints = match &cfg.audit_checkpoints {
        Some(file) => Some(audit::CheckpointSchedule {
            file: file.clone(),
            key: audit::key().map_err(|e| format!("audit.checkpoint_file: {e}"))?,
            every: std::time::Duration::from_secs(cfg.audit_checkpoint_minutes * 60),
        }),
        None => None,
    };
    let app = open_app(&cfg)?;
    if let Some(p) = &cfg.directory {
        let text = read_file(p)?;
        let n = app
            .import_directory(&text, Actor::System("startup"), &Origin("config".into()))
            .await
            .map_err(|e| format!("{}: {}", p.display(), e.message_sv()))?;
        tracing::info!(organisations = n, file = %p.display(), "directory imported");
    }
    if demo {
        reserv_app::demo::load(&app, DEMO_DIRECTORY).await.map_err(|e| format!("demodata: {}", e.message_sv()))?;
    }
    let app = with_contacts(app, &cfg).await?;
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .map_err(|e| format!("kan inte lyssna på {}: {e}", cfg.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = notify_config::attach(app, &cfg, demo, addr).await?;
    // Before the address is printed, so a SIGHUP right after start is handled.
    let app = Arc::new(app);
    spawn_routine_reloader(cfg.clone(), app.clone());
    audit::spawn_watch(app.clone(), checkpoints);
    if demo {
        println!("Demoläge: syntetiska data. Demokonton (lösenord för alla: {}):", reserv_app::demo::DEMO_PASSWORD);
        for (username, _, org, role) in reserv_app::demo::DEMO_ACCOUNTS {
            println!("  {username:<16} {:<22} {org}", role.key());
        }
    }
    println!("Reserv lyssnar på http://{addr}");
    let _ = std::io::stdout().flush();
    tracing::info!(%addr, data = %cfg.data.display(), "Reserv started");
    let trusted_proxies = reserv_web::kit::proxy::TrustedProxies::parse(&cfg.trusted_proxies)?;
    let state = reserv_web::AppState {
        app,
        secure_cookies: cfg.secure_cookies,
        hsts: cfg.hsts,
        trusted_proxies: Arc::new(trusted_proxies),
    };
    notify_config::spawn_scheduler(state.app.clone(), cfg.notifications.tick_seconds);
    let shutdown = async {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
        tracing::info!("shutting down");
    };
    reserv_web::serve(listener, state, shutdown).await.map_err(|e| e.to_string())
}
