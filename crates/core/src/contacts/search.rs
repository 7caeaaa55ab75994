//! What a search shows: entries, groups and results
//! ([`ContactBook::search`]).

use super::*;

/// One contact as shown: a contact of a file, or an organisation of the
/// directory with its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ContactEntry))]
pub struct Entry {
    /// The contact's id, or `katalog:<org id>` for a directory entry.
    pub id: String,
    pub name: String,
    pub category: Category,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orgs_of_kind: Option<OrgKind>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<SystemId>,
    pub when: When,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    pub phones: Vec<Phone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The seed file and section; empty for a directory entry.
    pub cite: String,
    /// Taken from the organisation directory, not from a contact file.
    pub from_directory: bool,
}

impl Entry {
    pub(super) fn from_contact(c: &Contact, orgs: &HashMap<&OrgId, &Organisation>) -> Entry {
        Entry {
            id: c.id.clone(),
            name: c.name.clone(),
            category: c.category,
            region: c.region.clone(),
            org: c.org.clone(),
            org_name: c.org.as_ref().and_then(|o| orgs.get(o)).map(|o| o.name.clone()),
            orgs_of_kind: c.orgs_of_kind,
            systems: c.systems.clone(),
            when: c.when,
            hours: c.hours.clone(),
            phones: c.phones.clone(),
            email: c.email.clone(),
            url: c.url.clone(),
            note: c.note.clone(),
            cite: c.cite.clone(),
            from_directory: false,
        }
    }

    pub(super) fn from_org(o: &Organisation, region: &str) -> Entry {
        let mut phones: Vec<Phone> = Vec::new();
        for (raw, kind) in [(&o.switchboard, PhoneKind::Switchboard), (&o.direct_phone, PhoneKind::Direct)] {
            if let Some(number) = raw.as_deref().and_then(|r| PhoneNumber::parse(r, true).ok())
                && !phones.iter().any(|p| p.number.digits() == number.digits())
            {
                phones.push(Phone { number, kind, label: None });
            }
        }
        Entry {
            id: format!("katalog:{}", o.id),
            name: o.name.clone(),
            category: match o.kind {
                OrgKind::Region | OrgKind::Hospital => Category::Switchboard,
                OrgKind::Ward => Category::Unit,
                OrgKind::PrimaryCareCentre | OrgKind::OutpatientPsychiatry => Category::PrimaryCare,
                OrgKind::Municipality => Category::Municipality,
                OrgKind::ItManagement => Category::ItSupport,
            },
            region: region.to_owned(),
            org: Some(o.id.clone()),
            org_name: Some(o.name.clone()),
            orgs_of_kind: None,
            systems: Vec::new(),
            when: When::NotStated,
            hours: None,
            phones,
            email: None,
            url: None,
            note: None,
            cite: String::new(),
            from_directory: true,
        }
    }

    /// Everything a person may type to find this entry, lowercased.
    fn haystack(&self, catalogue: &Catalogue) -> String {
        let mut parts: Vec<&str> = vec![&self.name, &self.region];
        parts.extend(self.org_name.as_deref());
        parts.extend([self.category.label_sv(), self.category.label_en()]);
        if self.when != When::NotStated {
            parts.extend([self.when.label_sv(), self.when.label_en()]);
        }
        if let Some(k) = self.orgs_of_kind {
            parts.extend([k.label_sv(), k.label_en()]);
        }
        parts.extend(self.hours.as_deref());
        parts.extend(self.note.as_deref());
        parts.extend(self.email.as_deref());
        for p in &self.phones {
            parts.extend([p.number.as_str(), p.kind.label_sv()]);
            parts.extend(p.label.as_deref());
        }
        let names: Vec<String> = self
            .systems
            .iter()
            .flat_map(|s| [s.to_string(), catalogue.get(s).map(|x| x.name.clone()).unwrap_or_default()])
            .collect();
        let mut text = parts.join("\n");
        text.push('\n');
        text.push_str(&names.join("\n"));
        text.to_lowercase()
    }

    fn title_text(&self) -> String {
        let mut t = self.name.clone();
        if let Some(o) = &self.org_name {
            t.push('\n');
            t.push_str(o);
        }
        t.to_lowercase()
    }
}

/// The entries of one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    pub region: String,
    pub entries: Vec<Entry>,
}

/// What a search found, grouped by region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ContactSearch))]
pub struct SearchResult {
    pub query: String,
    pub total: usize,
    pub groups: Vec<Group>,
}

/// One term of a query.
pub(super) enum Term {
    /// Digits, matched against the numbers' digits.
    Digits(String),
    /// A word as typed, lowercased, and folded.
    Text { exact: String, folded: String, swedish: bool },
}

pub(super) fn terms(query: &str) -> Vec<Term> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    if is_number_like(q) {
        return vec![Term::Digits(query_digits(q))];
    }
    q.split_whitespace()
        .map(|w| {
            if is_number_like(w) {
                Term::Digits(query_digits(w))
            } else {
                Term::Text { exact: w.to_lowercase(), folded: fold(w), swedish: has_swedish_letter(w) }
            }
        })
        .collect()
}

/// How well an entry matches: `None` no match, `Some(0)` in its name, `Some(1)` elsewhere.
pub(super) fn score(entry: &Entry, terms: &[Term], catalogue: &Catalogue, exact_swedish: bool) -> Option<u8> {
    let hay = entry.haystack(catalogue);
    let hay_folded = fold(&hay);
    let title = entry.title_text();
    let title_folded = fold(&title);
    let mut in_title = true;
    for t in terms {
        match t {
            Term::Digits(d) => {
                if !entry.phones.iter().any(|p| p.number.digits().contains(d.as_str())) {
                    return None;
                }
            }
            Term::Text { exact, folded, swedish } => {
                let (found, titled) = if *swedish && exact_swedish {
                    (hay.contains(exact.as_str()), title.contains(exact.as_str()))
                } else {
                    (hay_folded.contains(folded.as_str()), title_folded.contains(folded.as_str()))
                };
                if !found {
                    return None;
                }
                in_title &= titled;
            }
        }
    }
    Some(if in_title { 0 } else { 1 })
}
