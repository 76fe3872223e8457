//! Server functions for sign-in sessions (admins of every environment): who is signed in, and
//! ending every session of a person.

mod end_sessions;
mod list_sessions;

pub use end_sessions::*;
pub use list_sessions::*;
