//! E-mail subscriptions to the public status: subscribe, confirm,
//! unsubscribe (RFC 8058 one-click).

pub mod api;
pub mod pages;
