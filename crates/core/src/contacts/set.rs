//! Validating a set of contact files against the directory, the catalogue
//! and each other ([`validate`], [`load`]), giving a [`ContactBook`].

use super::*;

/// A validated set of contact files, sorted by file name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContactBook {
    pub(super) files: Vec<ContactFile>,
}

/// Checks parsed files against the directory, the catalogue and each other:
/// organisations and systems exist, `region_org` is a region, ids are unique
/// across the set, no file name twice.
pub fn validate(
    mut files: Vec<ContactFile>,
    orgs: &[Organisation],
    catalogue: &Catalogue,
) -> Result<ContactBook, Vec<DataFileError>> {
    files.sort_by(|a, b| a.file.cmp(&b.file));
    let by_id: HashMap<&OrgId, &Organisation> = orgs.iter().map(|o| (&o.id, o)).collect();
    let mut errors = Vec::new();
    let mut names = HashSet::new();
    let mut ids: HashMap<&str, (&str, usize)> = HashMap::new();
    for f in &files {
        if !names.insert(f.file.as_str()) {
            errors.push(FileCheck::<ContactFile>::problem(&f.file, None, Reason::DuplicateFile));
        }
        if let Some(r) = &f.region_org {
            match by_id.get(r) {
                Some(o) if o.kind == OrgKind::Region => {}
                Some(_) => errors.push(FileCheck::<ContactFile>::problem(
                    &f.file,
                    Some(f.region_org_line),
                    ContactProblem::RegionOrgNotARegion(r.to_string()),
                )),
                None => errors.push(FileCheck::<ContactFile>::problem(
                    &f.file,
                    Some(f.region_org_line),
                    ContactProblem::UnknownOrganisation(r.to_string()),
                )),
            }
        }
        for c in &f.contacts {
            match ids.get(c.id.as_str()) {
                Some((first_file, first_line)) if *first_file != f.file => {
                    let problem = ContactProblem::DuplicateId {
                        id: c.id.clone(),
                        first_file: (*first_file).to_owned(),
                        first_line: *first_line,
                    };
                    errors.push(FileCheck::<ContactFile>::problem(&f.file, Some(c.line), problem));
                }
                Some(_) => {} // reported by parse_contacts
                None => {
                    ids.insert(&c.id, (&f.file, c.line));
                }
            }
            if let Some(o) = &c.org
                && !by_id.contains_key(o)
            {
                errors.push(FileCheck::<ContactFile>::problem(
                    &f.file,
                    Some(c.org_line),
                    ContactProblem::UnknownOrganisation(o.to_string()),
                ));
            }
            for (s, line) in c.systems.iter().zip(&c.system_lines) {
                if catalogue.get(s).is_none() {
                    let problem = Reason::UnknownSystem(s.to_string());
                    errors.push(FileCheck::<ContactFile>::problem(&f.file, Some(*line), problem));
                }
            }
        }
    }
    if errors.is_empty() { Ok(ContactBook { files }) } else { Err(sorted(errors)) }
}

/// Parses and validates a set of files given as (file name, text) and
/// returns every problem of every file (what could be read of a file with
/// problems is checked against the directory and catalogue too). This is what `reserv contacts
/// check` and the server's loader call.
pub fn load<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    orgs: &[Organisation],
    catalogue: &Catalogue,
) -> Result<ContactBook, Vec<DataFileError>> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (file, text) in files {
        let (f, e) = parse_partial(file, text);
        parsed.extend(f);
        errors.extend(e);
    }
    match validate(parsed, orgs, catalogue) {
        Ok(book) if errors.is_empty() => Ok(book),
        Ok(_) => Err(sorted(errors)),
        Err(e) => {
            errors.extend(e);
            Err(sorted(errors))
        }
    }
}
