//! The one error type of every data-file parser: [`DataFileError`] names the
//! file, the line (where known), the key the problem is about (where there
//! is one) and the [`Reason`], with a stable code and a Swedish and an
//! English message.

use std::fmt;

use crate::backentry::PolicyProblem;
use crate::catalogue::CatalogueProblem;
use crate::contacts::ContactProblem;
use crate::directory::DirectoryProblem;
use crate::error::{DomainError, Field};
use crate::notify::NotifyProblem;
use crate::routine::RoutineProblem;

/// Which kind of data file a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `data/routines/*.toml`.
    Routine,
    /// `data/contacts/*.toml`.
    Contacts,
    /// `data/notifications/*.toml`.
    NotificationPolicy,
    /// The recipients file of a notification policy (kept outside git).
    Recipients,
    /// `data/policies/*.toml`.
    BackEntryPolicy,
    /// `data/directory/*.toml`.
    Directory,
    /// `data/systems.toml`.
    Catalogue,
}

impl FileKind {
    /// The prefix of every code of a problem in this kind of file.
    pub fn code_prefix(self) -> &'static str {
        match self {
            FileKind::Routine => "routine",
            FileKind::Contacts => "contact",
            FileKind::NotificationPolicy => "notification",
            FileKind::Recipients => "recipients",
            FileKind::BackEntryPolicy => "policy",
            FileKind::Directory => "directory",
            FileKind::Catalogue => "catalogue",
        }
    }

    /// "en rutin", for "filen kan inte läsas som en rutin".
    pub fn what_sv(self) -> &'static str {
        match self {
            FileKind::Routine => "en rutin",
            FileKind::Contacts => "en kontaktfil",
            FileKind::NotificationPolicy => "en utskickspolicy",
            FileKind::Recipients => "en mottagarfil",
            FileKind::BackEntryPolicy => "en policy för efterregistrering",
            FileKind::Directory => "en organisationskatalog",
            FileKind::Catalogue => "en systemkatalog",
        }
    }

    /// "a routine file", for "not a routine file".
    pub fn what_en(self) -> &'static str {
        match self {
            FileKind::Routine => "a routine file",
            FileKind::Contacts => "a contact file",
            FileKind::NotificationPolicy => "a notification policy",
            FileKind::Recipients => "a recipients file",
            FileKind::BackEntryPolicy => "a back-entry policy",
            FileKind::Directory => "an organisation directory",
            FileKind::Catalogue => "a system catalogue",
        }
    }
}

/// Why a data file is refused: the reasons every kind shares, then the
/// problems of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Not TOML, or a key missing, unknown or of the wrong type (the TOML
    /// parser's own message).
    Syntax(String),
    /// The key (the error's `field`) must have a text and is empty.
    Required,
    TooLong {
        len: usize,
        max: usize,
    },
    /// A value outside a closed vocabulary.
    Unknown(Box<Unknown>),
    /// A date that is not `YYYY-MM-DD`.
    InvalidDate(String),
    InvalidSystemId(String),
    UnknownSystem(String),
    /// A set of files names one file twice.
    DuplicateFile,
    // The larger problems are boxed to keep `Result<_, DataFileError>` small.
    Routine(Box<RoutineProblem>),
    Contact(Box<ContactProblem>),
    /// A problem of a notification policy or its recipients file.
    Notification(NotifyProblem),
    BackEntry(Box<PolicyProblem>),
    /// A problem of one organisation of the directory.
    Directory {
        org: String,
        problem: DirectoryProblem,
    },
    /// A problem of one system of the catalogue (or, without one, of the file).
    Catalogue {
        system: Option<String>,
        problem: CatalogueProblem,
    },
}

impl From<RoutineProblem> for Reason {
    fn from(p: RoutineProblem) -> Reason {
        Reason::Routine(Box::new(p))
    }
}

impl From<ContactProblem> for Reason {
    fn from(p: ContactProblem) -> Reason {
        Reason::Contact(Box::new(p))
    }
}

impl From<NotifyProblem> for Reason {
    fn from(p: NotifyProblem) -> Reason {
        Reason::Notification(p)
    }
}

impl From<PolicyProblem> for Reason {
    fn from(p: PolicyProblem) -> Reason {
        Reason::BackEntry(Box::new(p))
    }
}

/// A value outside a closed vocabulary, and the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub value: String,
    /// What the vocabulary is called, in Swedish and in English.
    pub what_sv: &'static str,
    pub what_en: &'static str,
    /// The valid keys, comma-separated.
    pub valid: String,
}

impl Reason {
    /// An unknown `value` of a vocabulary.
    pub fn unknown(value: String, what_sv: &'static str, what_en: &'static str, valid: String) -> Reason {
        Reason::Unknown(Box::new(Unknown { value, what_sv, what_en, valid }))
    }
}

/// A problem in a data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFileError {
    pub kind: FileKind,
    /// The file name; empty where the caller did not name the file (the
    /// directory and the catalogue are parsed from their text alone, and the
    /// caller puts the path in front).
    pub file: String,
    /// The 1-based line, where known.
    pub line: Option<usize>,
    /// The key the problem is about (`role`, `title`, `parent` …), where
    /// there is one.
    pub field: Option<&'static str>,
    pub reason: Reason,
}

impl DataFileError {
    pub fn new(kind: FileKind, file: &str, line: Option<usize>, field: Option<&'static str>, reason: Reason) -> Self {
        DataFileError { kind, file: file.to_owned(), line, field, reason }
    }

    /// The same problem, named in `file` (for the directory and the
    /// catalogue, which are parsed from their text alone).
    pub fn in_file(mut self, file: &str) -> Self {
        self.file = file.to_owned();
        self
    }

    /// The same problem, about the key `field`.
    pub fn with_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// A stable machine-readable code, e.g. `routine_unknown_role`.
    pub fn code(&self) -> String {
        let field = self.field.unwrap_or("value");
        let suffix = match &self.reason {
            Reason::Syntax(_) => "syntax",
            Reason::Required => "required",
            Reason::TooLong { .. } => "text_too_long",
            Reason::Unknown(_) => return format!("{}_unknown_{field}", self.kind.code_prefix()),
            Reason::InvalidDate(_) => "invalid_date",
            Reason::InvalidSystemId(_) => "invalid_system_id",
            Reason::UnknownSystem(_) => "unknown_system",
            Reason::DuplicateFile => "duplicate_file",
            Reason::Routine(p) => p.code(),
            Reason::Contact(p) => p.code(),
            Reason::Notification(p) => p.code(),
            Reason::BackEntry(p) => p.code(),
            Reason::Directory { problem, .. } => problem.code(),
            Reason::Catalogue { problem, .. } => problem.code(),
        };
        format!("{}_{suffix}", self.kind.code_prefix())
    }

    /// The reason alone, in Swedish.
    pub fn reason_sv(&self) -> String {
        let field = self.field.unwrap_or("värdet");
        match &self.reason {
            Reason::Syntax(m) => format!("filen kan inte läsas som {}: {m}", self.kind.what_sv()),
            Reason::Required => format!("”{field}” måste fyllas i"),
            Reason::TooLong { len, max } => format!("”{field}” är för lång ({len} tecken, högst {max})"),
            Reason::Unknown(u) => format!("okänd {} ”{}” (giltiga: {})", u.what_sv, u.value, u.valid),
            Reason::InvalidDate(v) => format!("datumet ”{v}” är ogiltigt (ange ÅÅÅÅ-MM-DD)"),
            Reason::InvalidSystemId(v) => {
                format!("”{v}” är inget giltigt system-id (små bokstäver a–z, siffror och bindestreck)")
            }
            Reason::UnknownSystem(v) => format!("systemet ”{v}” finns inte i systemkatalogen"),
            Reason::DuplicateFile => "filnamnet förekommer två gånger".into(),
            Reason::Routine(p) => p.message_sv(),
            Reason::Contact(p) => p.message_sv(),
            Reason::Notification(p) => p.message_sv(),
            Reason::BackEntry(p) => p.message_sv(),
            Reason::Directory { org, problem } => format!("organisationen {org}: {}", problem.message_sv()),
            Reason::Catalogue { system: Some(s), problem } => format!("systemet {s}: {}", problem.message_sv()),
            Reason::Catalogue { system: None, problem } => problem.message_sv(),
        }
    }

    /// The reason alone, in English.
    pub fn reason_en(&self) -> String {
        let field = self.field.unwrap_or("value");
        match &self.reason {
            Reason::Syntax(m) => format!("not {}: {m}", self.kind.what_en()),
            Reason::Required => format!("`{field}` is required"),
            Reason::TooLong { len, max } => format!("`{field}` is too long ({len} characters, at most {max})"),
            Reason::Unknown(u) => format!("unknown {} `{}` (valid: {})", u.what_en, u.value, u.valid),
            Reason::InvalidDate(v) => format!("date `{v}` is invalid (use YYYY-MM-DD)"),
            Reason::InvalidSystemId(v) => format!("`{v}` is not a valid system id (lowercase a–z, digits and dashes)"),
            Reason::UnknownSystem(v) => format!("system `{v}` is not in the system catalogue"),
            Reason::DuplicateFile => "the file name occurs twice".into(),
            Reason::Routine(p) => p.message_en(),
            Reason::Contact(p) => p.message_en(),
            Reason::Notification(p) => p.message_en(),
            Reason::BackEntry(p) => p.message_en(),
            Reason::Directory { org, problem } => format!("organisation {org}: {}", problem.message_en()),
            Reason::Catalogue { system: Some(s), problem } => format!("system {s}: {}", problem.message_en()),
            Reason::Catalogue { system: None, problem } => problem.message_en(),
        }
    }

    /// "003-melior.toml, rad 12: okänd roll …" (what the CLI and the
    /// systems page show).
    pub fn message_sv(&self) -> String {
        match (self.file.as_str(), self.line) {
            ("", _) => self.reason_sv(),
            (file, Some(line)) => format!("{file}, rad {line}: {}", self.reason_sv()),
            (file, None) => format!("{file}: {}", self.reason_sv()),
        }
    }

    /// "003-melior.toml, line 12: unknown role …"
    pub fn message_en(&self) -> String {
        match (self.file.as_str(), self.line) {
            ("", _) => self.reason_en(),
            (file, Some(line)) => format!("{file}, line {line}: {}", self.reason_en()),
            (file, None) => format!("{file}: {}", self.reason_en()),
        }
    }
}

/// `file:line: reason`, as compilers print it.
impl fmt::Display for DataFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file.as_str(), self.line) {
            ("", _) => f.write_str(&self.reason_en()),
            (file, Some(line)) => write!(f, "{file}:{line}: {}", self.reason_en()),
            (file, None) => write!(f, "{file}: {}", self.reason_en()),
        }
    }
}

impl std::error::Error for DataFileError {}

impl From<DataFileError> for DomainError {
    fn from(e: DataFileError) -> DomainError {
        DomainError::Invalid { field: Field::File, message: e.message_sv() }
    }
}

/// Sorts problems by file and line, so a report reads top to bottom.
pub(crate) fn sorted(mut errors: Vec<DataFileError>) -> Vec<DataFileError> {
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    errors
}
