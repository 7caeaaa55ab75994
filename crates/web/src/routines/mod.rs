//! The routines: every step of a system's routine by phase and area, for
//! screen and paper.

pub mod api;
pub mod pages;
pub mod view;
