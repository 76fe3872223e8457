//! The service pages.

pub mod logs_page;
pub mod service_page;
pub mod targets;
