//! The recipients-file scenario (`--scenario recipients`): what
//! `reserv notifications check POLICY --recipients FILE` spends on a large
//! recipients file, i.e. `reserv_core::notify::parse_recipients` against the
//! shipped Gävleborg policy (`data/notifications/003-gavleborg.toml`).
//!
//! 1. **Input.** Generated: `--recipients-persons` people (default 8 000),
//!    each a `[[person]]` of six lines (id, name, e-mail, phone, groups)
//!    spread over the policy's groups. Two files: one valid, and one where
//!    every person's phone number is invalid, so that every person is also
//!    a problem with a line number (the slow path of issue 19: a line was
//!    counted from the start of the file for every span).
//! 2. **Timings.** `--recipients-runs` rounds (default 5) after one untimed
//!    run, each parsing both files on this one thread; the report gives the
//!    median and the minimum of each and the problems found.
//!
//! No server, no naive baseline: run it on two commits (before and after a
//! change) in one session to compare, as BENCHMARKS.md shows.

use std::time::Instant;

use reserv_core::catalogue::Catalogue;
use reserv_core::notify::{load, parse_recipients};

use crate::{Args, command_line, median};

const POLICY: &str = include_str!("../../../data/notifications/003-gavleborg.toml");
const CATALOGUE: &str = include_str!("../../../data/systems.toml");
/// Groups of the policy reached by e-mail, SMS or phone task.
const GROUPS: [&str; 5] = [
    "health-care-director",
    "deputy-health-care-director",
    "heads-of-department",
    "emergency-departments",
    "primary-care-on-call",
];

/// A recipients file of `n` people; `bad_phone` makes every phone invalid.
fn file(n: usize, bad_phone: bool) -> String {
    let mut s = String::with_capacity(n * 200);
    for i in 0..n {
        let phone = if bad_phone { format!("070-17O {i:05}") } else { format!("070-174 06 {:02}", 5 + i % 95) };
        s.push_str(&format!(
            "[[person]]\nid = \"p{i:06}\"\nname = \"Person {i}, testklinik\"\nemail = \"p{i:06}@example.org\"\nphone = \"{phone}\"\ngroups = [\"{}\"]\n\n",
            GROUPS[i % GROUPS.len()]
        ));
    }
    s
}

/// Runs the scenario on its own and prints its report.
pub(crate) fn standalone(args: &Args, raw: &[String]) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!("warning: reserv-bench is a debug build; use --release for figures");
    }
    let catalogue = Catalogue::parse(CATALOGUE).map_err(|e| format!("the shipped catalogue: {e}"))?;
    let policy = load("003-gavleborg.toml", POLICY, &catalogue)
        .map_err(|e| format!("the shipped policy: {}", e.first().map(ToString::to_string).unwrap_or_default()))?;
    let n = args.recipients_persons;
    let inputs = [("valid", file(n, false)), ("every phone invalid", file(n, true))];
    let mut rows = String::new();
    for (label, text) in &inputs {
        let problems = |r: &Result<_, Vec<_>>| r.as_ref().err().map_or(0, Vec::len);
        let found = problems(&parse_recipients("recipients.toml", text, &policy));
        let mut times = Vec::new();
        for i in 0..args.recipients_runs {
            let t = Instant::now();
            let r = parse_recipients("recipients.toml", text, &policy);
            let s = t.elapsed().as_secs_f64();
            drop(r);
            eprintln!("{label} {}/{}: {s:.3} s", i + 1, args.recipients_runs);
            times.push(s);
        }
        let min = times.iter().copied().fold(f64::INFINITY, f64::min);
        rows.push_str(&format!(
            "| {label} | {n} | {:.1} MB | {found} | {:.3} s | {min:.3} s |\n",
            text.len() as f64 / 1e6,
            median(&times)
        ));
    }
    let report = format!(
        "## Recipients file: `reserv notifications check --recipients`\n\n\
         | file | persons | size | problems | median | min |\n|---|---|---|---|---|---|\n{rows}\n\
         Command: `{}`\n",
        command_line(raw)
    );
    print!("{report}");
    Ok(())
}
