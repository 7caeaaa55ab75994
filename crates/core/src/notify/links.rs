//! The links Reserv puts in messages, chosen for who reads them. Seed 003
//! sends "länk till driftstoppsrutin" to the region's units and to the
//! private care providers (Samverkanswebben, Hälsovalskontoret), who have no
//! Reserv account: a link in a message must open for its reader.
//!
//! - The routine (`/routines/{system}`) and the public facts of an outage
//!   (`/status/outages/{id}`: system, kind, times, scope, the public notice;
//!   never a drill, never patient data) open without a login. Every message
//!   links these, so every reader can open them.
//! - The outage's own page (`/outages/{id}`, with the handover log and
//!   everything with patient data) needs a login; it is linked only for a
//!   reader with an account ([`Reader::Account`]: a person of the
//!   recipients file with a `username`). A drill has no public page.
//! - The acknowledgement link (`/ack/{token}`) opens without a login.

use crate::ids::{OutageId, SystemId};
use crate::outbox::Recipient;

/// Who reads a message, as far as links go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Has a Reserv account: may follow a link that needs a login.
    Account,
    /// Has none (a status page's readers, a private care provider, a person
    /// of the recipients file without `username`).
    NoAccount,
}

/// The reader of a message to `recipient` (`None`: a group message, e.g. a
/// status page publication).
pub fn reader_of(recipient: Option<&Recipient>) -> Reader {
    match recipient {
        Some(r) if r.username.as_deref().is_some_and(|u| !u.trim().is_empty()) => Reader::Account,
        _ => Reader::NoAccount,
    }
}

fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

/// The routines of a system, readable without a login.
pub fn routine_url(base_url: &str, system: &SystemId) -> String {
    format!("{}/routines/{system}", base(base_url))
}

/// The public facts of an outage, readable without a login.
pub fn public_outage_url(base_url: &str, outage: OutageId) -> String {
    format!("{}/status/outages/{outage}", base(base_url))
}

/// The outage's own page (login).
pub fn outage_url(base_url: &str, outage: OutageId) -> String {
    format!("{}/outages/{outage}", base(base_url))
}

/// The page about an outage a reader can open: the outage's own page for a
/// reader with an account, else its public facts; a drill has no public
/// page, so a reader without an account gets no link to one.
pub fn outage_url_for(base_url: &str, outage: OutageId, reader: Reader, drill: bool) -> Option<String> {
    match reader {
        Reader::Account => Some(outage_url(base_url, outage)),
        Reader::NoAccount if drill => None,
        Reader::NoAccount => Some(public_outage_url(base_url, outage)),
    }
}
