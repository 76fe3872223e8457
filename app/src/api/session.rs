//! Server functions for session.

mod get_session;

pub use get_session::*;
