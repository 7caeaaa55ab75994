//! Contacts: search, and a unit's one-page phone list.

pub mod api;
pub mod pages;
pub mod view;
