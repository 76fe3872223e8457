//! On-call overrides: admins set who covers a rotation for a while (holiday, sickness, a swap)
//! and remove such an override. Times are local wall-clock times in the rotation's time zone.
//! Audited; the page chrome's cached on-call entry is cleared at once.

use super::services::AppServices;
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::Caller;
use crate::domain::oncall::{check_override, Override, Rotation};
use crate::domain::policy::{may_change_rotation, may_manage_oncall};
use crate::error::AppError;
use crate::ports::PortResult;
use chrono::{DateTime, Utc};

/// Only admins change who is on call, and only on rotations that answer no environment they
/// are not admin of. A refusal is audited.
async fn check_admin(
    caller: &Caller,
    services: &AppServices,
    rotation: Option<&Rotation>,
    step: AuditKind,
) -> Result<(), AppError> {
    let refusal = match rotation {
        _ if !may_manage_oncall(&caller.principal) => "only admins may change who is on call".to_string(),
        Some(r) if !may_change_rotation(&caller.principal, &r.environments) => format!(
            "rotation {} answers incidents in {}: changing who covers it needs the admin role in each of them",
            r.name,
            r.environments.join(", ")
        ),
        _ => return Ok(()),
    };
    let mut entry = AuditEntry::new(caller, step, AuditOutcome::Denied).detail(refusal.clone());
    if let Some(r) = rotation {
        entry = entry.target(format!("rotation {}", r.name));
    }
    if let Err(e) = services.audit.record(entry).await {
        tracing::error!(error = %crate::error::error_chain(&e), "recording a refused override");
    }
    Err(AppError::Forbidden(refusal))
}

/// A `datetime-local` value (`2026-11-29T09:00`) in `tz`.
fn local(text: &str, tz: chrono_tz::Tz, field: &str) -> Result<DateTime<Utc>, AppError> {
    let wall = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            AppError::Invalid(format!(
                "{field}: {text:?} is not a date and time such as 2026-12-24T09:00"
            ))
        })?;
    crate::domain::local_time::local_instant(tz, wall.date(), wall.time())
        .ok_or_else(|| AppError::Invalid(format!("{field}: {text:?} does not exist in {tz}")))
}

/// The override form's fields, unchecked.
pub struct OverrideForm<'a> {
    pub rotation: &'a str,
    pub who: &'a str,
    pub from: &'a str,
    pub until: &'a str,
    pub reason: Option<String>,
}

/// Adds an override; answers its id.
pub async fn add_override(
    caller: &Caller,
    services: &AppServices,
    form: OverrideForm<'_>,
) -> Result<i64, AppError> {
    check_admin(caller, services, None, AuditKind::OncallOverride).await?;
    let rotation = form.rotation.trim().to_string();
    let found = services
        .rotations
        .iter()
        .find(|r| r.name == rotation)
        .ok_or_else(|| AppError::Invalid(format!("there is no rotation named {rotation:?}")))?;
    check_admin(caller, services, Some(found), AuditKind::OncallOverride).await?;
    let tz: chrono_tz::Tz = found
        .timezone
        .parse()
        .map_err(|_| AppError::Invalid("the rotation's time zone is not valid".into()))?;
    let who = crate::domain::incidents::parse_person(form.who).map_err(AppError::Invalid)?;
    let (from, until) = (
        local(form.from, tz, "from")?,
        local(form.until, tz, "until")?,
    );
    let reason = super::actions::parse_reason(form.reason)?;
    check_override(
        &services.rotations,
        &rotation,
        &who,
        from,
        until,
        Utc::now(),
    )
    .map_err(AppError::Invalid)?;
    let audit = AuditEntry::new(caller, AuditKind::OncallOverride, AuditOutcome::Succeeded).detail(
        format!(
            "{who} covers {rotation} from {} until {}{}",
            from.to_rfc3339(),
            until.to_rfc3339(),
            reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
    );
    let o = Override {
        id: 0,
        rotation,
        who,
        from,
        until,
        created_by: caller.name().to_string(),
        created_by_id: caller.id().clone(),
        reason,
    };
    let id = services
        .incidents
        .add_override(&o, audit)
        .await
        .context("adding an override")?;
    services.chrome.overrides.clear();
    Ok(id)
}

/// Removes override `id`.
pub async fn remove_override(
    caller: &Caller,
    services: &AppServices,
    id: i64,
) -> Result<(), AppError> {
    check_admin(caller, services, None, AuditKind::OncallOverrideRemoved).await?;
    let overrides = services
        .incidents
        .overrides()
        .await
        .context("reading overrides")?;
    let Some(existing) = overrides.iter().find(|o| o.id == id) else {
        return Err(AppError::NotFound(format!(
            "there is no override #{id} to remove"
        )));
    };
    // An override of a rotation no longer configured is any admin's to clear.
    if let Some(rotation) = services
        .rotations
        .iter()
        .find(|r| r.name == existing.rotation)
    {
        check_admin(
            caller,
            services,
            Some(rotation),
            AuditKind::OncallOverrideRemoved,
        )
        .await?;
    }
    let audit = AuditEntry::new(
        caller,
        AuditKind::OncallOverrideRemoved,
        AuditOutcome::Succeeded,
    )
    .target(format!("override #{id}"));
    let removed = services
        .incidents
        .remove_override(id, audit)
        .await
        .context("removing an override")?;
    services.chrome.overrides.clear();
    if !removed {
        return Err(AppError::NotFound(format!(
            "there is no override #{id} to remove"
        )));
    }
    Ok(())
}
