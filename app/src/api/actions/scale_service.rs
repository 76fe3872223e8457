//! Sets an ECS service's desired task count, within bounds (a release request where the
//! approval gate applies).

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "scale_service")]
pub async fn scale_service(
    env: String,
    cluster: String,
    service: String,
    desired: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
    widen_autoscaling: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::actions::{run_action, ActionInput};
    use crate::usecases::prepare::ActionRequest;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let input = ActionInput {
            env,
            key,
            confirm,
            reason,
            ticket_url: ticket,
            break_glass,
            request: ActionRequest::Scale {
                cluster,
                service,
                desired,
                widen_autoscaling: widen_autoscaling.is_some_and(|v| !v.is_empty() && v != "false"),
            },
        };
        let result = run_action(&caller, &services, input).await?;
        crate::ssr::navigation::after_action(&result);
        Ok(result)
    })
    .await
}
