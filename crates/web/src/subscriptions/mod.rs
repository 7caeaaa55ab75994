//! E-mail subscriptions to the public status: subscribe, confirm,
//! unsubscribe (RFC 8058 one-click), and IT's list of subscribers.

pub mod admin;
pub mod api;
pub mod pages;
