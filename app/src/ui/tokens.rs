//! The API tokens page.

pub mod tokens_page;
