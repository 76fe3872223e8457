//! Deploys a new image for one container: registers a copy of the current task-definition
//! revision with only that image changed, then updates the service to it.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "deploy_service")]
pub async fn deploy_service(
    env: String,
    cluster: String,
    service: String,
    container: String,
    image: String,
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
            request: ActionRequest::Deploy {
                cluster,
                service,
                container,
                image,
            },
        };
        let result = run_action(&caller, &services, input).await?;
        crate::ssr::navigation::after_action(&result);
        Ok(result)
    })
    .await
}
