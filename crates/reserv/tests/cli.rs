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
    for want in ["Överlämningslogg", "19380412-9819", "19410923-9824", "Hälsocentralen", "Sida 1 av", "Utskrift 20"]
    {
        assert!(t.contains(want), "the PDF lacks {want:?}:\n{t}");
    }
    // The footer says "Utskrift <date>", not "Utskriven" (discharged), a column of the log.
    assert!(!t.contains("Utskriven 20"), "{t}");
    assert!(text(&r).contains("8 vårdtillfällen skrevs"), "{}", text(&r));
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
    assert!(t.contains("Inskriven") && t.contains("1 Inskrivning") && t.contains("16 Annat"), "{t}");
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
    assert!(
        out.starts_with("\u{feff}Gäller;Id;Part;Utfall;Regel;Åtgärd;Uppgift;Värden;Skäl eller källa;Gäller (kod);")
    );
    assert!(out.contains("Utskrivningsmeddelande;\"Utskriven till: Hem; Utskriven: 2025-11-03 16:30\""), "{out}");
    assert!(out.contains("discharge_notice;\"discharge_destination=home; discharged_at=2025-11-03 16:30\""), "{out}");
    // Format 2: the example's second patient went home, so patient information is sent home.
    assert!(out.contains("patient_information_send_home;discharge_destination=home"), "{out}");
    // Format 2: the third patient's SIP date was agreed by phone during the outage, so primary care
    // sends the formal invitation although the episode itself is not entered.
    assert!(out.contains("send_sip_invitation;\"sip_agreed_at=2025-11-03 14:00; sip_meeting_on=2025-11-12; sip_participants=municipality,primary_care\""), "{out}");
    // Format 1 (no version) is still read; format 2's facts in a format 1 file, or an unknown
    // version, are refused with the reason.
    let example: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&input).unwrap()).unwrap();
    let mut v1 = example.clone();
    v1.as_object_mut().unwrap().remove("version");
    for e in v1["episodes"].as_array_mut().unwrap() {
        e.as_object_mut().unwrap().remove("discharge_destination");
        e.as_object_mut().unwrap().remove("sips_agreed");
    }
    let old = dir.path().join("v1.json");
    std::fs::write(&old, v1.to_string()).unwrap();
    let r = reserv(&["reconcile", "--policy", &policy, "--input", old.to_str().unwrap()], None, dir.path());
    assert!(r.status.success(), "{}", text(&r));
    let mut mixed = example.clone();
    mixed.as_object_mut().unwrap().remove("version");
    std::fs::write(&old, mixed.to_string()).unwrap();
    let r = reserv(&["reconcile", "--policy", &policy, "--input", old.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1));
    assert!(text(&r).contains("\"version\": 2"), "{}", text(&r));
    let mut future = example.clone();
    future["version"] = 3.into();
    std::fs::write(&old, future.to_string()).unwrap();
    let r = reserv(&["reconcile", "--policy", &policy, "--input", old.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1));
    assert!(text(&r).contains("version 3 finns inte"), "{}", text(&r));
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

/// The 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} not found")) + 1
}

#[test]
fn contacts_are_checked_with_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/contacts");
    let ok = reserv(&["contacts", "check", shipped], None, dir.path());
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("3 filer") && text(&ok).contains("inga fel"), "{}", text(&ok));
    // A copy with a number that is not one and an organisation that does not exist.
    let bad = dir.path().join("contacts");
    std::fs::create_dir(&bad).unwrap();
    let original = std::fs::read_to_string(format!("{shipped}/001-vasternorrland.toml")).unwrap();
    let broken =
        original.replacen("060-16 31 00", "060-16 31 OO", 1).replacen("\"kommun-ange\"", "\"kommun-atlantis\"", 1);
    std::fs::write(bad.join("001-vasternorrland.toml"), &broken).unwrap();
    let r = reserv(&["contacts", "check", bad.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1), "{}", text(&r));
    let out = text(&r);
    let phone = line_of(&broken, "060-16 31 OO");
    assert!(
        out.contains(&format!(
            "001-vasternorrland.toml, rad {phone}: ”060-16 31 OO” är inget telefonnummer: ett telefonnummer innehåller inga bokstäver"
        )),
        "{out}"
    );
    let org = line_of(&broken, "kommun-atlantis");
    assert!(
        out.contains(&format!(
            "001-vasternorrland.toml, rad {org}: organisationen ”kommun-atlantis” finns inte i organisationskatalogen"
        )),
        "{out}"
    );
    assert!(out.contains("2 fel i"), "{out}");
    // Checked against another directory, the demo's ids are unknown.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "[[organisation]]\nid = \"region-x\"\nkind = \"region\"\nname = \"Region X\"\n").unwrap();
    let r = reserv(&["contacts", "check", shipped, "--directory", other.to_str().unwrap()], None, dir.path());
    assert_eq!(r.status.code(), Some(1));
    assert!(text(&r).contains("organisationen ”kommun-timra” finns inte"), "{}", text(&r));
    // An empty directory is an error too.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(!reserv(&["contacts", "check", empty.to_str().unwrap()], None, dir.path()).status.success());
}

#[test]
fn the_phone_list_and_a_routine_print_to_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    assert!(reserv(&["directory", "import", DIRECTORY, "--data", data], None, dir.path()).status.success());
    let pdf = dir.path().join("telefonlista.pdf");
    let args = [
        "print",
        "phone-list",
        "--unit",
        "rvn-sundsvall-avd-medicin-3",
        "--data",
        data,
        "--out",
        pdf.to_str().unwrap(),
    ];
    let r = reserv(&args, None, dir.path());
    assert!(r.status.success(), "{}", text(&r));
    let t = pdftotext(&pdf);
    for want in [
        "Telefonlista vid driftstopp",
        "Medicinavdelning 3, Sundsvalls sjukhus",
        "Region Västernorrland, växel",
        "0611-800 00",
        "0660 890 70",
        "Härnösands kommun, växel",
        "0611-34 80 00",
        "Sollefteå kommun, växel",
        "Ånge kommun, växel",
        "0690-25 01 00",
        "Örnsköldsviks kommun, växel",
        "En väg in",
        "biståndshandläggare",
        "Hälsocentralen Örnsköldsvik",
        "Sida 1 av 1",
    ] {
        assert!(t.contains(want), "the phone list lacks {want:?}:\n{t}");
    }
    assert!(!t.contains("Västerbotten") && !t.contains("hemsjukvården"), "never another region's routine:\n{t}");
    let bad =
        reserv(&["print", "phone-list", "--unit", "atlantis", "--data", data, "--out", "x.pdf"], None, dir.path());
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("--unit") && text(&bad).contains("atlantis"), "{}", text(&bad));

    let pdf = dir.path().join("rutin.pdf");
    let r = reserv(&["print", "routine", "--system", "elvis", "--out", pdf.to_str().unwrap()], None, dir.path());
    assert!(r.status.success(), "{}", text(&r));
    let t = pdftotext(&pdf);
    for want in [
        "Rutin vid driftstopp: ELVIS",
        "Fastställd av",
        "Anges inte i källan",
        "Region Gävleborg",
        "Före planerat driftstopp",
        "Under driftstoppet",
        "När systemet är i drift igen",
        "Område",
        "Beroenden till andra system",
        "Svarsdatabasen",
        "Sida 1 av",
    ] {
        assert!(t.contains(want), "the routine lacks {want:?}:\n{t}");
    }
    let pdf = dir.path().join("lifecare.pdf");
    let args =
        ["print", "routine", "--system", "lifecare-sp", "--role", "municipality", "--out", pdf.to_str().unwrap()];
    let r = reserv(&args, None, dir.path());
    assert!(r.status.success(), "{}", text(&r));
    let t = pdftotext(&pdf);
    for want in ["Ej beslutad", "2025-10-02", "1.0", "Steg för: Kommun", "Kvittera"] {
        assert!(t.contains(want), "the routine lacks {want:?}:\n{t}");
    }
    let bad =
        reserv(&["print", "routine", "--system", "elvis", "--role", "astronaut", "--out", "x.pdf"], None, dir.path());
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("--role") && text(&bad).contains("nurse"), "{}", text(&bad));
    let bad = reserv(&["print", "routine", "--system", "cosmos", "--out", "x.pdf"], None, dir.path());
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("--system"), "{}", text(&bad));
}

#[test]
fn routine_roles_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let imp = reserv(&["directory", "import", DIRECTORY, "--data", data], None, dir.path());
    assert!(imp.status.success(), "{}", text(&imp));
    let add = |username: &str, roles: &[&str]| {
        let mut args =
            vec!["user", "add", "--username", username, "--org", "rvn-sundsvall-avd-medicin-3", "--role", "clinician"];
        for r in roles {
            args.extend(["--routine-role", r]);
        }
        args.extend(["--password-stdin", "--data", data]);
        reserv(&args, Some("ett-långt-lösenord\n"), dir.path())
    };
    let bad = add("ssk.sam", &["nurse", "doktor"]);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("Roller i rutinerna: okänt värde ”doktor”"), "{}", text(&bad));
    let ok = add("ssk.sam", &["nurse", "inpatient_care"]);
    assert!(ok.status.success(), "{}", text(&ok));
}

/// Issue 5: "the server keeps serving the last valid version" — a broken
/// routine file is refused on SIGHUP and the previous routines stay in use;
/// a fixed one is taken on the next SIGHUP.
#[test]
fn sighup_reloads_valid_routines_and_keeps_the_last_valid_ones_otherwise() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let routines = dir.path().join("routines");
    std::fs::create_dir(&routines).unwrap();
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/routines");
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&p, routines.join(p.file_name().unwrap())).unwrap();
        }
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_reserv"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data", dir.path().join("data").to_str().unwrap()])
        .env("RESERV_ROUTINES", &routines)
        .env("RESERV_LOG", "info")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("Reserv lyssnar på") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the server printed its address");
    }
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let wait_for = |needle: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if let Ok(l) = rx.recv_timeout(std::time::Duration::from_millis(200))
                && l.contains(needle)
            {
                return l;
            }
        }
        panic!("no log line with {needle:?}");
    };
    let hup = || {
        // The shell's own `kill`, so no procps package is needed.
        let ok = Command::new("sh").args(["-c", &format!("kill -HUP {}", child.id())]).status().unwrap();
        assert!(ok.success());
    };
    let elvis = routines.join("003-elvis.toml");
    let good = std::fs::read_to_string(&elvis).unwrap();
    std::fs::write(&elvis, good.replacen("role = \"all_staff\"", "role = \"trollkarl\"", 1)).unwrap();
    hup();
    wait_for("routines NOT reloaded");
    let why = wait_for("trollkarl");
    assert!(why.contains("003-elvis.toml"), "the problem names the file: {why}");
    std::fs::write(&elvis, good).unwrap();
    hup();
    wait_for("routines reloaded");
    let _ = child.kill();
    let _ = child.wait();
}

const POLICY_003: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/notifications/003-gavleborg.toml");

fn plan(extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["notifications", "plan", "--policy", POLICY_003];
    args.extend_from_slice(extra);
    reserv(&args, None, dir.path())
}

// 003 §4.2: "Jourtid, övrig tid: Enligt ovan samt IT-förvaltningen
// kontaktar akutmottagningar och familjeläkarjourer via telefon": Melior
// stopping unplanned on Midsummer Eve at 10:00 for 45 minutes is on-call
// time, judged at that time and not at the clock.
#[test]
fn notifications_plan_for_midsummer_eve_in_text_and_json() {
    let args = ["--system", "melior", "--kind", "unplanned", "--start", "2026-06-19T10:00"];
    let o = plan(&[&args[..], &["--expected-end", "2026-06-19T10:45"]].concat());
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.contains("7 meddelanden."), "{out}");
    assert!(out.contains("2026-06-19 10:00 (UTC 2026-06-19 08:00) – jourtid (Midsommarafton)"), "{out}");
    assert!(out.contains("Till: Akutmottagningar"), "{out}");
    assert!(out.contains("Kanal: Ringuppdrag. Avsändare: IT-förvaltning."), "{out}");
    assert!(out.contains("Text: Ring akutmottagningar och informera"), "{out}");
    assert!(out.contains("Källa: 003 §4.2: Jourtid, övrig tid: Enligt ovan samt IT-förvaltningen kontaktar"), "{out}");
    assert!(out.contains("Regel: Oplanerade avbrott som beräknas pågå längre än 30 minuter"), "{out}");
    assert!(out.contains("/routines/melior"), "the routine link: {out}");
    // No internal ids in the text for people.
    for id in ["unplanned-phone-emergency", "emergency-departments", "phone_task", "status_page"] {
        assert!(!out.contains(id), "{id} in {out}");
    }
    // The JSON carries the ids as extra fields.
    let o = plan(&[&args[..], &["--expected-end", "2026-06-19T10:45", "--format", "json"]].concat());
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let msgs = v["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 7);
    let task = msgs.iter().find(|m| m["rule"] == "unplanned-phone-emergency").unwrap();
    assert_eq!(task["channel"], "phone_task");
    assert_eq!(task["due_at"], "2026-06-19T08:00:00Z");
    assert_eq!(task["due_local"], "2026-06-19 10:00");
    assert_eq!(task["office_hours"], false);
    assert_eq!(task["holiday"], "Midsommarafton");
    // The same outage on an ordinary Friday in office hours: nobody is phoned.
    let friday = plan(&[
        "--system",
        "melior",
        "--kind",
        "unplanned",
        "--start",
        "2026-06-12T10:00",
        "--expected-end",
        "2026-06-12T10:45",
    ]);
    let out = String::from_utf8_lossy(&friday.stdout).into_owned();
    assert!(out.contains("5 meddelanden.") && out.contains("– dagtid") && !out.contains("Ringuppdrag"), "{out}");
}

// 003 §4.3: "Påminnelse och informationsmaterial mailas ut till VC en vecka
// respektive en dag innan planerat driftstopp", and §4.4 at restart.
#[test]
fn notifications_plan_for_a_planned_outage_with_a_restart() {
    let o = plan(&[
        "--system",
        "melior",
        "--kind",
        "planned",
        "--start",
        "2026-12-28T08:00",
        "--expected-end",
        "2026-12-28T10:00",
        "--declared-at",
        "2026-11-02T09:00",
        "--restored-at",
        "2026-12-28T09:30",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    // A day before Monday 28 December is a Sunday; Christmas Day and Boxing
    // Day are holidays, Christmas Eve counts as one: 23 December 07:30.
    assert!(out.contains("2026-12-23 07:30 (UTC 2026-12-23 06:30) – dagtid"), "{out}");
    assert!(out.contains("Registreras: 2026-11-02 09:00 (UTC 2026-11-02 08:00)\n"), "{out}");
    assert!(out.contains("2026-12-28 09:30 (UTC 2026-12-28 08:30)"), "the restart: {out}");
    assert!(out.contains("Melior är åter i drift"), "{out}");
}

// Bad input: non-zero exit and a message naming the flag.
#[test]
fn notifications_plan_refuses_bad_input_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["--system", "nosuch", "--kind", "unplanned", "--start", "2026-06-19T10:00"], "--system:"),
        (&["--system", "prator", "--kind", "unplanned", "--start", "2026-06-19T10:00"], "--system:"),
        (&["--system", "melior", "--kind", "sometimes", "--start", "2026-06-19T10:00"], "--kind:"),
        (&["--system", "melior", "--kind", "unplanned", "--start", "2026-06-31T10:00"], "--start:"),
        (&["--system", "melior", "--kind", "unplanned", "--start", "2026-03-29T02:30"], "--start:"),
        (&["--system", "melior", "--kind", "unplanned", "--start", "2026-10-25T02:30"], "--start:"),
        (
            &[
                "--system",
                "melior",
                "--kind",
                "unplanned",
                "--start",
                "2026-06-19T10:00",
                "--expected-end",
                "2026-06-19T09:00",
            ],
            "--expected-end:",
        ),
        (
            &[
                "--system",
                "melior",
                "--kind",
                "unplanned",
                "--start",
                "2026-06-19T10:00",
                "--declared-at",
                "2026-06-19T09:00",
            ],
            "--declared-at:",
        ),
        (
            &[
                "--system",
                "melior",
                "--kind",
                "unplanned",
                "--start",
                "2026-06-19T10:00",
                "--restored-at",
                "2026-06-19T10:00",
            ],
            "--restored-at:",
        ),
    ];
    for (args, flag) in cases {
        let o = plan(args);
        assert!(!o.status.success(), "{args:?} must fail");
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}: nothing half-written");
    }
    // The autumn night's repeated hour is exact with an offset.
    let o = plan(&["--system", "melior", "--kind", "unplanned", "--start", "2026-10-25T02:30+02:00"]);
    assert!(o.status.success(), "{}", text(&o));
    // A policy with a mistake names --policy and the line.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(POLICY_003).unwrap().replace("channel = \"sms\"", "channel = \"fax\""),
    )
    .unwrap();
    let o = reserv(
        &[
            "notifications",
            "plan",
            "--policy",
            bad.to_str().unwrap(),
            "--system",
            "melior",
            "--kind",
            "unplanned",
            "--start",
            "2026-06-19T10:00",
        ],
        None,
        dir.path(),
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("--policy:") && err.contains("bad.toml:"), "{err}");
}

/// `reserv audit verify` walks the chain; `reserv audit checkpoint` signs its
/// head with the key from the environment into a file outside the data
/// directory; a forged checkpoint or a missing key is a clear error (exit 1).
/// Tampering with the file itself is tested in reserv-store-sqlite.
#[test]
fn the_audit_chain_is_verified_and_checkpointed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    assert!(reserv(&["directory", "import", DIRECTORY, "--data", data], None, dir.path()).status.success());
    let ok = reserv(&["audit", "verify", "--data", data], None, dir.path());
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("Granskningsloggen är obruten."), "{}", text(&ok));
    assert!(text(&ok).contains("poster i kedjan"), "{}", text(&ok));

    let cp = dir.path().join("checkpoints.jsonl");
    let cp = cp.to_str().unwrap();
    let with_key = |args: &[&str], key: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_reserv"));
        c.args(args).current_dir(dir.path()).env_remove("RESERV_CONFIG").env_remove("RESERV_DATA");
        match key {
            Some(k) => c.env("RESERV_AUDIT_KEY", k),
            None => c.env_remove("RESERV_AUDIT_KEY"),
        };
        c.output().unwrap()
    };
    let key = "en hemlig nyckel för kontrollpunkter";
    let r = with_key(&["audit", "checkpoint", "--file", cp, "--data", data], None);
    assert_eq!(r.status.code(), Some(1));
    assert!(text(&r).contains("RESERV_AUDIT_KEY saknas"), "{}", text(&r));
    let r = with_key(&["audit", "checkpoint", "--file", cp, "--data", data], Some(key));
    assert!(r.status.success(), "{}", text(&r));
    let r = with_key(&["audit", "verify", "--checkpoints", cp, "--data", data], Some(key));
    assert!(r.status.success(), "{}", text(&r));
    assert!(text(&r).contains("kontrollpunkter jämförda"), "{}", text(&r));
    // Another key: the checkpoint's signature does not hold.
    let r = with_key(&["audit", "verify", "--checkpoints", cp, "--data", data], Some("en annan nyckel, lika lång"));
    assert_eq!(r.status.code(), Some(1));
    assert!(text(&r).contains("signatur som inte stämmer"), "{}", text(&r));
    // A malformed checkpoint file names its line.
    std::fs::write(dir.path().join("bad.jsonl"), "{}\n").unwrap();
    let bad = dir.path().join("bad.jsonl");
    let r = with_key(&["audit", "verify", "--checkpoints", bad.to_str().unwrap(), "--data", data], Some(key));
    assert_eq!(r.status.code(), Some(1));
    assert!(text(&r).contains("rad 1"), "{}", text(&r));
}

/// With `[audit] checkpoint_file` (here `RESERV_AUDIT_CHECKPOINTS`) the
/// server itself checks the chain at start, compares the file's checkpoints,
/// and appends a signed checkpoint of the head (also logged as a line). A
/// tail cut off while it was stopped is found at the next start, and no new
/// checkpoint is written over it. Without the key it refuses to start.
#[test]
fn the_server_writes_checkpoints_and_finds_a_cut_tail_at_start() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cp = dir.path().join("checkpoints.jsonl");
    let key = "en hemlig nyckel för kontrollpunkter";
    assert!(
        reserv(&["directory", "import", DIRECTORY, "--data", data.to_str().unwrap()], None, dir.path())
            .status
            .success()
    );
    // Starts the server, waits for a log line with `needle`, stops it.
    let run_until = |needle: &str, key: Option<&str>| -> (bool, String) {
        let mut c = Command::new(env!("CARGO_BIN_EXE_reserv"));
        c.args(["serve", "--listen", "127.0.0.1:0", "--data", data.to_str().unwrap()])
            .env("RESERV_AUDIT_CHECKPOINTS", &cp)
            .env("RESERV_LOG", "info")
            .env_remove("RESERV_CONFIG")
            .env_remove("RESERV_DATA")
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        match key {
            Some(k) => c.env("RESERV_AUDIT_KEY", k),
            None => c.env_remove("RESERV_AUDIT_KEY"),
        };
        let mut child = c.spawn().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let mut seen = String::new();
        let mut found = false;
        while std::time::Instant::now() < deadline {
            match rx.recv_timeout(std::time::Duration::from_millis(200)) {
                Ok(l) => {
                    seen.push_str(&l);
                    seen.push('\n');
                    if l.contains(needle) {
                        found = true;
                        break;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        (found, seen)
    };
    let lines = || std::fs::read_to_string(&cp).unwrap_or_default().lines().count();

    // No key: a clear refusal, nothing started.
    let (_, log) = run_until("Reserv started", None);
    assert!(log.contains("RESERV_AUDIT_KEY saknas"), "{log}");
    assert_eq!(lines(), 0);

    let (found, log) = run_until("audit checkpoint", Some(key));
    assert!(found, "a checkpoint is written at start: {log}");
    assert_eq!(lines(), 1, "one node, one checkpoint");
    let verify = |k: &str| {
        Command::new(env!("CARGO_BIN_EXE_reserv"))
            .args(["audit", "verify", "--checkpoints", cp.to_str().unwrap(), "--data", data.to_str().unwrap()])
            .env("RESERV_AUDIT_KEY", k)
            .env_remove("RESERV_CONFIG")
            .env_remove("RESERV_DATA")
            .output()
            .unwrap()
    };
    assert!(verify(key).status.success());
    // Started again: the chain holds, the checkpoint is compared, a new one added.
    let (found, log) = run_until("audit checkpoint", Some(key));
    assert!(found && log.contains("audit chain intact"), "{log}");
    assert_eq!(lines(), 2);

    // The tail cut off while the server was stopped (triggers dropped and put back).
    let db = data.join("reserv.sqlite3");
    assert!(db.exists());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_delete;
         DELETE FROM audit_log WHERE chain_seq = (SELECT MAX(chain_seq) FROM audit_log);
         CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
    )
    .unwrap();
    drop(conn);
    let (found, log) = run_until("audit chain broken", Some(key));
    assert!(found, "the cut tail is found at start: {log}");
    assert_eq!(lines(), 2, "no checkpoint is written over a broken chain");
    assert_eq!(verify(key).status.code(), Some(1));
}
