//! The service pages.

pub mod service_page;
