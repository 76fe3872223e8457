//! Server functions for apps.

mod list_apps;
mod get_app;

pub use list_apps::*;
pub use get_app::*;
