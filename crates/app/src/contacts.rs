//! Contacts and phone lists: the contact files a region edits
//! (`data/contacts/*.toml`, compiled in as [`BUILTIN_CONTACTS`] unless the
//! `contacts` setting names a directory), checked against the organisation
//! directory and the system catalogue by `reserv_core::contacts`, searched,
//! and turned into the one-page phone list of a unit. Contacts are reference
//! data, not patient data: reading them is not audited.

use std::sync::Arc;

use reserv_core::catalogue::Catalogue;
use reserv_core::contacts::{self, ContactBook, PhoneList, SearchResult};
use reserv_core::datafile::DataFileError;
use reserv_core::error::{DomainError, Field};
use reserv_core::ids::OrgId;
use reserv_core::org::Organisation;

use crate::{App, AppError};

/// The built-in contact files (data/contacts), as (file name, text).
pub const BUILTIN_CONTACTS: &[(&str, &str)] = &[
    ("000-vasterbotten.toml", include_str!("../../../data/contacts/000-vasterbotten.toml")),
    ("001-vasternorrland.toml", include_str!("../../../data/contacts/001-vasternorrland.toml")),
    ("003-gavleborg.toml", include_str!("../../../data/contacts/003-gavleborg.toml")),
];

/// The longest search accepted; longer input is cut (a search is a few words).
pub const MAX_QUERY: usize = 200;

/// Parses and validates contact files against the directory and the
/// catalogue; every problem is returned, each with file and line.
pub fn load_contacts<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    orgs: &[Organisation],
    catalogue: &Catalogue,
) -> Result<ContactBook, Vec<DataFileError>> {
    contacts::load(files, orgs, catalogue)
}

/// The problems as Swedish lines: "001-x.toml, rad 12: …".
pub fn errors_sv(errors: &[DataFileError]) -> String {
    let lines: Vec<String> = errors.iter().map(DataFileError::message_sv).collect();
    format!("{} fel i kontaktfilerna:\n{}", errors.len(), lines.join("\n"))
}

impl App {
    /// Adds the validated contact files (search and phone lists).
    pub fn with_contacts(mut self, book: ContactBook) -> App {
        self.contacts = Some(Arc::new(book));
        self
    }

    /// The contact files, if loaded.
    pub fn contacts(&self) -> Option<&ContactBook> {
        self.contacts.as_deref()
    }

    /// Searches the contacts and the directory's numbers (see
    /// `ContactBook::search`); an empty query lists everything.
    pub async fn search_contacts(&self, query: &str) -> Result<SearchResult, AppError> {
        let orgs = self.store.organisations().await?;
        let q: String = query.chars().take(MAX_QUERY).collect();
        let empty = ContactBook::default();
        Ok(self.contacts.as_deref().unwrap_or(&empty).search(&q, &orgs, &self.catalogue))
    }

    /// The phone list of one unit of the directory, as of now.
    pub async fn phone_list(&self, unit: &str) -> Result<PhoneList, AppError> {
        let unknown =
            || DomainError::UnknownValue { field: Field::Organisation, value: unit.chars().take(64).collect() };
        let id = OrgId::parse(unit.trim()).map_err(|_| unknown())?;
        let orgs = self.store.organisations().await?;
        let empty = ContactBook::default();
        let list = self.contacts.as_deref().unwrap_or(&empty).phone_list(&orgs, &id, self.now());
        Ok(list.ok_or_else(unknown)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");
    const CATALOGUE: &str = include_str!("../../../data/systems.toml");

    #[test]
    fn the_built_in_files_are_every_shipped_file_and_load() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/contacts");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let built_in: Vec<&str> = BUILTIN_CONTACTS.iter().map(|(n, _)| *n).collect();
        assert_eq!(on_disk, built_in, "every file of data/contacts is compiled in");
        let orgs = reserv_core::directory::parse_directory(DIRECTORY).unwrap();
        let catalogue = Catalogue::parse(CATALOGUE).unwrap();
        let book = load_contacts(BUILTIN_CONTACTS.iter().copied(), &orgs, &catalogue)
            .unwrap_or_else(|e| panic!("{}", errors_sv(&e)));
        assert_eq!(book.files().len(), 3);
    }

    #[test]
    fn errors_are_listed_in_swedish_with_file_and_line() {
        let orgs = reserv_core::directory::parse_directory(DIRECTORY).unwrap();
        let catalogue = Catalogue::parse(CATALOGUE).unwrap();
        let bad = BUILTIN_CONTACTS[1].1.replace("060-16 31 00", "060-16 31 0X");
        let errs = load_contacts([("001.toml", bad.as_str())], &orgs, &catalogue).unwrap_err();
        let text = errors_sv(&errs);
        assert!(text.starts_with("1 fel i kontaktfilerna:\n001.toml, rad "), "{text}");
        assert!(text.contains("är inget telefonnummer"), "{text}");
    }
}
