//! Deviation reports on an outage: list, form, corrections, print view, CSV.

pub mod api;
pub mod pages;
