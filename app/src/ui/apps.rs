//! The apps pages.

pub mod apps_page;
pub mod app_page;
