//! `reserv audit verify` and `reserv audit checkpoint`: the audit log's hash
//! chain checked from the command line, and signed checkpoints of its heads
//! written to a file outside the database (so a cut-off tail is found too).
//! The key comes from the environment (`RESERV_AUDIT_KEY`), never from a
//! file in the repository or a log.

use std::io::Write;
use std::path::Path;

use reserv_app::App;
use reserv_store::chain::Checkpoint;

/// The environment variable holding the checkpoint key.
pub const KEY_VAR: &str = "RESERV_AUDIT_KEY";

fn key() -> Result<Vec<u8>, String> {
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
    let at = jiff::Timestamp::now().to_string();
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .map_err(|e| format!("kan inte skriva {}: {e}", file.display()))?;
    for h in &check.report.heads {
        let cp = Checkpoint::sign(h, &at, &key);
        let line = serde_json::to_string(&cp).map_err(|e| e.to_string())?;
        writeln!(out, "{line}").map_err(|e| format!("kan inte skriva {}: {e}", file.display()))?;
        println!("kontrollpunkt: nod {} post {}", h.node, h.seq);
    }
    out.sync_all().map_err(|e| format!("kan inte skriva {}: {e}", file.display()))
}
