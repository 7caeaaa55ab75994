//! Drills (practice outages): the drill report.

pub mod api;
pub mod pages;
