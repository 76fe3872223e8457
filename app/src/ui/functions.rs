//! The functions pages.

pub mod function_page;
pub mod functions_page;
