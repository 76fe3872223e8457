//! Server functions for services.

mod get_service;

pub use get_service::*;
