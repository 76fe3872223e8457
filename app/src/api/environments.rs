//! Server functions for environments.

mod get_environment;
mod refresh_environment;

pub use get_environment::*;
pub use refresh_environment::*;
