//! Admins set who covers a rotation for a while (holiday, sickness, a swap), and remove such an
//! override. Times are local wall-clock times in the rotation's time zone. Audited.

use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn admin() -> Result<crate::domain::policy::Principal, AppError> {
    let user = crate::ssr::context::current_user()?;
    if !crate::domain::policy::may_manage_oncall(&user) {
        return Err(AppError::Forbidden(
            "only admins may change who is on call".into(),
        ));
    }
    Ok(user)
}

/// A `datetime-local` value (`2026-11-29T09:00`) in `tz`.
#[cfg(feature = "ssr")]
fn local(
    text: &str,
    tz: chrono_tz::Tz,
    field: &str,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
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

#[server(endpoint = "add_override")]
pub async fn add_override(
    rotation: String,
    who: String,
    from: String,
    until: String,
    reason: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::oncall::{check_override, Override};
    use crate::ssr::context::{request_origin, respond, services};
    use crate::ssr::ports::AuditEntry;
    respond(async {
        let user = admin()?;
        let services = services()?;
        let rotation = rotation.trim().to_string();
        let tz: chrono_tz::Tz = services
            .rotations
            .iter()
            .find(|r| r.name == rotation)
            .ok_or_else(|| AppError::Invalid(format!("there is no rotation named {rotation:?}")))?
            .timezone
            .parse()
            .map_err(|_| AppError::Invalid("the rotation's time zone is not valid".into()))?;
        let who = crate::domain::incidents::parse_person(&who).map_err(AppError::Invalid)?;
        let (from, until) = (local(&from, tz, "from")?, local(&until, tz, "until")?);
        let reason = crate::ssr::actions::parse_reason(reason)?;
        let now = chrono::Utc::now();
        check_override(&services.rotations, &rotation, &who, from, until, now)
            .map_err(AppError::Invalid)?;
        let (ip, user_agent) = request_origin();
        let audit = AuditEntry {
            actor: user.name.clone(),
            kind: "oncall_override".into(),
            env: None,
            target: None,
            outcome: "succeeded".into(),
            detail: Some(format!(
                "{who} covers {rotation} from {} until {}{}",
                from.to_rfc3339(),
                until.to_rfc3339(),
                reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            )),
            ip,
            user_agent,
        };
        let o = Override {
            id: 0,
            rotation,
            who,
            from,
            until,
            created_by: user.name.clone(),
            reason,
        };
        let id = services
            .incidents
            .add_override(&o, audit)
            .await
            .map_err(|e| AppError::internal("adding an override", &e))?;
        services.chrome.overrides.clear();
        Ok(id)
    })
    .await
}

#[server(endpoint = "remove_override")]
pub async fn remove_override(id: String) -> Result<(), AppError> {
    use crate::ssr::context::{request_origin, respond, services};
    use crate::ssr::ports::AuditEntry;
    respond(async {
        let user = admin()?;
        let services = services()?;
        let id: i64 = id
            .trim()
            .parse()
            .map_err(|_| AppError::Invalid(format!("{id:?} is not an override number")))?;
        let (ip, user_agent) = request_origin();
        let audit = AuditEntry {
            actor: user.name.clone(),
            kind: "oncall_override_removed".into(),
            env: None,
            target: Some(format!("override #{id}")),
            outcome: "succeeded".into(),
            detail: None,
            ip,
            user_agent,
        };
        let removed = services
            .incidents
            .remove_override(id, audit)
            .await
            .map_err(|e| AppError::internal("removing an override", &e))?;
        services.chrome.overrides.clear();
        if !removed {
            return Err(AppError::NotFound(format!(
                "there is no override #{id} to remove"
            )));
        }
        Ok(())
    })
    .await
}
