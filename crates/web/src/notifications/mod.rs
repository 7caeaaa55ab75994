//! Notifications: the outage page's messages and acknowledgements, and
//! acknowledgement links for recipients without a login.

pub mod api;
pub mod pages;
pub mod plan;
