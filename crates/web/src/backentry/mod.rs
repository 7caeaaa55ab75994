//! Back-entry when the system is back: worklists, work on items, the
//! completion report, its statistics CSV and progress chart.

pub mod api;
pub mod pages;
