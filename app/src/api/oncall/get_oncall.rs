//! The rotations: who is on call now and next, the coming turns, and the overrides.

use crate::domain::views::OnCallView;
use crate::error::AppError;
use leptos::prelude::*;

/// How many coming turns the page lists per rotation.
#[cfg(feature = "ssr")]
const TURNS: usize = 6;

#[server(endpoint = "get_oncall")]
pub async fn get_oncall() -> Result<OnCallView, AppError> {
    use crate::ssr::context::{current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let services = services()?;
        if !crate::domain::policy::has_any_access(&user) {
            return Err(AppError::Forbidden(
                "you have no role in any environment".into(),
            ));
        }
        let now = chrono::Utc::now();
        let overrides = services
            .incidents
            .overrides()
            .await
            .map_err(|e| AppError::internal("reading overrides", &e))?;
        let rotations = services
            .rotations
            .iter()
            .map(|r| {
                (
                    r.clone(),
                    r.on_call_with(now, &overrides),
                    r.upcoming(now, &overrides, TURNS),
                )
            })
            .collect();
        Ok(OnCallView {
            generated_at: now,
            rotations,
            overrides: overrides.into_iter().filter(|o| o.until > now).collect(),
            may_manage: crate::domain::policy::may_manage_oncall(&user),
            manageable: services
                .rotations
                .iter()
                .filter(|r| {
                    crate::domain::policy::may_manage_oncall(&user)
                        && crate::domain::policy::may_change_rotation(&user, &r.environments)
                })
                .map(|r| r.name.clone())
                .collect(),
        })
    })
    .await
}
