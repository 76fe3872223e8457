//! Points an ECS service at an earlier (or any other known) revision of its family.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "rollback_service")]
pub async fn rollback_service(
    env: String,
    cluster: String,
    service: String,
    revision: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
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
            request: ActionRequest::Rollback {
                cluster,
                service,
                revision,
            },
        };
        let result = run_action(&caller, &services, input).await?;
        crate::ssr::navigation::after_action(&result);
        Ok(result)
    })
    .await
}
