//! "Vad gör jag nu?": a person's routine checklist and a unit's progress.

pub mod api;
pub mod pages;
