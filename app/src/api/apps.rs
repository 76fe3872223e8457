//! Server functions for apps.

mod get_app;
mod list_apps;

pub use get_app::*;
pub use list_apps::*;
