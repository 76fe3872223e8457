//! The databases pages.

pub mod database_page;
pub mod databases_page;
