//! Mutes (disables) or unmutes (enables) a CloudWatch alarm's actions, with a reason.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "set_alarm_actions")]
pub async fn set_alarm_actions(
    env: String,
    alarm: String,
    enabled: String,
    key: String,
    reason: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let enabled = super::form::parse_enabled(&enabled)?;
        let request = ActionRequest::SetAlarmActions { alarm, enabled };
        super::form::run_form(env, key, reason, None, confirm, break_glass, request).await
    })
    .await
}
