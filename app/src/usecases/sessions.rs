//! Sign-in sessions for admins: who is signed in, and ending every session of a person (a
//! stolen laptop, someone leaving) so their next request is signed out. Only admins of every
//! environment may; refusals and every ending are audited.

use super::access::check_admin_everywhere;
use super::services::AppServices;
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::Caller;
use crate::domain::sessions::{parse_person, SessionsView};
use crate::error::AppError;
use crate::ports::PortResult;

const NOT_AN_ADMIN: &str = "sessions are managed by admins of every environment";

/// The people signed in at `now`, for an admin.
pub async fn list_signed_in(
    caller: &Caller,
    services: &AppServices,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SessionsView, AppError> {
    check_admin_everywhere(
        caller,
        services,
        AuditKind::SessionList,
        "sessions",
        NOT_AN_ADMIN,
    )
    .await?;
    let people = services
        .sessions
        .signed_in(now)
        .await
        .context("listing sessions")?;
    Ok(SessionsView {
        generated_at: now,
        people,
    })
}

/// Ends every session of the person whose id is `person` (whatever names they signed in under,
/// and nobody else's who shares one); answers how many ended (none is not an error: they may
/// have signed out already).
pub async fn end_sessions(
    caller: &Caller,
    services: &AppServices,
    person: &str,
) -> Result<usize, AppError> {
    let typed: String = person
        .trim()
        .chars()
        .take(crate::domain::person::PERSON_ID_MAX)
        .collect();
    check_admin_everywhere(
        caller,
        services,
        AuditKind::SessionsEnd,
        &format!("person {typed}"),
        NOT_AN_ADMIN,
    )
    .await?;
    let person = parse_person(person).map_err(AppError::Invalid)?;
    let target = format!("person {person}");
    let audit = |ended: usize| {
        AuditEntry::new(caller, AuditKind::SessionsEnd, AuditOutcome::Succeeded)
            .target(target.clone())
            .detail(match ended {
                1 => "1 session ended".to_string(),
                n => format!("{n} sessions ended"),
            })
    };
    services
        .sessions
        .end_all(&person, &audit)
        .await
        .context("ending sessions")
}
