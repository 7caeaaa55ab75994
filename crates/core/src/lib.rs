//! Reserv's pure core: the rules of downtime continuity as functions of data.
//!
//! Nothing in this crate performs I/O, reads the clock or knows about a
//! database: time is always passed in, and every rule returns a typed result.
//! The storage backends, the web edge and the CLI sit around this crate and
//! call it. `cargo tree -p reserv-core` must never show rusqlite, axum or tokio.

pub mod access;
pub mod backentry;
pub mod catalogue;
pub mod checklist;
pub mod contacts;
pub mod csv;
pub mod datafile;
pub mod deviation;
pub mod directory;
pub mod episode;
pub mod error;
pub mod handover;
pub mod identity;
pub mod ids;
pub mod notify;
#[cfg(feature = "openapi")]
mod openapi;
pub mod org;
pub mod outage;
pub mod outbox;
pub mod payment;
pub mod routine;
pub mod severity;
pub mod sip;
pub mod statistics;
pub mod subscription;
pub mod suggest;
pub mod time;
pub mod worklist;

pub use error::{DomainError, Field};
