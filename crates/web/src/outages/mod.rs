//! The outage register: the status page, declaring, amending and ending an
//! outage, one outage's page, the system catalogue and organisations.

pub mod api;
pub mod pages;
pub mod view;
