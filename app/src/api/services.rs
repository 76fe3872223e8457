//! Server functions for services.

mod get_service;
mod get_service_logs;

pub use get_service::*;
pub use get_service_logs::*;
