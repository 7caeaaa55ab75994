//! The outage register: declaring, amending and ending an outage, one
//! outage's page, the system catalogue and organisations (the status cards are
//! on the home page, `home`).

pub mod api;
pub mod pages;
pub mod view;
