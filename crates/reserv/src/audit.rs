//! `reserv audit verify` and `reserv audit checkpoint`: the audit log's hash
//! chain checked from the command line, and signed checkpoints of its heads
//! written to a file outside the database (so a cut-off tail is found too).
//! The key comes from the environment (`RESERV_AUDIT_KEY`), never from a
//! file in the repository or a log. The server writes the same checkpoints
//! by itself when `[audit] checkpoint_file` is configured ([`spawn_watch`]).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use reserv_app::App;
use reserv_store::chain::{ChainHead, Checkpoint};

/// The environment variable holding the checkpoint key.
pub const KEY_VAR: &str = "RESERV_AUDIT_KEY";

pub fn key() -> Result<Vec<u8>, String> {
    match std::env::var(KEY_VAR) {
        Ok(k) if k.len() >= 16 => Ok(k.into_bytes()),
        Ok(_) => Err(format!("{KEY_VAR} är för kort: minst 16 tecken")),
        Err(_) => Err(format!("{KEY_VAR} saknas: nyckeln för kontrollpunkter läses från miljön")),
    }
}

/// Reads a checkpoint file: one JSON object per line.
fn read_checkpoints(file: &Path) -> Result<Vec<Checkpoint>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("kan inte läsa {}: {e}", file.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| format!("{}, rad {}: ogiltig kontrollpunkt: {e}", file.display(), i + 1))
        })
        .collect()
}

/// Verifies the chain (and the checkpoints of `file`, if given); prints what
/// it found and fails with the first broken link.
pub async fn verify(app: &App, file: Option<&Path>) -> Result<(), String> {
    let (checkpoints, key) = match file {
        Some(f) => (read_checkpoints(f)?, Some(key()?)),
        None => (Vec::new(), None),
    };
    let check = app.check_audit_chain(&checkpoints, key.as_deref()).await.map_err(|e| e.message_sv())?;
    for h in &check.report.heads {
        let short: String = h.hash.chars().take(16).collect();
        println!("nod {}: {} poster i kedjan, senaste {} ({short})", h.node, h.records, h.seq);
    }
    if check.report.unchained > 0 {
        println!("{} poster skrevs innan kedjan fanns (schema 12) och ingår inte", check.report.unchained);
    }
    if !checkpoints.is_empty() {
        println!("{} kontrollpunkter jämförda", checkpoints.len());
    }
    if check.intact() {
        println!("Granskningsloggen är obruten.");
        Ok(())
    } else {
        Err(format!("granskningsloggen är bruten:\n{}", check.problems_sv().join("\n")))
    }
}

/// Appends a signed checkpoint of every node's chain head to `file`.
pub async fn checkpoint(app: &App, file: &Path) -> Result<(), String> {
    let key = key()?;
    let check = app.check_audit_chain(&[], None).await.map_err(|e| e.message_sv())?;
    if let Some(b) = &check.report.broken {
        return Err(format!("ingen kontrollpunkt: kedjan är redan bruten: {}", b.message_sv()));
    }
    for cp in append_checkpoints(&check.report.heads, file, &key)? {
        println!("kontrollpunkt: nod {} post {}", cp.node, cp.seq);
    }
    Ok(())
}

/// Signs the heads with the current time and appends them to `file`, one
/// JSON line each, synced to disk before returning.
fn append_checkpoints(heads: &[ChainHead], file: &Path, key: &[u8]) -> Result<Vec<Checkpoint>, String> {
    let at = jiff::Timestamp::now().to_string();
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .map_err(|e| format!("kan inte skriva {}: {e}", file.display()))?;
    let mut written = Vec::with_capacity(heads.len());
    for h in heads {
        let cp = Checkpoint::sign(h, &at, key);
        let line = serde_json::to_string(&cp).map_err(|e| e.to_string())?;
        writeln!(out, "{line}").map_err(|e| format!("kan inte skriva {}: {e}", file.display()))?;
        written.push(cp);
    }
    out.sync_all().map_err(|e| format!("kan inte skriva {}: {e}", file.display()))?;
    Ok(written)
}

/// Where and how often the server writes checkpoints by itself.
pub struct CheckpointSchedule {
    pub file: std::path::PathBuf,
    pub key: Vec<u8>,
    pub every: std::time::Duration,
}

/// Checks the audit log's hash chain at start and then daily in the
/// background, or at every checkpoint when a checkpoint file is configured:
/// the chain is walked, the file's checkpoints are compared (so a cut-off
/// tail is found), and, when all holds, a new signed checkpoint of each head
/// is appended to the file and logged as one line (a copy outside the
/// database and outside the file). A break is logged as an error with the
/// first broken link and remembered for the audit page.
pub fn spawn_watch(app: Arc<App>, schedule: Option<CheckpointSchedule>) {
    let every = schedule.as_ref().map_or(std::time::Duration::from_secs(24 * 60 * 60), |s| s.every);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            watch_once(&app, schedule.as_ref()).await;
        }
    });
}

async fn watch_once(app: &App, schedule: Option<&CheckpointSchedule>) {
    let (checkpoints, key) = match schedule {
        Some(s) if s.file.exists() => match read_checkpoints(&s.file) {
            Ok(cps) => (cps, Some(s.key.as_slice())),
            Err(problem) => {
                tracing::error!(%problem, "audit checkpoints could not be read");
                app.note_audit_chain_problems(vec!["Kontrollpunkterna kunde inte läsas (se serverns logg).".into()]);
                return;
            }
        },
        Some(s) => (Vec::new(), Some(s.key.as_slice())),
        None => (Vec::new(), None),
    };
    let check = match app.check_audit_chain(&checkpoints, key).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e.message_sv(), "audit chain could not be checked");
            return;
        }
    };
    if !check.intact() {
        let problems = check.problems_sv();
        tracing::error!(problems = %problems.join("; "), "audit chain broken");
        app.note_audit_chain_problems(problems);
        return;
    }
    let records: u64 = check.report.heads.iter().map(|h| h.records).sum();
    tracing::info!(records, checkpoints = checkpoints.len(), "audit chain intact");
    app.note_audit_chain_problems(Vec::new());
    let Some(s) = schedule else { return };
    match append_checkpoints(&check.report.heads, &s.file, &s.key) {
        Ok(written) => {
            for cp in written {
                let line = serde_json::to_string(&cp).unwrap_or_default();
                tracing::info!(checkpoint = %line, "audit checkpoint");
            }
        }
        Err(problem) => {
            tracing::error!(%problem, "audit checkpoint could not be written");
            app.note_audit_chain_problems(vec!["En kontrollpunkt kunde inte skrivas (se serverns logg).".into()]);
        }
    }
}
