//! Server functions for incidents: list, read with its timeline, acknowledge (several at once),
//! assign, note, resolve.

mod get_incident;
mod list_incidents;
mod respond_incident;

pub use get_incident::*;
pub use list_incidents::*;
pub use respond_incident::*;
