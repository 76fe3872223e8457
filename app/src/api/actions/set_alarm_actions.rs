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
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::actions::{run_action, ActionInput};
    use crate::usecases::prepare::ActionRequest;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let enabled = match enabled.as_str() {
            "true" => true,
            "false" => false,
            other => {
                return Err(AppError::Invalid(format!(
                    "enabled must be true or false, not {other:?}"
                )))
            }
        };
        let input = ActionInput {
            env,
            key,
            confirm,
            reason,
            ticket_url: None,
            break_glass,
            request: ActionRequest::SetAlarmActions { alarm, enabled },
        };
        let result = run_action(&caller, &services, input).await?;
        crate::ssr::navigation::after_action(&result);
        Ok(result)
    })
    .await
}
