//! The login pages.

pub mod login_page;
