//! Server functions for overview.

mod get_overview;

pub use get_overview::*;
