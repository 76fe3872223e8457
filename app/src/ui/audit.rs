//! The audit page.

pub mod audit_page;
