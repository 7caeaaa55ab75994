//! The contacts' presentation model, free of HTTP: search results grouped
//! for the page, one entry with its phone numbers and cites, and a unit's
//! phone list, with the texts in both languages ([`ContactTexts`]). The page
//! and `reserv print phone-list` both render it.

use reserv_core::contacts::{Entry, Group, PhoneList, Row, When};
use reserv_core::time::format_local;

use crate::kit::i18n::Lang;

/// The texts of the contact pages and the phone list.
pub struct ContactTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub search_label: &'static str,
    pub search_hint: &'static str,
    pub search_button: &'static str,
    pub results_for: &'static str,
    pub all_contacts: &'static str,
    pub hits: &'static str,
    /// One hit, singular.
    pub hit: &'static str,
    pub no_hits: &'static str,
    pub from_directory: &'static str,
    pub source: &'static str,
    pub name: &'static str,
    pub numbers: &'static str,
    pub when: &'static str,
    pub applies_now: &'static str,
    pub not_now: &'static str,
    pub email: &'static str,
    pub web: &'static str,
    pub systems: &'static str,
    pub applies_to_all: &'static str,
    pub office_now: &'static str,
    pub on_call_now: &'static str,
    pub print_title: &'static str,
    pub print_heading: &'static str,
    pub print_intro: &'static str,
    pub unit: &'static str,
    pub show_print: &'static str,
    pub print_hint: &'static str,
    pub missing_number: &'static str,
    pub printed: &'static str,
    pub back: &'static str,
    pub region: &'static str,
    pub phone_kind: &'static str,
    pub directory_short: &'static str,
    pub sources: &'static str,
    pub write_here: &'static str,
    pub own_and_support: &'static str,
    /// The other regions' contacts, folded.
    pub other_regions: &'static str,
}

pub const SV: ContactTexts = ContactTexts {
    title: "Telefonlista och kontakter",
    intro: "Växlar, direktnummer, IT-support och kommunernas nummer från rutinerna. Sök på namn, kommun, system eller \
            nummer – med eller utan å, ä, ö och med eller utan mellanslag.",
    search_label: "Sök kontakt",
    search_hint: "T.ex. Timrå, Ange, växel, Melior, hemsjukvård eller 0611-800 00.",
    search_button: "Sök",
    results_for: "Träffar för",
    all_contacts: "Alla kontakter",
    hits: "träffar",
    hit: "träff",
    no_hits: "Inga träffar. Pröva ett kortare ord, en del av namnet eller en del av numret.",
    from_directory: "Organisationskatalogen",
    source: "Källa",
    name: "Vem",
    numbers: "Nummer",
    when: "När",
    applies_now: "gäller nu",
    not_now: "gäller inte nu",
    email: "E-post",
    web: "Webb",
    systems: "System",
    applies_to_all: "Gäller alla",
    office_now: "Just nu är det dagtid (vardagar 07.30–16.30).",
    on_call_now: "Just nu är det jourtid (kvällar, nätter, helger och helgdagar).",
    print_title: "Telefonlista vid driftstopp",
    print_heading: "Skriv ut en telefonlista",
    print_intro: "En A4-sida med enhetens egna nummer, växlar, IT-support, kommunerna och primärvården. \
                  Skriv ut den och sätt upp den: rutinerna räknar med papper när systemen är nere.",
    unit: "Enhet",
    show_print: "Visa telefonlistan",
    print_hint: "Skriv ut sidan (Ctrl+P) eller spara den som PDF. Listan ryms på en A4-sida.",
    missing_number: "Nummer saknas i katalogen – skriv in:",
    printed: "Utskrift",
    back: "Till kontakterna",
    region: "Region",
    phone_kind: "Typ",
    directory_short: "Katalog",
    sources: "Källor",
    write_here: "skriv in",
    own_and_support: "Egen enhet, växlar och IT-support",
    other_regions: "Andra regioner",
};

pub const EN: ContactTexts = ContactTexts {
    title: "Phone list and contacts",
    intro: "Switchboards, direct numbers, IT support and the municipalities' numbers from the routines. Search by \
            name, municipality, system or number – with or without å, ä, ö and with or without spaces.",
    search_label: "Search contacts",
    search_hint: "E.g. Timrå, Ange, växel, Melior, hemsjukvård or 0611-800 00.",
    search_button: "Search",
    results_for: "Results for",
    all_contacts: "All contacts",
    hits: "results",
    hit: "result",
    no_hits: "No results. Try a shorter word, part of the name or part of the number.",
    from_directory: "Organisation directory",
    source: "Source",
    name: "Who",
    numbers: "Number",
    when: "When",
    applies_now: "applies now",
    not_now: "does not apply now",
    email: "E-mail",
    web: "Web",
    systems: "Systems",
    applies_to_all: "Applies to all",
    office_now: "It is office hours now (weekdays 07:30–16:30).",
    on_call_now: "It is on-call time now (evenings, nights, weekends and public holidays).",
    print_title: "Phone list for outages",
    print_heading: "Print a phone list",
    print_intro: "One A4 page with the unit's own numbers, switchboards, IT support, the municipalities and primary \
                  care. Print it and put it up: the routines count on paper when the systems are down.",
    unit: "Unit",
    show_print: "Show the phone list",
    print_hint: "Print the page (Ctrl+P) or save it as PDF. The list fits on one A4 page.",
    missing_number: "Number not in the directory – write it here:",
    printed: "Printed",
    back: "Back to contacts",
    region: "Region",
    phone_kind: "Kind",
    directory_short: "Directory",
    sources: "Sources",
    write_here: "write it here",
    own_and_support: "Own unit, switchboards and IT support",
    other_regions: "Other regions",
};

pub fn texts(lang: Lang) -> &'static ContactTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

pub(crate) fn pick(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

/// One number as shown: the number as written, its `tel:` link and what it is.
pub struct PhoneView {
    pub number: String,
    pub tel: String,
    pub kind: &'static str,
    pub label: String,
}

impl PhoneView {
    /// "060-16 31 00 (växel)".
    pub fn text(&self) -> String {
        if self.label.is_empty() {
            format!("{} ({})", self.number, self.kind.to_lowercase())
        } else {
            format!("{} ({}, {})", self.number, self.kind.to_lowercase(), self.label)
        }
    }
}

/// One contact or list line as shown.
pub struct EntryView {
    pub id: String,
    pub name: String,
    pub category: &'static str,
    /// The organisation's name when it differs from the contact's name.
    pub org_name: String,
    /// "Gäller alla: Kommun" for a rule.
    pub applies_to: String,
    pub phones: Vec<PhoneView>,
    /// "Dagtid, vardagar 07.30–16.30"; empty when the source gives no hours.
    pub when: String,
    /// Whether it applies now (true when it always does).
    pub applies_now: bool,
    /// "gäller nu" / "gäller inte nu"; empty when it always applies.
    pub now_text: &'static str,
    pub note: String,
    pub email: String,
    pub url: String,
    pub systems: String,
    pub source: String,
    /// The seed and section only ("001", "003 §4.1"), for the narrow column on paper.
    pub short_source: String,
    /// The seed and its first section, for a rule on paper.
    pub section_source: String,
}

impl EntryView {
    /// The numbers in one line, for paper.
    pub fn phones_text(&self) -> String {
        self.phones.iter().map(PhoneView::text).collect::<Vec<_>>().join("\n")
    }
}

/// "001, Viktiga telefonnummer …" → "001"; "003 §4.1 (…)" → "003 §4.1".
pub fn short_cite(cite: &str) -> String {
    cite.split([',', '(', ';']).next().unwrap_or(cite).trim().to_owned()
}

/// The seed and its first section: "001, Informationsöverföring under
/// avbrott; Viktiga …" → "001, Informationsöverföring under avbrott".
pub fn section_cite(cite: &str) -> String {
    cite.split(['(', ';']).next().unwrap_or(cite).trim().to_owned()
}

/// When a contact applies, in one phrase: the label of its time ("Jourtid")
/// and the hours the source gives, without saying a word twice: "Jourtid" and
/// "jourtid, all övrig tid" read "Jourtid, all övrig tid"; "Dagtid" and
/// "dagtid vardagar" read "Dagtid vardagar".
pub fn when_text(label: &str, hours: &str) -> String {
    let hours = hours.trim();
    if label.is_empty() {
        return hours.to_owned();
    }
    if hours.is_empty() {
        return label.to_owned();
    }
    let n = label.chars().count();
    let head: String = hours.chars().take(n).collect();
    if head.to_lowercase() == label.to_lowercase() {
        let tail: String = hours.chars().skip(n).collect();
        if tail.is_empty() {
            return label.to_owned();
        }
        if tail.starts_with([',', ' ', ';']) {
            return format!("{label}{tail}");
        }
    }
    format!("{label}, {hours}")
}

/// An entry as shown in `lang`; `row` adds whether it applies now.
pub fn entry_view(
    lang: Lang,
    e: &Entry,
    catalogue: &reserv_core::catalogue::Catalogue,
    row: Option<&Row>,
) -> EntryView {
    let t = texts(lang);
    let label = match e.when {
        When::NotStated => "",
        w => pick(lang, w.label_sv(), w.label_en()),
    };
    let when = when_text(label, e.hours.as_deref().unwrap_or(""));
    let timed = row.filter(|_| !matches!(e.when, When::Always | When::NotStated));
    let applies_now = timed.is_none_or(|r| r.applies_now);
    let now_text = match timed {
        None => "",
        Some(_) if applies_now => t.applies_now,
        Some(_) => t.not_now,
    };
    EntryView {
        id: e.id.clone(),
        name: e.name.clone(),
        category: pick(lang, e.category.label_sv(), e.category.label_en()),
        org_name: e.org_name.clone().filter(|n| *n != e.name).unwrap_or_default(),
        applies_to: e
            .orgs_of_kind
            .map(|k| format!("{}: {}", t.applies_to_all, pick(lang, k.label_sv(), k.label_en())))
            .unwrap_or_default(),
        phones: e
            .phones
            .iter()
            .map(|p| PhoneView {
                number: p.number.as_str().to_owned(),
                tel: p.number.tel_uri(),
                kind: pick(lang, p.kind.label_sv(), p.kind.label_en()),
                label: p.label.clone().unwrap_or_default(),
            })
            .collect(),
        when,
        applies_now,
        now_text,
        note: e.note.clone().unwrap_or_default(),
        email: e.email.clone().unwrap_or_default(),
        url: e.url.clone().unwrap_or_default(),
        systems: e
            .systems
            .iter()
            .map(|s| catalogue.get(s).map(|x| x.name.clone()).unwrap_or_else(|| s.to_string()))
            .collect::<Vec<_>>()
            .join(", "),
        source: if e.from_directory { t.from_directory.to_owned() } else { e.cite.clone() },
        short_source: if e.from_directory { t.directory_short.to_owned() } else { short_cite(&e.cite) },
        section_source: if e.from_directory { t.from_directory.to_owned() } else { section_cite(&e.cite) },
    }
}

/// The results of one region.
pub struct GroupView {
    pub region: String,
    pub anchor: String,
    pub entries: Vec<EntryView>,
}

/// Groups as shown; `prefix` keeps the heading ids unique on the page.
pub fn groups_view(
    lang: Lang,
    groups: &[Group],
    catalogue: &reserv_core::catalogue::Catalogue,
    prefix: &str,
) -> Vec<GroupView> {
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| GroupView {
            region: g.region.clone(),
            anchor: format!("{prefix}-{i}"),
            entries: g.entries.iter().map(|e| entry_view(lang, e, catalogue, None)).collect(),
        })
        .collect()
}

/// One part of the phone list as shown.
pub struct SectionView {
    pub key: &'static str,
    pub title: &'static str,
    pub notes: Vec<EntryView>,
    pub rows: Vec<EntryView>,
    /// Some row has a time ("Dagtid …"): show the column.
    pub timed: bool,
}

/// The phone list as shown (screen and paper).
pub struct PhoneListView {
    pub unit: String,
    pub unit_name: String,
    pub region: String,
    /// "Just nu är det dagtid …".
    pub now: &'static str,
    pub made_at: String,
    pub sections: Vec<SectionView>,
}

pub fn phone_list_view(lang: Lang, l: &PhoneList, catalogue: &reserv_core::catalogue::Catalogue) -> PhoneListView {
    let t = texts(lang);
    PhoneListView {
        unit: l.unit.to_string(),
        unit_name: l.unit_name.clone(),
        region: l.region.clone().unwrap_or_default(),
        now: if l.office_hours_now { t.office_now } else { t.on_call_now },
        made_at: format_local(l.made_at),
        sections: l
            .sections
            .iter()
            .map(|s| {
                let rows: Vec<EntryView> =
                    s.rows.iter().map(|r| entry_view(lang, &r.entry, catalogue, Some(r))).collect();
                SectionView {
                    key: s.kind.key(),
                    title: pick(lang, s.kind.label_sv(), s.kind.label_en()),
                    notes: s.notes.iter().map(|r| entry_view(lang, &r.entry, catalogue, Some(r))).collect(),
                    timed: rows.iter().any(|r| !r.when.is_empty()),
                    rows,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::when_text;

    #[test]
    fn hours_never_repeat_the_label() {
        assert_eq!(when_text("Jourtid", "jourtid, all övrig tid"), "Jourtid, all övrig tid");
        assert_eq!(when_text("Dagtid", "dagtid vardagar"), "Dagtid vardagar");
        assert_eq!(when_text("Dagtid", "vardagar 07.30–16.30"), "Dagtid, vardagar 07.30–16.30");
        assert_eq!(when_text("Jourtid", "Jourtid"), "Jourtid");
        assert_eq!(when_text("Jourtid", "jourtidsnummer"), "Jourtid, jourtidsnummer");
        assert_eq!(when_text("", "vardagar"), "vardagar");
        assert_eq!(when_text("Helger", ""), "Helger");
    }
}
