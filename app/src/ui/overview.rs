//! The overview pages.

pub mod overview_page;
