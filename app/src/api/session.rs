//! Server functions for session.

mod get_session;
mod get_sign_in_options;
mod take_flash;

pub use get_session::*;
pub use get_sign_in_options::*;
pub use take_flash::*;
