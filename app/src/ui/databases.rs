//! The databases pages.

pub mod databases_page;
pub mod database_page;
