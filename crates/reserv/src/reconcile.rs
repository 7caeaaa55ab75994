//! `reserv reconcile`: runs the back-entry engine (`reserv_core::backentry`)
//! on a file, so a region can test a policy before an outage. The input
//! format is documented in `docs/reconcile.md`; output is JSON or CSV (one
//! row per item, or one per decision with nothing to enter).

use std::io::Write;

use jiff::civil::Date;
use serde::Deserialize;

use reserv_core::backentry::{self, Decision, EpisodeInput, Item, Outcome, Policy, SipDecision, SipInput, Window};

/// The input file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub window: Window,
    pub today: Date,
    #[serde(default)]
    pub episodes: Vec<EpisodeInput>,
    #[serde(default)]
    pub sips: Vec<SipInput>,
}

/// Reads and checks a policy file; every problem, one per line.
pub fn load_policy(name: &str, text: &str) -> Result<Policy, String> {
    backentry::check_policy(name, text).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.message_sv()).collect();
        format!("{} fel i policyn {name}:\n{}", errors.len(), lines.join("\n"))
    })
}

pub fn parse_input(name: &str, text: &str) -> Result<Input, String> {
    serde_json::from_str(text).map_err(|e| format!("{name}: ogiltig indatafil: {e} (se docs/reconcile.md)"))
}

pub struct Output {
    pub decisions: Vec<Decision>,
    pub sip_decisions: Vec<SipDecision>,
}

pub fn run(policy: &Policy, input: &Input) -> Output {
    Output {
        decisions: backentry::reconcile(policy, input.window, &input.episodes, input.today),
        sip_decisions: backentry::reconcile_sips(policy, &input.sips, input.today),
    }
}

pub fn write_json(policy: &Policy, out: &Output, w: &mut impl Write) -> std::io::Result<()> {
    let doc = serde_json::json!({
        "policy": { "id": policy.id, "name": policy.name, "version": policy.version, "source": policy.source },
        "decisions": out.decisions,
        "sip_decisions": out.sip_decisions,
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

fn key<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn outcome(o: &Outcome) -> (&'static str, String) {
    match o {
        Outcome::BackEnter => ("back_enter", String::new()),
        Outcome::NothingToEnter { reason } => ("nothing_to_enter", reason.clone()),
        Outcome::NeedsReview => ("needs_review", String::new()),
    }
}

fn rows(
    subject: &str,
    id: String,
    party: String,
    rule: Option<&str>,
    o: &Outcome,
    items: &[Item],
    w: &mut impl Write,
) -> std::io::Result<()> {
    let (outcome, reason) = outcome(o);
    if items.is_empty() {
        let cells = [
            subject.to_owned(),
            id,
            party,
            outcome.to_owned(),
            rule.unwrap_or("").to_owned(),
            String::new(),
            String::new(),
            String::new(),
            reason,
        ];
        return writeln!(w, "{}", cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
    }
    for item in items {
        let values: Vec<String> = item.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let cells = [
            subject.to_owned(),
            id.clone(),
            party.clone(),
            outcome.to_owned(),
            item.rule.clone(),
            key(&item.kind),
            key(&item.code),
            values.join("; "),
            item.cite.clone(),
        ];
        writeln!(w, "{}", cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","))?;
    }
    Ok(())
}

pub fn write_csv(out: &Output, w: &mut impl Write) -> std::io::Result<()> {
    writeln!(w, "subject,id,party,outcome,rule,kind,item,values,reason_or_cite")?;
    for d in &out.decisions {
        rows("episode", d.episode.to_string(), key(&d.party), d.rule.as_deref(), &d.outcome, &d.items, w)?;
    }
    for d in &out.sip_decisions {
        rows("sip", d.sip.to_string(), key(&d.party), d.rule.as_deref(), &d.outcome, &d.items, w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("enkel"), "enkel");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("”citat” och \"mer\""), "\"”citat” och \"\"mer\"\"\"");
    }
}
