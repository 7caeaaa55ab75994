//! Tests of contact files, phone numbers, search and phone lists.

use super::*;
use crate::directory::parse_directory;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/contacts");
const SYSTEMS: &str = include_str!("../../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../../data/directory/region-vasternorrland.toml");

fn catalogue() -> Catalogue {
    Catalogue::parse(SYSTEMS).unwrap()
}

fn orgs() -> Vec<Organisation> {
    parse_directory(DIRECTORY).unwrap()
}

/// Every shipped contact file as (name, text), sorted by name.
fn shipped_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

fn shipped() -> ContactBook {
    let files = shipped_files();
    match load(files.iter().map(|(n, t)| (n.as_str(), t.as_str())), &orgs(), &catalogue()) {
        Ok(book) => book,
        Err(errors) => panic!("{}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")),
    }
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A Monday at 10:00 Stockholm time (office hours).
fn monday_10() -> Timestamp {
    at("2026-11-23T09:00:00Z")
}

/// A Saturday at 11:00 Stockholm time.
fn saturday_11() -> Timestamp {
    at("2026-11-28T10:00:00Z")
}

const GOOD: &str = r#"
region = "Region Västernorrland"
region_org = "rvn"
title = "Telefonlista"
source = "test"

[[contact]]
id = "timra"
name = "Timrå kommun, växel"
category = "municipality"
org = "kommun-timra"
phone = [{ number = "060-16 31 00", kind = "switchboard" }]
cite = "001"

[[contact]]
id = "it"
name = "IT-support"
category = "it_support"
systems = ["melior"]
when = "office_hours"
hours = "vardagar 07.30–16.30"
cite = "003 §4.1"
[[contact.phone]]
number = "(026-1) 53 000"
kind = "direct"
"#;

/// Loads `text` as `bad.toml` and returns the errors as `file:line: reason`.
fn errors_of(text: &str) -> Vec<String> {
    match load([("bad.toml", text)], &orgs(), &catalogue()) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

/// Exactly one error, on `line`, containing `reason`.
fn check_bad(text: &str, line: usize, reason: &str) {
    let errs = errors_of(text);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let prefix = format!("bad.toml:{line}: ");
    assert!(errs[0].starts_with(&prefix) && errs[0].contains(reason), "{} should be {prefix}…{reason}", errs[0]);
}

#[test]
fn a_good_file_loads() {
    let book = load([("good.toml", GOOD)], &orgs(), &catalogue()).unwrap();
    let timra = book.get("timra").unwrap();
    assert_eq!(timra.phones[0].number.as_str(), "060-16 31 00");
    assert_eq!(timra.phones[0].number.tel_uri(), "tel:+4660163100");
    assert_eq!(timra.line, 8);
    assert_eq!(book.get("it").unwrap().phones[0].number.digits(), "026153000");
}

#[test]
fn phone_numbers_people_write_are_accepted() {
    for (raw, digits, class) in [
        ("0611-800 00", "061180000", NumberClass::National),
        ("0611–800 00", "061180000", NumberClass::National),
        ("060-16 31 00", "060163100", NumberClass::National),
        ("0690-25 01 00", "0690250100", NumberClass::National),
        ("0620- 68 20 00", "0620682000", NumberClass::National),
        ("090-7850000", "0907850000", NumberClass::National),
        ("(026-1) 53 000", "026153000", NumberClass::National),
        ("(026-2) 784 41", "026278441", NumberClass::National),
        ("+46 611 800 00", "061180000", NumberClass::National),
        ("0046 611 800 00", "061180000", NumberClass::National),
        ("08-123 45", "0812345", NumberClass::National),
        ("1177", "1177", NumberClass::Short),
        ("112", "112", NumberClass::Short),
        ("113 13", "11313", NumberClass::Short),
    ] {
        let n = PhoneNumber::parse(raw, false).unwrap_or_else(|e| panic!("{raw}: {}", e.message_en()));
        assert_eq!((n.digits(), n.class(), n.as_str()), (digits, class, raw.trim()), "{raw}");
    }
    assert_eq!(PhoneNumber::parse("59090", true).unwrap().class(), NumberClass::Internal);
    assert_eq!(PhoneNumber::parse("+46 611 800 00", false).unwrap().tel_uri(), "tel:+4661180000");
    assert_eq!(PhoneNumber::parse("1177", false).unwrap().tel_uri(), "tel:1177");
}

#[test]
fn things_that_are_not_phone_numbers_are_refused_with_the_reason() {
    for (raw, problem) in [
        ("", PhoneProblem::Empty),
        ("ring växeln", PhoneProblem::Letters),
        ("0611-800 OO", PhoneProblem::Letters),
        ("0611/800 00", PhoneProblem::Character('/')),
        ("0611-800 00+", PhoneProblem::Plus),
        ("(0611-800 00", PhoneProblem::Parentheses),
        ("+47 22 00 00 00", PhoneProblem::NotSwedish),
        ("0047 22 00 00 00", PhoneProblem::NotSwedish),
        ("0611-80", PhoneProblem::TooShort(6)),
        ("0611-800 00 00 00", PhoneProblem::TooLong(13)),
        ("59090", PhoneProblem::NoAreaCode(5)),
        ("1178", PhoneProblem::NoAreaCode(4)),
        ("123456789012", PhoneProblem::TooLong(12)),
    ] {
        assert_eq!(PhoneNumber::parse(raw, false), Err(problem), "{raw:?}");
    }
    assert_eq!(PhoneNumber::parse("12", true), Err(PhoneProblem::NoAreaCode(2)));
}

#[test]
fn a_bad_number_is_refused_with_file_line_and_reason() {
    check_bad(&GOOD.replace("060-16 31 00", "ring Timrå"), 12, "is not a phone number: a phone number has no letters");
    check_bad(&GOOD.replace("060-16 31 00", "060-16"), 12, "too short: 5 digits");
    check_bad(&GOOD.replace("(026-1) 53 000", "(026-1) 53 000 000 00"), 24, "too long: 14 digits");
    check_bad(&GOOD.replace("(026-1) 53 000", "+47 22 00 00 00"), 24, "Swedish numbers only");
    check_bad(&GOOD.replace("(026-1) 53 000", "59090"), 24, "without an area code");
    // The same number as an internal extension is fine.
    let internal = GOOD.replace("(026-1) 53 000", "59090").replace("kind = \"direct\"", "kind = \"internal\"");
    assert!(load([("ok.toml", internal.as_str())], &orgs(), &catalogue()).is_ok());
    // Swedish messages name the file and line too.
    let errs = load([("bad.toml", GOOD.replace("060-16 31 00", "ring").as_str())], &orgs(), &catalogue());
    let sv = errs.unwrap_err()[0].message_sv();
    assert_eq!(sv, "bad.toml, rad 12: ”ring” är inget telefonnummer: ett telefonnummer innehåller inga bokstäver");
}

#[test]
fn unknown_references_and_vocabulary_are_refused() {
    check_bad(
        &GOOD.replace("org = \"kommun-timra\"", "org = \"kommun-atlantis\""),
        11,
        "organisation `kommun-atlantis` is not in the organisation directory",
    );
    check_bad(
        &GOOD.replace("systems = [\"melior\"]", "systems = [\"cosmos\"]"),
        19,
        "system `cosmos` is not in the system catalogue",
    );
    check_bad(&GOOD.replace("region_org = \"rvn\"", "region_org = \"kommun-timra\""), 3, "is not a region");
    check_bad(&GOOD.replace("category = \"municipality\"", "category = \"moon\""), 10, "unknown category `moon`");
    check_bad(&GOOD.replace("when = \"office_hours\"", "when = \"lunch\""), 20, "unknown time `lunch`");
    check_bad(&GOOD.replace("kind = \"switchboard\"", "kind = \"telegraph\""), 12, "unknown phone kind `telegraph`");
    check_bad(
        &GOOD.replace("org = \"kommun-timra\"", "org = \"kommun-timra\"\norgs_of_kind = \"municipality\""),
        11,
        "not both",
    );
    check_bad(&GOOD.replace("id = \"it\"", "id = \"timra\""), 16, "contact id `timra` is already used in bad.toml:8");
    check_bad(
        &GOOD.replace("phone = [{ number = \"060-16 31 00\", kind = \"switchboard\" }]\n", ""),
        8,
        "neither a phone number",
    );
    check_bad(&GOOD.replace("title = \"Telefonlista\"\n", ""), 1, "missing field `title`");
    check_bad(&GOOD.replace("cite = \"001\"", "cite = \"001\"\nfax = \"1\""), 14, "unknown field `fax`");
    // A second file reusing an id is refused with both places.
    let errs = load([("a.toml", GOOD), ("b.toml", GOOD)], &orgs(), &catalogue()).unwrap_err();
    assert_eq!(errs[0].to_string(), "b.toml:8: contact id `timra` is already used in a.toml:8");
}

#[test]
fn every_shipped_contact_file_loads() {
    let book = shipped();
    let names: Vec<&str> = book.files().iter().map(|f| f.file.as_str()).collect();
    assert_eq!(names, ["000-vasterbotten.toml", "001-vasternorrland.toml", "003-gavleborg.toml"]);
    for c in book.contacts() {
        assert!(
            !c.cite.is_empty() && (c.cite.starts_with("000") || c.cite.starts_with("001") || c.cite.starts_with("003")),
            "{}",
            c.id
        );
    }
}

#[test]
fn seed_001_all_seven_municipal_switchboards_with_their_exact_numbers() {
    let book = shipped();
    let f = book.files().iter().find(|f| f.file == "001-vasternorrland.toml").unwrap();
    assert_eq!(f.region, "Region Västernorrland");
    assert_eq!(f.approval, Approval::NotYetApproved);
    let want = [
        ("kommun-timra", "060-16 31 00"),
        ("kommun-ange", "0690-25 01 00"),
        ("kommun-ornskoldsvik", "0660-880 00"),
        ("kommun-sundsvall", "060-19 10 00"),
        ("kommun-kramfors", "0612-800 00"),
        ("kommun-harnosand", "0611-34 80 00"),
        ("kommun-solleftea", "0620-68 20 00"),
    ];
    for (org, number) in want {
        let c = f.contacts.iter().find(|c| c.org.as_ref().map(OrgId::as_str) == Some(org)).unwrap();
        assert_eq!(c.category, Category::Municipality, "{org}");
        assert_eq!(c.phones.len(), 1, "{org}");
        assert_eq!((c.phones[0].number.as_str(), c.phones[0].kind), (number, PhoneKind::Switchboard), "{org}");
        // The directory holds the same number.
        let o = orgs().into_iter().find(|o| o.id.as_str() == org).unwrap();
        assert_eq!(o.switchboard.as_deref(), Some(number));
    }
    let one_way_in = f.contacts.iter().find(|c| c.id == "rvn-en-vag-in").unwrap();
    assert_eq!(one_way_in.orgs_of_kind, Some(OrgKind::Municipality));
    let note = one_way_in.note.as_deref().unwrap();
    assert!(note.contains("En väg in") && note.contains("växel") && note.contains("biståndshandläggare"), "{note}");
    let vaxel = f.contacts.iter().find(|c| c.id == "rvn-vaxel").unwrap();
    assert_eq!(vaxel.phones[0].number.as_str(), "0611-800 00");
    let sd = f.contacts.iter().find(|c| c.id == "rvn-servicedesk").unwrap();
    assert_eq!((sd.phones[0].number.as_str(), sd.email.as_deref()), ("0660 890 70", Some("support.it@rvn.se")));
    // No private person's name: the system administrator is a function.
    let admin = f.contacts.iter().find(|c| c.id == "rvn-systemforvaltare-lifecare-sp").unwrap();
    assert!(admin.name.starts_with("Systemförvaltare Lifecare SP"));
    for c in book.contacts() {
        let text = format!("{} {}", c.name, c.note.as_deref().unwrap_or(""));
        assert!(!text.contains("Victoria") && !text.contains("Bäcklund"), "{}", c.id);
    }
}

#[test]
fn seed_003_it_support_in_office_hours_and_on_call() {
    let book = shipped();
    let f = book.files().iter().find(|f| f.file == "003-gavleborg.toml").unwrap();
    assert_eq!(f.region, "Region Gävleborg");
    assert_eq!(f.region_org, None, "Gävleborg is not in the demo directory");
    let office = f.contacts.iter().find(|c| c.when == When::OfficeHours).unwrap();
    assert_eq!(office.phones[0].number.as_str(), "(026-1) 53 000");
    assert_eq!(office.hours.as_deref(), Some("vardagar 07.30–16.30"));
    assert_eq!(office.email.as_deref(), Some("it-support@regiongavleborg.se"));
    let on_call = f.contacts.iter().find(|c| c.when == When::OnCall).unwrap();
    assert_eq!((on_call.phones[0].number.as_str(), on_call.phones[0].kind), ("(026-2) 784 41", PhoneKind::OnCall));
    for c in [office, on_call] {
        assert_eq!(c.category, Category::ItSupport);
        let systems: Vec<&str> = c.systems.iter().map(SystemId::as_str).collect();
        for s in ["clinic24", "melior", "svarsdatabasen", "pmo", "elvis", "provisio", "medspeech"] {
            assert!(systems.contains(&s), "{}: {s}", c.id);
        }
        assert!(c.cite.starts_with("003 §4.1"));
    }
    assert!(office.when.applies_at(monday_10()) && !on_call.when.applies_at(monday_10()));
    assert!(!office.when.applies_at(saturday_11()) && on_call.when.applies_at(saturday_11()));
}

#[test]
fn seed_000_the_weekend_route_and_the_switchboards() {
    let book = shipped();
    let f = book.files().iter().find(|f| f.file == "000-vasterbotten.toml").unwrap();
    assert_eq!(f.region, "Region Västerbotten");
    let weekend = f.contacts.iter().find(|c| c.when == When::Weekends).unwrap();
    assert_eq!((weekend.category, weekend.orgs_of_kind), (Category::HomeHealthCare, Some(OrgKind::Municipality)));
    assert!(weekend.note.as_deref().unwrap().contains("hemsjukvården"));
    let vaxel = f.contacts.iter().find(|c| c.id == "vbt-vaxel").unwrap();
    assert_eq!(vaxel.phones[0].number.as_str(), "090-7850000");
    let sd = f.contacts.iter().find(|c| c.id == "vbt-servicedesk").unwrap();
    assert_eq!((sd.phones[0].number.as_str(), sd.phones[0].kind), ("59090", PhoneKind::Internal));
    let daytime = f.contacts.iter().find(|c| c.id == "vbt-kommunernas-vaxel").unwrap();
    assert_eq!(daytime.when, When::OfficeHours);
    assert!(weekend.when.applies_at(saturday_11()) && !weekend.when.applies_at(monday_10()));
}

fn names(r: &SearchResult) -> Vec<String> {
    r.groups.iter().flat_map(|g| g.entries.iter().map(|e| e.name.clone())).collect()
}

#[test]
fn search_is_case_insensitive_and_aware_of_a_ring_a_umlaut_o_umlaut() {
    let book = shipped();
    let (orgs, cat) = (orgs(), catalogue());
    for q in ["Ånge", "ånge", "ÅNGE", "Ange", "ange"] {
        let r = book.search(q, &orgs, &cat);
        assert_eq!(names(&r).first().map(String::as_str), Some("Ånge kommun, växel"), "{q}: {:?}", names(&r));
    }
    // Written with å, only Ånge; without, Ånge first (and words such
    // as "anger" may follow), never an unrelated municipality.
    assert_eq!(names(&book.search("Ånge", &orgs, &cat)), ["Ånge kommun, växel"]);
    assert!(!names(&book.search("Ange", &orgs, &cat)).contains(&"Timrå kommun, växel".to_owned()));
    for q in ["Örnsköldsvik", "ornskoldsvik", "Härnösand", "harnosand", "härnosand", "Sollefteå", "solleftea"] {
        let r = book.search(q, &orgs, &cat);
        assert!(r.total >= 1, "{q}");
        assert_eq!(r.groups[0].region, "Region Västernorrland", "{q}");
    }
    // Every word must match, anywhere: the organisation's name counts.
    let r = book.search("timrå växel", &orgs, &cat);
    assert_eq!(names(&r), ["Timrå kommun, växel"]);
    assert!(book.search("timrå kommun", &orgs, &cat).total >= 1);
    assert_eq!(book.search("Atlantis", &orgs, &cat).total, 0);
    // Systems by name, grouped by region.
    let r = book.search("melior", &orgs, &cat);
    assert_eq!(r.groups.len(), 1);
    assert_eq!(r.groups[0].region, "Region Gävleborg");
    assert_eq!(r.total, 2);
    // Weekends, hemsjukvård.
    assert!(names(&book.search("helg", &orgs, &cat)).iter().any(|n| n.contains("hemsjukvård")));
}

#[test]
fn search_finds_numbers_with_or_without_spaces() {
    let book = shipped();
    let (orgs, cat) = (orgs(), catalogue());
    for q in ["060163100", "060-16 31 00", "060 16 31 00", "+46 60 16 31 00", "163100"] {
        assert_eq!(names(&book.search(q, &orgs, &cat)), ["Timrå kommun, växel"], "{q}");
    }
    for q in ["026153000", "(026-1) 53 000", "026-153000"] {
        assert_eq!(names(&book.search(q, &orgs, &cat)), ["IT-support, Region Gävleborg"], "{q}");
    }
    // 0611-800 00: the region's switchboard, and the hospitals of the
    // directory that list the same number.
    let r = book.search("061180000", &orgs, &cat);
    let n = names(&r);
    assert!(n.contains(&"Region Västernorrland, växel".to_owned()), "{n:?}");
    assert!(n.contains(&"Sundsvalls sjukhus".to_owned()), "{n:?}");
    assert!(r.groups[0].entries.iter().any(|e| e.from_directory));
}

#[test]
fn an_empty_query_lists_everything_grouped_by_region() {
    let book = shipped();
    let r = book.search("  ", &orgs(), &catalogue());
    let regions: Vec<&str> = r.groups.iter().map(|g| g.region.as_str()).collect();
    assert_eq!(regions, ["Region Gävleborg", "Region Västerbotten", "Region Västernorrland"]);
    assert!(r.total >= book.contacts().count());
}

fn list(unit: &str, now: Timestamp) -> PhoneList {
    shipped().phone_list(&orgs(), &OrgId::parse(unit).unwrap(), now).unwrap()
}

fn section(l: &PhoneList, kind: SectionKind) -> &Section {
    l.sections.iter().find(|s| s.kind == kind).unwrap_or_else(|| panic!("{kind:?} missing"))
}

#[test]
fn a_wards_phone_list_in_a_stable_order() {
    let l = list("rvn-sundsvall-avd-medicin-3", monday_10());
    assert_eq!(l.region.as_deref(), Some("Region Västernorrland"));
    assert!(l.office_hours_now);
    let kinds: Vec<SectionKind> = l.sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SectionKind::OwnUnit,
            SectionKind::Switchboards,
            SectionKind::ItSupport,
            SectionKind::Municipalities,
            SectionKind::PrimaryCare
        ]
    );
    assert_eq!(section(&l, SectionKind::OwnUnit).rows[0].entry.name, "Medicinavdelning 3, Sundsvalls sjukhus");
    let boards: Vec<(&str, &str)> = section(&l, SectionKind::Switchboards)
        .rows
        .iter()
        .map(|r| (r.entry.name.as_str(), r.entry.phones[0].number.as_str()))
        .collect();
    assert_eq!(boards, [("Sundsvalls sjukhus", "0611-800 00"), ("Region Västernorrland, växel", "0611-800 00")]);
    let it = &section(&l, SectionKind::ItSupport).rows;
    assert_eq!(it.len(), 1, "the region's service desk, not the municipalities' own IT support");
    assert_eq!((it[0].entry.phones[0].number.as_str(), it[0].applies_now), ("0660 890 70", true));
    let m = section(&l, SectionKind::Municipalities);
    let munis: Vec<(&str, &str)> =
        m.rows.iter().map(|r| (r.entry.org.as_ref().unwrap().as_str(), r.entry.phones[0].number.as_str())).collect();
    assert_eq!(
        munis,
        [
            ("kommun-harnosand", "0611-34 80 00"),
            ("kommun-kramfors", "0612-800 00"),
            ("kommun-solleftea", "0620-68 20 00"),
            ("kommun-sundsvall", "060-19 10 00"),
            ("kommun-timra", "060-16 31 00"),
            ("kommun-ange", "0690-25 01 00"),
            ("kommun-ornskoldsvik", "0660-880 00"),
        ]
    );
    // The notes: one way in (001, the unit's own region). Never another
    // region's routine (000's weekend route or daytime rule).
    assert!(m.notes.iter().any(|n| n.entry.id == "rvn-en-vag-in"));
    assert!(m.notes.iter().all(|n| n.entry.region == "Region Västernorrland"), "only the own region's rules");
    assert!(m.notes.iter().all(|n| n.entry.when != When::Weekends), "no other region's weekend route");
    assert!(m.notes.iter().all(|n| n.entry.id != "vbt-kommunernas-vaxel"), "not another region's daytime rule");
    let care = section(&l, SectionKind::PrimaryCare);
    assert!(care.notes.iter().any(|n| n.entry.note.as_deref().unwrap().contains("fasta vårdkontakt")));
    let care_names: Vec<&str> = care.rows.iter().map(|r| r.entry.name.as_str()).collect();
    assert_eq!(care_names.len(), 5);
    assert!(care_names.windows(2).all(|w| swedish_order_key(w[0]) <= swedish_order_key(w[1])));
    // The same list every time, and Saturday is no office time.
    assert_eq!(l, list("rvn-sundsvall-avd-medicin-3", monday_10()));
    let sat = list("rvn-sundsvall-avd-medicin-3", saturday_11());
    assert!(!sat.office_hours_now);
    // No section of any list cites another region's routine.
    for unit in ["rvn-sundsvall-avd-medicin-3", "kommun-timra", "rvn-hc-timra", "rvn-sundsvall-avd-psykiatri-1"] {
        for s in &list(unit, saturday_11()).sections {
            for r in s.notes.iter().chain(&s.rows) {
                assert!(!r.entry.cite.starts_with("000") && !r.entry.cite.starts_with("003"), "{unit}: {}", r.entry.id);
            }
        }
    }
}

#[test]
fn the_numbers_of_a_counterpart() {
    let book = shipped();
    let numbers = |id: &str| -> Vec<String> {
        book.numbers_of(&orgs(), &OrgId::parse(id).unwrap()).iter().map(|p| p.number.as_str().to_owned()).collect()
    };
    // A municipality: its switchboard from the contacts (not twice from the directory).
    assert_eq!(numbers("kommun-timra"), ["060-16 31 00"]);
    // A ward without numbers of its own: its hospital's switchboard.
    assert_eq!(numbers("rvn-sundsvall-avd-medicin-3"), ["0611-800 00"]);
    // A primary-care centre without numbers: the region's switchboard.
    assert_eq!(numbers("rvn-hc-timra"), ["0611-800 00"]);
    assert!(numbers("nowhere").is_empty());
}

#[test]
fn a_municipalitys_phone_list_reaches_the_region() {
    let l = list("kommun-timra", monday_10());
    let kinds: Vec<SectionKind> = l.sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SectionKind::OwnUnit,
            SectionKind::Switchboards,
            SectionKind::ItSupport,
            SectionKind::Hospitals,
            SectionKind::PrimaryCare
        ]
    );
    assert_eq!(section(&l, SectionKind::OwnUnit).rows[0].entry.phones[0].number.as_str(), "060-16 31 00");
    assert_eq!(section(&l, SectionKind::Switchboards).rows[0].entry.name, "Region Västernorrland, växel");
    let it = &section(&l, SectionKind::ItSupport).rows;
    assert_eq!(it.len(), 1);
    assert_eq!(it[0].entry.id, "rvn-kommunernas-it-support");
    assert!(shipped().phone_list(&orgs(), &OrgId::parse("nowhere").unwrap(), monday_10()).is_none());
}

#[test]
fn folding_and_swedish_order() {
    assert_eq!(fold("ÅNGE Härnösand–Örnsköldsvik"), "ange harnosand-ornskoldsvik");
    let mut v = vec!["Örnsköldsvik", "Ånge", "Timrå", "Ängelholm", "Arvidsjaur"];
    v.sort_by_key(|s| swedish_order_key(s));
    assert_eq!(v, ["Arvidsjaur", "Timrå", "Ånge", "Ängelholm", "Örnsköldsvik"]);
}

#[test]
fn the_own_region_first() {
    let o = orgs();
    let own = region_name_of(&o, &OrgId::parse("kommun-timra").unwrap());
    assert_eq!(own.as_deref(), Some("Region Västernorrland"), "a municipality: the directory's only region");
    assert_eq!(region_name_of(&o, &OrgId::parse("rvn-hc-timra").unwrap()).as_deref(), Some("Region Västernorrland"));
    assert_eq!(region_name_of(&o, &OrgId::parse("nowhere").unwrap()), None);
    let (mine, others) = shipped().search("", &o, &catalogue()).split_by_region(own.as_deref());
    assert_eq!(mine.iter().map(|g| g.region.as_str()).collect::<Vec<_>>(), ["Region Västernorrland"]);
    assert_eq!(
        others.iter().map(|g| g.region.as_str()).collect::<Vec<_>>(),
        ["Region Gävleborg", "Region Västerbotten"]
    );
    let (all, none) = shipped().search("", &o, &catalogue()).split_by_region(None);
    assert_eq!((all.len(), none.len()), (3, 0));
}
