//! The handover log: care episodes, logged calls, gaps, print views and the
//! blank paper form.

pub mod api;
pub mod pages;
pub mod sips;
