//! What needs no login: the public status page and its JSON, the feeds and
//! calendar, and the health check.

pub mod api;
pub mod feeds;
pub mod pages;
