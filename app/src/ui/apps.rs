//! The apps pages.

pub mod app_page;
pub mod apps_page;
