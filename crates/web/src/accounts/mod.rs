//! Accounts: login, logout, language, users and the audit log (pages and API).

pub mod api;
pub mod pages;
