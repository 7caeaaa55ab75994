//! The web kit: what every feature's pages and API handlers share, and
//! nothing feature-specific. It depends on no feature folder (checked by
//! `tests/layering.rs`).
//!
//! - [`respond`]: rendering a template, redirects, error pages, the one
//!   mapping from application errors to HTTP statuses.
//! - [`ctx`]: the request context of a page (language, session, CSRF).
//! - [`view`]: the page layout and form errors.
//! - [`paging`]: page numbers for long lists.
//! - [`csv`]: a CSV export as a file download.
//! - [`headers`]: security headers on every response.
//! - [`i18n`]: Swedish and English texts and labels.
//! - [`api`]: the JSON API's error shape, extractors and helpers.
//! - [`proxy`]: the client address behind trusted reverse proxies.

pub mod api;
pub mod csv;
pub mod ctx;
pub mod headers;
pub mod i18n;
pub mod paging;
pub mod proxy;
pub mod respond;
pub mod view;
