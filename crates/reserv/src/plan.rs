//! `reserv notifications plan`: a notification policy tried on an imagined
//! outage (the counterpart of `reserv reconcile` for notifications). The
//! plan comes from `reserv_app::plan_trial::try_plan`, the same path as the
//! page "Provkör utskicksplanen"; this module only writes it, as text for
//! people (no internal ids) or as JSON (ids as extra fields).

use std::io::Write;
use std::path::Path;

use reserv_app::plan_trial::{TrialInput, TrialView, format_utc, try_plan};
use reserv_core::catalogue::Catalogue;
use reserv_core::error::{DomainError, Field};
use reserv_core::outage::OutageKind;
use reserv_core::time::format_local;

/// The command-line flag of a field, for error messages.
fn flag(field: Option<Field>) -> &'static str {
    match field {
        Some(Field::System) => "--system",
        Some(Field::Kind) => "--kind",
        Some(Field::Start) => "--start",
        Some(Field::ExpectedEnd) => "--expected-end",
        Some(Field::DeclaredAt) => "--declared-at",
        Some(Field::RestoredAt) => "--restored-at",
        _ => "--policy",
    }
}

/// A problem as `--flag: message`.
pub fn problem(e: &DomainError) -> String {
    format!("{}: {}", flag(e.field()), e.message_sv())
}

/// Loads the policy, tries it and writes the plan to standard output.
pub fn run(catalogue: &Catalogue, file: &Path, text: &str, input: &TrialInput, format: &str) -> Result<(), String> {
    let policy = reserv_core::notify::load(&file.display().to_string(), text, catalogue).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.message_sv()).collect();
        format!("--policy: {} fel i {}:\n{}", errors.len(), file.display(), lines.join("\n"))
    })?;
    let view = try_plan(&[&policy], catalogue, input, None).map_err(|e| problem(&e))?;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let written = match format {
        "json" => serde_json::to_writer_pretty(&mut w, &view).map_err(std::io::Error::other).and_then(|()| writeln!(w)),
        _ => write_text(&view, &mut w),
    };
    written.and_then(|()| w.flush()).map_err(|e| format!("kan inte skriva planen: {e}"))
}

fn both(ts: jiff::Timestamp) -> String {
    format!("{} (UTC {})", format_local(ts), format_utc(ts))
}

/// The plan for people, in Swedish: no rule, group or message ids.
pub fn write_text(v: &TrialView, w: &mut impl Write) -> std::io::Result<()> {
    writeln!(w, "Provkörning av utskicksplanen – ingenting skickas.")?;
    for p in &v.policies {
        writeln!(w, "Policy: {p}")?;
    }
    let kind = match v.kind {
        OutageKind::Planned => "planerat",
        OutageKind::Unplanned => "oplanerat",
    };
    writeln!(w, "System: {}, {kind} avbrott", v.system_name)?;
    writeln!(w, "Start: {}", both(v.start))?;
    match v.expected_end {
        Some(e) => writeln!(w, "Beräknat slut: {}", both(e))?,
        None => writeln!(w, "Beräknat slut: okänt (räknas som långt)")?,
    }
    let assumed = if v.declared_at_assumed { " (antaget)" } else { "" };
    writeln!(w, "Registreras: {}{assumed}", both(v.declared_at))?;
    match v.restored_at {
        Some(r) => writeln!(w, "Åter i drift: {}", both(r))?,
        None => writeln!(w, "Åter i drift: inte angivet")?,
    }
    writeln!(w)?;
    writeln!(w, "{}.", crate::count(v.messages.len(), "meddelande", "meddelanden"))?;
    for (i, m) in v.messages.iter().enumerate() {
        writeln!(w)?;
        writeln!(w, "{}. {} – {}", i + 1, both(m.due_at), m.time_sv)?;
        writeln!(w, "   Till: {}", m.group_name)?;
        writeln!(w, "   Kanal: {}. Avsändare: {}.", m.channel_sv, m.sender_sv)?;
        if let Some(e) = &m.escalation_sv {
            writeln!(w, "   {e}")?;
        }
        writeln!(w, "   Ämne: {}", m.subject)?;
        for (j, line) in m.body.lines().enumerate() {
            let head = if j == 0 { "   Text: " } else { "         " };
            writeln!(w, "{head}{line}")?;
        }
        writeln!(w, "   Regel: {}", m.rule_text)?;
        writeln!(w, "   Källa: {}", m.cite)?;
    }
    Ok(())
}
