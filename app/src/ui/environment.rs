//! The environment pages.

pub mod environment_page;
