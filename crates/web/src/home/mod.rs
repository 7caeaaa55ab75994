//! The home page `/`: for a person who works with patients their work (the
//! banner's counts, the gaps they owe and await with the number to call and
//! "Logga samtal"), then the outages; for everyone else the outage status.

pub mod pages;
pub mod view;
