//! Parsing one contact file ([`parse_contacts`]) with the shared data-file
//! checker.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    region: Spanned<String>,
    #[serde(default)]
    region_org: Option<Spanned<String>>,
    title: Spanned<String>,
    #[serde(default)]
    document_type: Option<Spanned<String>>,
    #[serde(default)]
    approved_by: Option<Spanned<String>>,
    #[serde(default)]
    date: Option<Spanned<String>>,
    #[serde(default)]
    version: Option<Spanned<String>>,
    #[serde(default)]
    owner: Option<Spanned<String>>,
    source: Spanned<String>,
    #[serde(default)]
    contact: Vec<RawContact>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawContact {
    id: Spanned<String>,
    name: Spanned<String>,
    category: Spanned<String>,
    #[serde(default)]
    org: Option<Spanned<String>>,
    #[serde(default)]
    orgs_of_kind: Option<Spanned<String>>,
    #[serde(default)]
    systems: Vec<Spanned<String>>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    #[serde(default)]
    hours: Option<Spanned<String>>,
    #[serde(default)]
    phone: Vec<RawPhone>,
    #[serde(default)]
    email: Option<Spanned<String>>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    note: Option<Spanned<String>>,
    cite: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPhone {
    number: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    label: Option<Spanned<String>>,
}

impl Kind for ContactFile {
    const KIND: FileKind = FileKind::Contacts;
    const MAX_TEXT: usize = MAX_TEXT;
    type Problem = ContactProblem;
}

impl FileCheck<'_, ContactFile> {
    fn contact(&mut self, raw: &RawContact, region: &str, ids: &mut HashMap<String, usize>) -> Option<Contact> {
        let (id, line) = self.unique_id(&raw.id, ids, ContactProblem::InvalidId, |id, first_file, first_line| {
            ContactProblem::DuplicateId { id, first_file, first_line }
        });
        let name = self.text("name", &raw.name);
        let category = self.vocabulary::<Category>("category", raw.category.get_ref(), raw.category.span());
        let when = match &raw.when {
            None => Some(When::NotStated),
            Some(w) => self.vocabulary::<When>("when", w.get_ref(), w.span()),
        };
        let mut org_line = 0;
        let org = raw.org.as_ref().and_then(|o| {
            org_line = self.line(o.span());
            match OrgId::parse(o.get_ref().trim()) {
                Ok(id) => Some(id),
                Err(_) => {
                    self.at(o.span(), "org", ContactProblem::InvalidOrgId(o.get_ref().clone()));
                    None
                }
            }
        });
        let orgs_of_kind =
            raw.orgs_of_kind.as_ref().and_then(|k| self.vocabulary::<OrgKind>("orgs_of_kind", k.get_ref(), k.span()));
        if let (Some(o), Some(_)) = (&raw.org, &raw.orgs_of_kind) {
            self.at(o.span(), "org", ContactProblem::OrgAndKind);
        }
        let mut systems = Vec::new();
        let mut system_lines = Vec::new();
        for s in &raw.systems {
            if let Some(id) = self.system_id("systems", s.get_ref(), s.span()) {
                systems.push(id);
                system_lines.push(self.line(s.span()));
            }
        }
        let hours = self.optional_text("hours", &raw.hours);
        let mut phones: Vec<Phone> = Vec::new();
        for p in &raw.phone {
            let kind = self.vocabulary::<PhoneKind>("kind", p.kind.get_ref(), p.kind.span());
            let label = self.optional_text("label", &p.label);
            let raw_number = p.number.get_ref();
            match PhoneNumber::parse(raw_number, kind == Some(PhoneKind::Internal)) {
                Ok(number) => {
                    if phones.iter().any(|x| x.number.digits() == number.digits()) {
                        let problem = ContactProblem::DuplicatePhone(raw_number.trim().to_owned());
                        self.at(p.number.span(), "number", problem);
                    } else if let Some(kind) = kind {
                        phones.push(Phone { number, kind, label });
                    }
                }
                Err(problem) => {
                    let number = raw_number.trim().to_owned();
                    self.at(p.number.span(), "number", ContactProblem::InvalidPhone { number, problem });
                }
            }
        }
        let email = self.optional_text("email", &raw.email);
        if let (Some(e), Some(raw_e)) = (&email, &raw.email) {
            let ok = e.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
                && !e.chars().any(char::is_whitespace);
            if !ok {
                self.at(raw_e.span(), "email", ContactProblem::InvalidEmail(e.clone()));
            }
        }
        let url = self.optional_text("url", &raw.url);
        if let (Some(u), Some(raw_u)) = (&url, &raw.url)
            && (!(u.starts_with("https://") || u.starts_with("http://")) || u.chars().any(char::is_whitespace))
        {
            self.at(raw_u.span(), "url", ContactProblem::InvalidUrl(u.clone()));
        }
        let note = self.optional_text("note", &raw.note);
        if raw.phone.is_empty() && note.as_deref().is_none_or(str::is_empty) {
            self.error(raw.id.span(), ContactProblem::NoWayToReach);
        }
        let cite = self.text("cite", &raw.cite);
        Some(Contact {
            id,
            name,
            category: category?,
            org,
            orgs_of_kind,
            systems,
            when: when?,
            hours,
            phones,
            email,
            url,
            note,
            cite,
            region: region.to_owned(),
            file: self.file.to_owned(),
            line,
            org_line,
            system_lines,
        })
    }
}

/// Parses one contact file. Checks everything that needs no other file:
/// TOML shape, vocabularies, required texts, ids, phone numbers, the date.
/// Returns every problem found, each with file and line.
pub fn parse_contacts(file: &str, text: &str) -> Result<ContactFile, Vec<DataFileError>> {
    match parse_partial(file, text) {
        (Some(f), errors) if errors.is_empty() => Ok(f),
        (_, errors) => Err(errors),
    }
}

/// Parses a file as far as it can: the contacts that could be read (for
/// [`load`] to check against the directory too) and every problem found.
pub(super) fn parse_partial(file: &str, text: &str) -> (Option<ContactFile>, Vec<DataFileError>) {
    let raw: RawFile = match FileCheck::<ContactFile>::toml(file, text) {
        Ok(raw) => raw,
        Err(errors) => return (None, errors),
    };
    let mut check = FileCheck::<ContactFile>::new(file, text);
    let region = check.text("region", &raw.region);
    let mut region_org_line = 0;
    let region_org = raw.region_org.as_ref().and_then(|o| {
        region_org_line = check.line(o.span());
        match OrgId::parse(o.get_ref().trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                check.at(o.span(), "region_org", ContactProblem::InvalidOrgId(o.get_ref().clone()));
                None
            }
        }
    });
    let title = check.text("title", &raw.title);
    let document_type = check.optional_text("document_type", &raw.document_type);
    let version = check.optional_text("version", &raw.version);
    let owner = check.optional_text("owner", &raw.owner);
    let source = check.text("source", &raw.source);
    let approval = Approval::from_approved_by(check.optional_text("approved_by", &raw.approved_by));
    let date = check.date("date", &raw.date);
    if raw.contact.is_empty() {
        check.push(None, Some("contact"), ContactProblem::NoContacts);
    }
    let mut ids = HashMap::new();
    let contacts: Vec<Contact> = raw.contact.iter().filter_map(|c| check.contact(c, &region, &mut ids)).collect();
    let parsed = ContactFile {
        file: file.to_owned(),
        region,
        region_org,
        title,
        document_type,
        approval,
        date,
        version,
        owner,
        source,
        contacts,
        region_org_line,
    };
    (Some(parsed), check.errors)
}
