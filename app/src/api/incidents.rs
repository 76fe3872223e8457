//! Server functions for incidents: list, read with its timeline, acknowledge (several at once),
//! assign, note, resolve.

mod get_incident;
mod list_incidents;
mod respond_incident;

pub use get_incident::*;
pub use list_incidents::*;
pub use respond_incident::*;

/// An incident id from the address or a form.
#[cfg(feature = "ssr")]
fn parse_incident_id(text: &str) -> Result<i64, crate::error::AppError> {
    text.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            crate::error::AppError::Invalid(format!("{text:?} is not an incident number"))
        })
}
