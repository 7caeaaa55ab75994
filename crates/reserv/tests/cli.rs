//! The `reserv` command as an operator uses it: exit codes and messages.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn reserv(args: &[&str], stdin: Option<&str>, dir: &std::path::Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reserv"))
        .args(args)
        .current_dir(dir)
        .env_remove("RESERV_CONFIG")
        .env_remove("RESERV_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the reserv binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

const DIRECTORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/directory/region-vasternorrland.toml");

#[test]
fn version_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let v = reserv(&["--version"], None, dir.path());
    assert!(v.status.success());
    assert!(text(&v).contains(env!("CARGO_PKG_VERSION")));
    let h = reserv(&["--help"], None, dir.path());
    assert!(h.status.success());
    for cmd in ["serve", "user", "directory", "catalogue", "print"] {
        assert!(text(&h).contains(cmd), "--help lists {cmd}");
    }
}

#[test]
fn first_administrator_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let imp = reserv(&["directory", "import", DIRECTORY, "--data", data], None, dir.path());
    assert!(imp.status.success(), "{}", text(&imp));
    assert!(text(&imp).contains("21 organisationer"));
    let args = [
        "user",
        "add",
        "--username",
        "anna.admin",
        "--org",
        "rvn-it",
        "--role",
        "system_administrator",
        "--password-stdin",
        "--data",
        data,
    ];
    let ok = reserv(&args, Some("ett-långt-lösenord\n"), dir.path());
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(!text(&ok).contains("ett-långt-lösenord"), "the password is never printed");
    let again = reserv(&args, Some("ett-långt-lösenord\n"), dir.path());
    assert!(!again.status.success());
    assert!(text(&again).contains("fel:"), "{}", text(&again));
    let bad_org = [
        "user",
        "add",
        "--username",
        "bo.berg",
        "--org",
        "atlantis",
        "--role",
        "it",
        "--password-stdin",
        "--data",
        data,
    ];
    let r = reserv(&bad_org, Some("ett-långt-lösenord\n"), dir.path());
    assert!(!r.status.success());
    assert!(text(&r).contains("Organisation"), "{}", text(&r));
    let no_stdin = ["user", "add", "--username", "bo.berg", "--org", "rvn-it", "--role", "it", "--data", data];
    let r = reserv(&no_stdin, None, dir.path());
    assert!(!r.status.success() && text(&r).contains("--password-stdin"), "{}", text(&r));
}

#[test]
fn bad_files_and_unwritable_data_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[organisation]]\nid = \"x\"\nkind = \"ward\"\nname = \"X\"\n").unwrap();
    let r = reserv(&["directory", "check", bad.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1));
    assert!(text(&r).contains("organisation x"), "{}", text(&r));
    let r = reserv(&["catalogue", "check", bad.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1));
    let missing = reserv(&["directory", "check", "/nonexistent/file.toml"], None, dir.path());
    assert!(!missing.status.success() && text(&missing).contains("kan inte läsa"));
    // A data directory below a regular file cannot be created.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let data = file.join("data");
    let r = reserv(&["serve", "--listen", "127.0.0.1:0", "--data", data.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1));
    assert!(text(&r).contains("cannot create the data directory"), "{}", text(&r));
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/systems.toml");
    assert!(reserv(&["catalogue", "check", shipped], None, dir.path()).status.success());
}

fn pdftotext(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is missing: install poppler-utils (bash .ci/run does)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_handover_log_prints_to_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Load the demo data through the library, as `serve --demo` would.
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
        use std::sync::Arc;
        let store = reserv_store_sqlite::SqliteStore::open(&data).unwrap();
        let catalogue = reserv_core::catalogue::Catalogue::parse(include_str!("../../../data/systems.toml")).unwrap();
        let app =
            reserv_app::App::new(Arc::new(store), Arc::new(reserv_app::SystemClock), catalogue, Default::default());
        reserv_app::demo::load(&app, include_str!("../../../data/directory/region-vasternorrland.toml")).await.unwrap();
    });
    let data = data.to_str().unwrap();
    let pdf = dir.path().join("avdelning.pdf");
    let args =
        ["print", "log", "--unit", "rvn-sundsvall-avd-medicin-3", "--data", data, "--out", pdf.to_str().unwrap()];
    let r = reserv(&args, None, dir.path());
    assert!(r.status.success(), "{}", text(&r));
    let t = pdftotext(&pdf);
    for want in ["Överlämningslogg", "19380412-9819", "19410923-9824", "Hälsocentralen", "Sida 1 av", "Utskriven"] {
        assert!(t.contains(want), "the PDF lacks {want:?}:\n{t}");
    }
    assert!(!t.contains("19470305-9842"), "the psychiatric ward's patient is not this unit's");
    let none = reserv(&["print", "log", "--unit", "kommun-ange", "--data", data, "--out", "x.pdf"], None, dir.path());
    assert_eq!(none.status.code(), Some(1));
    assert!(text(&none).contains("inga vårdtillfällen"), "{}", text(&none));
    let bad = reserv(&["print", "log", "--episode", "nope", "--data", data, "--out", "x.pdf"], None, dir.path());
    assert!(!bad.status.success() && text(&bad).contains("--episode"));
    let blank = dir.path().join("blankett.pdf");
    assert!(reserv(&["print", "blank-form", "--out", blank.to_str().unwrap()], None, dir.path()).status.success());
    let t = pdftotext(&blank);
    assert!(t.contains("Blankett för registrering vid driftstopp") && t.contains("Talade med"), "{t}");
}

#[test]
fn routines_are_checked_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/routines");
    let ok = reserv(&["routines", "check", shipped], None, dir.path());
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("inga fel"));
    // A copy with one unknown role is refused, naming the file and the line.
    let bad = dir.path().join("routines");
    std::fs::create_dir(&bad).unwrap();
    let melior = std::fs::read_to_string(format!("{shipped}/003-melior.toml")).unwrap();
    let broken = melior.replacen("role = \"nurse\"", "role = \"astronaut\"", 1);
    assert_ne!(broken, melior, "the fixture has a nurse step to break");
    std::fs::write(bad.join("003-melior.toml"), broken).unwrap();
    let r = reserv(&["routines", "check", bad.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1));
    let out = text(&r);
    assert!(out.contains("003-melior.toml") && out.contains("rad"), "{out}");
}

#[test]
fn policies_are_checked_and_reconcile_runs_on_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    for p in ["prator-vasterbotten-2023", "lifecare-sp-vasternorrland-2025", "prator-long-outage-2024"] {
        let r = reserv(&["policy", "check", &format!("{root}/data/policies/{p}.toml")], None, dir.path());
        assert!(r.status.success(), "{p}: {}", text(&r));
    }
    let policy = format!("{root}/data/policies/lifecare-sp-vasternorrland-2025.toml");
    let input = format!("{root}/docs/examples/reconcile-input.json");
    let json = reserv(&["reconcile", "--policy", &policy, "--input", &input], None, dir.path());
    assert!(json.status.success(), "{}", text(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let decisions = v["decisions"].as_array().unwrap();
    // Three episodes: 3 + 3 + 4 parties (outpatient psychiatry on the psychiatric ward).
    assert_eq!(decisions.len(), 10, "one decision per episode and party");
    // 001: "Patienter som under avbrottet har hunnit bli både inskrivna och utskrivna: Behöver inte registreras".
    let both = decisions
        .iter()
        .find(|d| d["episode"] == "01900000-0000-7000-8000-000000000003" && d["party"] == "ward")
        .unwrap();
    assert_eq!(both["outcome"]["outcome"], "nothing_to_enter", "{both}");
    let csv = reserv(&["reconcile", "--policy", &policy, "--input", &input, "--format", "csv"], None, dir.path());
    assert!(csv.status.success());
    let out = String::from_utf8_lossy(&csv.stdout);
    assert!(out.starts_with("subject,id,party,outcome,rule,kind,item,values,reason_or_cite"));
    assert!(out.contains("discharge_notice,discharged_at=2025-11-03 16:30"), "{out}");
    // Bad input: a malformed file, an unknown key, a missing policy, an ambiguous policy.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"window\": 1}").unwrap();
    let r = reserv(&["reconcile", "--policy", &policy, "--input", bad.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1));
    assert!(text(&r).contains("ogiltig indatafil"), "{}", text(&r));
    let r = reserv(&["reconcile", "--policy", "/nonexistent.toml", "--input", &input], None, dir.path());
    assert!(!r.status.success() && text(&r).contains("kan inte läsa"));
    let text_policy = std::fs::read_to_string(&policy).unwrap();
    let first_rule = text_policy.find("[[rule]]").unwrap();
    let end = text_policy[first_rule + 8..].find("[[rule]]").map(|i| i + first_rule + 8).unwrap_or(text_policy.len());
    let dup = format!("{}\n{}", text_policy, text_policy[first_rule..end].replacen("id = \"", "id = \"copy-", 1));
    let ambiguous = dir.path().join("ambiguous.toml");
    std::fs::write(&ambiguous, dup).unwrap();
    let r = reserv(&["policy", "check", ambiguous.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1), "{}", text(&r));
    assert!(text(&r).contains("copy-"), "the message names the row: {}", text(&r));
}

#[test]
fn reconcile_prints_a_swedish_pdf_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let policy = format!("{root}/data/policies/lifecare-sp-vasternorrland-2025.toml");
    let input = format!("{root}/docs/examples/reconcile-input.json");
    let r = reserv(&["reconcile", "--policy", &policy, "--input", &input, "--format", "pdf"], None, dir.path());
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(r.stdout.starts_with(b"%PDF"), "stdout is a PDF");
    assert!(r.stderr.is_empty(), "{}", String::from_utf8_lossy(&r.stderr));
    let pdf = dir.path().join("efterregistrering.pdf");
    std::fs::write(&pdf, &r.stdout).unwrap();
    let t = pdftotext(&pdf);
    for want in [
        "Efterregistrering enligt Lifecare SP",
        "lifecare-sp-vasternorrland-2025",
        // The window in Stockholm time (07:00Z is 08:00 in November) and today.
        "2025-11-03 08:00 – 2025-11-04 10:00",
        "Efterregistreringsdag",
        "2025-11-04",
        // Outcomes; the third episode was both admitted and discharged during the outage.
        "Efterregistrera",
        "Inget att efterregistrera",
        "Kräver granskning",
        // The parties, with the web UI's words, the fourth only for the psychiatric ward's patient.
        "Vårdtillfällen – Avdelningen",
        "Vårdtillfällen – Kommunen",
        "Vårdtillfällen – Hälsocentralen",
        "Vårdtillfällen – Psykiatrisk öppenvård",
        // Items: kind, item, the value to enter, the routine's sentence and the rule.
        "Registrera:",
        "Registrera inte:",
        "Följ upp:",
        "Utskrivningsmeddelande",
        // The discharge time to enter (its date and time may wrap onto two lines of the cell).
        "Utskriven:",
        "16:30",
        "Kvittera alla meddelanden i",
        "Regel: discharged-during",
        // Short ids and the index that maps them to the full ids.
        "00000003",
        "Inga SIP i underlaget.",
        "Sida 1 av",
    ] {
        assert!(t.contains(want), "the PDF lacks {want:?}:\n{t}");
    }
    // An unknown format is refused by the argument parser, listing the formats.
    let bad = reserv(&["reconcile", "--policy", &policy, "--input", &input, "--format", "xml"], None, dir.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("xml") && err.contains("json, csv, pdf"), "{err}");
}
