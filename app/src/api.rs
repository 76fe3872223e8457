//! Server functions: the endpoints the pages call. Each one authenticates, authorises through the
//! domain policy, validates its input, then reads a port. One function per file, by resource.

pub mod actions;
pub mod alarms;
pub mod apps;
pub mod asgs;
pub mod audit;
pub mod databases;
pub mod drift;
pub mod environments;
pub mod functions;
pub mod incidents;
pub mod jobs;
pub mod oncall;
pub mod overview;
pub mod queues;
pub mod releases;
pub mod services;
pub mod session;
pub mod sessions;
pub mod tokens;
pub mod webhooks;

/// A yes/no filter from the address: `1`, `true` or `on` (a ticked checkbox) mean yes.
#[cfg(feature = "ssr")]
fn flag(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| v == "1" || v == "true" || v == "on")
}

/// An optional environment filter from the address; empty means all.
#[cfg(feature = "ssr")]
fn env_filter(
    value: Option<String>,
) -> Result<Option<crate::domain::ids::EnvId>, crate::error::AppError> {
    Ok(value
        .filter(|e| !e.is_empty())
        .map(|e| crate::domain::ids::EnvId::parse(&e))
        .transpose()?)
}

/// A record's number as a form posts it (`what` names the record in the refusal).
#[cfg(feature = "ssr")]
fn parse_number(id: &str, what: &str) -> Result<i64, crate::error::AppError> {
    id.trim()
        .parse()
        .map_err(|_| crate::error::AppError::Invalid(format!("{id:?} is not {what} number")))
}
